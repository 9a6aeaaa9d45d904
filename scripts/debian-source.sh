#!/usr/bin/env bash
# Unpacks a Debian bookworm *source* package into a git-ignored directory, without touching
# the system's apt sources: a private deb-src list and a private lists directory are used.
#   scripts/debian-source.sh <package> <dest-dir>
# Prints the unpacked tree's path. Idempotent: an existing tree is reused.
set -euo pipefail
pkg=${1:?usage: debian-source.sh <package> <dest-dir>}
dest=${2:?usage: debian-source.sh <package> <dest-dir>}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

existing=$(find "$dest" -mindepth 1 -maxdepth 1 -type d -name "${pkg}-*" | sort | tail -n 1)
if [ -n "$existing" ]; then echo "$existing"; exit 0; fi

# Reuse the mirror the machine already uses (one-line or deb822 format).
mirror=$(grep -hoE '^(deb|URIs:)[[:space:]]+(\[[^]]*\][[:space:]]+)?https?://[^[:space:]]+/debian/?' \
           /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
         | grep -oE 'https?://[^[:space:]]+' | grep -v security | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

apt_dir="$dest/.apt"
mkdir -p "$apt_dir/lists/partial"
echo "deb-src $mirror bookworm main" >"$apt_dir/src.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/src.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$dest" && apt-get "${apt_opts[@]}" -qq source --download-only "$pkg" >&2)
dsc=$(ls "$dest"/${pkg}_*.dsc | sort | tail -n 1)
(cd "$dest" && dpkg-source -x "$dsc" >&2)
find "$dest" -mindepth 1 -maxdepth 1 -type d -name "${pkg}-*" | sort | tail -n 1
