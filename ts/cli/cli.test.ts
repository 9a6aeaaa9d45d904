// The CLI as users run it: `node scripts/homewire.mjs ...` in a subprocess, files in a temp dir.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { x25519 } from "@noble/curves/ed25519.js";
import { parseDeviceConfig } from "../app/config.ts";
import { main } from "./main.ts";

const BIN = fileURLToPath(new URL("../../scripts/homewire.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "homewire-cli-"));
const B64_KEY = /^[A-Za-z0-9+/]{43}=$/;

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, input, encoding: "utf8", timeout: 30000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const mode = (p: string) => statSync(p).mode & 0o777;
const pub = (privB64: string) => Buffer.from(x25519.getPublicKey(Buffer.from(privB64.trim(), "base64"))).toString("base64");

function wgPubkey(privText: string): string | null {
  const r = spawnSync("wg", ["pubkey"], { input: privText, encoding: "utf8" });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim();
}

test("keygen --out writes a clamped private key with mode 0600 and prints its public key", () => {
  const r = cli(["keygen", "--out", "device.key"]);
  assert.equal(r.status, 0, r.err);
  const file = join(dir, "device.key");
  assert.equal(mode(file), 0o600);
  const text = readFileSync(file, "utf8");
  assert.match(text, /^[A-Za-z0-9+/]{43}=\n$/);
  const raw = Buffer.from(text.trim(), "base64");
  assert.equal(raw[0] & 7, 0, "clamped low bits");
  assert.equal(raw[31] & 0xc0, 0x40, "clamped high bits");
  assert.equal(r.out.trim(), pub(text), "stdout is the public key");
  assert.ok(!r.out.includes(text.trim()) && !r.err.includes(text.trim()), "private key never printed");
  const wg = wgPubkey(text);
  if (wg === null) console.log("SKIPPED: differential check against `wg pubkey` (wireguard-tools not installed)");
  else assert.equal(r.out.trim(), wg, "same public key as wg pubkey");
});

test("keygen refuses to overwrite without --force; --force overwrites and tightens the mode", () => {
  const file = join(dir, "existing.key");
  writeFileSync(file, "keep me\n", { mode: 0o644 });
  chmodSync(file, 0o644);
  const r = cli(["keygen", "--out", "existing.key"]);
  assert.equal(r.status, 1);
  assert.match(r.err, /--out: .*exists; refusing to overwrite/);
  assert.equal(readFileSync(file, "utf8"), "keep me\n");
  const f = cli(["keygen", "--out", "existing.key", "--force"]);
  assert.equal(f.status, 0, f.err);
  assert.match(readFileSync(file, "utf8"), /^[A-Za-z0-9+/]{43}=\n$/);
  assert.equal(mode(file), 0o600);
});

test("keygen without --out pipes a private key; pubkey reads it from stdin or a file like wg pubkey", () => {
  const k = cli(["keygen"]);
  assert.equal(k.status, 0, k.err);
  assert.match(k.out, /^[A-Za-z0-9+/]{43}=\n$/);
  const p = cli(["pubkey"], k.out);
  assert.equal(p.status, 0, p.err);
  assert.equal(p.out.trim(), pub(k.out));
  writeFileSync(join(dir, "piped.key"), k.out, { mode: 0o600 });
  const pf = cli(["pubkey", "piped.key"]);
  assert.equal(pf.out, p.out);
  // RFC 7748 section 6.1: Alice's key pair.
  const alice = Buffer.from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "hex").toString("base64");
  const a = cli(["pubkey"], alice + "\n");
  assert.equal(Buffer.from(a.out.trim(), "base64").toString("hex"), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
});

test("keygen refuses to print a private key to a terminal", async () => {
  let out = "", err = "";
  const status = await main(["keygen"], { out: (t) => (out += t), err: (t) => (err += t), stdoutIsTerminal: true, readStdin: () => "" });
  assert.equal(status, 2);
  assert.equal(out, "");
  assert.match(err, /refusing to print a private key to a terminal/);
});

test("pubkey refuses a bad key, naming it and not echoing it", () => {
  const r = cli(["pubkey"], "c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n");
  assert.equal(r.status, 1);
  assert.match(r.err, /private key \(stdin\): expected 32 bytes/);
  assert.ok(!r.err.includes("c2VjcmV0"));
});

function setupKeys() {
  const keyPath = join(dir, "pc-device.key");
  if (!existsSync(keyPath)) assert.equal(cli(["keygen", "--out", "pc-device.key"]).status, 0);
  const homePriv = Buffer.alloc(32, 7);
  const homePublic = Buffer.from(x25519.getPublicKey(homePriv)).toString("base64");
  const pskPath = join(dir, "pc.psk");
  writeFileSync(pskPath, Buffer.alloc(32, 9).toString("base64") + "\n", { mode: 0o600 });
  return { homePublic, deviceKey: readFileSync(keyPath, "utf8").trim() };
}

test("peer-config writes the Node endpoint's config (0600, parseable by the firmware) and the home [Peer] stanza; with a PSK only to --peer-out", () => {
  const { homePublic, deviceKey } = setupKeys();
  const r = cli(["peer-config", "--key", "pc-device.key", "--home-public-key", homePublic, "--psk", "pc.psk", "--address", "10.77.0.2/24",
    "--endpoint", "[fd00::1]:51820", "--allowed-ips", "10.77.0.0/24,fd00:77::/64", "--allowed-ips", "192.168.7.0/24", "--persistent-keepalive", "25",
    "--listen-port", "40000", "--out", "device.json", "--peer-out", "pc-peer.conf"]);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, "", "the stanza holds the PSK: file only");
  const file = join(dir, "device.json");
  assert.equal(mode(file), 0o600);
  const c = parseDeviceConfig(readFileSync(file, "utf8"));
  assert.equal(Buffer.from(c.privateKey).toString("base64"), deviceKey);
  assert.equal(Buffer.from(c.peer.publicKey).toString("base64"), homePublic);
  assert.deepEqual(Buffer.from(c.peer.presharedKey!), Buffer.alloc(32, 9));
  assert.deepEqual(c.peer.endpoint, { host: "fd00::1", port: 51820 });
  assert.deepEqual(c.peer.allowedIps, ["10.77.0.0/24", "fd00:77::/64", "192.168.7.0/24"]);
  assert.equal(c.peer.persistentKeepalive, 25);
  assert.equal(c.listenPort, 40000);
  assert.equal(c.addresses[0].ip, "10.77.0.2");
  assert.equal(mode(join(dir, "pc-peer.conf")), 0o600);
  const lines = readFileSync(join(dir, "pc-peer.conf"), "utf8").trim().split("\n").filter((l) => !l.startsWith("#"));
  assert.deepEqual(lines, ["[Peer]", `PublicKey = ${pub(deviceKey)}`, `PresharedKey = ${Buffer.alloc(32, 9).toString("base64")}`, "AllowedIPs = 10.77.0.2/32"]);
  const printed = cli(["peer-config", "--key", "pc-device.key", "--home-public-key", homePublic, "--psk", "pc.psk", "--address", "10.77.0.2/24",
    "--allowed-ips", "10.77.0.0/24", "--out", "device-psk.json"]);
  assert.equal(printed.status, 2);
  assert.match(printed.err, /--peer-out: required with --psk/);
  assert.ok(!existsSync(join(dir, "device-psk.json")), "nothing written");
  assert.ok(!r.out.includes(deviceKey) && !r.err.includes(deviceKey), "device private key only in the file");
});

test("peer-config: IPv6 tunnel address gives a /128 host route; --peer-out writes the stanza 0600", () => {
  const { homePublic } = setupKeys();
  const r = cli(["peer-config", "--key", "pc-device.key", "--home-public-key", homePublic, "--address", "fd00:77::2/64",
    "--allowed-ips", "fd00:77::/64", "--out", "device6.json", "--peer-out", "home-peer.conf"]);
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, "");
  const stanza = readFileSync(join(dir, "home-peer.conf"), "utf8");
  assert.match(stanza, /\nAllowedIPs = fd00:77::2\/128\n/);
  assert.doesNotMatch(stanza, /PresharedKey/);
  assert.equal(mode(join(dir, "home-peer.conf")), 0o600);
});

