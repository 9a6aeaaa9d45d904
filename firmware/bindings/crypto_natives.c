/* hw.x25519 / x25519Base / aeadSeal / aeadOpen / xaeadSeal / xaeadOpen / blake2s and the
 * per-packet openTransport over firmware/crypto. Results are written straight into a JS array (a
 * fresh one, or the caller's for openTransport), so no secret is left in a C buffer; every size
 * is checked before the library sees a pointer. */
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

/* ---- the per-packet path: the receive side of a transport message in one call ---------------
 * On an interpreter the header parsing, the view and a fresh plaintext array cost more than the
 * AEAD of a small packet, so this does them in C (platform.ts Crypto.openTransport); the send
 * side is hw.sendTransport (platform_natives.c), which also sends. */

/* platform.ts OPEN_*: which check refused the message. */
#define OPEN_NOT_TRANSPORT (-1)
#define OPEN_OTHER_RECEIVER (-2)
#define OPEN_BAD_COUNTER (-3)
#define OPEN_NOT_AUTHENTIC (-4)

static const uint8_t no_ad[1]; /* transport messages have an empty AD */

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* openTransport(key, localIndex, message, plaintext) -> the counter, or an OPEN_* code: message
 * is type 4 with zero reserved bytes and 32..65552 bytes, its receiver is localIndex, its
 * counter below 2^53 - 1 (REJECT_AFTER_MESSAGES), and it opens under key; the plaintext goes
 * into plaintext[0, length - 32) (zeroed there if the tag does not verify). */
static void n_open_transport(hw_vm_call *c) {
  const uint8_t *key = fixed_bytes(c, 0, HW_AEAD_KEY_LEN, "openTransport: key");
  if (!key) return;
  double index;
  if (!integer_arg(c, 1, 0, 4294967295.0, &index, "openTransport: localIndex")) return;
  size_t len, room;
  const uint8_t *message = hw_vm_arg_bytes(c, 2, &len, "openTransport: message");
  if (!message) return;
  uint8_t *plain = hw_vm_arg_bytes_out(c, 3, &room, "openTransport: plaintext");
  if (!plain) return;
  if (len < 32 || len - 16 > HW_MAX_AEAD_INPUT || message[0] != 4 || (message[1] | message[2] | message[3]) != 0) {
    hw_vm_return_number(c, OPEN_NOT_TRANSPORT);
    return;
  }
  if (room < len - 32) {
    hw_vm_throw_range(c, "openTransport: plaintext must hold %u bytes, has %u", (unsigned)(len - 32), (unsigned)room);
    return;
  }
  if (le32(message + 4) != (uint32_t)index) {
    hw_vm_return_number(c, OPEN_OTHER_RECEIVER);
    return;
  }
  uint64_t counter = (uint64_t)le32(message + 12) << 32 | le32(message + 8);
  if (counter >= ((uint64_t)1 << 53) - 1) {
    hw_vm_return_number(c, OPEN_BAD_COUNTER);
    return;
  }
  if (hw_aead_open(plain, message + 16, len - 16, no_ad, 0, counter, key) != 0) {
    hw_vm_return_number(c, OPEN_NOT_AUTHENTIC);
    return;
  }
  hw_vm_return_number(c, (double)counter);
}

int hw_bindings_register_crypto(hw_vm *vm) {
  static const struct {
    const char *name;
    hw_vm_native fn;
  } table[] = {
      {"x25519", n_x25519},       {"x25519Base", n_x25519_base}, {"aeadSeal", n_aead_seal},
      {"aeadOpen", n_aead_open},  {"xaeadSeal", n_xaead_seal},   {"xaeadOpen", n_xaead_open},
      {"blake2s", n_blake2s},     {"openTransport", n_open_transport},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (hw_vm_register(vm, HW_NATIVES_OBJECT, table[i].name, table[i].fn, NULL) != 0) return -1;
  return hw_bindings_register_hmac(vm);
}
