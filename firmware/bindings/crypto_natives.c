/* hw.x25519 / x25519Base / aeadSeal / aeadOpen / xaeadSeal / xaeadOpen / blake2s and the
 * per-packet sealTransport / openTransport over firmware/crypto. Results are written straight into the fresh JS array, so no secret is
 * left in a C buffer; every size is checked before the library sees a pointer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bindings.h"
#include "hw_crypto.h"

/* A Uint8Array argument of exactly n bytes. */
static const uint8_t *fixed_bytes(hw_vm_call *c, int i, size_t n, const char *what) {
  size_t len;
  const uint8_t *p = hw_vm_arg_bytes(c, i, &len, what);
  if (!p) return NULL;
  if (len != n) {
    hw_vm_throw_range(c, "%s must be %u bytes, got %u", what, (unsigned)n, (unsigned)len);
    return NULL;
  }
  return p;
}

/* A Uint8Array argument of at most max bytes. */
static const uint8_t *bounded_bytes(hw_vm_call *c, int i, size_t *len, size_t max, const char *what) {
  const uint8_t *p = hw_vm_arg_bytes(c, i, len, what);
  if (!p) return NULL;
  if (*len > max) {
    hw_vm_throw_range(c, "%s longer than %u bytes", what, (unsigned)max);
    return NULL;
  }
  return p;
}

/* An integer in [min, max] (the AEAD counter goes up to 2^53 - 1). */
static int integer_arg(hw_vm_call *c, int i, double min, double max, double *out, const char *what) {
  int ok;
  double v = hw_vm_arg_number(c, i, &ok, what);
  if (!ok) return 0;
  if (!(v >= min && v <= max) || floor(v) != v) {
    hw_vm_throw_range(c, "%s must be an integer in [%.0f, %.0f]", what, min, max);
    return 0;
  }
  *out = v;
  return 1;
}

static void n_x25519(hw_vm_call *c) {
  const uint8_t *scalar = fixed_bytes(c, 0, HW_X25519_LEN, "x25519: scalar");
  const uint8_t *point = scalar ? fixed_bytes(c, 1, HW_X25519_LEN, "x25519: point") : NULL;
  if (!point) return;
  uint8_t *out = hw_vm_return_bytes(c, HW_X25519_LEN);
  if (!out) return;
  (void)hw_x25519(out, scalar, point); /* all-zero (low-order) is returned; the core rejects it */
}

static void n_x25519_base(hw_vm_call *c) {
  const uint8_t *scalar = fixed_bytes(c, 0, HW_X25519_LEN, "x25519Base: scalar");
  if (!scalar) return;
  uint8_t *out = hw_vm_return_bytes(c, HW_X25519_LEN);
  if (!out) return;
  hw_x25519_base(out, scalar);
}

#define MAX_COUNTER 9007199254740991.0 /* 2^53 - 1: REJECT_AFTER_MESSAGES */

/* aeadSeal(key, counter, plaintext, ad) / aeadOpen(key, counter, ciphertext, ad) */
static void aead(hw_vm_call *c, int seal) {
  const char *name = seal ? "aeadSeal" : "aeadOpen";
  char what[40];
  snprintf(what, sizeof what, "%s: key", name);
  const uint8_t *key = fixed_bytes(c, 0, HW_AEAD_KEY_LEN, what);
  if (!key) return;
  double counter;
  snprintf(what, sizeof what, "%s: counter", name);
  if (!integer_arg(c, 1, 0, MAX_COUNTER, &counter, what)) return;
  size_t len, ad_len;
  snprintf(what, sizeof what, "%s: %s", name, seal ? "plaintext" : "ciphertext");
  const uint8_t *in = bounded_bytes(c, 2, &len, HW_MAX_AEAD_INPUT, what);
  if (!in) return;
  snprintf(what, sizeof what, "%s: ad", name);
  const uint8_t *ad = bounded_bytes(c, 3, &ad_len, HW_MAX_AEAD_INPUT, what);
  if (!ad) return;
  if (seal) {
    uint8_t *out = hw_vm_return_bytes(c, len + HW_AEAD_TAG_LEN);
    if (out) hw_aead_seal(out, in, len, ad, ad_len, (uint64_t)counter, key);
    return;
  }
  if (len < HW_AEAD_TAG_LEN) {
    hw_vm_return_null(c); /* too short to carry a tag: fails like a bad tag */
    return;
  }
  uint8_t *out = hw_vm_return_bytes(c, len - HW_AEAD_TAG_LEN);
  if (!out) return;
  if (hw_aead_open(out, in, len, ad, ad_len, (uint64_t)counter, key) != 0) hw_vm_return_null(c);
}

