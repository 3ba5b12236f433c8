// Batched UDP for Signet's DNS server (Linux): one socket watched by a uv_poll_t on Node's loop, drained with
// recvmmsg into buffers shared with JavaScript, one JS call per batch, replies sent with one sendmmsg.
// Plain node_api.h (N-API 8) and libuv from Node itself; no other dependency. See src/net/udp-batch.ts.
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>

#define ADDR_STRIDE 32   /* bytes per source address slot: holds a sockaddr_in6 (28) */
#define MAX_BATCHES_PER_WAKEUP 8

typedef struct {
  napi_env env;
  napi_ref self_ref;  /* strong while open: the poll callback needs the object */
  napi_ref cb_ref;
  napi_ref rx_ref, meta_ref, tx_ref, txmeta_ref;
  napi_async_context actx;
  uv_poll_t *poll;    /* freed by its close callback */
  int fd;
  int closed;
  int hooked;
  int in_callback;    /* close() from inside the batch callback defers releasing the references */
  int release_pending;
  uint32_t slots, slot_size;
  size_t tx_size;
  uint8_t *rx;
  int32_t *lens;      /* rx meta: lengths (-1: larger than a slot), then the addresses */
  uint8_t *addrs;
  uint8_t *tx;
  int32_t *txmeta;    /* [offset, length, slot] per reply */
  struct mmsghdr *rmsgs;
  struct iovec *riov;
  struct mmsghdr *smsgs;
  struct iovec *siov;
} sock_t;

static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[256];
  napi_value code, text, error;
  const char *name = err == EADDRINUSE ? "EADDRINUSE" : err == EADDRNOTAVAIL ? "EADDRNOTAVAIL" : err == EACCES ? "EACCES" : err == EAFNOSUPPORT ? "EAFNOSUPPORT" : err == EINVAL ? "EINVAL" : "EIO";
  snprintf(msg, sizeof msg, "%s %s: %s", what, name, strerror(err));
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, code, text, &error);
  napi_set_named_property(env, error, "code", code);
  napi_value n;
  napi_create_int32(env, -err, &n);
  napi_set_named_property(env, error, "errno", n);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, "ERR_INVALID_ARG", msg);
  return NULL;
}

static napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static void poll_closed(uv_handle_t *h) { free(h); }

/* Stop watching and close the socket; no JS is called. Safe to call twice. */
static void shut(sock_t *s) {
  if (s->closed) return;
  s->closed = 1;
  if (s->poll) {
    uv_poll_stop(s->poll);
    s->poll->data = NULL;
    uv_close((uv_handle_t *)s->poll, poll_closed);
    s->poll = NULL;
  }
  if (s->fd >= 0) {
    close(s->fd);
    s->fd = -1;
  }
}

static void env_cleanup(void *arg) {
  sock_t *s = arg;
  s->hooked = 0;
  shut(s);
}

static void release_refs(sock_t *s) {
  napi_env env = s->env;
  napi_ref *refs[] = {&s->cb_ref, &s->rx_ref, &s->meta_ref, &s->tx_ref, &s->txmeta_ref, &s->self_ref};
  for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
    if (*refs[i]) {
      napi_delete_reference(env, *refs[i]);
      *refs[i] = NULL;
    }
  }
  if (s->actx) {
    napi_async_destroy(env, s->actx);
    s->actx = NULL;
  }
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sock_t *s = data;
  if (s->hooked) napi_remove_env_cleanup_hook(s->env, env_cleanup, s);
  shut(s);
  free(s->rmsgs);
  free(s->riov);
  free(s->smsgs);
  free(s->siov);
  free(s);
}

static void call_js(sock_t *s, int32_t arg) {
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value self, cb, argv[1], result;
  if (napi_get_reference_value(env, s->self_ref, &self) == napi_ok && self &&
      napi_get_reference_value(env, s->cb_ref, &cb) == napi_ok && cb) {
    napi_create_int32(env, arg, &argv[0]);
    /* napi_make_callback runs queued microtasks and nextTicks afterwards, as dgram's 'message' does. */
    s->in_callback = 1;
    napi_status st = napi_make_callback(env, s->actx, self, cb, 1, argv, &result);
    s->in_callback = 0;
    if (st != napi_ok) {
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value ignored;
        napi_get_and_clear_last_exception(env, &ignored); /* the JS side catches its own errors; never crash */
      }
    }
  }
  napi_close_handle_scope(env, scope);
  if (s->release_pending) {
    s->release_pending = 0;
    release_refs(s);
  }
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  sock_t *s = h->data;
  if (!s || s->closed) return;
  if (status < 0) {
    call_js(s, status);
    return;
  }
  for (int b = 0; b < MAX_BATCHES_PER_WAKEUP && !s->closed; b++) {
    for (uint32_t i = 0; i < s->slots; i++) {
      s->rmsgs[i].msg_hdr.msg_namelen = ADDR_STRIDE;
      s->rmsgs[i].msg_hdr.msg_flags = 0;
      s->rmsgs[i].msg_len = 0;
    }
    int n = recvmmsg(s->fd, s->rmsgs, s->slots, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) call_js(s, -errno);
      return;
    }
    if (n == 0) return;
    for (int i = 0; i < n; i++) {
      s->lens[i] = (s->rmsgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (int32_t)s->rmsgs[i].msg_len;
    }
    call_js(s, n);
    if ((uint32_t)n < s->slots) return;
  }
}

