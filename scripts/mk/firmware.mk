# Firmware: the engine adapter (firmware/vm), natives (firmware/bindings), lwIP glue
# (firmware/net), the event loop (firmware/runtime) and the host board (boards/host).
# ENGINE=duktape (Debian duktape-dev, default) or ENGINE=jerryscript (the tree at JERRYSCRIPT_PATH,
# default ~/jerryscript: see the Makefile).

ENGINE ?= duktape
FW_BUILD := $(BUILD)/firmware/$(ENGINE)
FW_CC ?= cc
FW_WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
FW_CFLAGS ?= -std=c99 -O2 -g -D_DEFAULT_SOURCE $(FW_WARN)
FW_SAN ?=

# ---- engines --------------------------------------------------------------------------
DUK_DIR ?= /usr/share/duktape
DUK_CFG := $(BUILD)/firmware/duktape/cfg
DUK_OBJ := $(BUILD)/firmware/duktape/duktape.o

# Duktape is compiled from Debian's amalgamation (copied into build/, never committed) with
# our low-memory overrides appended to its duk_config.h; -Os as on a device; -w because it is
# not our code to warn about. Our own sources include the same copied headers.
$(DUK_CFG)/duk_config.h: $(DUK_DIR)/duk_config.h $(DUK_DIR)/duktape.c firmware/vm/duk_config_overrides.h | setup
	@mkdir -p $(DUK_CFG)
	cp $(DUK_DIR)/duktape.c $(DUK_DIR)/duktape.h firmware/vm/duk_config_overrides.h $(DUK_CFG)/
	sed 's|^#endif  /\* DUK_CONFIG_H_INCLUDED \*/|#include "duk_config_overrides.h"\n&|' $(DUK_DIR)/duk_config.h > $@
	grep -q '^#include "duk_config_overrides.h"' $@

$(DUK_OBJ): $(DUK_CFG)/duk_config.h
	$(FW_CC) -std=c99 -Os -g -w -I$(DUK_CFG) -c $(DUK_CFG)/duktape.c -o $@

# ---- JerryScript 3.0 -------------------------------------------------------------------
# In no package registry: the user supplies a source tree (JERRYSCRIPT_PATH). Without one, the
# jerryscript suites report NOT RUN and nothing of it is built.
JERRY_TREE_MISSING := $(if $(JERRY_TREE),,no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH) (no jerry-core/include/jerryscript.h; set JERRYSCRIPT_PATH: JerryScript is in no package registry))
JERRY_BUILD := $(BUILD)/firmware/jerryscript/engine
JERRY_HEAP_KB ?= 512
JERRY_HOST_LIBS := $(JERRY_BUILD)/lib/libjerry-core.a $(JERRY_BUILD)/lib/libjerry-port.a
JERRY_SNAPSHOT_TOOL := $(JERRY_BUILD)/bin/jerry-snapshot

# The engine configuration, one for every JerryScript build (this host library and its snapshot
# tool, the QEMU board's lx106 library in qemu.mk): a snapshot's built-in string numbers and
# direct strings depend on the feature set and the compressed pointer size, so an image is only
# valid on an engine built with these options. ES.next profile (typed arrays), 16-bit compressed
# pointers (heaps up to 512 KiB), snapshots run in place, heap statistics, error messages. The
# heap size is not part of it (it does not change what a snapshot means). Its hash goes into
# every image (scripts/jerry-image.ts) and into the engine adapter, which refuses other images.
JERRY_OPTS := -DJERRY_PROFILE=es.next -DJERRY_CPOINTER_32_BIT=OFF -DJERRY_SNAPSHOT_EXEC=ON -DJERRY_MEM_STATS=ON \
  -DJERRY_ERROR_MESSAGES=ON -DJERRY_LINE_INFO=OFF -DJERRY_PARSER=ON -DJERRY_FUNCTION_TO_STRING=OFF
JERRY_CONFIG_ID := $(shell printf '%s' '$(JERRY_OPTS)' | sha256sum | cut -c1-8)
JERRY_VM_INC := -I$(JERRYSCRIPT_PATH)/jerry-core/include -DHW_JERRY_CONFIG_ID=0x$(JERRY_CONFIG_ID)u

