# The QEMU Xtensa board (boards/qemu-xtensa): `qemu-system-xtensa -M lx60-nommu -cpu lx106`,
# built with Debian's gcc-xtensa-lx106 + picolibc. `make test-qemu` (scripts/mk/hil.mk) runs
# the bring-up checks here, then the test-hil scenarios on the board.

QX_BUILD := $(BUILD)/qemu-xtensa
QX_DIR := boards/qemu-xtensa
QX_CC := xtensa-lx106-elf-gcc
QX_SIZE := xtensa-lx106-elf-size
QX_SPECS := --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
# Literals beside each function: L32R reaches only 256 KiB back, and the image is larger.
QX_ARCH := -mlongcalls -mtext-section-literals -ffunction-sections -fdata-sections
QX_CFLAGS := $(QX_SPECS) -std=c99 -Os -g $(QX_ARCH) -Wall -Wextra -Werror -Wno-unused-parameter
QX_LDFLAGS := -nostartfiles -T $(QX_DIR)/board.ld -Wl,--gc-sections
QX_QEMU := qemu-system-xtensa -M lx60-nommu -cpu lx106 -nographic -monitor none
QX_BOARD_SRC := $(QX_DIR)/start.S $(QX_DIR)/console.c $(QX_DIR)/clock.c $(QX_DIR)/libgcc_int.c
QX_BOARD_DEPS := $(QX_BOARD_SRC) $(QX_DIR)/qemu_board.h $(QX_DIR)/board.ld

# Bring-up image: start-up, console, clock, helpers.
$(QX_BUILD)/hello.elf: $(QX_BOARD_DEPS) $(QX_DIR)/hello.c | setup
	@mkdir -p $(dir $@)
	$(QX_CC) $(QX_CFLAGS) $(QX_LDFLAGS) $(QX_BOARD_SRC) $(QX_DIR)/hello.c -o $@

.PHONY: qemu-board
qemu-board: $(QX_BUILD)/hello.elf $(QX_BUILD)/netcheck.elf $(QX_BUILD)/dukcheck.elf $(QX_BUILD)/homewire.elf ## build the QEMU Xtensa board images; report flash and the 320 KiB dram split
	@for f in hello netcheck dukcheck homewire; do scripts/qemu-memreport.sh $(QX_BUILD)/$$f.elf; done

.PHONY: test-qemu-board
test-qemu-board: qemu-board $(FW_BUNDLE) ## QEMU Xtensa board bring-up checks: start-up/console/clock/helpers, then Duktape loading the app bundle within 256 KiB
	@out=$$(timeout 30 $(QX_QEMU) -serial stdio -semihosting -kernel $(QX_BUILD)/hello.elf) || \
	  { echo "$$out"; echo "test-qemu: hello image failed" >&2; exit 1; }; \
	echo "$$out"; grep -q 'HELLO-OK' <<<"$$out"
	@printf 'homewire-boot 1\nimage=%d\nimage-kind=source\n\0' $$(stat -c %s $(FW_BUNDLE)) > $(QX_BUILD)/dukcheck-boot.txt
	@out=$$(timeout 120 $(QX_QEMU) -serial stdio -semihosting -kernel $(QX_BUILD)/dukcheck.elf \
	  -device loader,file=$(QX_BUILD)/dukcheck-boot.txt,addr=0x60500000,force-raw=on \
	  -device loader,file=$(FW_BUNDLE),addr=0x60600000,force-raw=on) || \
	  { echo "$$out"; echo "test-qemu: Duktape could not load the app bundle on the board" >&2; exit 1; }; \
	echo "$$out"; grep -q 'DUK-OK' <<<"$$out"

# ---- lwIP for the target (same Debian source tree and lwipopts as the host board) ---------
QX_LWIP_BUILD := $(QX_BUILD)/lwip
QX_LWIP_OBJS = $(patsubst %.c,$(QX_LWIP_BUILD)/%.o,$(LWIP_FILES))
QX_LWIP_INC = $(LWIP_INC) -I$(QX_DIR)

