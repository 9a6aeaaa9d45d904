#!/usr/bin/env bash
# Memory report of a QEMU Xtensa board image: flash use, and how the 320 KiB of dram is
# split between .data, .bss (lwIP's pools shown apart), the heap arena and the stack.
#   scripts/qemu-memreport.sh build/qemu-xtensa/homewire.elf
set -euo pipefail
elf=${1:?usage: qemu-memreport.sh <elf>}
sec() { xtensa-lx106-elf-size -A "$elf" | awk -v s="$1" '$1 == s {print $2}'; }
lwip=$(xtensa-lx106-elf-nm -S "$elf" | awk '$3 ~ /^[bB]$/ && ($4 == "ram_heap" || $4 ~ /^memp_memory_/) {print $2}' | while read -r h; do echo $((16#$h)); done | awk '{n += $1} END {print n + 0}')
text=$(sec .text); rodata=$(sec .rodata); data=$(sec .data); bss=$(sec .bss); heap=$(sec .heap); stack=$(sec .stack); reserve=$(sec .reserve); reserve=${reserve:-0}
total=$((data + bss + heap + reserve + stack))
printf '%s\n' "$(basename "$elf"):"
printf '  flash  text %d + rodata %d + data image %d = %d bytes\n' "$text" "$rodata" "$data" $((text + rodata + data))
printf '  dram   data %d + bss %d (lwIP pools %d, other %d) + heap arena %d + unused %d + stack %d = %d bytes (%d KiB)\n' \
  "$data" "$bss" "$lwip" $((bss - lwip)) "$heap" "$reserve" "$stack" "$total" $((total / 1024))
[ "$total" -le $((320 * 1024)) ] || { echo "  dram over the 320 KiB budget" >&2; exit 1; }
