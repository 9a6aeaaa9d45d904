/* Duktape 2.7 backend of vm.h (the engine CI runs). Built from Debian's duktape-dev
 * (/usr/share/duktape/duktape.c), compiled into the image with our own allocator so the heap
 * can be capped and measured. */
#include <stdlib.h>
#include <string.h>

#include "duktape.h"
#include "vm_call.h"

struct hw_vm {
  duk_context *ctx;
  hw_vm_report report;
  void *report_ctx;
  size_t current, peak, limit;
  void *u8_proto; /* Uint8Array.prototype as created (kept alive in the heap stash) */
  /* hw_vm_call_global's names as interned strings (kept alive in the heap stash): pushing a
   * C string interns it (hash, table probe) every time, and the runtime calls the same
   * functions on every packet. */
  struct call_site {
    char name[48];
    void *head, *member; /* member is NULL for a plain global name */
  } sites[4];
  int n_sites;
  struct {
    hw_vm_native fn;
    void *user;
  } natives[HW_VM_MAX_NATIVES];
  int n_natives;
};

struct hw_vm_call {
  hw_vm_call_common k;
  duk_context *ctx;
};

/* ---- allocator: current/peak exact ----------------------------------------------------
 * A board whose allocator knows each block's size names the function that tells it
 * (-DHW_VM_BLOCK_SIZE=fn, the QEMU board: alloc.c qb_alloc_block_size); the accounting then
 * counts block sizes. Elsewhere a size header goes in front of every block, 8 bytes on each of
 * Duktape's thousands of allocations. */
#ifdef HW_VM_BLOCK_SIZE
size_t HW_VM_BLOCK_SIZE(void *p); /* not const: GCC would take a pointer to const as a read of fresh memory */

static void *hw_duk_alloc(void *udata, duk_size_t size) {
  hw_vm *vm = udata;
  if (size == 0) return NULL;
  if (vm->limit && vm->current + size > vm->limit) return NULL; /* Duktape GCs and retries */
  void *p = malloc(size);
  if (!p) return NULL;
  vm->current += HW_VM_BLOCK_SIZE(p);
  if (vm->current > vm->peak) vm->peak = vm->current;
  return p;
}

static void hw_duk_free(void *udata, void *ptr) {
  hw_vm *vm = udata;
  if (!ptr) return;
  vm->current -= HW_VM_BLOCK_SIZE(ptr);
  free(ptr);
}

static void *hw_duk_realloc(void *udata, void *ptr, duk_size_t size) {
  hw_vm *vm = udata;
  if (!ptr) return hw_duk_alloc(udata, size);
  if (size == 0) {
    hw_duk_free(udata, ptr);
    return NULL;
  }
  size_t old = HW_VM_BLOCK_SIZE(ptr);
  if (size > old && vm->limit && vm->current - old + size > vm->limit) return NULL;
  void *n = realloc(ptr, size);
  if (!n) return NULL;
  vm->current = vm->current - old + HW_VM_BLOCK_SIZE(n);
  if (vm->current > vm->peak) vm->peak = vm->current;
  return n;
}
#else
typedef union {
  size_t size;
  long double ld; /* C99 has no max_align_t: these members give the strictest alignment */
  void *p;
  long long ll;
} alloc_header;

static void *hw_duk_alloc(void *udata, duk_size_t size) {
  hw_vm *vm = udata;
  if (size == 0) return NULL;
  if (vm->limit && vm->current + size > vm->limit) return NULL; /* Duktape GCs and retries */
  alloc_header *h = malloc(sizeof *h + size);
  if (!h) return NULL;
  h->size = size;
  vm->current += size;
  if (vm->current > vm->peak) vm->peak = vm->current;
  return h + 1;
}

static void hw_duk_free(void *udata, void *ptr) {
  hw_vm *vm = udata;
  if (!ptr) return;
  alloc_header *h = (alloc_header *)ptr - 1;
  vm->current -= h->size;
  free(h);
}

static void *hw_duk_realloc(void *udata, void *ptr, duk_size_t size) {
  hw_vm *vm = udata;
  if (!ptr) return hw_duk_alloc(udata, size);
  if (size == 0) {
    hw_duk_free(udata, ptr);
    return NULL;
  }
  alloc_header *h = (alloc_header *)ptr - 1;
  size_t old = h->size;
  if (size > old && vm->limit && vm->current - old + size > vm->limit) return NULL;
  alloc_header *n = realloc(h, sizeof *n + size);
  if (!n) return NULL;
  n->size = size;
  vm->current = vm->current - old + size;
  if (vm->current > vm->peak) vm->peak = vm->current;
  return n + 1;
}

