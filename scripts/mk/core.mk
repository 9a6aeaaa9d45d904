# Protocol core (ts/wireguard): benchmarks. Its unit tests run in `make test-ts`.

.PHONY: bench-core
bench-core: setup ## per-packet instructions of the TS core under Duktape (callgrind; send and receive)
	scripts/bench-core/run.sh
