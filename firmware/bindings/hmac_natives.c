/* hw.hmacBlake2s(key, data) over firmware/crypto's hw_hmac_blake2s (platform.ts
 * Crypto.hmacBlake2s). Its own file so the handshake's one native stays apart from the AEAD and
 * per-packet natives; registered by hw_bindings_register_crypto. */
#include "bindings.h"
#include "hw_crypto.h"

static void n_hmac_blake2s(hw_vm_call *c) {
  size_t key_len, len;
  const uint8_t *key = hw_vm_arg_bytes(c, 0, &key_len, "hmacBlake2s: key");
  if (!key) return;
  /* RFC 2104 would hash a longer key first; WireGuard never has one, so it is misuse here. */
  if (key_len > HW_HMAC_MAX_KEY) {
    hw_vm_throw_range(c, "hmacBlake2s: key longer than %u bytes", (unsigned)HW_HMAC_MAX_KEY);
    return;
  }
  const uint8_t *data = hw_vm_arg_bytes(c, 1, &len, "hmacBlake2s: data");
  if (!data) return;
  if (len > HW_MAX_AEAD_INPUT) {
    hw_vm_throw_range(c, "hmacBlake2s: data longer than %u bytes", (unsigned)HW_MAX_AEAD_INPUT);
    return;
  }
  /* The MAC goes straight into the fresh JS array: no copy of it is left in C. */
  uint8_t *out = hw_vm_return_bytes(c, 32);
  if (!out) return;
  if (hw_hmac_blake2s(out, key_len ? key : NULL, key_len, len ? data : NULL, len) != 0)
    hw_vm_throw_range(c, "hmacBlake2s: bad lengths"); /* unreachable after the checks above */
}

int hw_bindings_register_hmac(hw_vm *vm) {
  return hw_vm_register(vm, HW_NATIVES_OBJECT, "hmacBlake2s", n_hmac_blake2s, NULL);
}
