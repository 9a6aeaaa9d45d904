# Native crypto (firmware/crypto): the library, known answers, differential against @noble,
# libFuzzer with ASan/UBSan, and valgrind secret-taint for constant time.

CRYPTO_DIR := firmware/crypto
CRYPTO_BUILD := $(BUILD)/crypto
# Library sources only (tests and harnesses live in subdirectories); others build these too.
CRYPTO_SRCS := $(sort $(wildcard $(CRYPTO_DIR)/*.c))
CRYPTO_HDRS := $(wildcard $(CRYPTO_DIR)/*.h)
export CRYPTO_SRCS

CRYPTO_CC ?= gcc
CRYPTO_WARN := -std=c99 -Wall -Wextra -Werror -Wconversion -Wshadow -Wcast-qual -Wstrict-prototypes
CRYPTO_CFLAGS ?= -O2 -g
CRYPTO_FUZZ_CC ?= clang
CRYPTO_FUZZ_FLAGS := -std=c99 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
CRYPTO_FUZZERS := x25519 aead xaead blake2s chacha_poly
# Seconds per harness: short in test-crypto, longer under `make fuzz`.
FUZZ_SHORT_SECONDS ?= 10
FUZZ_SECONDS ?= 120

CRYPTO_OBJS := $(patsubst $(CRYPTO_DIR)/%.c,$(CRYPTO_BUILD)/obj/%.o,$(CRYPTO_SRCS))

$(CRYPTO_BUILD)/obj/%.o: $(CRYPTO_DIR)/%.c $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_CC) $(CRYPTO_WARN) $(CRYPTO_CFLAGS) -c $< -o $@

$(CRYPTO_BUILD)/libhwcrypto.a: $(CRYPTO_OBJS) ## the C crypto library (gcc, host)
	@rm -f $@
	ar rcs $@ $^

$(CRYPTO_BUILD)/kat: $(CRYPTO_DIR)/test/kat.c $(CRYPTO_BUILD)/libhwcrypto.a
	$(CRYPTO_CC) -std=c99 -Wall -Wextra -Werror $(CRYPTO_CFLAGS) $< $(CRYPTO_BUILD)/libhwcrypto.a -o $@

# The same known answers with x25519.c's multiply replaced through the HW_FE_MUL hook by the
# loop-form test/fe_mul_ref.c: exercises the board hook and cross-checks the unrolled multiply.
$(CRYPTO_BUILD)/kat-hwmul: $(CRYPTO_DIR)/test/kat.c $(CRYPTO_DIR)/test/fe_mul_ref.c $(CRYPTO_SRCS) $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_CC) $(CRYPTO_WARN) $(CRYPTO_CFLAGS) -DHW_FE_MUL=hw_test_fe_mul $< $(CRYPTO_DIR)/test/fe_mul_ref.c $(CRYPTO_SRCS) -o $@

# The known answers once more under ASan/UBSan (clang): every KAT path, NULL/0 edge cases.
$(CRYPTO_BUILD)/kat-asan: $(CRYPTO_DIR)/test/kat.c $(CRYPTO_SRCS) $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_FUZZ_CC) -std=c99 -g -O1 -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=undefined $< $(CRYPTO_SRCS) -o $@

$(CRYPTO_BUILD)/hwcrypto-cli: $(CRYPTO_DIR)/test/cli.c $(CRYPTO_BUILD)/libhwcrypto.a
	$(CRYPTO_CC) -std=c99 -Wall -Wextra -Werror $(CRYPTO_CFLAGS) $< $(CRYPTO_BUILD)/libhwcrypto.a -o $@

# Built from the sources with HW_VALGRIND_CT so the library can declassify the tag result.
$(CRYPTO_BUILD)/ct_valgrind: $(CRYPTO_DIR)/test/ct_valgrind.c $(CRYPTO_SRCS) $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_CC) -std=c99 -Wall -Wextra -Werror -O2 -g -DHW_VALGRIND_CT $< $(CRYPTO_SRCS) -o $@

$(CRYPTO_BUILD)/fuzz/fuzz_%: $(CRYPTO_DIR)/fuzz/fuzz_%.c $(CRYPTO_SRCS) $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_FUZZ_CC) $(CRYPTO_FUZZ_FLAGS) $< $(CRYPTO_SRCS) -o $@

.PHONY: crypto-lib crypto-clang-check crypto-cross-check test-crypto-kat test-crypto-diff test-crypto-fuzz test-crypto-ct test-crypto fuzz
crypto-lib: $(CRYPTO_BUILD)/libhwcrypto.a ## build the C crypto library build/crypto/libhwcrypto.a

crypto-clang-check: ## compile the crypto library with clang, warnings as errors
	@mkdir -p $(CRYPTO_BUILD)/clang
	@for f in $(CRYPTO_SRCS); do clang $(CRYPTO_WARN) -O2 -c $$f -o $(CRYPTO_BUILD)/clang/$$(basename $$f .c).o || exit 1; done
	@echo "crypto-clang-check: $(words $(CRYPTO_SRCS)) files clean under clang"

# The library must build freestanding-friendly for the device cores, warnings as errors.
CRYPTO_CROSS := riscv64-unknown-elf-gcc:-march=rv32imc:-mabi=ilp32:--specs=picolibc.specs xtensa-lx106-elf-gcc:-mlongcalls
crypto-cross-check: ## compile the crypto library for RV32IMC and Xtensa lx106, warnings as errors
	@mkdir -p $(CRYPTO_BUILD)/cross
	@for t in $(CRYPTO_CROSS); do cc=$${t%%:*}; flags=$$(echo "$${t#*:}" | tr ':' ' '); \
	  if ! command -v $$cc >/dev/null; then echo "SKIPPED: $$cc not installed (make setup installs it)"; continue; fi; \
	  for f in $(CRYPTO_SRCS); do $$cc $(CRYPTO_WARN) -O2 $$flags -c $$f -o $(CRYPTO_BUILD)/cross/$$(basename $$f .c).o || exit 1; done; \
	  echo "crypto-cross-check: $(words $(CRYPTO_SRCS)) files clean under $$cc $$flags"; done

test-crypto-kat: $(CRYPTO_BUILD)/kat $(CRYPTO_BUILD)/kat-hwmul $(CRYPTO_BUILD)/kat-asan ## crypto known answers (RFC 7748, 8439, 7693, xchacha draft, blake2s-kat)
	$(CRYPTO_BUILD)/kat $(CRYPTO_DIR)/test/vectors
	@echo "known answers again with -DHW_FE_MUL=hw_test_fe_mul (the board hook):"
	$(CRYPTO_BUILD)/kat-hwmul $(CRYPTO_DIR)/test/vectors | tail -1
	@echo "known answers again under ASan/UBSan:"
	$(CRYPTO_BUILD)/kat-asan $(CRYPTO_DIR)/test/vectors | tail -1

test-crypto-diff: setup $(CRYPTO_BUILD)/hwcrypto-cli ## crypto differential vs @noble (CRYPTO_DIFF_SEED, CRYPTO_DIFF_N)
	$(TSX) scripts/crypto-differential.ts $(CRYPTO_BUILD)/hwcrypto-cli

# Each harness runs on its own fresh corpus directory so runs stay independent and bounded.
define crypto_run_fuzzers
	@set -e; for h in $(CRYPTO_FUZZERS); do \
	  corpus=$(CRYPTO_BUILD)/fuzz/corpus_$$h; mkdir -p $$corpus; \
	  $(CRYPTO_BUILD)/fuzz/fuzz_$$h -max_total_time=$(1) -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
	    -print_final_stats=1 $$corpus > $(CRYPTO_BUILD)/fuzz/$$h.log 2>&1 || { tail -40 $(CRYPTO_BUILD)/fuzz/$$h.log; echo "fuzz_$$h FAILED"; exit 1; }; \
	  echo "fuzz_$$h: $$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' $(CRYPTO_BUILD)/fuzz/$$h.log | grep -o '[0-9]*$$') execs in $(1)s, no findings"; \
	done
endef

test-crypto-fuzz: $(addprefix $(CRYPTO_BUILD)/fuzz/fuzz_,$(CRYPTO_FUZZERS)) ## short libFuzzer+ASan/UBSan run of each crypto harness (FUZZ_SHORT_SECONDS each)
	$(call crypto_run_fuzzers,$(FUZZ_SHORT_SECONDS))

test-crypto-ct: $(CRYPTO_BUILD)/ct_valgrind ## valgrind secret-taint: no branch or index on keys, scalars, plaintext
	valgrind -q --error-exitcode=1 $(CRYPTO_BUILD)/ct_valgrind
	@# The control branches on a secret; valgrind must reject it, or the check proves nothing.
	@if valgrind -q --error-exitcode=1 $(CRYPTO_BUILD)/ct_valgrind --control >/dev/null 2>&1; then \
	  echo "test-crypto-ct: control run was NOT flagged; the constant-time check is broken"; exit 1; \
	else echo "test-crypto-ct: leaky control correctly flagged by valgrind"; fi

test-crypto: setup crypto-clang-check crypto-cross-check test-crypto-kat test-crypto-diff test-crypto-fuzz test-crypto-ct ## C crypto: known answers, differential vs @noble, short fuzz, constant time
	@echo "test-crypto: all crypto checks passed"

fuzz: setup $(CRYPTO_BUILD)/kat $(addprefix $(CRYPTO_BUILD)/fuzz/fuzz_,$(CRYPTO_FUZZERS)) ## long fuzzing: crypto (FUZZ_SECONDS per harness), the 1,000,000-iteration X25519 check, 10^6 datagrams into the protocol core (fuzz-core)
	$(call crypto_run_fuzzers,$(FUZZ_SECONDS))
	$(CRYPTO_BUILD)/kat $(CRYPTO_DIR)/test/vectors --slow