static void n_aead_seal(hw_vm_call *c) { aead(c, 1); }
static void n_aead_open(hw_vm_call *c) { aead(c, 0); }

/* xaeadSeal(key, nonce, plaintext, ad) / xaeadOpen(key, nonce, ciphertext, ad) */
static void xaead(hw_vm_call *c, int seal) {
  const char *name = seal ? "xaeadSeal" : "xaeadOpen";
  char what[40];
  snprintf(what, sizeof what, "%s: key", name);
  const uint8_t *key = fixed_bytes(c, 0, HW_AEAD_KEY_LEN, what);
  if (!key) return;
  snprintf(what, sizeof what, "%s: nonce", name);
  const uint8_t *nonce = fixed_bytes(c, 1, HW_XAEAD_NONCE_LEN, what);
  if (!nonce) return;
  size_t len, ad_len;
  snprintf(what, sizeof what, "%s: %s", name, seal ? "plaintext" : "ciphertext");
  const uint8_t *in = bounded_bytes(c, 2, &len, HW_MAX_AEAD_INPUT, what);
  if (!in) return;
  snprintf(what, sizeof what, "%s: ad", name);
  const uint8_t *ad = bounded_bytes(c, 3, &ad_len, HW_MAX_AEAD_INPUT, what);
  if (!ad) return;
  if (seal) {
    uint8_t *out = hw_vm_return_bytes(c, len + HW_AEAD_TAG_LEN);
    if (out) hw_xaead_seal(out, in, len, ad, ad_len, nonce, key);
    return;
  }
  if (len < HW_AEAD_TAG_LEN) {
    hw_vm_return_null(c);
    return;
  }
  uint8_t *out = hw_vm_return_bytes(c, len - HW_AEAD_TAG_LEN);
  if (!out) return;
  if (hw_xaead_open(out, in, len, ad, ad_len, nonce, key) != 0) hw_vm_return_null(c);
}

static void n_xaead_seal(hw_vm_call *c) { xaead(c, 1); }
static void n_xaead_open(hw_vm_call *c) { xaead(c, 0); }

/* blake2s(outLen, data, key?) */
static void n_blake2s(hw_vm_call *c) {
  double out_len;
  if (!integer_arg(c, 0, 1, HW_BLAKE2S_MAX_OUT, &out_len, "blake2s: outLen")) return;
  size_t len, key_len = 0;
  const uint8_t *data = bounded_bytes(c, 1, &len, HW_MAX_AEAD_INPUT, "blake2s: data");
  if (!data) return;
  const uint8_t *key = NULL;
  if (!hw_vm_arg_is_nullish(c, 2)) {
    key = bounded_bytes(c, 2, &key_len, HW_BLAKE2S_MAX_KEY, "blake2s: key");
    if (!key) return;
  }
  uint8_t *out = hw_vm_return_bytes(c, (size_t)out_len);
  if (!out) return;
  if (hw_blake2s(out, (size_t)out_len, data, len, key_len ? key : NULL, key_len) != 0)
    hw_vm_throw_range(c, "blake2s: bad lengths"); /* unreachable after the checks above */
}

/* ---- the per-packet path: a whole transport message per call ----------------------------
 * On an interpreter the padding copy, the framing and the views cost more than the AEAD's
 * bookkeeping, so these do them in C (platform.ts Crypto.sealTransport / openTransport). */

#define TRANSPORT_HEADER_LEN 16
#define TRANSPORT_MIN_LEN (TRANSPORT_HEADER_LEN + HW_AEAD_TAG_LEN)

/* device.ts paddedLength: up to a multiple of 16, but never past the tunnel MTU for a packet
 * that fits it. */
static size_t padded_length(size_t n) {
  size_t p = (n + 15) & ~(size_t)15;
  return n <= HW_MAX_TUNNEL_PACKET && p > HW_MAX_TUNNEL_PACKET ? HW_MAX_TUNNEL_PACKET : p;
}

/* Bytes 0..3 of a transport message: type 4, three reserved zeros. */
static int is_transport_type(const uint8_t *m) { return m[0] == 4 && (m[1] | m[2] | m[3]) == 0; }

static const uint8_t no_ad[1]; /* transport messages have an empty AD */

/* sealTransport(key, counter, header, packet, paddedLength) -> header[0, 8) || LE64(counter) ||
 * AEAD(packet || zeros up to paddedLength): the padding, framing and seal in one buffer. */
