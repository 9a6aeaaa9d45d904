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
