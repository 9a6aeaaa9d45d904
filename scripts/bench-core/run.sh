#!/usr/bin/env bash
# Per-packet cost of the protocol core's JS under Duktape 2.7, in x86 instructions counted by
# valgrind (callgrind): the difference between N packets and none, divided by N. Instruction
# counts, not seconds, so the numbers are stable on a shared machine. "recv" excludes building
# its input datagrams. The crypto is a stand-in (see packet-duk.js) with a cost of its own; it is
# measured alone (the same loop calling an empty function taken off) and reported beside the
# total, as is the harness (the bench's loop and its call into the Device, measured with an empty
# method). "core JS" = total - stand-in AEAD - harness is the number the 30k-per-packet goal is
# about; it still includes the calls to the platform (clock, AEAD, I/O) and their stand-in bodies.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${BENCH_CORE_PACKETS:-1000}
out=build/bench-core
mkdir -p "$out"
node_modules/.bin/tsx scripts/bundle.ts --entry wireguard/device --global hw --out "$out/device.js" >/dev/null
count() { # mode packets (NATIVES from the environment)
  printf 'var PACKETS = %d; var MODE = "%s"; var NATIVES = %s;\n' "$2" "$1" "$NATIVES" > "$out/params.js"
  valgrind --tool=callgrind --callgrind-out-file=/dev/null duk "$out/device.js" "$out/params.js" scripts/bench-core/packet-duk.js 2>"$out/valgrind.log" >"$out/run.log"
  grep -q '"ok":true' "$out/run.log" || { cat "$out/run.log" "$out/valgrind.log" >&2; exit 1; }
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/valgrind.log"
}
measure() { # label
send0=$(count send 0)
build=$(count build "$N")
send=$(( ($(count send "$N") - send0) / N ))
recv=$(( ($(count recv "$N") - build) / N ))
hsend=$(( ($(count hsend "$N") - send0) / N ))
hrecv=$(( ($(count hrecv "$N") - build) / N ))
nop=$(count nop "$N")
seal=$(( ($(count seal "$N") - nop) / N ))
open=$(( ($(count open "$N") - nop) / N ))
printf 'bench-core: send %6d total  %6d stand-in seal  %5d harness  %6d core JS  (onTunnelPacket; %s)\n' "$send" "$seal" "$hsend" $(( send - seal - hsend )) "$1"
printf 'bench-core: recv %6d total  %6d stand-in open  %5d harness  %6d core JS  (onDatagram; %s)\n' "$recv" "$open" "$hrecv" $(( recv - open - hrecv )) "$1"
}
echo "bench-core: Duktape 2.7, x86 instructions per 100-byte packet, N=$N; stand-in crypto and harness measured alone"
NATIVES=false measure "plain aeadSeal/aeadOpen/deliverToTunnel"
NATIVES=true measure "+ optional openTransport/sendTransport/deliverPrefixToTunnel"