/* Fill `ab`'s data pointer and length; false (with a JS error) when it is not an ArrayBuffer of at least `min`. */
static bool arraybuffer(napi_env env, napi_value v, size_t min, void **data, size_t *len) {
  bool is = false;
  if (napi_is_arraybuffer(env, v, &is) != napi_ok || !is) return throw_type(env, "expected an ArrayBuffer"), false;
  if (napi_get_arraybuffer_info(env, v, data, len) != napi_ok || *len < min) return throw_type(env, "ArrayBuffer too small"), false;
  return true;
}

/* Bytes of a TypedArray or Buffer argument. */
static bool bytes(napi_env env, napi_value v, uint8_t **data, size_t *len) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return throw_type(env, "expected a Uint8Array"), false;
  napi_typedarray_type type;
  size_t length, offset;
  napi_value ab;
  void *base;
  if (napi_get_typedarray_info(env, v, &type, &length, &base, &ab, &offset) != napi_ok || type != napi_uint8_array) return throw_type(env, "expected a Uint8Array"), false;
  *data = base;
  *len = length;
  return true;
}

/* new UdpBatchSocket(address, port, slots, slotSize, rx, rxMeta, tx, txMeta, onBatch) */
static napi_value construct(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9], self;
  napi_get_cb_info(env, info, &argc, argv, &self, NULL);
  if (argc < 9) return throw_type(env, "UdpBatchSocket needs 9 arguments");
  char address[INET6_ADDRSTRLEN + 1];
  size_t alen;
  if (napi_get_value_string_utf8(env, argv[0], address, sizeof address, &alen) != napi_ok) return throw_type(env, "address must be a string");
  uint32_t port, slots, slot_size;
  if (napi_get_value_uint32(env, argv[1], &port) != napi_ok || port > 65535) return throw_type(env, "bad port");
  if (napi_get_value_uint32(env, argv[2], &slots) != napi_ok || slots == 0 || slots > 1024) return throw_type(env, "bad slot count");
  if (napi_get_value_uint32(env, argv[3], &slot_size) != napi_ok || slot_size < 512 || slot_size > 65536) return throw_type(env, "bad slot size");
  void *rx, *meta, *tx, *txmeta;
  size_t rx_len, meta_len, tx_len, txmeta_len;
  if (!arraybuffer(env, argv[4], (size_t)slots * slot_size, &rx, &rx_len)) return NULL;
  if (!arraybuffer(env, argv[5], (size_t)slots * (4 + ADDR_STRIDE), &meta, &meta_len)) return NULL;
  if (!arraybuffer(env, argv[6], 512, &tx, &tx_len)) return NULL;
  if (!arraybuffer(env, argv[7], (size_t)slots * 12, &txmeta, &txmeta_len)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[8], &t);
  if (t != napi_function) return throw_type(env, "onBatch must be a function");

  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  socklen_t sl;
  int family;
  struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, address, &a4->sin_addr) == 1) {
    family = AF_INET;
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    sl = sizeof *a4;
  } else if (inet_pton(AF_INET6, address, &a6->sin6_addr) == 1) {
    family = AF_INET6;
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    sl = sizeof *a6;
  } else {
    return throw_type(env, "address must be an IPv4 or IPv6 literal");
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, errno, "socket");
  int one = 1;
  /* As node:dgram with ipv6Only: an IPv6 socket takes IPv6 only, so `::` and `0.0.0.0` can both be bound. No
   * SO_REUSEADDR: dgram sets it only on request, and without it a second server on the port fails loudly. */
  if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "setsockopt");
  }
  if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "bind");
  }

  sock_t *s = calloc(1, sizeof *s);
  uv_poll_t *poll = malloc(sizeof *poll);
  struct mmsghdr *rm = calloc(slots, sizeof *rm), *sm = calloc(slots, sizeof *sm);
  struct iovec *ri = calloc(slots, sizeof *ri), *si = calloc(slots, sizeof *si);
  if (!s || !poll || !rm || !sm || !ri || !si) {
    close(fd);
    free(s), free(poll), free(rm), free(sm), free(ri), free(si);
    return throw_errno(env, ENOMEM, "alloc");
  }
  s->env = env;
  s->fd = fd;
  s->slots = slots;
  s->slot_size = slot_size;
  s->rx = rx;
  s->lens = meta;
  s->addrs = (uint8_t *)meta + (size_t)slots * 4;
  s->tx = tx;
  s->tx_size = tx_len;
  s->txmeta = txmeta;
  s->rmsgs = rm;
  s->riov = ri;
  s->smsgs = sm;
  s->siov = si;
  for (uint32_t i = 0; i < slots; i++) {
    ri[i].iov_base = s->rx + (size_t)i * slot_size;
    ri[i].iov_len = slot_size;
    rm[i].msg_hdr.msg_iov = &ri[i];
    rm[i].msg_hdr.msg_iovlen = 1;
    rm[i].msg_hdr.msg_name = s->addrs + (size_t)i * ADDR_STRIDE;
    rm[i].msg_hdr.msg_namelen = ADDR_STRIDE;
    sm[i].msg_hdr.msg_iov = &si[i];
    sm[i].msg_hdr.msg_iovlen = 1;
  }
  uv_loop_t *loop;
  napi_value name;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init(loop, poll, fd) != 0) {
    close(fd);
    free(s), free(poll), free(rm), free(sm), free(ri), free(si);
    return throw_errno(env, EIO, "uv_poll_init");
  }
  s->poll = poll;
  poll->data = s;
  napi_create_reference(env, argv[4], 1, &s->rx_ref);
  napi_create_reference(env, argv[5], 1, &s->meta_ref);
  napi_create_reference(env, argv[6], 1, &s->tx_ref);
  napi_create_reference(env, argv[7], 1, &s->txmeta_ref);
  napi_create_reference(env, argv[8], 1, &s->cb_ref);
  napi_create_string_utf8(env, "signet:udp-batch", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->actx);
  if (napi_wrap(env, self, s, finalize, NULL, NULL) != napi_ok) {
    shut(s);
    release_refs(s);
    free(rm), free(sm), free(ri), free(si), free(s);
    return throw_errno(env, EIO, "napi_wrap");
  }
  napi_create_reference(env, self, 1, &s->self_ref);
  napi_add_env_cleanup_hook(env, env_cleanup, s);
  s->hooked = 1;
  uv_poll_start(poll, UV_READABLE, on_readable);
  return self;
}