#endif

static void hw_duk_fatal(void *udata, const char *msg) {
  hw_vm *vm = udata;
  char line[200];
  snprintf(line, sizeof line, "duktape fatal: %s", msg ? msg : "(no message)");
  if (vm && vm->report) vm->report(vm->report_ctx, line);
  abort(); /* the engine state is unusable; a board restarts */
}

static void report_top_error(hw_vm *vm) {
  const char *s = duk_safe_to_stacktrace(vm->ctx, -1);
  if (vm->report) vm->report(vm->report_ctx, s ? s : "(error)");
}

/* ---- lifecycle ------------------------------------------------------------------------ */

const char *hw_vm_engine_name(void) { return "duktape"; }

/* Remembers Uint8Array.prototype for hw_vm_arg_bytes; the stash keeps it from being collected. */
static duk_ret_t capture_u8_proto(duk_context *ctx, void *udata) {
  hw_vm *vm = udata;
  duk_push_heap_stash(ctx);
  duk_get_global_string(ctx, "Uint8Array");
  duk_get_prop_string(ctx, -1, "prototype");
  vm->u8_proto = duk_get_heapptr(ctx, -1);
  duk_put_prop_string(ctx, -3, "u8proto");
  duk_pop_2(ctx);
  return 0;
}

hw_vm *hw_vm_create(size_t heap_limit, hw_vm_report report, void *report_ctx) {
  hw_vm *vm = calloc(1, sizeof *vm);
  if (!vm) return NULL;
  vm->report = report;
  vm->report_ctx = report_ctx;
  vm->limit = heap_limit;
  vm->ctx = duk_create_heap(hw_duk_alloc, hw_duk_realloc, hw_duk_free, vm, hw_duk_fatal);
  if (!vm->ctx) {
    free(vm);
    return NULL;
  }
  if (duk_safe_call(vm->ctx, capture_u8_proto, vm, 0, 1) != DUK_EXEC_SUCCESS || !vm->u8_proto) {
    duk_destroy_heap(vm->ctx);
    free(vm);
    return NULL;
  }
  duk_pop(vm->ctx);
  return vm;
}

void hw_vm_destroy(hw_vm *vm) {
  if (!vm) return;
  duk_destroy_heap(vm->ctx);
  free(vm);
}

/* ---- natives -------------------------------------------------------------------------- */

static duk_ret_t trampoline(duk_context *ctx) {
  duk_memory_functions mf;
  duk_get_memory_functions(ctx, &mf);
  hw_vm *vm = mf.udata;
  int idx = (int)duk_get_current_magic(ctx);
  struct hw_vm_call c;
  c.k.err_kind = HW_ERR_NONE; /* c.k.err is only read once err_kind says it was written */
  c.k.has_return = 0;
  c.k.vm = vm;
  c.k.user = vm->natives[idx].user;
  c.k.argc = (int)duk_get_top(ctx);
  c.ctx = ctx;
  vm->natives[idx].fn(&c);
  switch (c.k.err_kind) {
    case HW_ERR_TYPE: return duk_error(ctx, DUK_ERR_TYPE_ERROR, "%s", c.k.err);
    case HW_ERR_RANGE: return duk_error(ctx, DUK_ERR_RANGE_ERROR, "%s", c.k.err);
    case HW_ERR_ERROR: return duk_error(ctx, DUK_ERR_ERROR, "%s", c.k.err);
    default: return c.k.has_return ? 1 : 0;
  }
}

typedef struct {
  hw_vm *vm;
  const char *object, *name;
  int idx;
} register_args;

static duk_ret_t register_safe(duk_context *ctx, void *udata) {
  register_args *a = udata;
  if (!duk_get_global_string(ctx, a->object)) {
    duk_pop(ctx);
    duk_push_object(ctx);
    duk_dup_top(ctx);
    duk_put_global_string(ctx, a->object);
  }
  duk_push_c_function(ctx, trampoline, DUK_VARARGS);
  duk_set_magic(ctx, -1, a->idx);
  duk_put_prop_string(ctx, -2, a->name);
  duk_pop(ctx);
  return 0;
}

