# TypeScript protocol core: unit tests on Node.

TS_TESTS = $(shell find ts test-hil scripts -name '*.test.ts' | sort)

.PHONY: test-ts
test-ts: setup ## unit tests on Node: the TypeScript core, platform, test-hil units, the CLI (enroll and monitor against a fake board, also over a pty); fake clock, no network
	$(NODE_TEST) $(TS_TESTS)
