/* JerryScript 3.0 backend of vm.h (the engine on the device). Built against the tree the user
 * supplies as JERRYSCRIPT_PATH; its heap is JerryScript's own static heap, so heap_limit is
 * fixed at engine build time (JERRY_GLOBAL_HEAP_SIZE) and reported, not enforced here.
 * JerryScript has one global context: one hw_vm at a time.
 *
 * Images (scripts/jerry-image.ts) are static snapshots run in place: their bytecode and their
 * strings stay where the image is (flash on a board), and only the objects the program makes
 * live in the heap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jerryscript.h"
#include "vm_call.h"

#define STRING_ARENA 4096 /* per native call: strings are copied out of the engine */

/* The engine configuration the image tool stamps into every image (a hash of the build
 * options, scripts/mk/firmware.mk JERRY_CONFIG_ID): built-in string numbers in a snapshot depend
 * on them. A build that does not name its configuration (boards/esp32 today, whose engine and
 * snapshot tool share options of their own) takes plain snapshots from jerry-snapshot instead,
 * copied into the heap as before, and refuses images. */

struct hw_vm {
  hw_vm_report report;
  void *report_ctx;
  int touched;                   /* a string may exist: too late to register an image's strings */
  const uint8_t *image;          /* the prepared image, and its snapshot's length */
  size_t snapshot_len;
  const jerry_char_t **strings;  /* the image's string table, pointing into the image */
  int copy;                      /* a plain snapshot: its bytecode is copied into the heap */
  /* hw_vm_call_global's names, and the last string argument in each position, as engine
   * strings made once: a C string becomes an engine string through a search of the image's
   * string table, and the runtime calls the same functions with the same source host on
   * every packet. */
  struct call_site {
    char name[48];
    jerry_value_t head, member; /* member is undefined for a plain global name */
    char last[HW_VM_MAX_ARGS][48];
    jerry_value_t last_value[HW_VM_MAX_ARGS];
  } sites[4];
  int n_sites;
  struct native_entry {
    hw_vm_native fn;
    void *user;
  } natives[HW_VM_MAX_NATIVES];
  int n_natives;
};

struct hw_vm_call {
  hw_vm_call_common k;
  const jerry_value_t *args;
  jerry_value_t ret;
  size_t arena_used;
  char arena[STRING_ARENA];
};

static hw_vm *the_vm;
static const jerry_object_native_info_t native_tag = {NULL, 0, 0};

static void report_exception(hw_vm *vm, jerry_value_t exception) {
  jerry_value_t e = jerry_exception_value(exception, true);
  jerry_value_t s = jerry_value_to_string(e);
  char line[400];
  jerry_size_t n = 0;
  if (!jerry_value_is_exception(s)) n = jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, (jerry_char_t *)line, sizeof line - 1);
  line[n] = 0;
  jerry_value_free(s);
  jerry_value_free(e);
  if (vm->report) vm->report(vm->report_ctx, n ? line : "(exception)");
}

const char *hw_vm_engine_name(void) { return "jerryscript"; }

hw_vm *hw_vm_create(size_t heap_limit, hw_vm_report report, void *report_ctx) {
  (void)heap_limit;
  if (the_vm) return NULL;
  hw_vm *vm = calloc(1, sizeof *vm);
  if (!vm) return NULL;
  vm->report = report;
  vm->report_ctx = report_ctx;
  jerry_init(JERRY_INIT_EMPTY);
  the_vm = vm;
  return vm;
}

void hw_vm_destroy(hw_vm *vm) {
  if (!vm) return;
  for (int i = 0; i < vm->n_sites; i++) {
    struct call_site *site = &vm->sites[i];
    jerry_value_free(site->head);
    jerry_value_free(site->member);
    for (int k = 0; k < HW_VM_MAX_ARGS; k++) jerry_value_free(site->last_value[k]);
  }
  jerry_cleanup();
  the_vm = NULL;
  free(vm->strings);
  free(vm);
}

static jerry_value_t trampoline(const jerry_call_info_t *info, const jerry_value_t args[], const jerry_length_t argc) {
  struct native_entry *n = jerry_object_get_native_ptr(info->function, &native_tag);
  /* The call handle is large (string arena): static, since natives never re-enter JS. */
  static struct hw_vm_call c;
  c.k.err_kind = HW_ERR_NONE; /* c.k.err is only read once err_kind says it was written */
  c.k.has_return = 0;
  c.k.vm = the_vm;
  c.k.user = n->user;
  c.k.argc = (int)argc;
  c.args = args;
  c.ret = jerry_undefined();
  c.arena_used = 0;
  n->fn(&c);
  if (c.k.err_kind == HW_ERR_NONE) return c.ret;
  jerry_value_free(c.ret);
  jerry_error_t t = c.k.err_kind == HW_ERR_TYPE ? JERRY_ERROR_TYPE : c.k.err_kind == HW_ERR_RANGE ? JERRY_ERROR_RANGE : JERRY_ERROR_COMMON;
  return jerry_throw_sz(t, c.k.err);
}

