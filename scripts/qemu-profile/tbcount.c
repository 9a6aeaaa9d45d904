/* QEMU TCG plugin for `make profile-qemu`: counts how often each translation block runs and
 * writes the running totals to <out>.<seq>.<tag> whenever the guest reaches one of the
 * trigger addresses (board functions that mark protocol moments). Differences between two
 * dumps give the instructions spent per block in that window; scripts/qemu-profile.ts maps
 * the blocks to ELF symbols. Counting is inline (no helper call per block), so the guest's
 * speed barely changes, and -icount sees the same instructions as without the plugin.
 *   -plugin tbcount.so,out=/dir/prof,trig=0x60000884:A,trig=0x600009cc:B
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

typedef struct {
  uint64_t vaddr;
  uint64_t insns;
  uint64_t count; /* bumped inline by the generated code */
} block;

/* Open addressing on (vaddr, insns); a block retranslated with the same shape reuses its slot.
 * 2^20 slots is far more than the firmware's few tens of thousands of blocks. */
#define SLOTS (1u << 20)
static block *table;
static unsigned used;
static char out_prefix[200];
static unsigned seq;
#define MAX_TRIG 8
static uint64_t trig_addr[MAX_TRIG];
static char trig_tag[MAX_TRIG];
static unsigned n_trig;

static block *slot_for(uint64_t vaddr, uint64_t insns) {
  uint64_t h = (vaddr * 0x9E3779B97F4A7C15ull) ^ insns;
  for (unsigned i = 0; i < SLOTS; i++) {
    block *b = &table[(h + i) & (SLOTS - 1)];
    if (b->insns == 0) { b->vaddr = vaddr; b->insns = insns; used++; return b; }
    if (b->vaddr == vaddr && b->insns == insns) return b;
  }
  return NULL;
}

static void dump(unsigned vcpu, void *udata) {
  char tag = (char)(uintptr_t)udata;
  char path[256];
  snprintf(path, sizeof path, "%s.%05u.%c", out_prefix, seq++, tag);
  FILE *f = fopen(path, "w");
  if (!f) return;
  for (unsigned i = 0; i < SLOTS; i++)
    if (table[i].count) fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", table[i].vaddr, table[i].insns, table[i].count);
  fclose(f);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
  block *b = slot_for(vaddr, qemu_plugin_tb_n_insns(tb));
  if (b) qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->count, 1);
  for (unsigned i = 0; i < n_trig; i++)
    if (trig_addr[i] == vaddr)
      qemu_plugin_register_vcpu_tb_exec_cb(tb, dump, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)trig_tag[i]);
}

static void at_exit(qemu_plugin_id_t id, void *p) { dump(0, (void *)(uintptr_t)'X'); }

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (!strncmp(argv[i], "out=", 4)) {
      snprintf(out_prefix, sizeof out_prefix, "%s", argv[i] + 4);
    } else if (!strncmp(argv[i], "trig=", 5) && n_trig < MAX_TRIG) {
      char *end;
      trig_addr[n_trig] = strtoull(argv[i] + 5, &end, 0);
      trig_tag[n_trig] = (*end == ':' && end[1]) ? end[1] : 'T';
      n_trig++;
    } else {
      fprintf(stderr, "tbcount: unknown argument %s\n", argv[i]);
      return -1;
    }
  }
  if (!out_prefix[0]) { fprintf(stderr, "tbcount: out=<prefix> is required\n"); return -1; }
  table = calloc(SLOTS, sizeof *table);
  if (!table) return -1;
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
