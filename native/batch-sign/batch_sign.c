// Batch DNSSEC signing for Signet's signing workers: private keys are loaded once (PKCS#8 DER), then a packed
// batch of signing inputs is signed in one call with the OpenSSL inside the node binary (its symbols are resolved
// from the node process at load time; no second libcrypto). See src/workers/native-signer.ts.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

enum family { FAMILY_RSA, FAMILY_ECDSA, FAMILY_EDDSA };

/* One loaded key. RSA and ECDSA keep an EVP_PKEY_CTX initialised for signing once (sign_init, signature_md,
 * padding) and sign a one-shot digest with it; EdDSA keeps an EVP_MD_CTX initialised for DigestSign and signs
 * from a copy of it (pure EdDSA has no prehash, RFC 8080 §4). */
typedef struct {
  int algorithm;
  enum family family;
  size_t sig_size;   /* bytes of the RRSIG signature field */
  size_t half;       /* ECDSA: bytes of r and of s (RFC 6605 §4) */
  size_t der_max;    /* ECDSA: the largest DER signature */
  int md_bits;       /* 256, 384 or 512: the hash of RSA and ECDSA */
  EVP_PKEY *pkey;
  EVP_PKEY_CTX *pctx;
  EVP_MD_CTX *tmpl;  /* EdDSA: initialised context, copied per signature */
  EVP_MD_CTX *work;
} sign_key_t;

/* One BatchSigner object: its keys. Each worker thread makes its own, so nothing is shared between threads. */
typedef struct {
  sign_key_t *keys;
  uint32_t count;
  uint32_t cap;
} signer_t;

static const char *algorithm_name(int algorithm) {
  switch (algorithm) {
    case 8: return "RSA/SHA-256";
    case 10: return "RSA/SHA-512";
    case 13: return "ECDSA P-256/SHA-256";
    case 14: return "ECDSA P-384/SHA-384";
    case 15: return "Ed25519";
    case 16: return "Ed448";
    default: return "unsupported";
  }
}

/* Throw an Error with `code` whose message names the algorithm, what failed and OpenSSL's reason (if any). */
static napi_value throw_ssl(napi_env env, const char *code, int algorithm, const char *what) {
  char reason[256] = "";
  unsigned long e = ERR_get_error();
  if (e != 0) ERR_error_string_n(e, reason, sizeof reason);
  ERR_clear_error();
  char msg[512];
  snprintf(msg, sizeof msg, "algorithm %d (%s): %s%s%s", algorithm, algorithm_name(algorithm), what, e != 0 ? ": " : "", reason);
  napi_throw_error(env, code, msg);
  return NULL;
}

static void free_key(sign_key_t *k) {
  if (k->pctx) EVP_PKEY_CTX_free(k->pctx);
  if (k->tmpl) EVP_MD_CTX_free(k->tmpl);
  if (k->work) EVP_MD_CTX_free(k->work);
  if (k->pkey) EVP_PKEY_free(k->pkey);
  memset(k, 0, sizeof *k);
}

static void signer_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  signer_t *s = data;
  for (uint32_t i = 0; i < s->count; i++) free_key(&s->keys[i]);
  free(s->keys);
  free(s);
}

static signer_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, &data) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not a BatchSigner");
    return NULL;
  }
  return data;
}

static napi_value construct(napi_env env, napi_callback_info info) {
  napi_value self;
  if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok) return NULL;
  signer_t *s = calloc(1, sizeof *s);
  if (!s) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_wrap(env, self, s, signer_finalize, NULL, NULL) != napi_ok) {
    free(s);
    return NULL;
  }
  return self;
}

/* Check the key's type against the algorithm and fill in the signing parameters. 0 when it does not fit. */
static int describe(sign_key_t *k, char *why, size_t why_len) {
  int id = EVP_PKEY_get_base_id(k->pkey);
  switch (k->algorithm) {
    case 8:
    case 10:
      if (id != EVP_PKEY_RSA) break;
      k->family = FAMILY_RSA;
      k->md_bits = k->algorithm == 8 ? 256 : 512;
      k->sig_size = (size_t)EVP_PKEY_get_size(k->pkey);
      return 1;
    case 13:
    case 14: {
      if (id != EVP_PKEY_EC) break;
      char group[64] = "";
      size_t len = 0;
      if (!EVP_PKEY_get_group_name(k->pkey, group, sizeof group, &len)) break;
      const char *want = k->algorithm == 13 ? "prime256v1" : "secp384r1";
      if (strcmp(group, want) != 0) {
        snprintf(why, why_len, "the key is on curve %s, not %s", group, want);
        return 0;
      }
      k->family = FAMILY_ECDSA;
      k->md_bits = k->algorithm == 13 ? 256 : 384;
      k->half = k->algorithm == 13 ? 32 : 48;
      k->sig_size = 2 * k->half;
      k->der_max = (size_t)EVP_PKEY_get_size(k->pkey);
      return 1;
    }
    case 15:
    case 16:
      if (id != (k->algorithm == 15 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448)) break;
      k->family = FAMILY_EDDSA;
      k->sig_size = k->algorithm == 15 ? 64 : 114;
      return 1;
    default:
      snprintf(why, why_len, "the native signer does not sign this algorithm");
      return 0;
  }
  snprintf(why, why_len, "the private key is of type %s, which does not fit the algorithm", OBJ_nid2sn(id));
  return 0;
}

