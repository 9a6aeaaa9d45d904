# boards/esp32: homewire as an ESP-IDF project (IDF_PATH, else ~/esp/esp-idf: see the Makefile).
#   make esp32 [ESP32_TARGET=esp32|esp32c3|esp32s3]   idf.py set-target + build (Espressif's toolchain)
#   make esp32-linux [IDF_ENGINE=jerryscript|duktape]  IDF's linux target: a Linux process on a TAP
#   make test-esp-idf                                   test-hil's scenarios on it, both engines
# The linux build runs IDF's CMake directly (the same project idf.py builds): idf.py's start-up
# check wants Espressif's full Python environment, this one needs only the project venv.

IDF_TREE := $(wildcard $(IDF_PATH)/tools/cmake/project.cmake)
ESP32_DIR := boards/esp32
ESP32_TARGET ?= esp32
IDF_ENGINE ?= jerryscript
ESP32_LINUX_BUILD = $(BUILD)/esp32/linux-$(IDF_ENGINE)
ESP32_LINUX_ELF = $(ESP32_LINUX_BUILD)/homewire.elf
IDF_ENV = IDF_PATH=$(IDF_PATH) JERRYSCRIPT_PATH=$(JERRYSCRIPT_PATH) IDF_COMPONENT_MANAGER=0 PATH=$(CURDIR)/.venv/bin:$$PATH
ESP32_SRC = $(shell find $(ESP32_DIR) firmware -type f ! -name '*.md' ! -path '*/test/*' ! -path '*/fuzz/*' 2>/dev/null)
IDF_MISSING = $(if $(IDF_TREE),,no ESP-IDF tree at $(IDF_PATH) (no tools/cmake/project.cmake; set IDF_PATH: ESP-IDF is in no package registry))

# Espressif's cross compiler per chip; Debian has none of them.
ESP32_TOOLCHAIN_esp32 := xtensa-esp32-elf-gcc
ESP32_TOOLCHAIN_esp32s3 := xtensa-esp32s3-elf-gcc
ESP32_TOOLCHAIN_esp32c3 := riscv32-esp-elf-gcc

.PHONY: esp32
esp32: setup ## boards/esp32 for a chip: idf.py -C boards/esp32 set-target ESP32_TARGET build (needs ESP-IDF's install with Espressif's toolchain; ESP32_TARGET=esp32|esp32c3|esp32s3)
	@if [ -n "$(IDF_MISSING)" ]; then echo "make esp32: $(IDF_MISSING)" >&2; exit 1; fi
	@tc=$(ESP32_TOOLCHAIN_$(ESP32_TARGET)); \
	if [ -z "$$tc" ]; then echo "make esp32: ESP32_TARGET must be esp32, esp32c3 or esp32s3, not '$(ESP32_TARGET)'" >&2; exit 2; fi; \
	if ! command -v "$$tc" >/dev/null; then \
	  echo "make esp32: Espressif's $(ESP32_TARGET) toolchain ($$tc) is not on PATH." >&2; \
	  echo "  Install it with ESP-IDF's own installer ($(IDF_PATH)/install.sh $(ESP32_TARGET)), then '. $(IDF_PATH)/export.sh'" >&2; \
	  echo "  and run make esp32 again. (It cannot be installed on this project's machines: see boards/esp32/README.md.)" >&2; \
	  exit 1; fi
	@# Where a plain `idf.py -C boards/esp32 build` puts it, and so where `homewire flash` looks.
	cd $(ESP32_DIR) && idf.py set-target $(ESP32_TARGET) build

# The engine is a Kconfig choice; the Makefile adds one defaults line per engine. IDF adds
# sdkconfig.defaults.linux by itself (as idf.py does for every target).
$(ESP32_LINUX_BUILD)/build.ninja: $(ESP32_DIR)/CMakeLists.txt $(ESP32_DIR)/sdkconfig.defaults $(ESP32_DIR)/sdkconfig.defaults.linux | setup
	@if [ -n "$(IDF_MISSING)" ]; then echo "make esp32-linux: $(IDF_MISSING)" >&2; exit 1; fi
	@scripts/setup.sh idf
	@mkdir -p $(ESP32_LINUX_BUILD)
	@echo "CONFIG_HOMEWIRE_ENGINE_$(shell echo $(IDF_ENGINE) | tr a-z A-Z)=y" > $(ESP32_LINUX_BUILD)/engine.defaults
	rm -f $(ESP32_LINUX_BUILD)/sdkconfig
	$(IDF_ENV) cmake -G Ninja -S $(ESP32_DIR) -B $(ESP32_LINUX_BUILD) -DIDF_TARGET=linux -DPYTHON_DEPS_CHECKED=1 \
	  -DPYTHON=$(CURDIR)/.venv/bin/python -DSDKCONFIG=$(CURDIR)/$(ESP32_LINUX_BUILD)/sdkconfig \
	  "-DSDKCONFIG_DEFAULTS=$(CURDIR)/$(ESP32_DIR)/sdkconfig.defaults;$(CURDIR)/$(ESP32_LINUX_BUILD)/engine.defaults" \
	  > $(ESP32_LINUX_BUILD)/configure.log 2>&1 || { tail -30 $(ESP32_LINUX_BUILD)/configure.log >&2; exit 1; }

