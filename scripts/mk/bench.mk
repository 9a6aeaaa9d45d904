# Benchmarks. Performance goals live here, never in timed tests.

.PHONY: bench-crypto

# Retired instructions per crypto operation, homewire vs libsodium's portable C (Debian's
# source package), on RV32 and Xtensa lx106 under QEMU -icount and on the host with callgrind.
# BENCH_ISA=rv32imc,x86-64 limits the targets.
bench-crypto: setup ## crypto instruction counts and code size vs libsodium (RV32, lx106, x86-64); writes build/bench/crypto.json
	$(TSX) scripts/bench/crypto.ts $(if $(BENCH_ISA),--isa=$(BENCH_ISA))
