#!/usr/bin/env bash
# Syntax-checks boards/esp32's chip-only files (and the shared glue and runtime they link with)
# for an ESP32-C3 against ESP-IDF's headers, since Espressif's toolchains cannot be installed
# here. What it does, exactly:
#   1. kconfgen (the project venv's esp-idf-kconfig) resolves every IDF component's Kconfig for
#      IDF_TARGET=esp32c3 with boards/esp32's sdkconfig.defaults(.esp32c3) into sdkconfig.h;
#   2. Debian's riscv64-unknown-elf-gcc (-march=rv32imc_zicsr_zifencei -mabi=ilp32, picolibc as
#      IDF v6 uses) runs -fsyntax-only -Wall -Wextra -Werror -Wshadow on each file with every IDF
#      component's include directories plus the C3/RISC-V FreeRTOS port's.
# Not checked: code generation, linking, the component's REQUIRES (the include set is a superset),
# Xtensa chips (ESP32, ESP32-S3: no Debian compiler for their LX6/LX7 cores).
#   usage: scripts/esp32-chip-check.sh <out dir>
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: $0 <out dir>}
IDF=${IDF_PATH:-$HOME/esp/esp-idf}
C=$IDF/components
B=boards/esp32
H=$B/components/homewire
mkdir -p "$out/config"

.venv/bin/python - "$IDF" "$PWD/$H/Kconfig" "$out" <<'PY'
import glob, json, sys
idf, ours, out = sys.argv[1:]
comps = idf + "/components/"
env = {
    "COMPONENT_KCONFIGS": ";".join(sorted(glob.glob(comps + "*/Kconfig")) + [ours]),
    "COMPONENT_KCONFIGS_PROJBUILD": ";".join(sorted(glob.glob(comps + "*/Kconfig.projbuild"))),
    "COMPONENT_SDKCONFIG_RENAMES": ";".join(sorted(glob.glob(comps + "*/sdkconfig.rename"))),
    "IDF_TARGET": "esp32c3", "IDF_TOOLCHAIN": "gcc", "IDF_VERSION": "", "IDF_ENV_FPGA": "", "IDF_PATH": idf,
    "COMPONENT_KCONFIGS_SOURCE_FILE": out + "/kconfigs.in",
    "COMPONENT_KCONFIGS_PROJBUILD_SOURCE_FILE": out + "/kconfigs_projbuild.in",
    "KCONFIG_PROMPTLESS_NO_WARN": "IDF_TARGET",
}
json.dump(env, open(out + "/config.env", "w"))
PY
.venv/bin/python "$IDF/tools/kconfig_new/prepare_kconfig_files.py" --list-separator=semicolon --env-file "$out/config.env"
rm -f "$out/sdkconfig"
.venv/bin/python -m kconfgen --list-separator=semicolon --kconfig "$IDF/Kconfig" --sdkconfig-rename "$IDF/sdkconfig.rename" \
  --config "$out/sdkconfig" --defaults $B/sdkconfig.defaults --defaults $B/sdkconfig.defaults.esp32c3 \
  --env IDF_MINIMAL_BUILD=y --env-file "$out/config.env" --output header "$out/config/sdkconfig.h" > "$out/kconfgen.log" 2>&1 ||
  { cat "$out/kconfgen.log" >&2; exit 1; }

inc=(-I"$out/config")
for d in "$C"/*/include "$C"/*/esp32c3/include "$C"/*/esp32c3 "$C"/soc/esp32c3/register; do
  case $d in "$C"/linux/*) continue ;; esac # the linux target's own libc shims
  [ -d "$d" ] && inc+=(-I"$d")
done
for d in freertos/config/include freertos/config/include/freertos freertos/config/riscv/include \
  freertos/FreeRTOS-Kernel/include freertos/FreeRTOS-Kernel/portable/riscv/include \
  freertos/FreeRTOS-Kernel/portable/riscv/include/freertos freertos/esp_additions/include \
  lwip/include/apps lwip/lwip/src/include lwip/port/include lwip/port/freertos/include \
  lwip/port/esp32xx/include lwip/port/esp32xx/include/arch lwip/port/esp32xx/include/sys \
  esp_hw_support/include/soc esp_hw_support/etm/include hal/platform_port/include \
  esp_libc/platform_include esp_libc/include; do
  inc+=(-I"$C/$d")
done
inc+=(-I$H -I$H/include -Ifirmware/runtime -Ifirmware/net -Ifirmware/vm -Ifirmware/bindings -Ifirmware/crypto)

fail=0
for f in $H/chip_wifi.c $H/chip_console.c $H/chip_clock.c $H/chip_sleep.c $H/board.c $H/lwip_hooks.c firmware/runtime/runtime.c firmware/runtime/console.c firmware/runtime/retained_ram.c firmware/net/net.c; do
  # sys/types.h first: IDF's stdio.h wrapper names ssize_t before Debian's picolibc declares it.
  if riscv64-unknown-elf-gcc -march=rv32imc_zicsr_zifencei -mabi=ilp32 --specs=picolibc.specs -std=gnu17 -fsyntax-only \
       -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -DESP_PLATFORM -D_GNU_SOURCE -DHW_IMAGE_IS_SOURCE=0 \
       -include sys/types.h "${inc[@]}" "$f" 2> "$out/$(basename "$f").log"; then
    echo "esp32c3 syntax ok: $f"
  else
    echo "esp32c3 syntax FAILED: $f" >&2; head -20 "$out/$(basename "$f").log" >&2; fail=1
  fi
done
exit $fail
