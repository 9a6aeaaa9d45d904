#!/usr/bin/env bash
# Per-packet cost of the protocol core's JS under Duktape 2.7, in x86 instructions counted by
# valgrind (callgrind): the difference between N packets and none, divided by N. Instruction
# counts, not seconds, so the numbers are stable on a shared machine. The crypto is a stand-in
# (see packet-duk.js) and costs a few thousand instructions of its own per packet; "recv"
# excludes building its input datagrams.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_CORE_PACKETS:-1000}
out=build/bench-core
mkdir -p "$out"
node_modules/.bin/tsx scripts/bundle.ts --entry wireguard/device --global hw --out "$out/device.js" >/dev/null
count() { # mode packets
  printf 'var PACKETS = %d; var MODE = "%s";\n' "$2" "$1" > "$out/params.js"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null duk "$out/device.js" "$out/params.js" scripts/bench-core/packet-duk.js 2>"$out/valgrind.log" >"$out/run.log"
  grep -q '"ok":true' "$out/run.log" || { cat "$out/run.log" "$out/valgrind.log" >&2; exit 1; }
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/valgrind.log"
}
send=$(( $(count send "$N") - $(count send 0) ))
recv=$(( $(count recv "$N") - $(count build "$N") ))
echo "bench-core: send $(( send / N )) instructions per 100-byte packet (onTunnelPacket; Duktape 2.7, stand-in crypto, N=$N)"
echo "bench-core: recv $(( recv / N )) instructions per 100-byte packet (onDatagram; Duktape 2.7, stand-in crypto, N=$N)"