# The host library and the snapshot tool from one configure (the tool saves snapshots, so this
# library can too; the device's does not need to).
$(JERRY_HOST_LIBS) $(JERRY_SNAPSHOT_TOOL) &: $(if $(JERRY_TREE_MISSING),,$(JERRYSCRIPT_PATH)/jerry-core/include/jerryscript.h) scripts/mk/firmware.mk
	@if [ -n "$(JERRY_TREE_MISSING)" ]; then echo "$(JERRY_TREE_MISSING)" >&2; exit 1; fi
	@mkdir -p $(JERRY_BUILD)
	cd $(JERRY_BUILD) && cmake $(abspath $(JERRYSCRIPT_PATH)) -DCMAKE_BUILD_TYPE=MinSizeRel $(JERRY_OPTS) \
	  -DJERRY_CMDLINE=OFF -DJERRY_CMDLINE_SNAPSHOT=ON -DJERRY_GLOBAL_HEAP_SIZE=$(JERRY_HEAP_KB) \
	  -DENABLE_LTO=OFF -DJERRY_EXT=ON -DJERRY_MATH=OFF >/dev/null
	$(MAKE) -C $(JERRY_BUILD) --no-print-directory jerry-core jerry-port jerry-snapshot
	@touch $(JERRY_HOST_LIBS) $(JERRY_SNAPSHOT_TOOL)

# An image (scripts/jerry-image.ts): the static snapshot, run in place, and its strings.
JERRY_IMAGE = $(TSX) scripts/jerry-image.ts --tool $(JERRY_SNAPSHOT_TOOL) --config-id $(JERRY_CONFIG_ID)

ifeq ($(ENGINE),duktape)
VM_SRC := firmware/vm/vm_duktape.c
VM_INC := -I$(DUK_CFG)
VM_OBJS := $(DUK_OBJ)
VM_LIBS := -lm
else ifeq ($(ENGINE),jerryscript)
JERRY_MISSING := $(JERRY_TREE_MISSING)
VM_SRC := firmware/vm/vm_jerryscript.c
VM_INC := $(JERRY_VM_INC)
VM_OBJS := $(JERRY_HOST_LIBS)
VM_LIBS := -lm
else
$(error ENGINE must be duktape or jerryscript, not '$(ENGINE)')
endif

# ---- engine adapter test --------------------------------------------------------------
$(FW_BUILD)/vm_test: firmware/vm/vm_test.c $(VM_SRC) firmware/vm/vm.h firmware/vm/vm_call.h $(VM_OBJS)
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_CFLAGS) $(FW_SAN) $(VM_INC) -Ifirmware/vm firmware/vm/vm_test.c $(VM_SRC) $(VM_OBJS) $(VM_LIBS) -o $@

# JerryScript's images come from its tool: vm_test also runs (and damages) one.
VM_TEST_IMAGE := $(if $(filter jerryscript,$(ENGINE)),$(FW_BUILD)/vm_test.image)
$(FW_BUILD)/vm_test.image: firmware/vm/vm_test_image.js scripts/jerry-image.ts $(JERRY_SNAPSHOT_TOOL) | setup
	$(JERRY_IMAGE) --in $< --out $@

.PHONY: test-firmware-vm
test-firmware-vm: $(FW_BUILD)/vm_test $(VM_TEST_IMAGE) ## engine adapter tests (natives, errors, images, heap) for ENGINE
	$(FW_BUILD)/vm_test $(VM_TEST_IMAGE)

