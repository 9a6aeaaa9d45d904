/* homewire engine adapter: the only JS engine API the bindings and the runtime use.
 *
 * One backend per engine (vm_duktape.c, vm_jerryscript.c), chosen at build time with
 * ENGINE=duktape|jerryscript. Natives never see engine values: they read typed arguments
 * through a call handle, and report misuse with hw_vm_throw_*, which records the error and
 * makes the backend throw it once the native returns. No native ever longjmps, so C frames
 * are always unwound normally (no leaked locks, no half-written buffers).
 */
#ifndef HW_VM_H
#define HW_VM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hw_vm hw_vm;
typedef struct hw_vm_call hw_vm_call;

/* A native: reads its arguments from c, sets a return value or throws. Returning without
 * either yields undefined. */
typedef void (*hw_vm_native)(hw_vm_call *c);

/* Where uncaught JS errors and engine messages go (the board's console). */
typedef void (*hw_vm_report)(void *ctx, const char *message);

#define HW_VM_MAX_NATIVES 48
#define HW_VM_MAX_ARGS 4

typedef struct {
  size_t current; /* bytes the engine heap holds now */
  size_t peak;    /* most it ever held since hw_vm_create */
  size_t limit;   /* configured ceiling, 0 = none */
} hw_vm_heap;

/* heap_limit: bytes the engine may use (0 = engine default). Returns NULL on failure. */
hw_vm *hw_vm_create(size_t heap_limit, hw_vm_report report, void *report_ctx);
void hw_vm_destroy(hw_vm *vm);
const char *hw_vm_engine_name(void);

/* Defines object.name as a JS function calling fn (object is a global created on first
 * use). user is handed back through hw_vm_user. Returns 0, or -1 if the table is full. */
int hw_vm_register(hw_vm *vm, const char *object, const char *name, hw_vm_native fn, void *user);

/* Runs a program: source text, or the engine's precompiled form (Duktape bytecode from
 * hw_vm_compile; a JerryScript image from scripts/jerry-image.ts, run in place: image must stay
 * valid and unchanged while the vm lives). Returns 0, or -1 after reporting the error. */
int hw_vm_run_source(hw_vm *vm, const char *name, const char *src, size_t len);
int hw_vm_run_image(hw_vm *vm, const uint8_t *image, size_t len);
/* Call right after hw_vm_create, before natives are registered or anything runs, when an image
 * will run: a JerryScript image carries the strings its static snapshot refers to, and the
 * engine must know them before it makes any string of its own. Checks the image (layout, engine
 * configuration); hw_vm_run_image then runs this same image. Duktape: nothing to do.
 * Returns 0, or -1 after reporting what is wrong. */
int hw_vm_prepare_image(hw_vm *vm, const uint8_t *image, size_t len);
/* Compiles source into the precompiled form hw_vm_run_image takes (host tool use).
 * Writes at most cap bytes; returns the size, or -1 (cap too small or a syntax error). */
long hw_vm_compile(hw_vm *vm, const char *name, const char *src, size_t len, uint8_t *out, size_t cap);

/* Arguments for calling into JS from C. */
typedef enum { HW_ARG_UNDEFINED, HW_ARG_NUMBER, HW_ARG_STRING, HW_ARG_BYTES } hw_arg_kind;
typedef struct {
  hw_arg_kind kind;
  double number;
  const char *string; /* NUL-terminated */
  const uint8_t *bytes;
  size_t len;  /* bytes: copied into a fresh Uint8Array */
  int repeats; /* string: short, never secret, passed again and again in this position (a source
                  address): the backend may keep it and pass the same engine string next time */
} hw_vm_arg;

/* Calls the global function `name` (or `object.function`, one level) with argc arguments
 * (argc <= HW_VM_MAX_ARGS).
 * Returns 0, 1 if there is no such function, or -1 if it threw (reported). */
int hw_vm_call_global(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv);

/* As hw_vm_call_global, with the result as text in out (NUL-terminated, cut to cap - 1 bytes):
 * returns 0 and the returned string ("" if it returned something else), 1 if there is no such
 * function, or -1 and the thrown error's message, which is not reported (the caller answers
 * with it: console commands). */
int hw_vm_call_global_text(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv, char *out, size_t cap);

void hw_vm_heap_stats(hw_vm *vm, hw_vm_heap *out);
/* Runs a full garbage collection (before measuring, or when idle). */
void hw_vm_gc(hw_vm *vm);

/* ---- inside a native ------------------------------------------------------------------ */

void *hw_vm_user(hw_vm_call *c);
int hw_vm_argc(hw_vm_call *c);
int hw_vm_arg_is_nullish(hw_vm_call *c, int i); /* undefined, null or missing */
/* A Uint8Array argument (any offset/length view). NULL (and a pending TypeError naming
 * what) if argument i is not one. *len receives the view's length. */
const uint8_t *hw_vm_arg_bytes(hw_vm_call *c, int i, size_t *len, const char *what);
/* The same, writable: for a native that puts its result into an array the caller passed (and
 * reuses), instead of allocating one. Write at most *len bytes, before the native returns. */
uint8_t *hw_vm_arg_bytes_out(hw_vm_call *c, int i, size_t *len, const char *what);
/* A number argument; sets *ok to 0 and a pending TypeError if it is not a number. */
double hw_vm_arg_number(hw_vm_call *c, int i, int *ok, const char *what);
/* A string argument as UTF-8 (not NUL-terminated in general; len given). NULL + TypeError if
 * not a string. Valid until the native returns. */
const char *hw_vm_arg_string(hw_vm_call *c, int i, size_t *len, const char *what);

/* Return values. hw_vm_return_bytes allocates a Uint8Array of len bytes and returns its
 * storage for the native to fill (NULL + pending RangeError if allocation failed). */
uint8_t *hw_vm_return_bytes(hw_vm_call *c, size_t len);
void hw_vm_return_number(hw_vm_call *c, double v);
void hw_vm_return_bool(hw_vm_call *c, int v);
void hw_vm_return_null(hw_vm_call *c);
void hw_vm_return_string(hw_vm_call *c, const char *s, size_t len);

/* Pending errors, thrown when the native returns (the first one wins). */
void hw_vm_throw_type(hw_vm_call *c, const char *fmt, ...);
void hw_vm_throw_range(hw_vm_call *c, const char *fmt, ...);
void hw_vm_throw_error(hw_vm_call *c, const char *fmt, ...);
int hw_vm_failed(hw_vm_call *c);

#ifdef __cplusplus
}
#endif

#endif /* HW_VM_H */