static void n_seal_transport(hw_vm_call *c) {
  const uint8_t *key = fixed_bytes(c, 0, HW_AEAD_KEY_LEN, "sealTransport: key");
  if (!key) return;
  double counter;
  if (!integer_arg(c, 1, 0, MAX_COUNTER, &counter, "sealTransport: counter")) return;
  const uint8_t *header = fixed_bytes(c, 2, TRANSPORT_HEADER_LEN, "sealTransport: header");
  if (!header) return;
  if (!is_transport_type(header)) {
    hw_vm_throw_range(c, "sealTransport: header must start 04 00 00 00 (a transport message)");
    return;
  }
  size_t len;
  const uint8_t *packet = bounded_bytes(c, 3, &len, HW_MAX_AEAD_INPUT, "sealTransport: packet");
  if (!packet) return;
  double padded;
  if (!integer_arg(c, 4, 0, HW_MAX_AEAD_INPUT, &padded, "sealTransport: paddedLength")) return;
  size_t p = (size_t)padded;
  if (p != padded_length(len)) {
    hw_vm_throw_range(c, "sealTransport: paddedLength must be %u for a %u-byte packet (next multiple of 16, at most %u)",
                      (unsigned)padded_length(len), (unsigned)len, HW_MAX_TUNNEL_PACKET);
    return;
  }
  /* Allocated before any work: an out-of-memory throw leaves nothing half done. */
  uint8_t *out = hw_vm_return_bytes(c, TRANSPORT_HEADER_LEN + p + HW_AEAD_TAG_LEN);
  if (!out) return;
  uint64_t n = (uint64_t)counter;
  memcpy(out, header, 8);
  for (int i = 0; i < 8; i++) out[8 + i] = (uint8_t)(n >> (8 * i));
  uint8_t *body = out + TRANSPORT_HEADER_LEN;
  if (len) memcpy(body, packet, len);
  memset(body + len, 0, p - len);
  hw_aead_seal(body, body, p, no_ad, 0, n, key); /* in place: hw_crypto.h allows dst == src */
}

/* openTransport(key, counter, message) -> aeadOpen(key, counter, message[16, length), empty AD):
 * the plaintext, or null if the tag does not verify. */
static void n_open_transport(hw_vm_call *c) {
  const uint8_t *key = fixed_bytes(c, 0, HW_AEAD_KEY_LEN, "openTransport: key");
  if (!key) return;
  double counter;
  if (!integer_arg(c, 1, 0, MAX_COUNTER, &counter, "openTransport: counter")) return;
  size_t len;
  const uint8_t *message = hw_vm_arg_bytes(c, 2, &len, "openTransport: message");
  if (!message) return;
  if (len < TRANSPORT_MIN_LEN || len - TRANSPORT_HEADER_LEN > HW_MAX_AEAD_INPUT) {
    hw_vm_throw_range(c, "openTransport: message must be %u..%u bytes, got %u", TRANSPORT_MIN_LEN,
                      TRANSPORT_HEADER_LEN + HW_MAX_AEAD_INPUT, (unsigned)len);
    return;
  }
  if (!is_transport_type(message)) {
    hw_vm_throw_range(c, "openTransport: message must start 04 00 00 00 (a transport message)");
    return;
  }
  uint8_t *out = hw_vm_return_bytes(c, len - TRANSPORT_MIN_LEN);
  if (!out) return;
  /* On failure hw_aead_open zeroes out; the array is dropped for null. */
  if (hw_aead_open(out, message + TRANSPORT_HEADER_LEN, len - TRANSPORT_HEADER_LEN, no_ad, 0, (uint64_t)counter,
                   key) != 0)
    hw_vm_return_null(c);
}

int hw_bindings_register_crypto(hw_vm *vm) {
  static const struct {
    const char *name;
    hw_vm_native fn;
  } table[] = {
      {"x25519", n_x25519},       {"x25519Base", n_x25519_base}, {"aeadSeal", n_aead_seal},
      {"aeadOpen", n_aead_open},  {"xaeadSeal", n_xaead_seal},   {"xaeadOpen", n_xaead_open},
      {"blake2s", n_blake2s},     {"sealTransport", n_seal_transport}, {"openTransport", n_open_transport},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (hw_vm_register(vm, HW_NATIVES_OBJECT, table[i].name, table[i].fn, NULL) != 0) return -1;
  return hw_bindings_register_hmac(vm);
}
