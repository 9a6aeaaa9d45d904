/* Tests of the engine adapter, run against whichever backend is linked in: natives called
 * from JS with right and wrong arguments, errors thrown as the right JS types, C calling JS
 * with bytes, precompiled images, heap accounting. Prints one line per failure; exit 1 if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

static int failures;
static char last_report[512];

#define CHECK(cond, what)                                         \
  do {                                                            \
    if (!(cond)) {                                                \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what);       \
      failures++;                                                 \
    }                                                             \
  } while (0)

static void report(void *ctx, const char *msg) {
  (void)ctx;
  snprintf(last_report, sizeof last_report, "%s", msg);
}

/* t.reverse(bytes) -> a new reversed copy */
static void n_reverse(hw_vm_call *c) {
  size_t n;
  const uint8_t *in = hw_vm_arg_bytes(c, 0, &n, "reverse: bytes");
  if (!in) return;
  uint8_t *out = hw_vm_return_bytes(c, n);
  if (!out) return;
  for (size_t i = 0; i < n; i++) out[i] = in[n - 1 - i];
}

/* t.add(a, b) -> a + b; RangeError unless both are finite */
static void n_add(hw_vm_call *c) {
  int ok1, ok2;
  double a = hw_vm_arg_number(c, 0, &ok1, "add: a");
  double b = hw_vm_arg_number(c, 1, &ok2, "add: b");
  if (!ok1 || !ok2) return;
  if (a != a || b != b) {
    hw_vm_throw_range(c, "add: NaN");
    return;
  }
  hw_vm_return_number(c, a + b);
}

/* t.greet(name) -> "hi " + name, or null for "" */
static void n_greet(hw_vm_call *c) {
  size_t n;
  const char *s = hw_vm_arg_string(c, 0, &n, "greet: name");
  if (!s) return;
  if (n == 0) {
    hw_vm_return_null(c);
    return;
  }
  char buf[64];
  if (n > sizeof buf - 3) {
    hw_vm_throw_range(c, "greet: name longer than %u", (unsigned)(sizeof buf - 3));
    return;
  }
  memcpy(buf, "hi ", 3);
  memcpy(buf + 3, s, n);
  hw_vm_return_string(c, buf, n + 3);
}

static int checks_failed;
/* t.check(ok, message): JS-side assertions report here */
static void n_check(hw_vm_call *c) {
  size_t n;
  int ok = !hw_vm_arg_is_nullish(c, 0);
  int okn;
  double v = hw_vm_arg_number(c, 0, &okn, "check: ok");
  if (!okn) return;
  const char *m = hw_vm_arg_string(c, 1, &n, "check: message");
  if (!m) return;
  if (!ok || v == 0) {
    printf("FAIL (js) %.*s\n", (int)n, m);
    checks_failed++;
  }
  (void)hw_vm_user(c);
}

static int counter_user;
static void n_count(hw_vm_call *c) {
  int *p = hw_vm_user(c);
  (*p)++;
  hw_vm_return_number(c, *p);
}

