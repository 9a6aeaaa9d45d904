#!/usr/bin/env bash
# Puts QEMU's plugin API header (include/qemu/qemu-plugin.h) of Debian bookworm's qemu source
# package in <dir>, for building scripts/qemu-profile/tbcount.c against the installed
# qemu-system-xtensa (7.2, plugins enabled; Debian ships no plugin headers in a binary package).
# Only the 23 MB source tarball is downloaded, through a private apt source list; only the
# one header is unpacked.   scripts/qemu-profile/plugin-header.sh <dir>
set -euo pipefail
dest=${1:?usage: plugin-header.sh <dir>}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
[ -s "$dest/qemu-plugin.h" ] && exit 0
mirror=$(grep -hoE '^(deb|URIs:)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
           /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
         | grep -oE 'https?://[^[:space:]]+' | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
work="$dest/.src"
mkdir -p "$work/lists/partial"
echo "deb-src $mirror bookworm main" >"$work/src.list"
opts=(-o "Dir::Etc::SourceList=$work/src.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$work/lists" -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -qq update >&2
(cd "$work" && apt-get "${opts[@]}" -qq source --download-only qemu >&2)
tarball=$(ls "$work"/qemu_*.orig.tar.* | head -n 1)
tar -xf "$tarball" -C "$work" --wildcards '*/include/qemu/qemu-plugin.h'
cp "$(find "$work" -name qemu-plugin.h | head -n 1)" "$dest/qemu-plugin.h"
rm -rf "$work"
echo "$dest/qemu-plugin.h"
