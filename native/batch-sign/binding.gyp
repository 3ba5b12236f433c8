{
  "targets": [
    {
      "target_name": "batch_sign",
      "sources": ["batch_sign.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-std=gnu11"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
