# Networks as they are, and sensors on batteries (issue 11). The interop scenarios (bad link,
# deep sleep, replay after reboot, DNS) with the Node endpoint run in `make test-interop`
# (ts/interop/{badlink,sleep,replay,dns}.interop.ts). The same concerns on the boards are
# test-hil's networks suite (test-hil/networks.ts: deep sleep, long life, bad links), run here on
# the host board and the QEMU board, on the image with the deep-sleep mode (homewire-sleep).
# Its IPv6 / DNS-name part is test-hil's networks-ip suite (test-hil/networks-ip.ts).

NET_HIL = $(TSX) test-hil/run.ts --suite networks

.PHONY: test-networks-boards
# The QEMU board runs them on JerryScript (its image runs in place from flash): the sleep image
# compiled by Duktape leaves its 256 KiB arena 1.9 KiB free, and enrolment runs out of heap.
test-networks-boards: setup $(HOST_BIN) $(FW_SLEEP_BUNDLE) ## test-hil's networks suite (deep sleep, long life, bad links) on the host board (Duktape) and the QEMU board (JerryScript; NOT RUN without its tree) vs wireguard-go (root)
	$(call hil_guarded,HW_FIRMWARE_IMAGE=$(FW_SLEEP_BUNDLE) ENGINE=duktape $(NET_HIL) --target host --junit $(BUILD)/test-hil/networks-host.xml,make test-networks (host))
	@mkdir -p $(BUILD); sed -i '/^networks-qemu:/d' $(BUILD)/skipped.txt 2>/dev/null || true
	@if [ -n "$(JERRY_TREE)" ]; then \
	  $(MAKE) --no-print-directory qemu-board-jerryscript $(JERRY_SLEEP_IMAGE) ENGINE=jerryscript; \
	else \
	  echo; echo "*** NOT RUN: make test-networks on the QEMU board: no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH) ***"; echo; \
	  echo "networks-qemu: no JerryScript tree at $(JERRYSCRIPT_PATH)" >> $(BUILD)/skipped.txt; \
	fi
	$(if $(JERRY_TREE),$(call hil_guarded,HW_QEMU_IMAGE=$(JERRY_SLEEP_IMAGE) ENGINE=jerryscript $(NET_HIL) --target qemu --junit $(BUILD)/test-hil/networks-qemu.xml,make test-networks (qemu)))

# IPv6 outside and inside the tunnel and home by DNS name, on the host board (Duktape) and the
# QEMU board: on Duktape the IPv6 scenarios (home by name does not fit its 256 KiB arena: the
# scenarios say so), on JerryScript all of them (NOT RUN without a JerryScript tree).
IP_HIL = $(TSX) test-hil/run.ts --suite networks-ip

.PHONY: test-networks-ip
test-networks-ip: setup firmware-image qemu-board $(FW_BUNDLE) ## IPv6 (outer, inner, both) and home by DNS name (dnsmasq; home moves; failures retried with backoff) on the host and QEMU boards vs wireguard-go (root; JUnit build/test-hil/networks-ip-*.xml)
	$(call hil_guarded,ENGINE=duktape HW_FIRMWARE_BIN=$(HOST_BIN) HW_FIRMWARE_IMAGE=$(FW_BUILD)/homewire.image $(IP_HIL) --target host --junit $(BUILD)/test-hil/networks-ip-host.xml,make test-networks-ip (host))
	$(call hil_guarded,ENGINE=duktape $(IP_HIL) --target qemu --junit $(BUILD)/test-hil/networks-ip-qemu.xml,make test-networks-ip (qemu))
	@mkdir -p $(BUILD); sed -i '/^networks-ip-qemu-jerryscript:/d' $(BUILD)/skipped.txt 2>/dev/null || true
	@if [ -n "$(JERRY_TREE)" ]; then \
	  $(MAKE) --no-print-directory qemu-board-jerryscript ENGINE=jerryscript; \
	else \
	  echo; echo "*** NOT RUN: the networks-ip scenarios on the QEMU board with JerryScript: no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH) (JerryScript is in no registry; set JERRYSCRIPT_PATH) ***"; echo; \
	  echo "networks-ip-qemu-jerryscript: no tree at $(JERRYSCRIPT_PATH)" >> $(BUILD)/skipped.txt; \
	fi
	$(if $(JERRY_TREE),$(call hil_guarded,ENGINE=jerryscript $(IP_HIL) --target qemu --junit $(BUILD)/test-hil/networks-ip-qemu-jerryscript.xml,make test-networks-ip (qemu jerryscript)))

.PHONY: test-networks
test-networks: test-networks-boards test-networks-ip ## issue 11's board scenarios on the host and QEMU boards (root): deep sleep, long life, bad links (test-networks-boards); IPv6 and DNS names (test-networks-ip); JUnit build/test-hil/networks-*.xml

# The QEMU board's deep-sleep rows run on its JerryScript sleep image (the engine that holds it,
# above) under -icount; make profile-qemu-wake first, whose summary says where a wake's
# instructions go. No JerryScript tree: those rows say NOT RUN.
.PHONY: bench-networks
bench-networks: setup ## time to tunnel up and reading delivery through the bad-link relay at 0/10/30 % loss (Node endpoint vs wireguard-go); the QEMU board's deep-sleep wake vs a handshake in instructions and the retained region (JerryScript; NOT RUN without its tree) (root); build/bench/networks.json
	@if [ -n "$(JERRY_TREE)" ]; then $(MAKE) --no-print-directory profile-qemu-wake; fi
	$(TSX) scripts/bench-networks.ts $(if $(JERRY_TREE),--qemu-wake $(JERRY_SLEEP_IMAGE),--qemu-wake-not-run "no JerryScript 3.0 tree at $(JERRYSCRIPT_PATH)")