int hw_vm_register(hw_vm *vm, const char *object, const char *name, hw_vm_native fn, void *user) {
  if (vm->n_natives >= HW_VM_MAX_NATIVES) return -1;
  register_args a = {vm, object, name, vm->n_natives};
  vm->natives[a.idx].fn = fn;
  vm->natives[a.idx].user = user;
  if (duk_safe_call(vm->ctx, register_safe, &a, 0, 1) != DUK_EXEC_SUCCESS) {
    report_top_error(vm);
    duk_pop(vm->ctx);
    return -1;
  }
  duk_pop(vm->ctx);
  vm->n_natives++;
  return 0;
}

/* ---- running code --------------------------------------------------------------------- */

int hw_vm_run_source(hw_vm *vm, const char *name, const char *src, size_t len) {
  duk_context *ctx = vm->ctx;
  duk_push_string(ctx, name);
  if (duk_pcompile_lstring_filename(ctx, 0, src, len) != 0 || duk_pcall(ctx, 0) != DUK_EXEC_SUCCESS) {
    report_top_error(vm);
    duk_pop(ctx);
    return -1;
  }
  duk_pop(ctx);
  return 0;
}

typedef struct {
  const uint8_t *image;
  size_t len;
} load_args;

static duk_ret_t load_safe(duk_context *ctx, void *udata) {
  load_args *a = udata;
  void *p = duk_push_fixed_buffer(ctx, a->len);
  memcpy(p, a->image, a->len);
  duk_load_function(ctx);
  duk_call(ctx, 0);
  return 1;
}

int hw_vm_run_image(hw_vm *vm, const uint8_t *image, size_t len) {
  /* Duktape bytecode starts with 0xbf; anything else is not an image we made. */
  if (len < 2 || image[0] != 0xbf) {
    if (vm->report) vm->report(vm->report_ctx, "run_image: not Duktape bytecode");
    return -1;
  }
  load_args a = {image, len};
  if (duk_safe_call(vm->ctx, load_safe, &a, 0, 1) != DUK_EXEC_SUCCESS) {
    report_top_error(vm);
    duk_pop(vm->ctx);
    return -1;
  }
  duk_pop(vm->ctx);
  return 0;
}

int hw_vm_prepare_image(hw_vm *vm, const uint8_t *image, size_t len) {
  (void)vm, (void)image, (void)len; /* bytecode carries its own strings */
  return 0;
}

long hw_vm_compile(hw_vm *vm, const char *name, const char *src, size_t len, uint8_t *out, size_t cap) {
  duk_context *ctx = vm->ctx;
  duk_push_string(ctx, name);
  if (duk_pcompile_lstring_filename(ctx, 0, src, len) != 0) {
    report_top_error(vm);
    duk_pop(ctx);
    return -1;
  }
  duk_dump_function(ctx);
  duk_size_t size = 0;
  const void *p = duk_get_buffer(ctx, -1, &size);
  long result = -1;
  if (p && size <= cap) {
    memcpy(out, p, size);
    result = (long)size;
  }
  duk_pop(ctx);
  return result;
}

/* ---- calling JS from C ---------------------------------------------------------------- */

typedef struct {
  hw_vm *vm;
  const char *name;
  int argc;
  const hw_vm_arg *argv;
  int missing;
} call_args;

/* The call site of name, made on first use (NULL if name is too long or the table is full). Its
 * strings are kept alive as members of an array in the heap stash. */
static struct call_site *call_site(duk_context *ctx, hw_vm *vm, const char *name) {
  for (int i = 0; i < vm->n_sites; i++)
    if (strcmp(vm->sites[i].name, name) == 0) return &vm->sites[i];
  size_t len = strlen(name);
  if (len >= sizeof vm->sites[0].name || vm->n_sites == (int)(sizeof vm->sites / sizeof vm->sites[0])) return NULL;
  struct call_site *site = &vm->sites[vm->n_sites];
  const char *dot = strchr(name, '.');
  duk_push_heap_stash(ctx);
  if (!duk_get_prop_string(ctx, -1, "sites")) {
    duk_pop(ctx);
    duk_push_array(ctx);
    duk_dup_top(ctx);
    duk_put_prop_string(ctx, -3, "sites");
  }
  duk_push_lstring(ctx, name, dot ? (duk_size_t)(dot - name) : len);
  site->head = duk_get_heapptr(ctx, -1);
  duk_put_prop_index(ctx, -2, (duk_uarridx_t)(2 * vm->n_sites));
  site->member = NULL;
  if (dot) {
    duk_push_string(ctx, dot + 1);
    site->member = duk_get_heapptr(ctx, -1);
    duk_put_prop_index(ctx, -2, (duk_uarridx_t)(2 * vm->n_sites + 1));
  }
  duk_pop_2(ctx);
  memcpy(site->name, name, len + 1);
  vm->n_sites++;
  return site;
}