static const EVP_MD *md_of(int bits) {
  return bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
}

/* Set up the prepared contexts of a described key. 0 on failure (OpenSSL's error queue says why). */
static int prepare(sign_key_t *k, const char **what) {
  if (k->family == FAMILY_EDDSA) {
    *what = "EVP_DigestSignInit failed";
    k->tmpl = EVP_MD_CTX_new();
    k->work = EVP_MD_CTX_new();
    return k->tmpl && k->work && EVP_DigestSignInit(k->tmpl, NULL, NULL, NULL, k->pkey) == 1;
  }
  *what = "EVP_PKEY_sign_init failed";
  k->pctx = EVP_PKEY_CTX_new(k->pkey, NULL);
  if (!k->pctx || EVP_PKEY_sign_init(k->pctx) != 1) return 0;
  *what = "EVP_PKEY_CTX_set_signature_md failed";
  if (EVP_PKEY_CTX_set_signature_md(k->pctx, md_of(k->md_bits)) != 1) return 0;
  if (k->family == FAMILY_RSA) {
    /* RFC 5702 §3: RSASSA-PKCS1-v1_5 */
    *what = "EVP_PKEY_CTX_set_rsa_padding failed";
    if (EVP_PKEY_CTX_set_rsa_padding(k->pctx, RSA_PKCS1_PADDING) != 1) return 0;
  }
  return 1;
}

/* addKey(algorithm, pkcs8: Uint8Array): number — load a private key; returns its index for sign(). */
static napi_value add_key(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  signer_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  int32_t algorithm = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &algorithm) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "addKey(algorithm, pkcs8)");
    return NULL;
  }
  bool is_ta = false;
  napi_is_typedarray(env, argv[1], &is_ta);
  if (!is_ta) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "addKey: pkcs8 must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length = 0;
  void *bytes = NULL;
  napi_get_typedarray_info(env, argv[1], &type, &length, &bytes, NULL, NULL);
  if (type != napi_uint8_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "addKey: pkcs8 must be a Uint8Array");
    return NULL;
  }
  if (s->count >= 65535) return throw_ssl(env, "WORKERS_NATIVE_KEY", algorithm, "too many keys (at most 65535)");
  if (algorithm != 8 && algorithm != 10 && algorithm != 13 && algorithm != 14 && algorithm != 15 && algorithm != 16) {
    ERR_clear_error();
    return throw_ssl(env, "WORKERS_NATIVE_KEY", algorithm, "the native signer does not sign this algorithm");
  }
  ERR_clear_error();
  sign_key_t k;
  memset(&k, 0, sizeof k);
  k.algorithm = algorithm;
  const unsigned char *p = bytes;
  k.pkey = d2i_AutoPrivateKey(NULL, &p, (long)length);
  if (!k.pkey) return throw_ssl(env, "WORKERS_NATIVE_KEY", algorithm, "the private key (PKCS#8 DER) does not decode");
  char why[160] = "";
  if (!describe(&k, why, sizeof why)) {
    free_key(&k);
    ERR_clear_error();
    return throw_ssl(env, "WORKERS_NATIVE_KEY", algorithm, why);
  }
  const char *what = "";
  if (!prepare(&k, &what)) {
    free_key(&k);
    return throw_ssl(env, "WORKERS_NATIVE_KEY", algorithm, what);
  }
  if (s->count == s->cap) {
    uint32_t cap = s->cap ? s->cap * 2 : 4;
    sign_key_t *grown = realloc(s->keys, cap * sizeof *grown);
    if (!grown) {
      free_key(&k);
      napi_throw_error(env, "ENOMEM", "out of memory");
      return NULL;
    }
    s->keys = grown;
    s->cap = cap;
  }
  s->keys[s->count] = k;
  napi_value index;
  napi_create_uint32(env, s->count++, &index);
  return index;
}

/* signatureSize(index): number — bytes of every signature key `index` makes. */
static napi_value signature_size(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  signer_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  uint32_t i = 0;
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &i) != napi_ok || i >= s->count) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "signatureSize: no such key");
    return NULL;
  }
  napi_value out;
  napi_create_uint32(env, (uint32_t)s->keys[i].sig_size, &out);
  return out;
}

static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *length) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return NULL;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_get_typedarray_info(env, v, &type, length, &data, NULL, NULL) != napi_ok || type != want) return NULL;
  static const uint8_t empty = 0;
  return data ? data : (void *)&empty; /* zero-length arrays may have no backing store */
}