static const char *script =
    "function ok(c, m) { t.check(c ? 1 : 0, m); }\n"
    "function throwsType(f, re, m) { try { f(); ok(false, m + ': no throw'); }\n"
    "  catch (e) { ok(e instanceof TypeError, m + ': TypeError, got ' + e);\n"
    "              ok(re.test(String(e.message)), m + ': message ' + e.message); } }\n"
    "function throwsRange(f, m) { try { f(); ok(false, m + ': no throw'); }\n"
    "  catch (e) { ok(e instanceof RangeError, m + ': RangeError, got ' + e); } }\n"
    "var r = t.reverse(new Uint8Array([1, 2, 3]));\n"
    "ok(r instanceof Uint8Array && r.length === 3 && r[0] === 3 && r[2] === 1, 'reverse');\n"
    "var big = new Uint8Array(10); big[4] = 7; big[5] = 9;\n"
    "var v = t.reverse(big.subarray(4, 6));\n"
    "ok(v.length === 2 && v[0] === 9 && v[1] === 7, 'reverse honours subarray offset');\n"
    "ok(t.reverse(new Uint8Array(0)).length === 0, 'empty bytes');\n"
    "ok(t.reverse(new Uint8Array(3)).subarray(1).length === 2, 'result has subarray');\n"
    "throwsType(function () { t.reverse('abc'); }, /reverse: bytes must be a Uint8Array/, 'string as bytes');\n"
    "throwsType(function () { t.reverse(); }, /Uint8Array/, 'missing bytes');\n"
    "throwsType(function () { t.reverse(new Uint16Array(2)); }, /Uint8Array/, 'Uint16Array');\n"
    "throwsType(function () { t.reverse([1, 2]); }, /Uint8Array/, 'plain array');\n"
    "throwsType(function () { t.reverse(new Int8Array(2)); }, /Uint8Array/, 'Int8Array');\n"
    "throwsType(function () { t.reverse(new DataView(new ArrayBuffer(2))); }, /Uint8Array/, 'DataView');\n"
    "throwsType(function () { t.reverse(new ArrayBuffer(2)); }, /Uint8Array/, 'ArrayBuffer');\n"
    "throwsType(function () { t.reverse(Object.create(Uint8Array.prototype)); }, /Uint8Array/, 'not a buffer');\n"
    "ok(t.reverse(new Uint8Array(new ArrayBuffer(4), 1, 2)).length === 2, 'view on an ArrayBuffer');\n"
    "if (typeof Uint8Array.allocPlain === 'function') ok(t.reverse(Uint8Array.allocPlain(2)).length === 2, 'plain buffer');\n"
    "var U8 = Uint8Array; Uint8Array = function () {};\n"
    "ok(t.reverse(new U8([1, 2]))[0] === 2, 'a Uint8Array when the global name is rebound');\n"
    "Uint8Array = U8;\n"
    "ok(t.add(2, 3) === 5, 'add');\n"
    "throwsType(function () { t.add(2, '3'); }, /add: b must be a number/, 'string as number');\n"
    "throwsRange(function () { t.add(NaN, 1); }, 'NaN');\n"
    "ok(t.greet('bob') === 'hi bob', 'greet');\n"
    "ok(t.greet('') === null, 'greet null');\n"
    "throwsRange(function () { t.greet(new Array(100).join('x')); }, 'long string');\n"
    "throwsType(function () { t.greet(5); }, /greet: name must be a string/, 'number as string');\n"
    "ok(t.count() === 1 && t.count() === 2, 'user pointer');\n"
    "var got = null;\n"
    "function onBytes(b, n, s) { got = [b.length, b[0], b[b.length - 1], n, s, b instanceof Uint8Array]; }\n"
    "function boom() { throw new Error('boom from js'); }\n";

/* An image made by the engine's own tool (JerryScript: scripts/jerry-image.ts from
 * firmware/vm/vm_test_image.js): it runs in place, with its strings, numbers and regular
 * expression intact; a damaged or misplaced image is refused with a reason, never run. */
static uint8_t *read_image(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = malloc(1 << 20); /* malloc'd: aligned, as a board's image area is */
  *len = f && buf ? fread(buf, 1, 1 << 20, f) : 0;
  if (f) fclose(f);
  return buf;
}

static int prepare_fresh(const uint8_t *image, size_t len) {
  hw_vm *vm = hw_vm_create(0, report, NULL);
  last_report[0] = 0;
  int r = hw_vm_prepare_image(vm, image, len);
  hw_vm_destroy(vm);
  return r;
}

