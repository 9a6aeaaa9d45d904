# Networks as they are (issue 11): the bad-link relay benchmark. The interop scenarios (bad link,
# deep sleep, replay after reboot, DNS) run in `make test-interop` (ts/interop/{badlink,sleep,replay,dns}.interop.ts);
# the boards join in phase 2.

.PHONY: bench-networks
bench-networks: setup ## time to tunnel up and reading delivery through the bad-link relay at 0/10/30 % loss, Node endpoint vs wireguard-go (root); build/bench/networks.json
	$(TSX) scripts/bench-networks.ts