$(QX_LWIP_BUILD)/%.o: $(LWIP_STAMP) $(LWIP_HDRS) | setup
	@mkdir -p $(dir $@)
	$(QX_CC) $(QX_SPECS) -std=c99 -Os -g $(QX_ARCH) $(QX_LWIP_INC) -c $(LWIP_DIR)/src/$*.c -o $@

QX_NET_SRC := $(QX_DIR)/ethoc.c $(QX_DIR)/boot.c $(QX_DIR)/bootparse.c firmware/net/hw_ip.c
QX_NET_DEPS := $(QX_NET_SRC) $(QX_DIR)/ethoc.h $(QX_DIR)/boot.h $(QX_DIR)/bootparse.h

# Network bring-up image: lwIP + the OpenCores NIC answering ARP and ping.
$(QX_BUILD)/netcheck.elf: $(QX_BOARD_DEPS) $(QX_NET_DEPS) $(QX_DIR)/netcheck.c $(QX_LWIP_OBJS)
	$(QX_CC) $(QX_CFLAGS) $(QX_LWIP_INC) $(QX_LDFLAGS) $(QX_BOARD_SRC) $(QX_NET_SRC) $(QX_DIR)/netcheck.c $(QX_LWIP_OBJS) -o $@

# ---- soft double precision (Debian's lx106 libgcc has none; Duktape needs it) ------------
$(QX_BUILD)/softdouble_test: $(QX_DIR)/softdouble.c $(QX_DIR)/softdouble_test.c
	@mkdir -p $(dir $@)
	cc -std=c99 -O2 -Wall -Wextra -Werror -DQB_SOFTDOUBLE_HOST_TEST $^ -lm -o $@

.PHONY: test-qemu-softdouble
test-qemu-softdouble: $(QX_BUILD)/softdouble_test ## the board's software doubles vs the host FPU (2M cases x 10 ops)
	$(QX_BUILD)/softdouble_test

# ---- Duktape for the target: the firmware's low-memory config (scripts/mk/firmware.mk) --
# The board adds its own options (16-bit fields and heap pointers) to a copy of that config.
QX_DUK_CFG := $(QX_BUILD)/dukcfg
QX_DUK_OBJ := $(QX_BUILD)/duktape.o
$(QX_DUK_CFG)/duk_config.h: $(DUK_CFG)/duk_config.h $(QX_DIR)/duk_board_overrides.h
	@mkdir -p $(QX_DUK_CFG)
	cp $(DUK_CFG)/duktape.c $(DUK_CFG)/duktape.h $(DUK_CFG)/duk_config_overrides.h $(QX_DIR)/duk_board_overrides.h $(QX_DUK_CFG)/
	sed 's|^#endif  /\* DUK_CONFIG_H_INCLUDED \*/|#include "duk_board_overrides.h"\n&|' $(DUK_CFG)/duk_config.h > $@
	grep -q '^#include "duk_board_overrides.h"' $@

# The engines are built for speed, not size: the interpreter is the per-packet cost (make
# bench-qemu: -O2 instead of -Os took Duktape from 56.4 k to 48.4 k per packet for 57 KB more
# flash, JerryScript from 46.2 k to 44.0 k for 90 KB; flash is 4 MiB, RAM is what is scarce).
QX_ENGINE_OPT := -O2
$(QX_DUK_OBJ): $(QX_DUK_CFG)/duk_config.h scripts/mk/qemu.mk
	$(QX_CC) $(QX_SPECS) -std=c99 $(QX_ENGINE_OPT) -g $(QX_ARCH) -w -I$(QX_DUK_CFG) -c $(QX_DUK_CFG)/duktape.c -o $@