static void test_tool_image(const char *path) {
  size_t len;
  uint8_t *image = read_image(path, &len);
  CHECK(len > 16, "tool image read");
  if (len <= 16) return;
  hw_vm *vm = hw_vm_create(0, report, NULL);
  CHECK(hw_vm_prepare_image(vm, image, len) == 0, "tool image prepared");
  hw_vm_register(vm, "t", "add", n_add, NULL);
  hw_vm_register(vm, "t", "check", n_check, NULL);
  CHECK(hw_vm_run_image(vm, image, len) == 0, "tool image runs");
  const char *probe = "t.check(imageChecks() ? 1 : 0, 'tool image: ' + imageChecks.failed)";
  hw_vm_run_source(vm, "probe-image", probe, strlen(probe));
  CHECK(checks_failed == 0, "tool image: JS-side checks");
  hw_vm_heap h;
  hw_vm_heap_stats(vm, &h);
  printf("tool image: %zu bytes, heap after running it %zu\n", len, h.current);
  hw_vm_destroy(vm);

  vm = hw_vm_create(0, report, NULL);
  hw_vm_register(vm, "t", "add", n_add, NULL);
  last_report[0] = 0;
  CHECK(hw_vm_prepare_image(vm, image, len) == -1 && strstr(last_report, "before registering"), "prepare after a native: refused");
  last_report[0] = 0;
  CHECK(hw_vm_run_image(vm, image, len) == -1 && strstr(last_report, "prepare"), "run without prepare: refused");
  hw_vm_destroy(vm);

  /* Damage one field at a time (trailer: "HWJ1", count, snapshot length, configuration id). */
  uint8_t *t = image + len - 16;
  uint8_t saved[16];
  memcpy(saved, t, 16);
  t[12] ^= 1;
  CHECK(prepare_fresh(image, len) == -1 && strstr(last_report, "other options"), "other engine configuration: refused");
  memcpy(t, saved, 16);
  t[7] = 0x40; /* count 2^30 */
  CHECK(prepare_fresh(image, len) == -1 && strstr(last_report, "out of range"), "string count too large: refused");
  memcpy(t, saved, 16);
  t[8] ^= 4; /* snapshot length off by 4: the lengths are read from the wrong place */
  CHECK(prepare_fresh(image, len) == -1, "snapshot length wrong: refused");
  memcpy(t, saved, 16);
  t[0] = 'X';
  CHECK(prepare_fresh(image, len) == -1 && strstr(last_report, "HWJ1"), "no trailer: refused");
  memcpy(t, saved, 16);
  CHECK(prepare_fresh(image, len - 4) == -1, "truncated: refused");
  CHECK(prepare_fresh(image + 1, len - 4) == -1 && strstr(last_report, "aligned"), "misaligned: refused");
  /* Two strings out of order: the engine's binary search would miss them. */
  uint32_t count = (uint32_t)(t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24);
  uint32_t snap = (uint32_t)(t[8] | t[9] << 8 | t[10] << 16 | (uint32_t)t[11] << 24);
  uint8_t *lengths = image + snap;
  if (count >= 2) {
    uint8_t first[4];
    memcpy(first, lengths, 4);
    memcpy(lengths, lengths + 4 * (count - 1), 4);
    memcpy(lengths + 4 * (count - 1), first, 4);
    CHECK(prepare_fresh(image, len) == -1 && strstr(last_report, "malformed"), "strings out of order: refused");
  }
  free(image);
}

