# Where the QEMU board's instructions go (boards/qemu-xtensa/README.md has the tables), and the
# board's integer helpers checked on the host.

PROF_BUILD := $(BUILD)/profile

# QEMU's plugin header comes from Debian's qemu source package (scripts/qemu-profile/plugin-header.sh).
$(PROF_BUILD)/qemu-plugin.h:
	scripts/qemu-profile/plugin-header.sh $(PROF_BUILD)

$(PROF_BUILD)/tbcount.so: scripts/qemu-profile/tbcount.c $(PROF_BUILD)/qemu-plugin.h
	cc -std=c99 -O2 -shared -fPIC -Wall -Wextra -Werror -Wno-unused-parameter -I$(PROF_BUILD) $< -o $@

.PHONY: profile-qemu
profile-qemu: $(if $(filter jerryscript,$(ENGINE)),qemu-board-jerryscript,qemu-board) $(FW_BUNDLE) $(PROF_BUILD)/tbcount.so ## per-function instructions on the QEMU board (TCG plugin): start-to-tunnel-up and 64-byte ping windows (root; ENGINE=duktape|jerryscript); build/profile/qemu-profile[-jerryscript].txt
	ENGINE=$(ENGINE) $(TSX) scripts/qemu-profile.ts

$(PROF_BUILD)/libgcc_int_test: boards/qemu-xtensa/libgcc_int.c boards/qemu-xtensa/libgcc_int_test.c
	@mkdir -p $(dir $@)
	cc -std=c99 -O2 -Wall -Wextra -Werror -Iboards/qemu-xtensa boards/qemu-xtensa/libgcc_int_test.c -o $@

.PHONY: test-qemu-libgcc
test-qemu-libgcc: $(PROF_BUILD)/libgcc_int_test ## the QEMU board's integer helpers (multiply, divide) vs the host's native 64-bit arithmetic (15.7M cases)
	$(PROF_BUILD)/libgcc_int_test

# The board's helpers are part of the board's checks.
test-qemu: test-qemu-libgcc

# The deep-sleep mode's wakes (reset to deep sleep) on the QEMU board's JerryScript build, the
# engine that holds the sleep image there (scripts/mk/networks.mk); make bench-networks quotes it.
.PHONY: profile-qemu-wake
profile-qemu-wake: $(PROF_BUILD)/tbcount.so ## per-function instructions of a deep-sleep wake on the QEMU board's JerryScript build, handshaking and resumed (root; JerryScript tree); build/profile/qemu-profile-wake-jerryscript.txt
	$(if $(JERRY_TREE),,$(error profile-qemu-wake needs a JerryScript tree at $(JERRYSCRIPT_PATH)))
	@$(MAKE) --no-print-directory qemu-board-jerryscript $(JERRY_SLEEP_IMAGE) ENGINE=jerryscript
	ENGINE=jerryscript HW_QEMU_IMAGE=$(JERRY_SLEEP_IMAGE) HW_PROFILE_WINDOW=wake $(TSX) scripts/qemu-profile.ts
