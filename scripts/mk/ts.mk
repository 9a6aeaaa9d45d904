# TypeScript protocol core: unit tests on Node.

TS_TESTS = $(shell find ts test-hil scripts -name '*.test.ts' | sort)

.PHONY: test-ts
test-ts: setup ## unit tests of the TypeScript core, platform and CLI on Node (fake clock, no network)
	$(NODE_TEST) $(TS_TESTS)