test("peer-config refuses bad keys, addresses and ports with a message naming the field", () => {
  const { homePublic, deviceKey } = setupKeys();
  const base = ["peer-config", "--key", "pc-device.key", "--home-public-key", homePublic, "--address", "10.77.0.2/32", "--allowed-ips", "10.77.0.0/24", "--out", "refused.json"];
  const withFlag = (flag: string, value: string) => {
    const args = [...base];
    const at = args.indexOf(flag);
    if (at >= 0) args[at + 1] = value;
    else args.push(flag, value);
    return args;
  };
  const cases: Array<[string[], RegExp]> = [
    [withFlag("--endpoint", "192.0.2.1:70000"), /--endpoint: port 70000 out of range 1\.\.65535/],
    [withFlag("--endpoint", "home_example.net:51820"), /--endpoint: .*neither an IPv4 address nor a host name/],
    [withFlag("--address", "10.77.0.300/32"), /--address: /],
    [withFlag("--address", "10.77.0.2/40"), /--address: .*out of range/],
    [withFlag("--allowed-ips", "10.77.0.0/24,banana"), /--allowed-ips: entry 2: /],
    [withFlag("--home-public-key", "AAAA"), /--home-public-key: .*3 bytes/],
    [withFlag("--home-public-key", pub(deviceKey)), /--home-public-key: this is the device's own public key/],
    [withFlag("--persistent-keepalive", "70000"), /--persistent-keepalive: 70000 out of range 0\.\.65535/],
    [withFlag("--listen-port", "0"), /--listen-port: 0 out of range 1\.\.65535/],
    [withFlag("--key", "missing.key"), /--key: cannot read missing\.key: ENOENT/],
    [[...withFlag("--psk", "missing.psk"), "--peer-out", "refused-peer.conf"], /--psk: cannot read/],
    [base.filter((a, i) => a !== "--address" && base[i - 1] !== "--address"), /--address: required/],
  ];
  for (const [args, want] of cases) {
    const r = cli(args);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.err, want, args.join(" "));
    assert.ok(!r.err.includes(deviceKey), "no key material in errors");
    assert.equal(existsSync(join(dir, "refused.json")), false, "nothing written on refusal");
  }
  writeFileSync(join(dir, "refused.json"), "{}");
  const r = cli(base);
  assert.equal(r.status, 1);
  assert.match(r.err, /--out: .*refusing to overwrite/);
});

test("unknown commands and options exit 2 with usage", () => {
  const r = cli(["frobnicate"]);
  assert.equal(r.status, 2);
  assert.match(r.err, /unknown command "frobnicate"/);
  const o = cli(["keygen", "--bogus"]);
  assert.equal(o.status, 2);
  assert.match(o.err, /--bogus/);
});
