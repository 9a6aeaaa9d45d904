# hw_x25519_base's small-flash variant (-DHW_X25519_BASE_SMALL, the 1.9 KB comb) is not the
# default build, so it gets its own known answers, a short differential run against @noble,
# and the cross builds; test-crypto runs it too.

X25519_SMALL_BUILD := $(CRYPTO_BUILD)/x25519-small
X25519_SMALL_FLAGS := $(CRYPTO_WARN) -O2 -DHW_X25519_BASE_SMALL

$(X25519_SMALL_BUILD)/kat: $(CRYPTO_DIR)/test/kat.c $(CRYPTO_SRCS) $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_CC) $(X25519_SMALL_FLAGS) $< $(CRYPTO_SRCS) -o $@

$(X25519_SMALL_BUILD)/hwcrypto-cli: $(CRYPTO_DIR)/test/cli.c $(CRYPTO_SRCS) $(CRYPTO_HDRS)
	@mkdir -p $(@D)
	$(CRYPTO_CC) $(X25519_SMALL_FLAGS) $< $(CRYPTO_SRCS) -o $@

.PHONY: test-crypto-x25519-small
test-crypto-x25519-small: setup $(X25519_SMALL_BUILD)/kat $(X25519_SMALL_BUILD)/hwcrypto-cli ## X25519 base with -DHW_X25519_BASE_SMALL: known answers, 1000 differential cases, RV32/lx106 builds
	$(X25519_SMALL_BUILD)/kat $(CRYPTO_DIR)/test/vectors > $(X25519_SMALL_BUILD)/kat.log || { cat $(X25519_SMALL_BUILD)/kat.log; exit 1; }
	@tail -1 $(X25519_SMALL_BUILD)/kat.log
	CRYPTO_DIFF_N=1000 $(TSX) scripts/crypto-differential.ts $(X25519_SMALL_BUILD)/hwcrypto-cli > $(X25519_SMALL_BUILD)/diff.log || { cat $(X25519_SMALL_BUILD)/diff.log; exit 1; }
	@grep -E '^(x25519|crypto-differential)' $(X25519_SMALL_BUILD)/diff.log
	@for t in $(CRYPTO_CROSS); do cc=$${t%%:*}; flags=$$(echo "$${t#*:}" | tr ':' ' '); \
	  if ! command -v $$cc >/dev/null; then echo "SKIPPED: $$cc not installed (make setup installs it)"; continue; fi; \
	  $$cc $(X25519_SMALL_FLAGS) $$flags -c $(CRYPTO_DIR)/x25519.c -o $(X25519_SMALL_BUILD)/x25519-$$cc.o || exit 1; \
	  echo "test-crypto-x25519-small: x25519.c clean under $$cc $$flags"; done

test-crypto: test-crypto-x25519-small