int hw_vm_register(hw_vm *vm, const char *object, const char *name, hw_vm_native fn, void *user) {
  if (vm->n_natives >= HW_VM_MAX_NATIVES) return -1;
  vm->touched = 1;
  struct native_entry *e = &vm->natives[vm->n_natives];
  e->fn = fn;
  e->user = user;
  jerry_value_t global = jerry_current_realm();
  jerry_value_t holder = jerry_object_get_sz(global, object);
  if (!jerry_value_is_object(holder)) {
    jerry_value_free(holder);
    holder = jerry_object();
    jerry_value_free(jerry_object_set_sz(global, object, holder));
  }
  jerry_value_t f = jerry_function_external(trampoline);
  jerry_object_set_native_ptr(f, &native_tag, e);
  jerry_value_t r = jerry_object_set_sz(holder, name, f);
  int ok = !jerry_value_is_exception(r);
  jerry_value_free(r);
  jerry_value_free(f);
  jerry_value_free(holder);
  jerry_value_free(global);
  if (!ok) return -1;
  vm->n_natives++;
  return 0;
}

static int run_result(hw_vm *vm, jerry_value_t r) {
  if (jerry_value_is_exception(r)) {
    report_exception(vm, r);
    return -1;
  }
  jerry_value_free(r);
  return 0;
}

int hw_vm_run_source(hw_vm *vm, const char *name, const char *src, size_t len) {
  vm->touched = 1;
  jerry_parse_options_t opts;
  memset(&opts, 0, sizeof opts);
  opts.options = JERRY_PARSE_HAS_SOURCE_NAME;
  opts.source_name = jerry_string_sz(name);
  jerry_value_t script = jerry_parse((const jerry_char_t *)src, len, &opts);
  jerry_value_free(opts.source_name);
  if (jerry_value_is_exception(script)) {
    report_exception(vm, script);
    return -1;
  }
  jerry_value_t r = jerry_run(script);
  jerry_value_free(script);
  return run_result(vm, r);
}

static int image_error(hw_vm *vm, const char *why) {
  char line[160];
  snprintf(line, sizeof line, "image: %s", why);
  if (vm->report) vm->report(vm->report_ctx, line);
  return -1;
}

static inline uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

/* Image layout (scripts/jerry-image.ts): [static snapshot, S bytes] [count x u32 lengths]
 * [strings, padded to 4] [trailer: "HWJ1", count, S, configuration id]. Every field is checked
 * against the image's length before anything is read through it. */
int hw_vm_prepare_image(hw_vm *vm, const uint8_t *image, size_t len) {
  if (vm->touched) return image_error(vm, "prepare it before registering natives or running code");
#ifndef HW_JERRY_CONFIG_ID
  if (((uintptr_t)image & 3) != 0 || len < 8 || memcmp(image, "JRRY", 4) != 0) return image_error(vm, "not a 4-byte aligned JerryScript snapshot");
  if (len >= 16 && memcmp(image + len - 16, "HWJ1", 4) == 0)
    return image_error(vm, "an image from scripts/jerry-image.ts needs an engine build that names its configuration (HW_JERRY_CONFIG_ID)");
  vm->image = image;
  vm->snapshot_len = len;
  vm->copy = 1;
  return 0;
#else
  if (((uintptr_t)image & 3) != 0 || len < 24 || (len & 3) != 0) return image_error(vm, "not a 4-byte aligned JerryScript image");
  const uint8_t *trailer = image + len - 16;
  if (memcmp(trailer, "HWJ1", 4) != 0 || memcmp(image, "JRRY", 4) != 0) return image_error(vm, "no HWJ1 trailer or JRRY snapshot (make it with scripts/jerry-image.ts)");
  uint32_t count = le32(trailer + 4), snap = le32(trailer + 8), config = le32(trailer + 12);
  if (config != (uint32_t)HW_JERRY_CONFIG_ID) return image_error(vm, "made for an engine built with other options (configuration id differs)");
  size_t room = len - 16;
  if (snap < 8 || (snap & 3) != 0 || snap > room || count > (room - snap) / 4) return image_error(vm, "snapshot length or string count out of range");
  const jerry_length_t *lengths = (const jerry_length_t *)(const void *)(image + snap);
  const uint8_t *text = image + snap + 4 * (size_t)count, *end = image + room;
  const jerry_char_t **strings = count ? malloc(count * sizeof *strings) : NULL;
  if (count && !strings) return image_error(vm, "no memory for the string table");
  for (uint32_t i = 0; i < count; i++) {
    jerry_length_t n = lengths[i];
    /* The engine looks strings up by binary search: by length, then bytewise. */
    int ordered = i == 0 || n > lengths[i - 1] || (n == lengths[i - 1] && memcmp(strings[i - 1], text, n) < 0);
    if (n == 0 || n > (size_t)(end - text) || !ordered || !jerry_validate_string(text, n, JERRY_ENCODING_CESU8)) {
      free(strings);
      return image_error(vm, "string table malformed (length, order or encoding)");
    }
    strings[i] = text;
    text += n;
  }
  if ((size_t)(end - text) > 3) {
    free(strings);
    return image_error(vm, "string table shorter than its area");
  }
  if (count) jerry_register_magic_strings(strings, count, lengths);
  free(vm->strings);
  vm->strings = strings;
  vm->image = image;
  vm->snapshot_len = snap;
  return 0;
#endif
}

