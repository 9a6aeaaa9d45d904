/* Engine bring-up image: Duktape (firmware/vm) on the board, inside the 320 KiB budget.
 * Prints the empty heap, then - if the runner placed an app bundle in the image area and
 * named its length on the boot page (image=N, image-kind=source|bytecode) - loads it and
 * prints the heap after loading and a full GC. Exits through semihosting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"
#include "qemu_board.h"
#include "vm.h"

extern const uint8_t __image_page[];
extern char __heap_start[], __heap_end[];

static void report(void *ctx, const char *message) {
  (void)ctx;
  printf("[js-error] %s\n", message);
}

static void heap_line(hw_vm *vm, const char *what) {
  hw_vm_heap h;
  hw_vm_heap_stats(vm, &h);
  printf("[heap] %s current=%u peak=%u limit=%u\n", what, (unsigned)h.current, (unsigned)h.peak, (unsigned)h.limit);
}

int main(void) {
  size_t arena = (size_t)(__heap_end - __heap_start);
  printf("[board] qemu-xtensa dukcheck: %s, malloc arena %u bytes\n", hw_vm_engine_name(), (unsigned)arena);
  uint64_t c0 = qb_cycles();
  hw_vm *vm = hw_vm_create(0, report, NULL);
  if (!vm) {
    printf("[board] DUK-FAILED: heap creation\n");
    qb_semihost_exit(1);
  }
  hw_vm_gc(vm);
  heap_line(vm, "empty");
  printf("[cycles] create-heap=%lu\n", (unsigned long)(qb_cycles() - c0));

  char text[32], kind[16];
  int ok = 1;
  if (qb_boot_copy("image", text, sizeof text) == 0) {
    size_t len = strtoul(text, NULL, 10);
    int source = qb_boot_copy("image-kind", kind, sizeof kind) == 0 && strcmp(kind, "source") == 0;
    c0 = qb_cycles();
    int r = source ? hw_vm_run_source(vm, "homewire.js", (const char *)__image_page, len)
                   : hw_vm_run_image(vm, __image_page, len);
    printf("[cycles] load-%s=%lu\n", source ? "source" : "bytecode", (unsigned long)(qb_cycles() - c0));
    ok = r == 0;
    hw_vm_gc(vm);
    heap_line(vm, ok ? "loaded" : "load-failed");
  }
  qb_alloc_stats st;
  qb_alloc_get_stats(&st);
  printf("[mem] arena %u: slabs %u (%u pages, objects %u, peak %u) + large %u (peak %u), free %u, refused %u\n",
         (unsigned)st.arena, (unsigned)st.slab_area, (unsigned)st.slab_pages, (unsigned)st.slab_bytes,
         (unsigned)st.slab_bytes_peak, (unsigned)st.large_arena, (unsigned)st.large_arena_peak,
         (unsigned)(st.arena - st.slab_area - st.large_arena), (unsigned)st.failures);
  printf("[board] %s\n", ok ? "DUK-OK" : "DUK-FAILED");
  qb_semihost_exit(ok ? 0 : 1);
}