static sock_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  napi_get_cb_info(env, info, argc, argv, &self, NULL);
  if (napi_unwrap(env, self, &data) != napi_ok || !data) {
    throw_type(env, "not a UdpBatchSocket");
    return NULL;
  }
  return data;
}

/* flush(count): send the replies described by txMeta[0..count) to the sources of their slots. Returns how many
 * could not be sent (socket buffer full, unreachable, bad entry); never throws for a send failure. */
static napi_value flush(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  uint32_t count = 0;
  napi_get_value_uint32(env, argv[0], &count);
  if (count > s->slots) count = s->slots;
  int32_t failed = 0;
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++) {
    int32_t off = s->txmeta[i * 3], len = s->txmeta[i * 3 + 1], slot = s->txmeta[i * 3 + 2];
    if (off < 0 || len < 0 || (size_t)off + (size_t)len > s->tx_size || slot < 0 || (uint32_t)slot >= s->slots) {
      failed++;
      continue;
    }
    s->siov[n].iov_base = s->tx + off;
    s->siov[n].iov_len = (size_t)len;
    struct msghdr *h = &s->smsgs[n].msg_hdr;
    h->msg_name = s->addrs + (size_t)slot * ADDR_STRIDE;
    sa_family_t fam;
    memcpy(&fam, h->msg_name, sizeof fam);
    h->msg_namelen = fam == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    h->msg_iov = &s->siov[n];
    h->msg_iovlen = 1;
    n++;
  }
  uint32_t sent = 0;
  while (!s->closed && sent < n) {
    int r = sendmmsg(s->fd, s->smsgs + sent, n - sent, MSG_DONTWAIT);
    if (r < 0) {
      if (errno == EINTR) continue;
      failed++; /* this one failed (EAGAIN: buffer full, or an error for its destination); go on with the next */
      sent++;
      continue;
    }
    sent += (uint32_t)r;
  }
  if (sent < n) failed += (int32_t)(n - sent);
  napi_create_int32(env, failed, &out);
  return out;
}