# Engine images also take the board's allocator (alloc.c) in place of picolibc's malloc; it knows
# each block's size, so Duktape's heap accounting asks it rather than keeping an 8-byte header on
# every allocation (vm_duktape.c HW_VM_BLOCK_SIZE: the app's heap after start 183 -> 150 KiB of
# arena blocks, measured by dukcheck).
QX_DUK_ACCOUNTING := -DHW_VM_BLOCK_SIZE=qb_alloc_block_size
QX_RT_SRC := $(QX_DIR)/softdouble.c $(QX_DIR)/alloc.c
QX_WRAP := -Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc
$(QX_BUILD)/dukcheck.elf: $(QX_BOARD_DEPS) $(QX_DIR)/boot.c $(QX_DIR)/boot.h $(QX_DIR)/dukcheck.c $(QX_RT_SRC) firmware/vm/vm_duktape.c $(QX_DUK_OBJ)
	$(QX_CC) $(QX_CFLAGS) $(QX_DUK_ACCOUNTING) -I$(QX_DUK_CFG) -Ifirmware/vm $(QX_LDFLAGS) $(QX_BOARD_SRC) $(QX_RT_SRC) $(QX_DIR)/boot.c \
	  $(QX_DIR)/dukcheck.c firmware/vm/vm_duktape.c $(QX_DUK_OBJ) $(QX_WRAP) -lm -o $@

# ---- the firmware on the board -------------------------------------------------------------
QX_FW_SRC = $(QX_DIR)/main.c $(QX_DIR)/rng.c $(QX_DIR)/sleep.c firmware/runtime/retained_ram.c $(QX_DIR)/store.c $(QX_DIR)/ethoc.c $(QX_DIR)/boot.c $(QX_DIR)/bootparse.c \
  $(QX_RT_SRC) firmware/runtime/runtime.c firmware/runtime/console.c firmware/net/net.c $(FW_BIND_SRC) firmware/vm/vm_duktape.c $(FW_CRYPTO_SRC)
QX_FW_INC = $(QX_DUK_ACCOUNTING) -I$(QX_DUK_CFG) -Ifirmware/vm -Ifirmware/bindings -Ifirmware/crypto -Ifirmware/net -Ifirmware/runtime $(QX_LWIP_INC)
QX_FW := $(QX_BUILD)/homewire.elf

$(QX_FW): $(QX_BOARD_DEPS) $(QX_FW_SRC) $(wildcard $(QX_DIR)/*.h firmware/*/*.h) $(QX_LWIP_OBJS) $(QX_DUK_OBJ)
	$(QX_CC) $(QX_CFLAGS) $(QX_FW_INC) $(QX_LDFLAGS) $(QX_BOARD_SRC) $(QX_FW_SRC) $(QX_LWIP_OBJS) $(QX_DUK_OBJ) $(QX_WRAP) -lm -o $@

# ---- the firmware on JerryScript (ENGINE=jerryscript; the tree at JERRYSCRIPT_PATH) ---------
# jerry-core cross-built from the user's tree with the one engine configuration (JERRY_OPTS,
# firmware.mk) so the host's snapshot tool makes images for it; the same app image as the host
# board (JERRY_APP_IMAGE), run in place from the image area. Its heap is the engine's static
# array in .bss (one contiguous region its 16-bit compressed pointers address), so malloc keeps
# only a small arena. All writable RAM fits 160 KiB, enforced by the linker map (board.ld).
QX_JERRY_BUILD := $(QX_BUILD)/jerryscript
QX_JERRY_LIB := $(QX_JERRY_BUILD)/engine/lib/libjerry-core.a
# JS heap: the test-hil run peaks well below it (make test-qemu prints the peak over every boot);
# GC limit: the engine collects after this much new allocation (default heap/32 collected every
# few packets).
QX_JERRY_HEAP_KB ?= 64
QX_JERRY_GC_LIMIT ?= 8192
QX_JERRY_DRAM_KIB := 160
# malloc: the engine adapter's state (its call sites, ~1.5 KiB) and the image's string table (4
# bytes per string, ~2.4 KiB), in slab pages and picolibc's blocks: ~6 KiB in use after start.
QX_JERRY_ARENA_KIB := 12
QX_JERRY_FW := $(QX_JERRY_BUILD)/homewire.elf