int main(int argc, char **argv) {
  hw_vm *vm = hw_vm_create(512 * 1024, report, NULL);
  CHECK(vm != NULL, "create");
  if (!vm) return 1;
  printf("engine: %s\n", hw_vm_engine_name());
  CHECK(hw_vm_register(vm, "t", "reverse", n_reverse, NULL) == 0, "register");
  hw_vm_register(vm, "t", "add", n_add, NULL);
  hw_vm_register(vm, "t", "greet", n_greet, NULL);
  hw_vm_register(vm, "t", "check", n_check, NULL);
  hw_vm_register(vm, "t", "count", n_count, &counter_user);

  CHECK(hw_vm_run_source(vm, "vm_test.js", script, strlen(script)) == 0, "script runs");
  if (last_report[0]) printf("report: %s\n", last_report);
  CHECK(checks_failed == 0, "JS-side checks");

  /* C -> JS with bytes, a number and a string */
  uint8_t data[300];
  for (int i = 0; i < 300; i++) data[i] = (uint8_t)i;
  hw_vm_arg args[3] = {{.kind = HW_ARG_BYTES, .bytes = data, .len = sizeof data},
                       {.kind = HW_ARG_NUMBER, .number = 51820},
                       {.kind = HW_ARG_STRING, .string = "10.0.0.1"}};
  CHECK(hw_vm_call_global(vm, "onBytes", 3, args) == 0, "call onBytes");
  const char *probe = "t.check(got[0] === 300 && got[1] === 0 && got[2] === 43 && got[3] === 51820 &&"
                      " got[4] === '10.0.0.1' && got[5] ? 1 : 0, 'C->JS arguments')";
  CHECK(hw_vm_run_source(vm, "probe", probe, strlen(probe)) == 0, "probe runs");
  /* A repeated string (the backend may reuse it): the same text while it repeats, the new text
   * as soon as it changes, in a buffer the caller rewrites in place. */
  char host[16] = "10.0.0.1";
  args[2].string = host;
  args[2].repeats = 1;
  const char *hosts[] = {"10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.10"};
  for (int i = 0; i < 5; i++) {
    snprintf(host, sizeof host, "%s", hosts[i]);
    CHECK(hw_vm_call_global(vm, "onBytes", 3, args) == 0, "call onBytes (repeated string)");
    char check[128];
    snprintf(check, sizeof check, "t.check(got[4] === '%s' ? 1 : 0, 'repeated string %d: ' + got[4])", hosts[i], i);
    hw_vm_run_source(vm, "probe-repeat", check, strlen(check));
  }
  CHECK(hw_vm_call_global(vm, "noSuchFunction", 0, NULL) == 1, "missing function -> 1");
  const char *ns = "var app = { bump: function (n) { app.n = n + 1; } }; var notObject = 3;";
  hw_vm_run_source(vm, "ns", ns, strlen(ns));
  hw_vm_arg seven = {.kind = HW_ARG_NUMBER, .number = 7};
  CHECK(hw_vm_call_global(vm, "app.bump", 1, &seven) == 0, "dotted call");
  const char *p3 = "t.check(app.n === 8 ? 1 : 0, 'dotted call ran')";
  hw_vm_run_source(vm, "probe3", p3, strlen(p3));
  CHECK(hw_vm_call_global(vm, "app.nothing", 0, NULL) == 1, "missing member -> 1");
  CHECK(hw_vm_call_global(vm, "notObject.x", 0, NULL) == 1, "non-object -> 1");
  CHECK(hw_vm_call_global(vm, "nobody.x", 0, NULL) == 1, "missing object -> 1");
  last_report[0] = 0;
  CHECK(hw_vm_call_global(vm, "boom", 0, NULL) == -1, "throwing function -> -1");
  CHECK(strstr(last_report, "boom from js") != NULL, "thrown error is reported");
  last_report[0] = 0;
  CHECK(hw_vm_run_source(vm, "bad", "var = ;", 7) == -1, "syntax error -> -1");
  CHECK(last_report[0] != 0, "syntax error reported");

  /* A precompiled image runs and sees the same globals (engines that compile their own;
   * JerryScript's images come from scripts/jerry-image.ts: test_tool_image below). */
  static uint8_t image[4096];
  const char *src = "var imageRan = t.add(40, 2);";
  last_report[0] = 0;
  long n = hw_vm_compile(vm, "img", src, strlen(src), image, sizeof image);
  if (n < 0 && strcmp(hw_vm_engine_name(), "jerryscript") == 0) {
    CHECK(strstr(last_report, "jerry-image") != NULL, "compile says where images come from");
  } else {
    CHECK(n > 0, "compile");
    if (n > 0) {
      CHECK(hw_vm_prepare_image(vm, image, (size_t)n) == 0, "prepare image");
      CHECK(hw_vm_run_image(vm, image, (size_t)n) == 0, "run image");
      const char *p2 = "t.check(imageRan === 42 ? 1 : 0, 'image ran')";
      hw_vm_run_source(vm, "probe2", p2, strlen(p2));
    }
  }
  CHECK(hw_vm_run_image(vm, (const uint8_t *)"junk", 4) == -1, "junk image rejected");

  /* Heap accounting: a big allocation raises current and peak; after GC current drops. */
  hw_vm_heap h0, h1, h2;
  hw_vm_gc(vm);
  hw_vm_heap_stats(vm, &h0);
  const char *grow = "var hold = new Uint8Array(100000); hold[1] = 1;";
  hw_vm_run_source(vm, "grow", grow, strlen(grow));
  hw_vm_heap_stats(vm, &h1);
  const char *drop = "hold = null;";
  hw_vm_run_source(vm, "drop", drop, strlen(drop));
  hw_vm_gc(vm);
  hw_vm_heap_stats(vm, &h2);
  printf("heap: base %zu, with 100 kB %zu, after gc %zu, peak %zu\n", h0.current, h1.current, h2.current,
         h2.peak);
  CHECK(h1.current >= h0.current + 100000, "allocation counted");
  CHECK(h2.current < h1.current - 90000, "free counted");
  CHECK(h2.peak >= h1.current, "peak kept");

  /* The heap limit holds: a 1 MB array fails with an error instead of growing past it. */
  last_report[0] = 0;
  const char *huge = "var huge = new Uint8Array(1048576); huge[1] = 1;"; /* touched: JerryScript allocates lazily */
  CHECK(hw_vm_run_source(vm, "huge", huge, strlen(huge)) == -1, "limit enforced");
  hw_vm_heap_stats(vm, &h2);
  CHECK(h2.peak <= 512 * 1024, "peak within limit");
  CHECK(checks_failed == 0, "JS-side checks (after)");

  hw_vm_destroy(vm);
  if (argc > 1) test_tool_image(argv[1]);
  printf(failures ? "vm_test: %d FAILED\n" : "vm_test: all passed%.0d\n", failures);
  return failures ? 1 : 0;
}