/* sendTo(bytes, addr): one datagram to a copied source address (32 bytes from rxMeta). Returns 0 or an errno. */
static napi_value send_to(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  uint8_t *data, *addr;
  size_t len, alen;
  if (argc < 2 || !bytes(env, argv[0], &data, &len) || !bytes(env, argv[1], &addr, &alen)) return NULL;
  int err = 0;
  if (s->closed) err = EBADF;
  else if (alen < sizeof(struct sockaddr_in6)) err = EINVAL;
  else {
    sa_family_t fam;
    memcpy(&fam, addr, sizeof fam);
    socklen_t sl = fam == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    struct sockaddr_storage ss;
    memcpy(&ss, addr, sl);
    ssize_t r;
    do r = sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
    while (r < 0 && errno == EINTR);
    if (r < 0) err = errno;
  }
  napi_create_int32(env, err, &out);
  return out;
}

/* setRx(arrayBuffer): receive into a new data buffer from now on (the old one may still be read by handlers). */
static napi_value set_rx(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  void *rx;
  size_t len;
  if (argc < 1 || !arraybuffer(env, argv[0], (size_t)s->slots * s->slot_size, &rx, &len)) return NULL;
  if (s->closed) return undef(env);
  if (s->rx_ref) napi_delete_reference(env, s->rx_ref);
  napi_create_reference(env, argv[0], 1, &s->rx_ref);
  s->rx = rx;
  for (uint32_t i = 0; i < s->slots; i++) s->riov[i].iov_base = s->rx + (size_t)i * s->slot_size;
  return undef(env);
}

/* close(): stop polling and close the socket at once (the port is free when it returns). */
static napi_value close_sock(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  sock_t *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  if (s->hooked) {
    napi_remove_env_cleanup_hook(env, env_cleanup, s);
    s->hooked = 0;
  }
  shut(s);
  if (s->in_callback) s->release_pending = 1;
  else release_refs(s);
  return undef(env);
}

static napi_value addr_value(napi_env env, const uint8_t *p) {
  struct sockaddr_storage ss;
  memcpy(&ss, p, sizeof(struct sockaddr_in6));
  char text[INET6_ADDRSTRLEN + 1] = "";
  uint16_t port = 0;
  int family = 4;
  if (ss.ss_family == AF_INET6) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    port = ntohs(a->sin6_port);
    family = 6;
  } else if (ss.ss_family == AF_INET) {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    port = ntohs(a->sin_port);
  }
  napi_value arr, v;
  napi_create_array_with_length(env, 3, &arr);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  napi_set_element(env, arr, 0, v);
  napi_create_uint32(env, port, &v);
  napi_set_element(env, arr, 1, v);
  napi_create_uint32(env, (uint32_t)family, &v);
  napi_set_element(env, arr, 2, v);
  return arr;
}

/* local(): [address, port, family] the socket is bound to. */
static napi_value local(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  sock_t *s = unwrap(env, info, &argc, NULL);
  if (!s) return NULL;
  if (s->closed) return throw_errno(env, EBADF, "local");
  uint8_t buf[sizeof(struct sockaddr_storage)];
  memset(buf, 0, sizeof buf);
  socklen_t sl = sizeof buf;
  if (getsockname(s->fd, (struct sockaddr *)buf, &sl) < 0) return throw_errno(env, errno, "getsockname");
  return addr_value(env, buf);
}

/* formatAddress(addr): [address, port, family] of a 32-byte source address copied from rxMeta. */
static napi_value format_address(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  uint8_t *addr;
  size_t len;
  if (argc < 1 || !bytes(env, argv[0], &addr, &len)) return NULL;
  if (len < sizeof(struct sockaddr_in6)) return throw_type(env, "address too short");
  return addr_value(env, addr);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"flush", NULL, flush, NULL, NULL, NULL, napi_default, NULL},
      {"sendTo", NULL, send_to, NULL, NULL, NULL, napi_default, NULL},
      {"setRx", NULL, set_rx, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_sock, NULL, NULL, NULL, napi_default, NULL},
      {"local", NULL, local, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls, fmt, stride;
  napi_define_class(env, "UdpBatchSocket", NAPI_AUTO_LENGTH, construct, NULL, sizeof methods / sizeof methods[0], methods, &cls);
  napi_set_named_property(env, exports, "UdpBatchSocket", cls);
  napi_create_function(env, "formatAddress", NAPI_AUTO_LENGTH, format_address, NULL, &fmt);
  napi_set_named_property(env, exports, "formatAddress", fmt);
  napi_create_uint32(env, ADDR_STRIDE, &stride);
  napi_set_named_property(env, exports, "ADDR_STRIDE", stride);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
