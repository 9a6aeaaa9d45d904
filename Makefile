# homewire — the one entry point. `make help` lists the targets.
# Each area keeps its rules in scripts/mk/<area>.mk; this file wires them together.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

BUILD ?= build
TSX := node_modules/.bin/tsx
TSC := node_modules/.bin/tsc
NODE_TEST := node --import tsx --test --test-reporter=spec

# Trees that are in no registry live where their users keep them, never in this repo:
# JerryScript 3.0 (JERRYSCRIPT_PATH, else ~/jerryscript) and ESP-IDF (IDF_PATH, else
# ~/esp/esp-idf, Espressif's default). A suite whose tree is absent reports NOT RUN.
ifeq ($(strip $(JERRYSCRIPT_PATH)),)
JERRYSCRIPT_PATH := $(HOME)/jerryscript
endif
ifeq ($(strip $(IDF_PATH)),)
IDF_PATH := $(HOME)/esp/esp-idf
endif
export JERRYSCRIPT_PATH IDF_PATH
JERRY_TREE := $(wildcard $(JERRYSCRIPT_PATH)/jerry-core/include/jerryscript.h)

# Installs run once per make invocation, before anything that needs them.
SETUP_GROUPS ?=
.PHONY: setup
setup: ## install Debian packages and npm dependencies (needs root for apt)
	@scripts/setup.sh base net crypto bench python $(SETUP_GROUPS)

-include scripts/mk/*.mk

.PHONY: help
help: ## list targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*## "} {printf "  make %-16s %s\n", $$1, $$2}'

.PHONY: typecheck
typecheck: setup ## type-check firmware TS (ES5 engine subset) and host TS
	$(TSC) -p tsconfig.firmware.json --noEmit
	$(TSC) -p tsconfig.json
	$(TSX) scripts/check-engine-subset.ts

.PHONY: test
test: setup typecheck test-crypto test-ts test-flash test-engine test-core-engine test-interop test-firmware test-firmware-jerryscript test-enroll test-qemu test-networks test-esp-idf ## everything CI runs (installs what it needs)
	@echo "make test: all suites passed$$(if [ -s $(BUILD)/skipped.txt ]; then echo "; NOT RUN: $$(paste -sd';' $(BUILD)/skipped.txt)"; fi)"

.PHONY: demo
demo: demo-qemu ## the sensor firmware on the QEMU Xtensa board tunnels home to wireguard-go; the collector prints readings (root; Ctrl-C or DEMO_SECONDS=N stops)

.PHONY: bench
bench: bench-crypto bench-core bench-qemu bench-networks ## every benchmark: crypto vs libsodium, the core's per-packet JS, the QEMU board, bad links (root); tables + build/bench/*.json

# JerryScript is in no registry: its suite runs only when a tree is there. Without one it is
# reported as NOT RUN (here and in make test's last line), never as passed.
.PHONY: test-firmware-jerryscript
test-firmware-jerryscript: ## test-firmware on JerryScript 3.0 (tree at JERRYSCRIPT_PATH, default ~/jerryscript; NOT RUN without one)
	@mkdir -p $(BUILD); sed -i '/^jerryscript:/d' $(BUILD)/skipped.txt 2>/dev/null || true
	@if [ -n "$(JERRY_TREE)" ]; then \
	  $(MAKE) --no-print-directory test-firmware ENGINE=jerryscript; \
	else \
	  echo; echo "*** NOT RUN: firmware suite on JerryScript: no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH) (JerryScript is in no registry; set JERRYSCRIPT_PATH) ***"; echo; \
	  echo "jerryscript: no tree at $(JERRYSCRIPT_PATH)" >> $(BUILD)/skipped.txt; \
	fi

.PHONY: clean
clean: ## remove build outputs
	rm -rf $(BUILD)
