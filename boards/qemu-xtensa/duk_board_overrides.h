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

/* 16-bit heap pointers: every engine allocation comes from the board's heap (alloc.c),
 * which the linker map keeps under 256 KiB, so (offset / 4) + 1 fits 16 bits; 0 is NULL. */
#define DUK_USE_HEAPPTR16
extern char __heap_start[];
duk_uint16_t qb_heapptr_enc16(const void *p);
#define DUK_USE_HEAPPTR_ENC16(ud, p) qb_heapptr_enc16((p))
#define DUK_USE_HEAPPTR_DEC16(ud, x) \
  ((void *)((x) ? (char *)__heap_start + (((duk_uintptr_t)(x) - 1u) << 2) : (char *)0))

/* Integers without doubles: the lx106 has no FPU (nor has the ESP32 for doubles), so every
 * JS number operation on a double goes through software floating point (softdouble.c).
 * The protocol's arithmetic is on integers; fastints keep them as integers in the engine. */
#define DUK_USE_FASTINT

/* No name property on every function (~6 kB of the 320 KiB board's heap for the bundle's
 * functions): tracebacks on this board show [anon]; the host build keeps the names. */
#undef DUK_USE_FUNC_NAME_PROPERTY
