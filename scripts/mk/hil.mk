# test-hil: the hardware-in-the-loop scenarios (test-hil/scenarios.ts), written once, run on a
# target: host (the host-board firmware; that is `make test-firmware`), qemu, serial. Each run
# writes JUnit to $(BUILD)/test-hil/<target>.xml and ends with "N passed, N failed".
# `make test-qemu` (part of `make test`) = the board's bring-up checks (qemu.mk) + the scenarios on
# QEMU; `make demo` runs the firmware demo on the QEMU board, `make demo-firmware` on the host board.

HIL_RUN := $(TSX) test-hil/run.ts
HIL_SERIAL ?=

# Without root/namespaces: SKIPPED loudly, and a failure unless HOMEWIRE_ALLOW_SKIP=1 (not in CI).
define hil_guarded
	@if reason=$$(node --import tsx ts/interop/preflight.ts); then \
	  $(1); \
	else \
	  echo; echo "*** SKIPPED: $(2) did not run: $$reason ***"; echo; \
	  if [ "$${HOMEWIRE_ALLOW_SKIP:-}" != "1" ] || [ "$${CI:-}" = "true" ]; then \
	    echo "a skipped suite fails the build (HOMEWIRE_ALLOW_SKIP=1 accepts the skip outside CI)" >&2; exit 1; fi; \
	fi
endef

.PHONY: test-hil-qemu
test-hil-qemu: setup qemu-board $(FW_BUNDLE) ## test-hil scenarios on the QEMU Xtensa board (Duktape) vs wireguard-go (root; JUnit build/test-hil/qemu.xml)
	$(call hil_guarded,ENGINE=duktape $(HIL_RUN) --target qemu --junit $(BUILD)/test-hil/qemu.xml,make test-hil-qemu)

# The same scenarios on the board's JerryScript build. JerryScript is in no registry: without a
# tree this run is reported as NOT RUN (here and in make test's last line), never as passed.
.PHONY: test-hil-qemu-jerryscript
test-hil-qemu-jerryscript: setup ## test-hil scenarios on the QEMU board's JerryScript build (root; tree at JERRYSCRIPT_PATH, NOT RUN without one; JUnit build/test-hil/qemu-jerryscript.xml)
	@mkdir -p $(BUILD); sed -i '/^jerryscript-qemu:/d' $(BUILD)/skipped.txt 2>/dev/null || true
	@if [ -n "$(JERRY_TREE)" ]; then \
	  $(MAKE) --no-print-directory qemu-board-jerryscript; \
	else \
	  echo; echo "*** NOT RUN: test-hil scenarios on the QEMU board with JerryScript: no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH) (JerryScript is in no registry; set JERRYSCRIPT_PATH) ***"; echo; \
	  echo "jerryscript-qemu: no tree at $(JERRYSCRIPT_PATH)" >> $(BUILD)/skipped.txt; \
	fi
	$(if $(JERRY_TREE),$(call hil_guarded,ENGINE=jerryscript $(HIL_RUN) --target qemu --junit $(BUILD)/test-hil/qemu-jerryscript.xml,make test-hil-qemu-jerryscript))

.PHONY: test-hil-serial-qemu
test-hil-serial-qemu: setup qemu-board $(FW_BUNDLE) ## test-hil's serial target against the QEMU board's UART on a pty (console protocol 2 as a real board speaks it) vs wireguard-go (root)
	$(call hil_guarded,ENGINE=duktape $(HIL_RUN) --target serial --qemu-pty --junit $(BUILD)/test-hil/serial-qemu.xml,make test-hil-serial-qemu)

.PHONY: test-qemu
test-qemu: test-qemu-board test-qemu-softdouble test-hil-qemu test-hil-serial-qemu test-hil-qemu-jerryscript ## the QEMU Xtensa board: bring-up checks, soft doubles, then the test-hil scenarios vs wireguard-go, on stdio and through the serial target on a pty, and on JerryScript (root; JerryScript NOT RUN without its tree)

.PHONY: demo-qemu
demo-qemu: setup $(if $(filter jerryscript,$(ENGINE)),qemu-board-jerryscript,qemu-board) $(FW_BUNDLE) ## the firmware demo on the QEMU Xtensa board: tunnels home to wireguard-go, the collector prints readings (root; ENGINE=jerryscript for that build; Ctrl-C or DEMO_SECONDS=N stops)
	@ENGINE=$(ENGINE) node --import tsx test-hil/demo.ts --target qemu

.PHONY: test-hil-serial
test-hil-serial: setup ## test-hil scenarios on a real board: HIL_SERIAL="--port DEV --lan-if IF --home-ip A.B.C.D/P --board-ip A.B.C.D" (root; not in CI)
	@if [ -z "$(HIL_SERIAL)" ]; then echo "make test-hil-serial needs HIL_SERIAL=\"--port ... --lan-if ... --home-ip ... --board-ip ...\" (see test-hil/README.md)" >&2; exit 2; fi
	$(call hil_guarded,$(HIL_RUN) --target serial $(HIL_SERIAL) --junit $(BUILD)/test-hil/serial.xml,make test-hil-serial)

.PHONY: test-hil-list
test-hil-list: setup ## list the test-hil scenarios and the targets they run on
	@$(HIL_RUN) --target host --list

# From a blank board to a tunnel home with the host tools (issue: device-born key, enrolment): the
# CLI's enroll and monitor on each board's console behind a pty, home configured only from the
# stanza the CLI wrote. test-hil/enroll.e2e.ts; make test-esp-idf runs it on the IDF linux target.
.PHONY: test-enroll
test-enroll: setup firmware-image qemu-board $(FW_BUNDLE) ## homewire enroll + monitor end to end on the host and QEMU boards (a pty each): blank -> enroll -> wireguard-go from the CLI's stanza -> readings; bad fields, a cut line, a second enrolment, no secret in any output (root)
	$(call hil_guarded,for t in host qemu; do HW_ENROLL_TARGET=$$t $(NODE_TEST) --test-timeout=900000 test-hil/enroll.e2e.ts || exit 1; done,make test-enroll)
