# Firmware bundle: one ES5 file for the device engines, checked under Debian's Duktape (`duk`).

BUNDLE := build/homewire.js

.PHONY: build
build: setup ## build the firmware bundle build/homewire.js (tsc to ES5 + our module table)
	$(TSX) scripts/bundle.ts

.PHONY: test-engine
test-engine: build ## run the bundle's self-checks under Duktape (duk) and check the bundle is deterministic
	duk $(BUNDLE) scripts/run-duk-selftest.js
	$(TSX) scripts/bundle.ts --out build/homewire.again.js
	cmp $(BUNDLE) build/homewire.again.js
	@echo "test-engine: bundle is deterministic ($$(wc -c < $(BUNDLE)) bytes)"