/* Sign one input with key k into out (k->sig_size bytes). 0 on failure, with *what set. */
static int sign_one(sign_key_t *k, const uint8_t *in, size_t len, uint8_t *out, const char **what) {
  if (k->family == FAMILY_EDDSA) {
    size_t siglen = k->sig_size;
    *what = "EVP_DigestSign failed";
    /* one-shot EdDSA finalises its context, so each signature signs from a copy of the prepared one */
    if (EVP_MD_CTX_copy_ex(k->work, k->tmpl) != 1) return 0;
    return EVP_DigestSign(k->work, out, &siglen, in, len) == 1 && siglen == k->sig_size;
  }
  uint8_t md[64];
  size_t mdlen = (size_t)k->md_bits / 8;
  if (k->md_bits == 256) SHA256(in, len, md);
  else if (k->md_bits == 384) SHA384(in, len, md);
  else SHA512(in, len, md);
  *what = "EVP_PKEY_sign failed";
  if (k->family == FAMILY_RSA) {
    size_t siglen = k->sig_size;
    return EVP_PKEY_sign(k->pctx, out, &siglen, md, mdlen) == 1 && siglen == k->sig_size;
  }
  uint8_t der[160];
  size_t derlen = sizeof der;
  if (k->der_max > sizeof der || EVP_PKEY_sign(k->pctx, der, &derlen, md, mdlen) != 1) return 0;
  /* RFC 6605 §4: the DER SEQUENCE { r, s } becomes r | s, each left-padded to the field size */
  *what = "converting the ECDSA signature from DER failed";
  const unsigned char *p = der;
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
  if (!sig) return 0;
  const BIGNUM *r = NULL, *s = NULL;
  ECDSA_SIG_get0(sig, &r, &s);
  int ok = BN_bn2binpad(r, out, (int)k->half) == (int)k->half && BN_bn2binpad(s, out + k->half, (int)k->half) == (int)k->half;
  ECDSA_SIG_free(sig);
  return ok;
}

/* sign(data: Uint8Array, offsets: Uint32Array, keys: Uint16Array, out: Uint8Array, outOffsets: Uint32Array)
 * — input i is data[offsets[i] … offsets[i+1]) signed by key keys[i]; its signature goes to
 * out[outOffsets[i] … outOffsets[i+1]), packed in order (the caller sizes out with signatureSize). */
static napi_value sign_batch(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  signer_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  size_t data_len = 0, off_len = 0, keys_len = 0, out_len = 0, out_off_len = 0;
  const uint8_t *data = argc >= 5 ? typed(env, argv[0], napi_uint8_array, &data_len) : NULL;
  const uint32_t *offsets = data ? typed(env, argv[1], napi_uint32_array, &off_len) : NULL;
  const uint16_t *keys = offsets ? typed(env, argv[2], napi_uint16_array, &keys_len) : NULL;
  uint8_t *out = keys ? typed(env, argv[3], napi_uint8_array, &out_len) : NULL;
  uint32_t *out_offsets = out ? typed(env, argv[4], napi_uint32_array, &out_off_len) : NULL;
  if (!out_offsets) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "sign(data: Uint8Array, offsets: Uint32Array, keys: Uint16Array, out: Uint8Array, outOffsets: Uint32Array)");
    return NULL;
  }
  size_t n = keys_len;
  if (off_len != n + 1 || out_off_len != n + 1) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "sign: offsets and outOffsets need one more entry than keys");
    return NULL;
  }
  size_t o = 0;
  out_offsets[0] = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t from = offsets[i], to = offsets[i + 1];
    if (from > to || to > data_len) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "sign: an input lies outside data");
      return NULL;
    }
    if (keys[i] >= s->count) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "sign: a key index names no loaded key");
      return NULL;
    }
    sign_key_t *k = &s->keys[keys[i]];
    if (o + k->sig_size > out_len || o + k->sig_size > UINT32_MAX) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "sign: out is too small for the signatures");
      return NULL;
    }
    const char *what = "";
    if (!sign_one(k, data + from, to - from, out + o, &what)) return throw_ssl(env, "WORKERS_NATIVE_SIGN", k->algorithm, what);
    o += k->sig_size;
    out_offsets[i + 1] = (uint32_t)o;
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
    {"addKey", NULL, add_key, NULL, NULL, NULL, napi_default_method, NULL},
    {"signatureSize", NULL, signature_size, NULL, NULL, NULL, napi_default_method, NULL},
    {"sign", NULL, sign_batch, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value cls;
  if (napi_define_class(env, "BatchSigner", NAPI_AUTO_LENGTH, construct, NULL, sizeof methods / sizeof methods[0], methods, &cls) != napi_ok) return NULL;
  napi_set_named_property(env, exports, "BatchSigner", cls);
  napi_value version;
  napi_create_string_utf8(env, OpenSSL_version(OPENSSL_VERSION), NAPI_AUTO_LENGTH, &version);
  napi_set_named_property(env, exports, "openssl", version);
  return exports;
}
