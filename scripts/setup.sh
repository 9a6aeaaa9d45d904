#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine: apt packages
# (only the missing ones) and the npm lockfile. Idempotent and quiet when nothing is missing.
# Package groups are chosen with arguments: base (always), net, crypto, bench, python, idf
# (what ESP-IDF's linux target needs from Debian: libbsd for its sys/cdefs.h, CMake, Ninja).
# python: the project venv .venv/ with scripts/requirements.txt from PyPI (rebuilt when the
# requirements change).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A GROUP=(
  [base]="duktape duktape-dev"
  [net]="wireguard-go wireguard-tools iproute2 iputils-ping tshark dnsmasq-base"
  [crypto]="clang libclang-rt-14-dev valgrind"
  [bench]="qemu-system-misc gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gcc-xtensa-lx106 picolibc-xtensa-lx106-elf dpkg-dev valgrind"
  [python]="python3-venv"
  [idf]="libbsd-dev ninja-build cmake"
)

groups=("base" "$@")
want=()
for g in "${groups[@]}"; do
  [ -n "${GROUP[$g]+x}" ] || { echo "setup: unknown package group '$g' (known: ${!GROUP[*]})" >&2; exit 2; }
  for p in ${GROUP[$g]}; do want+=("$p"); done
done

missing=()
for p in $(printf '%s\n' "${want[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run 'make setup' as root or install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  stamp=/var/lib/apt/periodic/homewire-update-stamp
  if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
    apt-get update -qq
    mkdir -p "$(dirname "$stamp")" && touch "$stamp"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The venv only when its requirements changed since it was made (pip's own resolver, pinned).
for g in "${groups[@]}"; do
  [ "$g" = python ] || continue
  if [ ! -f .venv/.requirements ] || ! cmp -s scripts/requirements.txt .venv/.requirements; then
    echo "setup: python venv .venv (scripts/requirements.txt)"
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements.txt
    cp scripts/requirements.txt .venv/.requirements
  fi
done

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
