# Protocol core (ts/wireguard): benchmarks. Its unit tests run in `make test-ts`.

.PHONY: bench-core
bench-core: setup ## per-packet instructions of the TS core under Duktape (callgrind; send and receive)
	scripts/bench-core/run.sh

.PHONY: test-core-engine
test-core-engine: setup ## the Device itself under Duktape (duk): handshake, data both ways, rekey, timers (stand-in crypto; plain and optional transport natives)
	@mkdir -p build/bench-core
	$(TSX) scripts/bundle.ts --entry wireguard/device --global hw --out build/bench-core/device.js
	@printf 'var PACKETS = 50; var MODE = "check"; var NATIVES = false;\n' > build/bench-core/check-params.js
	duk build/bench-core/device.js build/bench-core/check-params.js scripts/bench-core/packet-duk.js
	@printf 'var PACKETS = 50; var MODE = "check"; var NATIVES = true;\n' > build/bench-core/check-params.js
	duk build/bench-core/device.js build/bench-core/check-params.js scripts/bench-core/packet-duk.js

# The core fuzz: `make test-ts` runs 2 * 10^4 datagrams (ts/wireguard/fuzz.test.ts); this runs
# 10^6 under Node's built-in coverage and reports it for ts/wireguard (tests excluded).
FUZZ_CORE_DATAGRAMS ?= 1000000
.PHONY: fuzz-core
fuzz-core: setup ## 10^6 datagrams into the protocol core, mostly mutated valid messages (FUZZ_CORE_DATAGRAMS); coverage of ts/wireguard in build/fuzz/core-coverage.txt
	@mkdir -p $(BUILD)/fuzz
	HOMEWIRE_FUZZ_DATAGRAMS=$(FUZZ_CORE_DATAGRAMS) node --import tsx --experimental-test-coverage \
	  --test-reporter=spec --test-reporter-destination=stdout \
	  --test-reporter=lcov --test-reporter-destination=$(BUILD)/fuzz/core.lcov \
	  --test ts/wireguard/fuzz.test.ts > $(BUILD)/fuzz/core.log 2>&1 || { tail -60 $(BUILD)/fuzz/core.log; exit 1; }
	@grep -E '^fuzz: ' $(BUILD)/fuzz/core.log | sed 's/; outcomes by kind.*//'
	$(TSX) scripts/coverage-report.ts $(BUILD)/fuzz/core.lcov ts/wireguard/ --json $(BUILD)/fuzz/core-coverage.json | tee $(BUILD)/fuzz/core-coverage.txt

fuzz: fuzz-core