int hw_vm_run_image(hw_vm *vm, const uint8_t *image, size_t len) {
  (void)len;
  if (!vm->image || image != vm->image) return image_error(vm, "run_image needs hw_vm_prepare_image with this image first");
  vm->touched = 1;
  /* An image: ALLOW_STATIC without COPY_DATA, the bytecode is executed where it is. */
  jerry_value_t r = jerry_exec_snapshot((const uint32_t *)(const void *)image, vm->snapshot_len, 0,
                                        vm->copy ? JERRY_SNAPSHOT_EXEC_COPY_DATA : JERRY_SNAPSHOT_EXEC_ALLOW_STATIC, NULL);
  return run_result(vm, r);
}

long hw_vm_compile(hw_vm *vm, const char *name, const char *src, size_t len, uint8_t *out, size_t cap) {
  (void)name, (void)src, (void)len, (void)out, (void)cap;
  if (vm->report) vm->report(vm->report_ctx, "compile: JerryScript images are made by scripts/jerry-image.ts (static snapshot + its strings)");
  return -1;
}

static jerry_value_t make_bytes(const uint8_t *src, size_t len, uint8_t **data) {
  jerry_value_t a = jerry_typedarray(JERRY_TYPEDARRAY_UINT8, (jerry_length_t)len);
  *data = NULL;
  if (jerry_value_is_exception(a)) return a;
  jerry_size_t off = 0, n = 0;
  jerry_value_t buf = jerry_typedarray_buffer(a, &off, &n);
  if (!jerry_value_is_exception(buf)) *data = jerry_arraybuffer_data(buf) + off;
  jerry_value_free(buf);
  if (src && *data && len) memcpy(*data, src, len);
  return a;
}

/* The call site of name, made on first use (NULL if name is too long or the table full: the
 * caller makes its strings each time then). */
static struct call_site *call_site(hw_vm *vm, const char *name) {
  for (int i = 0; i < vm->n_sites; i++)
    if (strcmp(vm->sites[i].name, name) == 0) return &vm->sites[i];
  size_t len = strlen(name);
  if (len >= sizeof vm->sites[0].name || vm->n_sites == (int)(sizeof vm->sites / sizeof vm->sites[0])) return NULL;
  struct call_site *site = &vm->sites[vm->n_sites++];
  memcpy(site->name, name, len + 1);
  const char *dot = strchr(name, '.');
  site->head = jerry_string((const jerry_char_t *)name, (jerry_size_t)(dot ? (size_t)(dot - name) : len), JERRY_ENCODING_UTF8);
  site->member = dot ? jerry_string_sz(dot + 1) : jerry_undefined();
  for (int k = 0; k < HW_VM_MAX_ARGS; k++) {
    site->last[k][0] = 0;
    site->last_value[k] = jerry_undefined();
  }
  return site;
}

/* The function global[head] or global[head][member]; undefined if there is none. */
static jerry_value_t find_function(jerry_value_t head, jerry_value_t member) {
  jerry_value_t global = jerry_current_realm();
  jerry_value_t fn = jerry_object_get(global, head);
  jerry_value_free(global);
  if (!jerry_value_is_undefined(member)) {
    jerry_value_t holder = fn;
    fn = jerry_value_is_object(holder) ? jerry_object_get(holder, member) : jerry_undefined();
    jerry_value_free(holder);
  }
  return fn;
}

