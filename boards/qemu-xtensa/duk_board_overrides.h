/* Duktape options for the QEMU Xtensa board only, appended after the firmware's own
 * overrides (firmware/vm/duk_config_overrides.h) in a board copy of the config. They shrink
 * every heap object so the app fits an ESP32's 320 KiB; none needs regenerated builtins.
 *
 * 16-bit fields: the whole engine heap is under 320 KiB, so no count or length can reach
 * 2^16 in practice - and every reference or byte they count occupies heap memory. */
#define DUK_USE_REFCOUNT16
#define DUK_USE_STRHASH16
#define DUK_USE_STRLEN16
#define DUK_USE_BUFLEN16
#define DUK_USE_OBJSIZES16