.PHONY: esp32-linux
esp32-linux: $(ESP32_LINUX_BUILD)/build.ninja ## boards/esp32 on IDF's linux target (a Linux process: FreeRTOS, ESP-IDF's lwIP on a TAP, NVS in a file) for IDF_ENGINE=jerryscript|duktape
	@start=$$(date +%s); $(IDF_ENV) ninja -C $(ESP32_LINUX_BUILD) > $(ESP32_LINUX_BUILD)/build.log 2>&1 || \
	  { grep -E -B2 -A12 'error|FAILED' $(ESP32_LINUX_BUILD)/build.log | head -60 >&2; exit 1; }; \
	echo "esp32-linux ($(IDF_ENGINE)): $(ESP32_LINUX_ELF) built in $$(( $$(date +%s) - start )) s"

.PHONY: demo-esp-idf
demo-esp-idf: esp32-linux ## demo on boards/esp32 (IDF's linux target, IDF_ENGINE): readings reach the collector through wireguard-go (root; DEMO_SECONDS=N stops)
	@IDF_ENGINE=$(IDF_ENGINE) HW_IDF_ELF=$(ESP32_LINUX_ELF) node --import tsx test-hil/demo.ts --target idf-linux

# The chip-only files cannot be compiled here (no Espressif toolchain): they are syntax-checked
# for an ESP32-C3 against IDF's headers with Debian's RISC-V gcc (see the script for exactly what).
.PHONY: check-esp32-chip
check-esp32-chip: setup ## syntax-check boards/esp32's chip-only files for ESP32-C3 against ESP-IDF's headers (Debian's RISC-V gcc; no chip toolchain here)
	@if [ -n "$(IDF_MISSING)" ]; then echo "make check-esp32-chip: $(IDF_MISSING)" >&2; exit 1; fi
	scripts/esp32-chip-check.sh $(BUILD)/esp32/chip-check-esp32c3

# ---- the proof: test-hil's scenarios on the IDF linux target against wireguard-go ------------
# Both engines; Duktape needs no JerryScript tree. A missing tree is NOT RUN (recorded in
# $(BUILD)/skipped.txt for make test's last line), never a pass.
.PHONY: test-esp-idf-engine
test-esp-idf-engine: esp32-linux
	@if reason=$$(node --import tsx ts/interop/preflight.ts); then \
	  IDF_ENGINE=$(IDF_ENGINE) HW_IDF_ELF=$(ESP32_LINUX_ELF) $(TSX) test-hil/run.ts --target idf-linux --junit $(BUILD)/test-hil/idf-linux-$(IDF_ENGINE).xml && \
	  IDF_ENGINE=$(IDF_ENGINE) HW_IDF_ELF=$(ESP32_LINUX_ELF) HW_ENROLL_TARGET=idf-linux $(NODE_TEST) --test-timeout=900000 test-hil/enroll.e2e.ts; \
	else \
	  echo; echo "*** SKIPPED: make test-esp-idf ($(IDF_ENGINE)) did not run: $$reason ***"; echo; \
	  if [ "$${HOMEWIRE_ALLOW_SKIP:-}" != "1" ] || [ "$${CI:-}" = "true" ]; then \
	    echo "a skipped suite fails the build (HOMEWIRE_ALLOW_SKIP=1 accepts the skip outside CI)" >&2; exit 1; fi; \
	fi

.PHONY: test-esp-idf
test-esp-idf: setup ## test-hil scenarios on boards/esp32 built for IDF's linux target vs wireguard-go, Duktape then JerryScript (root; NOT RUN without an ESP-IDF tree at IDF_PATH)
	@mkdir -p $(BUILD); sed -i '/^esp-idf/d' $(BUILD)/skipped.txt 2>/dev/null || true
	@if [ -n "$(IDF_MISSING)" ]; then \
	  echo; echo "*** NOT RUN: ESP-IDF suite (boards/esp32 on IDF's linux target): $(IDF_MISSING) ***"; echo; \
	  echo "esp-idf: no ESP-IDF tree at $(IDF_PATH)" >> $(BUILD)/skipped.txt; \
	else \
	  $(MAKE) --no-print-directory check-esp32-chip && \
	  $(MAKE) --no-print-directory test-esp-idf-engine IDF_ENGINE=duktape && \
	  if [ -n "$(JERRY_TREE)" ]; then \
	    $(MAKE) --no-print-directory test-esp-idf-engine IDF_ENGINE=jerryscript; \
	  else \
	    echo; echo "*** NOT RUN: ESP-IDF suite on JerryScript: no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH) ***"; echo; \
	    echo "esp-idf-jerryscript: no JerryScript tree at $(JERRYSCRIPT_PATH)" >> $(BUILD)/skipped.txt; \
	  fi; \
	fi