# ---- natives --------------------------------------------------------------------------
# The crypto library's sources (owned by the crypto helper), compiled into each image.
FW_CRYPTO_SRC = $(sort $(wildcard firmware/crypto/*.c))
FW_BIND_SRC := firmware/bindings/crypto_natives.c firmware/bindings/hmac_natives.c firmware/bindings/platform_natives.c \
  firmware/net/hw_ip.c
FW_INC := -Ifirmware/vm -Ifirmware/bindings -Ifirmware/crypto -Ifirmware/net $(VM_INC)

$(FW_BUILD)/bindings_test: firmware/bindings/bindings_test.c $(FW_BIND_SRC) firmware/bindings/bindings.h $(VM_SRC) $(FW_CRYPTO_SRC) $(VM_OBJS)
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_CFLAGS) $(FW_SAN) $(FW_INC) $(filter %.c,$^) $(VM_OBJS) $(VM_LIBS) -o $@

.PHONY: test-firmware-bindings
test-firmware-bindings: $(FW_BUILD)/bindings_test ## natives called from JS: known answers, and misuse -> TypeError/RangeError
	$(FW_BUILD)/bindings_test firmware/bindings/bindings_test.js

# ---- address text (IPv4 and IPv6) against the TypeScript side's vectors ---------------------
HW_IP_TEST := $(BUILD)/firmware/hw_ip_test
$(HW_IP_TEST): firmware/net/hw_ip_test.c firmware/net/hw_ip.c firmware/net/hw_ip.h
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_CFLAGS) $(FW_SAN) -Ifirmware/net firmware/net/hw_ip_test.c firmware/net/hw_ip.c -o $@

.PHONY: test-firmware-ip
test-firmware-ip: $(HW_IP_TEST) ## address text in C (firmware/net/hw_ip.c: what the runtime hands JS, what the natives take) against parseIp/formatIp's vectors
	$(HW_IP_TEST) firmware/net/test/ip-vectors.txt

# ---- the console (protocol 2) -------------------------------------------------------------
$(FW_BUILD)/console_test: firmware/runtime/console_test.c firmware/runtime/console.c firmware/runtime/console.h firmware/runtime/board.h $(VM_SRC) $(VM_OBJS)
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_CFLAGS) $(FW_SAN) -Ifirmware/vm -Ifirmware/runtime $(VM_INC) firmware/runtime/console_test.c firmware/runtime/console.c $(VM_SRC) $(VM_OBJS) $(VM_LIBS) -o $@

.PHONY: test-firmware-console
test-firmware-console: $(FW_BUILD)/console_test ## console protocol 2 on the engine: line assembly, enroll's CRC, limits, every command's answer
	$(FW_BUILD)/console_test

# ---- lwIP from Debian's source package (unpacked into .deps, never committed) -----------
LWIP_DIR ?= .deps/debian-src/lwip-2.1.3+dfsg1
LWIP_STAMP := $(LWIP_DIR)/src/core/init.c
$(LWIP_STAMP):
	scripts/debian-source.sh lwip .deps/debian-src

LWIP_FILES := core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c core/netif.c \
  core/pbuf.c core/timeouts.c core/udp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
  core/ipv4/ip4_addr.c core/ipv6/ethip6.c core/ipv6/icmp6.c core/ipv6/ip6.c core/ipv6/ip6_addr.c core/ipv6/mld6.c \
  core/ipv6/nd6.c netif/ethernet.c
LWIP_BUILD := $(BUILD)/firmware/lwip
LWIP_OBJS := $(patsubst %.c,$(LWIP_BUILD)/%.o,$(LWIP_FILES))
LWIP_INC := -I$(LWIP_DIR)/src/include -Ifirmware/net/nosys -Ifirmware/net
LWIP_HDRS := firmware/net/nosys/lwipopts.h firmware/net/nosys/arch/cc.h firmware/net/hw_net_hooks.h

$(LWIP_BUILD)/%.o: $(LWIP_STAMP) $(LWIP_HDRS)
	@mkdir -p $(dir $@)
	$(FW_CC) -std=c99 -Os -g -D_DEFAULT_SOURCE $(LWIP_INC) -c $(LWIP_DIR)/src/$*.c -o $@

# ---- the host board --------------------------------------------------------------------
FW_NET_SRC := firmware/net/net.c
FW_RT_SRC := firmware/runtime/runtime.c firmware/runtime/console.c
HOST_SRC := boards/host/main.c boards/host/tapif.c boards/host/store.c boards/host/sleep.c
HOST_HDRS := $(wildcard firmware/*/*.h boards/host/*.h)
FW_ALL_INC := $(FW_INC) -Ifirmware/net -Ifirmware/runtime -Iboards/host $(LWIP_INC)
HOST_BIN := $(FW_BUILD)/homewire-host

# Our own sources get the strict warnings; lwIP, Duktape and the crypto objects are linked in.
$(HOST_BIN): $(HOST_SRC) $(FW_RT_SRC) $(FW_NET_SRC) $(FW_BIND_SRC) $(VM_SRC) $(FW_CRYPTO_SRC) $(HOST_HDRS) $(LWIP_OBJS) $(VM_OBJS)
	@mkdir -p $(dir $@)
	$(FW_CC) $(FW_CFLAGS) $(FW_SAN) $(FW_ALL_INC) $(filter %.c,$^) $(LWIP_OBJS) $(VM_OBJS) $(VM_LIBS) -o $@

.PHONY: firmware-host
firmware-host: $(HOST_BIN) ## build the host-board firmware (a Linux process on a TAP device) for ENGINE
	@size $(HOST_BIN)

# ---- the app bundle and its image ----------------------------------------------------------
FW_BUNDLE := $(BUILD)/firmware/homewire-fw.js
FW_TS := $(shell find ts/wireguard ts/app ts/platform -maxdepth 1 -name '*.ts' ! -name '*.test.ts' 2>/dev/null)

$(FW_BUNDLE): $(FW_TS) scripts/bundle.ts | setup
	$(TSX) scripts/bundle.ts --entry app/firmware-main --out $@

# The image with the sensor app's deep-sleep mode (ts/app/firmware-sleep-main.ts: the same entry
# points plus sleep.ts and SensorDevice); make test-networks runs the sleep scenarios on it. Its
# own image because the QEMU board's Duktape heap has no room for it beside the rest.
FW_SLEEP_BUNDLE := $(BUILD)/firmware/homewire-sleep-fw.js
$(FW_SLEEP_BUNDLE): $(FW_TS) scripts/bundle.ts | setup
	$(TSX) scripts/bundle.ts --entry app/firmware-sleep-main --out $@
JERRY_SLEEP_IMAGE := $(BUILD)/firmware/jerryscript/homewire-sleep.image
$(JERRY_SLEEP_IMAGE): $(FW_SLEEP_BUNDLE) scripts/jerry-image.ts $(JERRY_SNAPSHOT_TOOL)
	@mkdir -p $(dir $@)
	$(JERRY_IMAGE) --in $(FW_SLEEP_BUNDLE) --out $@

ifeq ($(ENGINE),duktape)
# Duktape runs the ES5 source: measured on this app, its bytecode (made by `homewire-host
# --compile`, target firmware-bytecode) is larger (105 vs 90 kB) and needs ~80 kB more heap.
$(FW_BUILD)/homewire.image: $(FW_BUNDLE)
	cp $< $@
$(FW_BUILD)/homewire.dukbc: $(FW_BUNDLE) $(HOST_BIN)
	$(HOST_BIN) --compile $(FW_BUNDLE) $@
.PHONY: firmware-bytecode
firmware-bytecode: $(FW_BUILD)/homewire.dukbc ## Duktape only: precompile the app bundle to bytecode (runs with --bundle X.dukbc)
endif

# JerryScript runs a static snapshot in place, with its strings (scripts/jerry-image.ts); the
# same image runs on the host board and on the QEMU board (one engine configuration).
JERRY_APP_IMAGE := $(BUILD)/firmware/jerryscript/homewire.image
$(JERRY_APP_IMAGE): $(FW_BUNDLE) scripts/jerry-image.ts $(JERRY_SNAPSHOT_TOOL)
	@mkdir -p $(dir $@)
	$(JERRY_IMAGE) --in $(FW_BUNDLE) --out $@

.PHONY: firmware-image
firmware-image: $(HOST_BIN) $(FW_BUILD)/homewire.image ## build the host firmware and the app image for ENGINE; print their sizes
	@size $(HOST_BIN)
	@echo "bundle (ES5 source): $$(wc -c < $(FW_BUNDLE)) bytes; image for $(ENGINE): $$(wc -c < $(FW_BUILD)/homewire.image) bytes"

# ---- the proof: the firmware against wireguard-go -----------------------------------------
# The scenarios are test-hil's (test-hil/scenarios.ts), run on the host-board target; each has
# its own bounded budget. JUnit in $(BUILD)/test-hil/host-$(ENGINE).xml.
FW_HIL_RUN = $(TSX) test-hil/run.ts --target host --junit $(BUILD)/test-hil/host-$(ENGINE)$(1).xml

# Without root/namespaces the suite prints SKIPPED (never a pass) and fails unless
# HOMEWIRE_ALLOW_SKIP=1 (never honoured under CI=true).
ifneq ($(JERRY_MISSING),)
.PHONY: test-firmware
test-firmware:
	@echo; echo "*** NOT RUN: make test-firmware ENGINE=jerryscript: $(JERRY_MISSING) ***"; echo
	@if [ "$${CI:-}" = "true" ]; then echo "CI=true: a skipped firmware suite fails the build" >&2; exit 1; fi
else
.PHONY: test-firmware
test-firmware: setup test-firmware-vm test-firmware-bindings test-firmware-ip test-firmware-console firmware-image ## test-hil scenarios on the host board vs wireguard-go: both roles, ping, readings, restarts, flood, reboot, demo (root; ENGINE=duktape|jerryscript)
	@if reason=$$(node --import tsx ts/interop/preflight.ts); then \
	  ENGINE=$(ENGINE) HW_FIRMWARE_BIN=$(HOST_BIN) HW_FIRMWARE_IMAGE=$(FW_BUILD)/homewire.image $(call FW_HIL_RUN,); \
	else \
	  echo; echo "*** SKIPPED: make test-firmware ($(ENGINE)) did not run: $$reason ***"; echo; \
	  if [ "$${HOMEWIRE_ALLOW_SKIP:-}" != "1" ] || [ "$${CI:-}" = "true" ]; then \
	    echo "a skipped firmware suite fails the build (HOMEWIRE_ALLOW_SKIP=1 accepts the skip outside CI)" >&2; exit 1; fi; \
	fi
	@echo "firmware $(ENGINE): image $$(size $(HOST_BIN) | awk 'NR==2 {print $$1 + $$2}') bytes (text+data) + app image $$(wc -c < $(FW_BUILD)/homewire.image) bytes"
endif

# The same suite with the firmware built under AddressSanitizer + UBSan (Duktape; slower).
.PHONY: test-firmware-asan
test-firmware-asan: setup firmware-image ## test-firmware with the host firmware built with ASan+UBSan (root)
	$(MAKE) --no-print-directory firmware-host FW_BUILD=$(FW_BUILD)-asan FW_SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
	@if reason=$$(node --import tsx ts/interop/preflight.ts); then \
	  ASAN_OPTIONS=detect_leaks=0 ENGINE=$(ENGINE) HW_FIRMWARE_BIN=$(FW_BUILD)-asan/homewire-host HW_FIRMWARE_IMAGE=$(FW_BUILD)/homewire.image \
	  $(call FW_HIL_RUN,-asan); \
	else \
	  echo; echo "*** SKIPPED: make test-firmware-asan did not run: $$reason ***"; echo; \
	  if [ "$${HOMEWIRE_ALLOW_SKIP:-}" != "1" ] || [ "$${CI:-}" = "true" ]; then exit 1; fi; \
	fi

.PHONY: demo-firmware
demo-firmware: setup firmware-image ## demo on the firmware: host board (ENGINE) -> wireguard-go, the collector prints readings (root; DEMO_SECONDS=N stops)
	@ENGINE=$(ENGINE) HW_FIRMWARE_BIN=$(HOST_BIN) HW_FIRMWARE_IMAGE=$(FW_BUILD)/homewire.image node --import tsx test-hil/demo.ts --target host