static duk_ret_t call_safe(duk_context *ctx, void *udata) {
  call_args *a = udata;
  struct call_site *site = call_site(ctx, a->vm, a->name);
  const char *dot = strchr(a->name, '.');
  duk_push_global_object(ctx);
  if (site) duk_push_heapptr(ctx, site->head);
  else duk_push_lstring(ctx, a->name, dot ? (duk_size_t)(dot - a->name) : strlen(a->name));
  duk_get_prop(ctx, -2);
  if (dot) { /* "object.function": one level, as the bundle exports its entry points */
    if (!duk_is_object(ctx, -1)) {
      a->missing = 1;
      return 0;
    }
    if (site) duk_push_heapptr(ctx, site->member);
    else duk_push_string(ctx, dot + 1);
    duk_get_prop(ctx, -2);
  }
  if (!duk_is_function(ctx, -1)) {
    a->missing = 1;
    return 0;
  }
  for (int i = 0; i < a->argc; i++) {
    const hw_vm_arg *v = &a->argv[i];
    switch (v->kind) {
      case HW_ARG_NUMBER: duk_push_number(ctx, v->number); break;
      case HW_ARG_STRING: v->string ? (void)duk_push_string(ctx, v->string) : duk_push_undefined(ctx); break;
      case HW_ARG_BYTES: {
        void *p = duk_push_fixed_buffer(ctx, v->len);
        if (v->len) memcpy(p, v->bytes, v->len);
        duk_push_buffer_object(ctx, -1, 0, v->len, DUK_BUFOBJ_UINT8ARRAY);
        duk_remove(ctx, -2);
        break;
      }
      default: duk_push_undefined(ctx); break;
    }
  }
  duk_call(ctx, a->argc);
  return 1; /* the function's result */
}

int hw_vm_call_global(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv) {
  if (argc < 0 || argc > HW_VM_MAX_ARGS) return -1;
  call_args a = {vm, name, argc, argv, 0};
  if (duk_safe_call(vm->ctx, call_safe, &a, 0, 1) != DUK_EXEC_SUCCESS) {
    report_top_error(vm);
    duk_pop(vm->ctx);
    return -1;
  }
  duk_pop(vm->ctx);
  return a.missing ? 1 : 0;
}

/* The string at idx into out; for an Error its message (not "TypeError: ..." or a stack). */
static duk_ret_t text_safe(duk_context *ctx, void *udata) {
  char **out = udata; /* out[0] = buffer, out[1] = its end */
  if (duk_is_error(ctx, -1)) duk_get_prop_string(ctx, -1, "message");
  duk_size_t n = 0;
  const char *s = duk_is_string(ctx, -1) ? duk_get_lstring(ctx, -1, &n) : "";
  size_t cap = (size_t)(out[1] - out[0]);
  if (n >= cap) n = cap - 1;
  memcpy(out[0], s, n);
  out[0][n] = 0;
  return 0;
}

int hw_vm_call_global_text(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv, char *out, size_t cap) {
  if (!cap) return -1;
  out[0] = 0;
  if (argc < 0 || argc > HW_VM_MAX_ARGS) return -1;
  call_args a = {vm, name, argc, argv, 0};
  int threw = duk_safe_call(vm->ctx, call_safe, &a, 0, 1) != DUK_EXEC_SUCCESS;
  char *range[2] = {out, out + cap};
  if (duk_safe_call(vm->ctx, text_safe, range, 1, 1) != DUK_EXEC_SUCCESS) out[0] = 0;
  duk_pop(vm->ctx);
  return threw ? -1 : a.missing ? 1 : 0;
}

void hw_vm_heap_stats(hw_vm *vm, hw_vm_heap *out) {
  out->current = vm->current;
  out->peak = vm->peak;
  out->limit = vm->limit;
}

void hw_vm_gc(hw_vm *vm) {
  duk_gc(vm->ctx, 0);
  duk_gc(vm->ctx, 0); /* the second pass frees what finalizers released */
}

