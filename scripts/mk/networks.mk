# Networks as they are (issue 11). The interop scenarios (bad link, deep sleep, replay after
# reboot, DNS) with the Node endpoint run in `make test-interop`
# (ts/interop/{badlink,sleep,replay,dns}.interop.ts). `make test-networks` runs the same concerns
# on the boards; its IPv6 / DNS-name part is test-networks-ip (test-hil/networks-ip.ts).

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
test-networks: test-networks-ip ## issue 11's board scenarios on the host and QEMU boards (root): IPv6 and DNS names (test-networks-ip)

.PHONY: bench-networks
bench-networks: setup ## time to tunnel up and reading delivery through the bad-link relay at 0/10/30 % loss, Node endpoint vs wireguard-go (root); build/bench/networks.json
	$(TSX) scripts/bench-networks.ts
