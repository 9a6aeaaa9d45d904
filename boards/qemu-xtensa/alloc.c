/* The board's allocator: the one place RAM for the JS engine (and anything else that
 * mallocs) comes from, confined to the linker map's heap (__heap_start..__heap_end in dram).
 *
 * Duktape makes thousands of small allocations (strings, objects, property tables), and a
 * general malloc spends 8+ bytes of header and rounding on each: measured on this board,
 * picolibc's malloc needed 278 KiB of arena for 209 KiB of engine data. So small requests
 * (<= 256 bytes) come from slabs: 1 KiB pages, each holding objects of one size class, no
 * per-object header, freed objects kept on a per-class list. Pages are taken from the top of
 * the heap downwards; larger requests go to picolibc's malloc, whose sbrk grows from the
 * bottom upwards. The two meet, never cross: sbrk below refuses to pass the lowest slab page.
 * When either side runs out of room, the lowest slab pages that hold no object are given back
 * first (reclaim_empty_pages).
 *
 * Linked with -Wl,--wrap=malloc,... so every malloc/free/realloc/calloc in our code and in
 * Duktape lands here; __real_* are picolibc's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "qemu_board.h"

void *__real_malloc(size_t n);
void __real_free(void *p);
void *__real_realloc(void *p, size_t n);
void *memalign(size_t align, size_t n);
size_t malloc_usable_size(void *p);
void *__wrap_malloc(size_t n);
void __wrap_free(void *p);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_calloc(size_t count, size_t size);
void *sbrk(ptrdiff_t incr);

extern char __heap_start[], __heap_end[];

#define PAGE 1024u
#define MAX_PAGES (320u * 1024u / PAGE)
#define SMALL_MAX 256u

/* Size classes: 8-byte steps up to 128, then coarser. */
static const uint16_t class_size[] = {8,  16, 24, 32, 40,  48,  56,  64,  72,  80,  88,
                                      96, 104, 112, 120, 128, 144, 160, 176, 192, 224, 256};
#define N_CLASSES (sizeof class_size / sizeof class_size[0])

static struct {
  void *free_list[N_CLASSES];
  uint8_t page_class[MAX_PAGES]; /* class of slab page i, counted down from __heap_end */
  uint8_t page_live[MAX_PAGES];  /* objects of slab page i in use (at most 1024 / 8) */
  char *slab_low;                /* lowest slab page; nothing of picolibc's above it */
  char *brk;                     /* picolibc's break */
  qb_alloc_stats stats;
} A;

static unsigned class_of(size_t n) {
  unsigned c = 0;
  while (class_size[c] < n) c++;
  return c;
}

static int init_done;
static void init(void) {
  A.slab_low = __heap_end;
  A.brk = __heap_start;
  init_done = 1;
}

static int is_slab(const void *p) { return (const char *)p >= A.slab_low && (const char *)p < __heap_end; }
static unsigned page_index(const void *p) { return (unsigned)(((uintptr_t)__heap_end - 1u - (uintptr_t)p) / PAGE); }

/* Under pressure only (a page is needed and none is left): the lowest slab pages that hold no
 * object go back to the free space between the two sides, their objects taken off their class's
 * free list. A peak of small objects (Duktape compiling the app) claims pages that would
 * otherwise stay with their class for good, out of reach of larger blocks; reclaiming them
 * only when space runs out keeps a page from going back and forth at every allocation. */
static void reclaim_empty_pages(void) {
  while (A.slab_low < __heap_end && A.page_live[page_index(A.slab_low)] == 0) {
    const char *page = A.slab_low;
    void **link = &A.free_list[A.page_class[page_index(page)]];
    while (*link) {
      if ((const char *)*link >= page && (const char *)*link < page + PAGE) *link = *(void **)*link;
      else link = (void **)*link;
    }
    A.slab_low += PAGE;
    A.stats.slab_pages--;
  }
}

/* picolibc's malloc gets memory here: from the bottom of the heap, below the slabs. */
void *sbrk(ptrdiff_t incr) {
  if (!init_done) init();
  char *old = A.brk;
  if (incr > 0 && (size_t)incr > (size_t)(A.slab_low - A.brk)) reclaim_empty_pages();
  if (incr > 0 && (size_t)incr > (size_t)(A.slab_low - A.brk)) return (void *)-1;
  if (incr < 0 && (size_t)-incr > (size_t)(A.brk - __heap_start)) return (void *)-1;
  A.brk += incr;
  if ((size_t)(A.brk - __heap_start) > A.stats.large_arena_peak) A.stats.large_arena_peak = (size_t)(A.brk - __heap_start);
  return old;
}

