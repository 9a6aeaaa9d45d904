# Flashing: `homewire flash` against esp32-mock-bootloader (PyPI, in the project venv that
# `make setup` makes), a ROM bootloader we did not write, on a pty. No board, no toolchain: the
# build it flashes is a fixture (a real partition table, synthetic ESP images; ts/cli/flash-fixture.ts).

FLASH_TESTS = $(sort $(wildcard ts/cli/*.mock.ts))

.PHONY: test-flash
test-flash: setup ## homewire flash vs esp32-mock-bootloader on a pty: bytes at each offset = the build's images = plain esptool's; no bootloader, wrong chip, too large, busy port, cut link
	node --import tsx --test --test-concurrency=1 --test-reporter=spec $(FLASH_TESTS)
