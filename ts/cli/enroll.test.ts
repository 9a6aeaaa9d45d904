// `homewire enroll` against a fake board speaking homewire-console 2: in memory for every path
// (bad fields, a refused field, a cut link, a second enrolment, a new key), and once over a real
// pty through the serialport binding, as a user runs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { x25519 } from "@noble/curves/ed25519.js";
import { FakeBoard, type FakeBoardOptions } from "../console/fake-board.ts";
import { openSerialLink, streamConsoleLink, type ConsoleLink } from "../console/link.ts";
import { openPty } from "../console/pty.ts";
import { main } from "./main.ts";

const BIN = fileURLToPath(new URL("../../scripts/homewire.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "homewire-enroll-"));
const at = (name: string) => join(dir, name);
const mode = (p: string) => statSync(p).mode & 0o777;

const HOME_PUBLIC = Buffer.from(x25519.getPublicKey(Buffer.alloc(32, 7))).toString("base64");
const PSK = Buffer.alloc(32, 9).toString("base64");
const WIFI_PASSWORD = "correct horse battery";
writeFileSync(at("home.psk"), PSK + "\n", { mode: 0o600 });
writeFileSync(at("wifi.pass"), WIFI_PASSWORD + "\n", { mode: 0o600 });

/** A fake board on in-memory streams, a fresh pair per opening of the "port"; `cut` ends the
 *  current link from the board's side (the cable pulled). */
function boardOnStreams(options: FakeBoardOptions = {}) {
  const board = new FakeBoard(options);
  let fromBoard: PassThrough | null = null;
  const link = (): ConsoleLink => {
    const toBoard = new PassThrough();
    fromBoard = new PassThrough();
    board.attach(toBoard, fromBoard);
    return streamConsoleLink(fromBoard, toBoard);
  };
  link().close(); // power on: the board is born (its key made) before the first run
  return { board, link, cut: () => fromBoard?.end() };
}

async function run(args: string[], openLink: (() => ConsoleLink) | null, timeouts = { answer: 1000, enroll: 2000, boot: 2000 }) {
  let out = "", err = "";
  const status = await main(args, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    stdoutIsTerminal: false,
    readStdin: () => "",
    openLink: async () => {
      if (!openLink) throw new Error("this case must not open the port");
      return openLink();
    },
    enrollTimeouts: timeouts,
  });
  return { status, out, err };
}

const BASE = ["enroll", "--port", "/dev/fake", "--home-public-key", HOME_PUBLIC, "--endpoint", "192.0.2.1:51820", "--address", "10.77.0.2/24",
  "--allowed-ips", "10.77.0.0/24"];

function withFlag(args: string[], flag: string, value?: string): string[] {
  const out = [...args];
  const i = out.indexOf(flag);
  if (value === undefined) {
    if (i >= 0) out.splice(i, 2);
  } else if (i >= 0) out[i + 1] = value;
  else out.push(flag, value);
  return out;
}

/** Nothing secret in anything the CLI printed. */
function assertNoSecrets(texts: string[], board: FakeBoard) {
  for (const t of texts) {
    if (board.privateKey) assert.ok(!t.includes(board.privateKey), "the device's private key never leaves it");
    assert.ok(!t.includes(PSK), "the PSK is never printed");
    assert.ok(!t.includes(WIFI_PASSWORD), "the Wi-Fi password is never printed");
  }
}

test("enroll: a blank board gets the whole config, keeps its key, reboots enrolled; the stanza (0600) and wg set line match", async () => {
  const { board, link } = boardOnStreams();
  const firstKey = board.publicKey;
  assert.equal(board.config, null);
  const args = [...BASE, "--allowed-ips", "fd00:77::/64", "--psk", at("home.psk"), "--persistent-keepalive", "25", "--wifi-ssid", "home-net",
    "--wifi-password-file", at("wifi.pass"), "--collector", "10.77.0.1:9999", "--name", "kitchen", "--peer-out", at("peer1.conf")];
  const r = await run(args, link);
  assert.equal(r.status, 0, r.err);
  assert.equal(board.publicKey, firstKey, "the key born on the device is kept");
  assert.deepEqual(board.config, {
    address: "10.77.0.2/24",
    peer: { publicKey: HOME_PUBLIC, presharedKey: PSK, endpoint: "192.0.2.1:51820", allowedIps: ["10.77.0.0/24", "fd00:77::/64"], persistentKeepalive: 25 },
    app: { collector: "10.77.0.1:9999", name: "kitchen" },
    wifi: { ssid: "home-net", password: WIFI_PASSWORD },
  });
  assert.deepEqual(board.received.map((l) => l.split(" ", 1)[0]), ["public-key", "enroll", "reset"]);
  const stanza = readFileSync(at("peer1.conf"), "utf8");
  assert.equal(mode(at("peer1.conf")), 0o600, "the stanza holds the PSK: 0600");
  assert.deepEqual(stanza.split("\n").filter((l) => l && !l.startsWith("#")), ["[Peer]", `PublicKey = ${firstKey}`, `PresharedKey = ${PSK}`, "AllowedIPs = 10.77.0.2/32"]);
  assert.match(r.err, new RegExp(`wg set wg0 peer ${firstKey!.replace(/[+/]/g, "\\$&")} preshared-key ${at("home.psk")} allowed-ips 10\\.77\\.0\\.2/32`));
  assert.match(r.err, /rebooted enrolled/);
  assert.equal(r.out, "", "stanza went to --peer-out");
  assertNoSecrets([r.out, r.err], board);
});

test("enroll: without a PSK the stanza goes to stdout; enrolling again keeps the key, --new-key changes it", async () => {
  const { board, link } = boardOnStreams();
  const key = board.publicKey!;
  const first = await run(withFlag(BASE, "--address", "fd00:77::2/64"), link);
  assert.equal(first.status, 0, first.err);
  assert.deepEqual(first.out.split("\n").filter((l) => l && !l.startsWith("#")), ["[Peer]", `PublicKey = ${key}`, "AllowedIPs = fd00:77::2/128"]);
  const again = await run(withFlag(BASE, "--endpoint", "192.0.2.9:51820"), link);
  assert.equal(again.status, 0, again.err);
  assert.equal(board.publicKey, key, "a second enrolment keeps the key");
  assert.equal((board.config!.peer as { endpoint: string }).endpoint, "192.0.2.9:51820", "and replaces the config");
  assert.match(again.out, new RegExp(`PublicKey = ${key.replace(/[+/]/g, "\\$&")}`));
  const renewed = await run([...BASE, "--new-key"], link);
  assert.equal(renewed.status, 0, renewed.err);
  assert.notEqual(board.publicKey, key, "--new-key: the board makes a new key");
  assert.match(renewed.out, new RegExp(`PublicKey = ${board.publicKey!.replace(/[+/]/g, "\\$&")}`));
  assert.ok(!("newKey" in board.config!), "newKey is a request, not stored config");
  assertNoSecrets([first.out, first.err, again.out, again.err, renewed.out, renewed.err], board);
});

test("enroll: home by DNS name with --dns and --resolve-interval; a tunnel address of each family, both routed home", async () => {
  const { board, link } = boardOnStreams();
  const key = board.publicKey!;
  const args = [...withFlag(withFlag(BASE, "--endpoint", "home.example.net:51820"), "--address", "10.77.0.2/24,fd77::2/64"),
    "--dns", "192.0.2.53", "--dns", "2001:db8::53", "--resolve-interval", "60"];
  const r = await run(args, link);
  assert.equal(r.status, 0, r.err);
  assert.deepEqual(board.config!.address, ["10.77.0.2/24", "fd77::2/64"]);
  assert.deepEqual(board.config!.dns, ["192.0.2.53", "2001:db8::53"]);
  assert.deepEqual(board.config!.peer, { publicKey: HOME_PUBLIC, endpoint: "home.example.net:51820", allowedIps: ["10.77.0.0/24"], resolveIntervalSeconds: 60 });
  assert.deepEqual(r.out.split("\n").filter((l) => l && !l.startsWith("#")), ["[Peer]", `PublicKey = ${key}`, "AllowedIPs = 10.77.0.2/32, fd77::2/128"]);
  assert.match(r.err, /allowed-ips 10\.77\.0\.2\/32,fd77::2\/128/);
});

test("enroll: every bad field is refused on the host, naming the flag and the field, before the port is opened", async () => {
  writeFileSync(at("short.pass"), "short\n", { mode: 0o600 });
  const cases: [string[], RegExp][] = [
    [withFlag(BASE, "--endpoint", "192.0.2.1:70000"), /--endpoint \(peer\.endpoint\): port 70000 out of range 1\.\.65535/],
    [withFlag(BASE, "--endpoint", "home_example.net:51820"), /--endpoint \(peer\.endpoint\): .*neither an IPv4 address nor a host name/],
    [[...BASE, "--dns", "192.168.1.1,dns.example"], /--dns \(dns\[1\]\): expected an IPv4 or IPv6 address/],
    [[...BASE, "--dns", "1.1.1.1,1.0.0.1,8.8.8.8,8.8.4.4"], /--dns \(dns\): 4 servers; at most 3/],
    [[...BASE, "--resolve-interval", "10"], /--resolve-interval \(peer\.resolveIntervalSeconds\): 10 out of range 30\.\.86400/],
    [[...BASE, "--resolve-interval", "hourly"], /--resolve-interval \(peer\.resolveIntervalSeconds\): expected an integer/],
    [withFlag(BASE, "--address", "10.77.0.2/32,10.77.0.3/32"), /--address \(address\): two IPv4 addresses/],
    [withFlag(BASE, "--address", "10.77.0.300/24"), /--address \(address\): /],
    [withFlag(BASE, "--allowed-ips", "10.77.0.0/24,banana"), /--allowed-ips \(peer\.allowedIps\[1\]\): /],
    [withFlag(BASE, "--home-public-key", "AAAA"), /--home-public-key: .*3 bytes/],
    [withFlag(BASE, "--persistent-keepalive", "70000"), /--persistent-keepalive \(peer\.persistentKeepalive\): 70000 out of range 0\.\.65535/],
    [withFlag(BASE, "--persistent-keepalive", "soon"), /--persistent-keepalive \(peer\.persistentKeepalive\): expected an integer/],
    [withFlag(BASE, "--listen-port", "0"), /--listen-port \(listenPort\): 0 out of range 1\.\.65535/],
    [[...BASE, "--collector", "collector.local:9999"], /--collector \(app\.collector\): /],
    [[...BASE, "--collector", "10.77.0.1:9999", "--name", "has space"], /--name \(app\.name\): /],
    [[...BASE, "--name", "kitchen"], /--collector: required with --name/],
    [[...BASE, "--wifi-ssid", "x".repeat(33), "--wifi-password-file", at("wifi.pass")], /--wifi-ssid \(wifi\.ssid\): 33 bytes/],
    [[...BASE, "--wifi-ssid", "home-net", "--wifi-password-file", at("short.pass")], /--wifi-password-file \(wifi\.password\): expected 8\.\.63 printable ASCII characters/],
    [[...BASE, "--wifi-ssid", "home-net"], /--wifi-password-file: required with --wifi-ssid/],
    [[...BASE, "--wifi-ssid", "home-net", "--wifi-password-file", at("missing.pass")], /--wifi-password-file: cannot read .*ENOENT/],
    [[...BASE, "--psk", at("home.psk")], /--peer-out: required with --psk/],
    [[...BASE, "--psk", at("missing.psk"), "--peer-out", at("never.conf")], /--psk: cannot read/],
    [withFlag(BASE, "--port"), /--port: required/],
    [withFlag(BASE, "--allowed-ips"), /--allowed-ips: required/],
    [withFlag(BASE, "--baud", "fast"), /--baud: /],
  ];
  for (const [args, want] of cases) {
    const r = await run(args, null);
    assert.notEqual(r.status, 0, args.join(" "));
    assert.match(r.err, want, args.join(" "));
    assert.ok(!r.err.includes(PSK) && !r.err.includes(WIFI_PASSWORD) && !r.err.includes("short\n"), "no secret in an error");
  }
  writeFileSync(at("taken.conf"), "keep me\n");
  const taken = await run([...BASE, "--peer-out", at("taken.conf")], null);
  assert.equal(taken.status, 1);
  assert.match(taken.err, /--peer-out: .*exists; refusing to overwrite it \(use --force\)/);
  assert.equal(readFileSync(at("taken.conf"), "utf8"), "keep me\n");
  assert.equal(existsSync(at("never.conf")), false);
});

test("enroll: the device's own key given as --home-public-key is refused before enrolling", async () => {
  const { board, link } = boardOnStreams();
  const r = await run(withFlag(BASE, "--home-public-key", board.publicKey!), link);
  assert.equal(r.status, 1);
  assert.match(r.err, /--home-public-key: this is the device's own public key/);
  assert.deepEqual(board.received, ["public-key"]);
  assert.equal(board.config, null);
});

test("enroll: a field the board refuses leaves its old config whole and writes nothing on the host", async () => {
  const { board, link } = boardOnStreams();
  assert.equal((await run(BASE, link)).status, 0);
  const before = board.identity;
  board.options.refuseEnroll = "peer.endpoint: not reachable from this board's network";
  const r = await run([...withFlag(BASE, "--endpoint", "198.51.100.7:51820"), "--peer-out", at("refused.conf")], link);
  assert.equal(r.status, 1);
  assert.match(r.err, /the board refused the config, nothing changed on it: --endpoint \(peer\.endpoint\): not reachable/);
  assert.equal(board.identity, before, "old identity whole");
  assert.equal(existsSync(at("refused.conf")), false);
  assert.ok(!board.received.slice(-1)[0].startsWith("reset"), "no reset after a refusal");
});

test("enroll: a link cut mid-enrolment (before the answer, or mid-line) leaves the board's config whole and nothing written", async () => {
  // Cut after the board got the whole line but before it answered: the fake stores nothing then.
  {
    const s = boardOnStreams();
    assert.equal((await run(BASE, s.link)).status, 0);
    const before = s.board.identity;
    s.board.options.onReceive = (line) => {
      if (!line.startsWith("enroll")) return true;
      s.cut(); // unplugged before the board acted on the line
      return false;
    };
    const r = await run([...withFlag(BASE, "--endpoint", "198.51.100.7:51820"), "--peer-out", at("cut1.conf")], s.link);
    assert.equal(r.status, 1, r.err);
    assert.match(r.err, /link to \/dev\/fake ended while enrolling.*holds either the old config or the whole new one/);
    assert.equal(s.board.identity, before);
    assert.equal(existsSync(at("cut1.conf")), false);
  }
  // Cut halfway through the enroll line: the board never sees a complete line.
  {
    const board = new FakeBoard();
    let toBoard = new PassThrough();
    let fromBoard = new PassThrough();
    board.attach(toBoard, fromBoard);
    assert.equal((await run(BASE, () => streamConsoleLink(fromBoard, toBoard))).status, 0);
    const before = board.identity;
    toBoard = new PassThrough();
    fromBoard = new PassThrough();
    board.attach(toBoard, fromBoard);
    const halfway = new Writable({
      write(chunk: Buffer, _enc, done) {
        const text = chunk.toString();
        if (text.startsWith("enroll")) {
          toBoard.write(text.slice(0, text.length >> 1));
          fromBoard.end(); // the cable is pulled mid-line
        } else toBoard.write(text);
        done();
      },
    });
    const r = await run([...withFlag(BASE, "--endpoint", "198.51.100.7:51820"), "--peer-out", at("cut2.conf")], () => streamConsoleLink(fromBoard, halfway));
    assert.equal(r.status, 1);
    assert.match(r.err, /ended while enrolling/);
    assert.equal(board.identity, before, "half a line changes nothing");
    assert.ok(!board.received.some((l) => l.startsWith("enroll") && l.includes("198.51.100.7")));
    assert.equal(existsSync(at("cut2.conf")), false);
  }
});

test("enroll: a board that says nothing times out with a hint; one that does not keep the config is reported", async () => {
  const silent = boardOnStreams({ silent: true });
  const r = await run(BASE, silent.link, { answer: 300, enroll: 300, boot: 300 });
  assert.equal(r.status, 1);
  assert.match(r.err, /did not answer while asking for its public key: no answer to public-key within 300 ms .*homewire-console 2/);
  assert.equal(silent.board.config, null);
  const forgetful = boardOnStreams({ forgetsOnReset: true });
  const f = await run([...BASE, "--peer-out", at("forgetful.conf")], forgetful.link);
  assert.equal(f.status, 1);
  assert.match(f.err, /the board rebooted not enrolled: it did not keep the config/);
  assert.ok(existsSync(at("forgetful.conf")), "the stanza was written when the board answered; the failure is reported after");
});

test("enroll over a pty: the CLI opens the port with the serialport binding; a busy port and a missing one are named", async (t) => {
  const pty = await openPty();
  t.after(() => pty.close());
  const board = new FakeBoard({ eol: "\r\n" });
  board.attach(pty.fromClient, pty.toClient);
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
      let out = "", err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("exit", (status) => resolve({ status, out, err }));
    });
  const r = await cli([...withFlag(BASE, "--port", pty.path), "--psk", at("home.psk"), "--peer-out", at("pty.conf")]);
  assert.equal(r.status, 0, r.err);
  assert.match(readFileSync(at("pty.conf"), "utf8"), new RegExp(`PublicKey = ${board.publicKey!.replace(/[+/]/g, "\\$&")}`));
  assert.equal((board.config!.peer as { presharedKey: string }).presharedKey, PSK);
  assertNoSecrets([r.out, r.err], board);

  // Busy: this process holds the port (locked, as monitor would).
  const holder = openSerialLink(pty.path, 115200);
  await holder.opened;
  const busy = await cli([...withFlag(BASE, "--port", pty.path)]);
  holder.close();
  assert.equal(busy.status, 1);
  assert.match(busy.err, new RegExp(`--port: ${pty.path} is busy: held by pid ${process.pid}`));

  const missing = await cli(withFlag(BASE, "--port", "/dev/ttyUSB-homewire-none"));
  assert.equal(missing.status, 1);
  assert.match(missing.err, /--port: \/dev\/ttyUSB-homewire-none: no such port; is the board plugged in\?/);
});