/* A string argument: with a site (the caller says it repeats), the same engine string as last
 * time at this position when the text is the same (then also equal by identity in JS), else a
 * new one, remembered if short. */
static jerry_value_t string_arg(struct call_site *site, int k, const char *text) {
  size_t len = strlen(text);
  if (site && strcmp(site->last[k], text) == 0 && jerry_value_is_string(site->last_value[k])) return jerry_value_copy(site->last_value[k]);
  jerry_value_t v = jerry_string((const jerry_char_t *)text, (jerry_size_t)len, JERRY_ENCODING_UTF8);
  if (site && len < sizeof site->last[k] && !jerry_value_is_exception(v)) {
    jerry_value_free(site->last_value[k]);
    site->last_value[k] = jerry_value_copy(v);
    memcpy(site->last[k], text, len + 1);
  }
  return v;
}

/* Calls name(argv...): the function's result, or an exception value; 1 = no such function. */
static int call_named(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv, jerry_value_t *result) {
  if (argc < 0 || argc > HW_VM_MAX_ARGS) return -1;
  vm->touched = 1;
  struct call_site *site = call_site(vm, name);
  jerry_value_t fn;
  if (site) {
    fn = find_function(site->head, site->member);
  } else { /* a name the table cannot keep: its strings made for this call only */
    const char *dot = strchr(name, '.');
    size_t hl = dot ? (size_t)(dot - name) : strlen(name);
    jerry_value_t head = jerry_string((const jerry_char_t *)name, (jerry_size_t)hl, JERRY_ENCODING_UTF8);
    jerry_value_t member = dot ? jerry_string_sz(dot + 1) : jerry_undefined();
    fn = find_function(head, member);
    jerry_value_free(head);
    jerry_value_free(member);
  }
  if (!jerry_value_is_function(fn)) {
    jerry_value_free(fn);
    return 1;
  }
  jerry_value_t args[HW_VM_MAX_ARGS];
  int made = 0, ok = 1;
  for (; made < argc && ok; made++) {
    const hw_vm_arg *v = &argv[made];
    uint8_t *data;
    switch (v->kind) {
      case HW_ARG_NUMBER: args[made] = jerry_number(v->number); break;
      case HW_ARG_STRING: args[made] = !v->string ? jerry_undefined() : string_arg(v->repeats ? site : NULL, made, v->string); break;
      case HW_ARG_BYTES: args[made] = make_bytes(v->bytes, v->len, &data); break;
      default: args[made] = jerry_undefined(); break;
    }
    ok = !jerry_value_is_exception(args[made]);
  }
  if (!ok) {
    *result = jerry_value_copy(args[made - 1]);
  } else {
    jerry_value_t undef = jerry_undefined();
    *result = jerry_call(fn, undef, args, (jerry_size_t)argc);
  }
  for (int i = 0; i < made; i++) jerry_value_free(args[i]);
  jerry_value_free(fn);
  return 0;
}

int hw_vm_call_global(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv) {
  jerry_value_t r;
  int found = call_named(vm, name, argc, argv, &r);
  return found != 0 ? found : run_result(vm, r);
}

/* A string value into out; for an Error its message. */
static void copy_text(jerry_value_t v, char *out, size_t cap) {
  jerry_value_t s = jerry_value_is_error(v) ? jerry_object_get_sz(v, "message") : jerry_value_copy(v);
  jerry_size_t n = 0;
  if (jerry_value_is_string(s)) n = jerry_string_to_buffer(s, JERRY_ENCODING_UTF8, (jerry_char_t *)out, (jerry_size_t)(cap - 1));
  out[n] = 0;
  jerry_value_free(s);
}

int hw_vm_call_global_text(hw_vm *vm, const char *name, int argc, const hw_vm_arg *argv, char *out, size_t cap) {
  if (!cap) return -1;
  out[0] = 0;
  jerry_value_t r;
  int found = call_named(vm, name, argc, argv, &r);
  if (found != 0) return found;
  int threw = jerry_value_is_exception(r);
  jerry_value_t v = threw ? jerry_exception_value(r, true) : r;
  copy_text(v, out, cap);
  jerry_value_free(v);
  return threw ? -1 : 0;
}

void hw_vm_heap_stats(hw_vm *vm, hw_vm_heap *out) {
  (void)vm;
  jerry_heap_stats_t s;
  memset(&s, 0, sizeof s);
  memset(out, 0, sizeof *out);
  if (!jerry_heap_stats(&s)) return; /* engine built without JERRY_MEM_STATS */
  out->current = s.allocated_bytes;
  out->peak = s.peak_allocated_bytes;
  out->limit = s.size;
}