/* ---- inside a native ------------------------------------------------------------------ */

void *hw_vm_user(hw_vm_call *c) { return c->k.user; }
int hw_vm_argc(hw_vm_call *c) { return c->k.argc; }
int hw_vm_failed(hw_vm_call *c) { return c->k.err_kind != HW_ERR_NONE; }

int hw_vm_arg_is_nullish(hw_vm_call *c, int i) {
  return i >= c->k.argc || duk_is_null_or_undefined(c->ctx, i);
}

uint8_t *hw_vm_arg_bytes_out(hw_vm_call *c, int i, size_t *len, const char *what) {
  *len = 0;
  if (i < c->k.argc && duk_is_buffer_data(c->ctx, i)) {
    /* Only Uint8Array (plain buffers are Duktape's Uint8Array too); a Uint16Array or a
     * DataView would hand over bytes the caller did not mean. Told apart by the prototype
     * captured at creation: instanceof interned the global's name and walked the chain on
     * every argument, ~3k instructions, more than sealing a small packet. */
    int ok = duk_is_buffer(c->ctx, i);
    if (!ok) {
      duk_get_prototype(c->ctx, i);
      ok = duk_get_heapptr(c->ctx, -1) == c->k.vm->u8_proto;
      duk_pop(c->ctx);
    }
    if (ok) {
      duk_size_t n = 0;
      void *p = duk_get_buffer_data(c->ctx, i, &n);
      *len = n;
      static uint8_t empty[1]; /* a zero-length array has no storage: nothing is ever written here */
      return p ? p : empty;
    }
  }
  hw_vm_throw_type(c, "%s must be a Uint8Array", what);
  return NULL;
}

const uint8_t *hw_vm_arg_bytes(hw_vm_call *c, int i, size_t *len, const char *what) {
  return hw_vm_arg_bytes_out(c, i, len, what);
}

double hw_vm_arg_number(hw_vm_call *c, int i, int *ok, const char *what) {
  if (i < c->k.argc && duk_is_number(c->ctx, i)) {
    *ok = 1;
    return duk_get_number(c->ctx, i);
  }
  *ok = 0;
  hw_vm_throw_type(c, "%s must be a number", what);
  return 0;
}

const char *hw_vm_arg_string(hw_vm_call *c, int i, size_t *len, const char *what) {
  *len = 0;
  if (i < c->k.argc && duk_is_string(c->ctx, i)) {
    duk_size_t n = 0;
    const char *s = duk_get_lstring(c->ctx, i, &n);
    *len = n;
    return s;
  }
  hw_vm_throw_type(c, "%s must be a string", what);
  return NULL;
}

static void drop_return(hw_vm_call *c) {
  if (c->k.has_return) duk_pop(c->ctx);
  c->k.has_return = 1;
}

uint8_t *hw_vm_return_bytes(hw_vm_call *c, size_t len) {
  drop_return(c);
  /* May throw RangeError on out-of-memory: natives allocate their result before doing work,
   * so nothing is left half done. */
  uint8_t *p = duk_push_fixed_buffer(c->ctx, len);
  duk_push_buffer_object(c->ctx, -1, 0, len, DUK_BUFOBJ_UINT8ARRAY);
  duk_remove(c->ctx, -2);
  static uint8_t empty[1];
  return p ? p : empty;
}

void hw_vm_return_number(hw_vm_call *c, double v) {
  drop_return(c);
  duk_push_number(c->ctx, v);
}

void hw_vm_return_bool(hw_vm_call *c, int v) {
  drop_return(c);
  duk_push_boolean(c->ctx, v != 0);
}

void hw_vm_return_null(hw_vm_call *c) {
  drop_return(c);
  duk_push_null(c->ctx);
}

void hw_vm_return_string(hw_vm_call *c, const char *s, size_t len) {
  drop_return(c);
  duk_push_lstring(c->ctx, s, len);
}

void hw_vm_throw_type(hw_vm_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  hw_vm_set_error(&c->k, HW_ERR_TYPE, fmt, ap);
  va_end(ap);
}

void hw_vm_throw_range(hw_vm_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  hw_vm_set_error(&c->k, HW_ERR_RANGE, fmt, ap);
  va_end(ap);
}

void hw_vm_throw_error(hw_vm_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  hw_vm_set_error(&c->k, HW_ERR_ERROR, fmt, ap);
  va_end(ap);
}
