#!/usr/bin/env bash
# Unpacks Debian's libsodium source package into .deps/libsodium (the benchmark's reference).
# Uses a private deb-src list and apt state under .deps/apt, so the system's apt sources are
# never touched. Idempotent: does nothing once the tree is there.
# Prints the path of the unpacked source tree on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD/.deps"
dest="$root/libsodium"
if [ -f "$dest/src/libsodium/crypto_scalarmult/curve25519/ref10/x25519_ref10.c" ]; then
  echo "$dest"; exit 0
fi

# Reuse the Debian mirror this machine is configured with (first http(s) URI seen), so a
# proxy or snapshot set up by the admin applies here too.
mirror=$(grep -rhoE '(URIs:|deb)[[:space:]]+https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
  /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | grep -oE 'https?://[^[:space:]]+' | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

apt_dir="$root/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$root/src"
echo "deb-src $mirror $suite main" >"$apt_dir/src.list"
# Lists, caches and status of this private source live under .deps/apt: the system's package
# caches are neither rebuilt from this list nor locked.
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/src.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o Debug::NoLocking=1)
echo "fetch-libsodium: source package from $mirror $suite" >&2
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$root/src" && apt-get "${apt_opts[@]}" -qq source --download-only libsodium >&2)
dsc=$(ls "$root"/src/libsodium_*.dsc | head -n1)
rm -rf "$dest.tmp"
dpkg-source --no-check -x "$dsc" "$dest.tmp" >&2
mv "$dest.tmp" "$dest"
echo "$dest"