$(QX_JERRY_LIB): $(if $(JERRY_TREE_MISSING),,$(JERRYSCRIPT_PATH)/jerry-core/include/jerryscript.h) scripts/mk/qemu.mk scripts/mk/firmware.mk | setup
	@if [ -n "$(JERRY_TREE_MISSING)" ]; then echo "$(JERRY_TREE_MISSING)" >&2; exit 1; fi
	@mkdir -p $(QX_JERRY_BUILD)/engine
	cd $(QX_JERRY_BUILD)/engine && cmake $(abspath $(JERRYSCRIPT_PATH)) -DCMAKE_SYSTEM_NAME=Generic -DCMAKE_SYSTEM_PROCESSOR=xtensa \
	  -DCMAKE_C_COMPILER=$(QX_CC) -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="$(QX_ENGINE_OPT) -DNDEBUG" \
	  -DEXTERNAL_COMPILE_FLAGS="$(subst $(eval) ,;,$(strip $(QX_SPECS) $(QX_ARCH) -g))" $(JERRY_OPTS) \
	  -DJERRY_GLOBAL_HEAP_SIZE=$(QX_JERRY_HEAP_KB) -DJERRY_GC_LIMIT=$(QX_JERRY_GC_LIMIT) \
	  -DJERRY_CMDLINE=OFF -DJERRY_PORT=OFF -DJERRY_EXT=OFF -DJERRY_MATH=OFF -DENABLE_LTO=OFF -DENABLE_AMALGAM=ON -DPYTHON=python3 >/dev/null
	$(MAKE) -C $(QX_JERRY_BUILD)/engine --no-print-directory jerry-core
	@touch $@

QX_JERRY_FW_SRC = $(filter-out firmware/vm/vm_duktape.c,$(QX_FW_SRC)) firmware/vm/vm_jerryscript.c $(QX_DIR)/jerry_port.c
QX_JERRY_LDFLAGS := -Wl,--defsym=HW_DRAM_KIB=$(QX_JERRY_DRAM_KIB),--defsym=HW_ARENA_KIB=$(QX_JERRY_ARENA_KIB),--defsym=HW_ARENA_MIN_KIB=$(QX_JERRY_ARENA_KIB)

$(QX_JERRY_FW): $(QX_BOARD_DEPS) $(QX_JERRY_FW_SRC) $(wildcard $(QX_DIR)/*.h firmware/*/*.h) $(QX_LWIP_OBJS) $(QX_JERRY_LIB)
	$(QX_CC) $(QX_CFLAGS) $(subst -I$(QX_DUK_CFG),,$(QX_FW_INC)) $(JERRY_VM_INC) $(QX_LDFLAGS) $(QX_JERRY_LDFLAGS) $(QX_BOARD_SRC) \
	  $(QX_JERRY_FW_SRC) $(QX_LWIP_OBJS) $(QX_JERRY_LIB) $(QX_WRAP) -lm -o $@
	@scripts/qemu-memreport.sh $@

.PHONY: qemu-board-jerryscript
qemu-board-jerryscript: $(QX_JERRY_FW) $(JERRY_APP_IMAGE) ## the QEMU board's firmware on JerryScript (tree at JERRYSCRIPT_PATH) and its app image; report flash and the 160 KiB dram split

# ---- interactive ----------------------------------------------------------------------------
# QEMU_ARGS passes options to scripts/qemu-run.ts, e.g. QEMU_ARGS="--config dev.json --net tap:hwtap0".
.PHONY: qemu
qemu: $(if $(filter jerryscript,$(ENGINE)),qemu-board-jerryscript,qemu-board) $(FW_BUNDLE) ## boot the QEMU Xtensa board interactively (console here, Ctrl-A X quits; ENGINE=jerryscript for that build; QEMU_ARGS=... see scripts/qemu-run.ts)
	ENGINE=$(ENGINE) $(TSX) scripts/qemu-run.ts $(QEMU_ARGS)

# ---- benchmark ------------------------------------------------------------------------------
# Both engines side by side (JerryScript NOT RUN without its tree); X25519 and AEAD per call
# come from the crypto bench (its lx106 rows, made here if absent).
build/bench/crypto.json: | setup
	$(TSX) scripts/bench/crypto.ts --isa=xtensa-lx106

.PHONY: bench-qemu
bench-qemu: qemu-board $(FW_BUNDLE) $(if $(JERRY_TREE),qemu-board-jerryscript) build/bench/crypto.json ## the QEMU board on Duktape and JerryScript side by side (-icount): RAM, JS heap, boot, handshake, per-packet work vs wireguard-go, flash (root); build/bench/qemu-xtensa.json
	$(TSX) scripts/qemu-bench.ts