static int new_slab_page(unsigned c) {
  /* Slab pages are PAGE-aligned relative to __heap_end (itself 16-aligned), so every object
   * is 8-aligned as Duktape asks (DUK_USE_ALIGN_BY 8). */
  if ((size_t)(A.slab_low - A.brk) < PAGE) reclaim_empty_pages();
  if ((size_t)(A.slab_low - A.brk) < PAGE) return -1;
  A.slab_low -= PAGE;
  A.page_class[page_index(A.slab_low)] = (uint8_t)c;
  A.page_live[page_index(A.slab_low)] = 0;
  unsigned size = class_size[c], count = PAGE / size;
  for (unsigned i = 0; i < count; i++) { /* thread the page's objects onto the free list */
    void **obj = (void **)(A.slab_low + i * size);
    *obj = A.free_list[c];
    A.free_list[c] = obj;
  }
  A.stats.slab_pages++;
  return 0;
}

void *__wrap_malloc(size_t n) {
  if (!init_done) init();
  if (n == 0) n = 1;
  if (n > SMALL_MAX) {
    /* picolibc's malloc only promises 4-byte alignment once blocks have been split; Duktape
     * asks for 8 (and 16-bit heap pointers count in 8-byte units). */
    void *p = memalign(8, n);
    if (!p) A.stats.failures++;
    return p;
  }
  unsigned c = class_of(n);
  if (!A.free_list[c] && new_slab_page(c) != 0) {
    A.stats.failures++;
    return NULL;
  }
  void **obj = A.free_list[c];
  A.free_list[c] = *obj;
  A.page_live[page_index(obj)]++;
  A.stats.slab_bytes += class_size[c];
  if (A.stats.slab_bytes > A.stats.slab_bytes_peak) A.stats.slab_bytes_peak = A.stats.slab_bytes;
  return obj;
}

void __wrap_free(void *p) {
  if (!p) return;
  if (!is_slab(p)) {
    __real_free(p);
    return;
  }
  unsigned c = A.page_class[page_index(p)];
  *(void **)p = A.free_list[c];
  A.free_list[c] = p;
  A.page_live[page_index(p)]--;
  A.stats.slab_bytes -= class_size[c];
}

void *__wrap_realloc(void *p, size_t n) {
  if (!p) return __wrap_malloc(n);
  if (n == 0) {
    __wrap_free(p);
    return NULL;
  }
  if (!is_slab(p)) {
    if (n > SMALL_MAX) {
      void *r = __real_realloc(p, n);
      if (!r || ((uintptr_t)r & 7u) == 0) return r;
      void *q = memalign(8, n); /* realloc moved it to a 4-aligned block: move once more */
      if (q) memcpy(q, r, n);
      __real_free(r);
      return q;
    }
    void *q = __wrap_malloc(n); /* shrinking into a slab class */
    if (!q) return NULL;
    memcpy(q, p, n);
    __real_free(p);
    return q;
  }
  size_t have = class_size[A.page_class[page_index(p)]];
  if (n <= have && (n > SMALL_MAX / 2 || class_of(n) == class_of(have))) return p;
  void *q = __wrap_malloc(n);
  if (!q) return NULL;
  memcpy(q, p, n < have ? n : have);
  __wrap_free(p);
  return q;
}

void *__wrap_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  void *p = __wrap_malloc(count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

/* A block's size as this allocator holds it (its class for a slab object): the Duktape
 * adapter's accounting asks here instead of keeping a header in front of every block
 * (HW_VM_BLOCK_SIZE, scripts/mk/qemu.mk). */
size_t qb_alloc_block_size(void *p) {
  if (is_slab(p)) return class_size[A.page_class[page_index(p)]];
  return malloc_usable_size(p);
}

void qb_alloc_get_stats(qb_alloc_stats *out) {
  if (!init_done) init();
  *out = A.stats;
  out->arena = (size_t)(__heap_end - __heap_start);
  out->large_arena = (size_t)(A.brk - __heap_start);
  out->slab_area = (size_t)(__heap_end - A.slab_low);
}

/* Duktape's 16-bit heap pointers (duk_board_overrides.h): the offset from the heap start in
 * 4-byte units, plus one so that 0 stays NULL. Duktape also compresses pointers into the
 * middle of its allocations, which are only 4-aligned. The linker map keeps the heap under
 * 256 KiB so every offset fits; anything else is a bug, stopped loudly here. */
uint16_t qb_heapptr_enc16(const void *p) {
  if (!p) return 0;
  uintptr_t off = (uintptr_t)p - (uintptr_t)__heap_start;
  if ((off & 3u) || off >= (uintptr_t)(__heap_end - __heap_start)) {
    printf("[board] heap pointer %p outside the heap: stopping\n", p);
    hw_qemu_reset();
  }
  return (uint16_t)((off >> 2) + 1u);
}