void hw_vm_gc(hw_vm *vm) {
  (void)vm;
  jerry_heap_gc(JERRY_GC_PRESSURE_HIGH);
}

/* ---- inside a native ------------------------------------------------------------------ */

void *hw_vm_user(hw_vm_call *c) { return c->k.user; }
int hw_vm_argc(hw_vm_call *c) { return c->k.argc; }
int hw_vm_failed(hw_vm_call *c) { return c->k.err_kind != HW_ERR_NONE; }

int hw_vm_arg_is_nullish(hw_vm_call *c, int i) {
  return i >= c->k.argc || jerry_value_is_undefined(c->args[i]) || jerry_value_is_null(c->args[i]);
}

uint8_t *hw_vm_arg_bytes_out(hw_vm_call *c, int i, size_t *len, const char *what) {
  *len = 0;
  if (i < c->k.argc && jerry_value_is_typedarray(c->args[i]) &&
      jerry_typedarray_type(c->args[i]) == JERRY_TYPEDARRAY_UINT8) {
    jerry_size_t off = 0, n = 0;
    jerry_value_t buf = jerry_typedarray_buffer(c->args[i], &off, &n);
    /* The array argument keeps its buffer alive for the whole call. */
    uint8_t *p = jerry_value_is_exception(buf) ? NULL : jerry_arraybuffer_data(buf);
    jerry_value_free(buf);
    static uint8_t empty[1]; /* a zero-length array has no storage: nothing is ever written here */
    if (p || n == 0) {
      *len = n;
      return p ? p + off : empty;
    }
  }
  hw_vm_throw_type(c, "%s must be a Uint8Array", what);
  return NULL;
}

const uint8_t *hw_vm_arg_bytes(hw_vm_call *c, int i, size_t *len, const char *what) {
  return hw_vm_arg_bytes_out(c, i, len, what);
}

double hw_vm_arg_number(hw_vm_call *c, int i, int *ok, const char *what) {
  if (i < c->k.argc && jerry_value_is_number(c->args[i])) {
    *ok = 1;
    return jerry_value_as_number(c->args[i]);
  }
  *ok = 0;
  hw_vm_throw_type(c, "%s must be a number", what);
  return 0;
}

const char *hw_vm_arg_string(hw_vm_call *c, int i, size_t *len, const char *what) {
  *len = 0;
  if (i >= c->k.argc || !jerry_value_is_string(c->args[i])) {
    hw_vm_throw_type(c, "%s must be a string", what);
    return NULL;
  }
  jerry_size_t n = jerry_string_size(c->args[i], JERRY_ENCODING_UTF8);
  if (n > sizeof c->arena - c->arena_used) {
    hw_vm_throw_range(c, "%s: string of %u bytes is too long for a native call", what, (unsigned)n);
    return NULL;
  }
  char *dst = c->arena + c->arena_used;
  jerry_string_to_buffer(c->args[i], JERRY_ENCODING_UTF8, (jerry_char_t *)dst, n);
  c->arena_used += n;
  *len = n;
  return dst;
}

static void set_return(hw_vm_call *c, jerry_value_t v) {
  jerry_value_free(c->ret);
  c->ret = v;
  c->k.has_return = 1;
}

uint8_t *hw_vm_return_bytes(hw_vm_call *c, size_t len) {
  uint8_t *data;
  jerry_value_t a = make_bytes(NULL, len, &data);
  if (jerry_value_is_exception(a) || !data) {
    jerry_value_free(a);
    if (len == 0) { /* a zero-length array has no storage to point at */
      set_return(c, jerry_typedarray(JERRY_TYPEDARRAY_UINT8, 0));
      static uint8_t empty[1];
      return empty;
    }
    hw_vm_throw_range(c, "out of memory for a %u-byte result", (unsigned)len);
    return NULL;
  }
  set_return(c, a);
  return data;
}

void hw_vm_return_number(hw_vm_call *c, double v) { set_return(c, jerry_number(v)); }
void hw_vm_return_bool(hw_vm_call *c, int v) { set_return(c, jerry_boolean(v != 0)); }
void hw_vm_return_null(hw_vm_call *c) { set_return(c, jerry_null()); }
void hw_vm_return_string(hw_vm_call *c, const char *s, size_t len) {
  set_return(c, jerry_string((const jerry_char_t *)s, (jerry_size_t)len, JERRY_ENCODING_UTF8));
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
