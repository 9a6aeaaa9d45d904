// enroll: tell a board on a serial port where home is. Every field is checked here first with
// the device's parser; then over the console (homewire-console 2): `public-key` (the key the
// board was born with), `enroll <crc> <json>` (the board checks again and stores key + config in
// one put), `reset` (the board reboots and must come back "enrolled" with the same key). The
// home side gets a wg-quick [Peer] stanza and a `wg set` line. Secrets (PSK, Wi-Fi password)
// travel only in the enroll line; they are never printed.
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseInterfaceAddresses } from "../app/config.ts";
import type { ConsoleLink } from "../console/link.ts";
import { answerPublicKey, enrollLine, ENROLLED, NOT_ENROLLED, PUBLIC_KEY_PREFIX, READY } from "../console/protocol.ts";
import { ConsoleSession, ConsoleTimeoutError, LinkClosedError } from "../console/session.ts";
import { decodeKey, encodeBase64 } from "../wireguard/base64.ts";
import { constantTimeEqual, wipe } from "../wireguard/bytes.ts";
import { parseEnrollRequest } from "../app/identity.ts";
import { CliError, UsageError } from "./errors.ts";
import { parseKeyText, readKeyFile, writeSecretFile } from "./files.ts";

export interface EnrollOptions {
  port: string;
  homePublicKey: string;
  endpoint: string;
  /** One tunnel address, or two ("10.77.0.2/32,fd77::2/128"). */
  address: string;
  allowedIps: string[];
  /** DNS servers the board asks for a --endpoint given as a name. */
  dns?: string[];
  resolveInterval?: string;
  psk?: string; // file
  persistentKeepalive?: string;
  listenPort?: string;
  wifiSsid?: string;
  wifiPasswordFile?: string;
  collector?: string;
  name?: string;
  sleepMs?: string;
  newKey: boolean;
  peerOut?: string;
  force: boolean;
  wgInterface: string;
}

export interface EnrollIo {
  out: (text: string) => void;
  err: (text: string) => void;
  openLink: (port: string) => Promise<ConsoleLink>;
  /** Bounds on each wait; the board's answers normally come in well under a second. */
  timeouts?: Partial<typeof TIMEOUTS>;
}

export const TIMEOUTS = {
  answer: 5000, // public-key, reset
  enroll: 30000, // a new key costs one X25519 on the board (seconds on the emulated lx106)
  boot: 60000, // reset to "[board] enrolled"
};

/** Which CLI flag fills which config field: errors name both. */
const FLAG_OF_FIELD: [string, string][] = [
  ["peer.publicKey", "--home-public-key"],
  ["peer.presharedKey", "--psk"],
  ["peer.endpoint", "--endpoint"],
  ["peer.allowedIps", "--allowed-ips"],
  ["peer.persistentKeepalive", "--persistent-keepalive"],
  ["peer.resolveIntervalSeconds", "--resolve-interval"],
  ["listenPort", "--listen-port"],
  ["address", "--address"],
  ["dns", "--dns"],
  ["wifi.ssid", "--wifi-ssid"],
  ["wifi.password", "--wifi-password-file"],
  ["app.collector", "--collector"],
  ["app.name", "--name"],
  ["app.sleepMs", "--sleep-ms"],
];

/** "peer.endpoint: port 70000 ..." -> "--endpoint (peer.endpoint): port 70000 ...". */
export function labelField(message: string): string {
  for (const [field, flag] of FLAG_OF_FIELD) {
    if (message.startsWith(field + ":") || message.startsWith(field + "[")) return `${flag} (${message.slice(0, message.indexOf(":"))})${message.slice(message.indexOf(":"))}`;
  }
  return message;
}

/** A number flag goes into the JSON as a number when it looks like one; otherwise as the text,
 *  so the device's parser (not this file) says what is wrong with it. */
function numeric(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^[0-9]{1,10}$/.test(text) ? Number(text) : text;
}

function readWifiPassword(path: string, warn: (line: string) => void): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CliError(`--wifi-password-file: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if ((statSync(path).mode & 0o077) !== 0) warn(`warning: ${path} is accessible to group/others (chmod 600 it)\n`);
  const lines = text.replace(/\r?\n$/, "");
  if (/[\r\n]/.test(lines)) throw new CliError("--wifi-password-file: expected one line (the passphrase)");
  return lines;
}

export interface PreparedEnrollment {
  json: string; // holds the PSK and Wi-Fi password: goes into the enroll line only
  homePublic: Uint8Array;
  psk: Uint8Array | null;
  hostRoute: string;
}

/** Builds the enrolled config from the flags and checks it with the device's parser. */
export function prepareEnrollment(o: EnrollOptions, warn: (line: string) => void): PreparedEnrollment {
  if (o.allowedIps.length === 0) throw new UsageError("--allowed-ips: required (what the device accepts from home, e.g. 10.77.0.0/24)");
  if ((o.wifiSsid === undefined) !== (o.wifiPasswordFile === undefined)) {
    throw new UsageError(o.wifiSsid === undefined ? "--wifi-ssid: required with --wifi-password-file" : "--wifi-password-file: required with --wifi-ssid (a file holding the passphrase; an empty file for an open network)");
  }
  if (o.name !== undefined && o.collector === undefined) throw new UsageError("--collector: required with --name");
  if (o.sleepMs !== undefined && o.collector === undefined) throw new UsageError("--collector: required with --sleep-ms");
  if (o.psk !== undefined && o.peerOut === undefined) {
    throw new UsageError("--peer-out: required with --psk (the [Peer] stanza then holds the PSK: it goes to a 0600 file, never to stdout)");
  }
  const homePublic = parseKeyText(o.homePublicKey, "--home-public-key");
  const psk = o.psk === undefined ? null : readKeyFile(o.psk, "--psk", (l) => warn(l + "\n"));
  const peer: Record<string, unknown> = { publicKey: encodeBase64(homePublic) };
  if (psk) peer.presharedKey = encodeBase64(psk);
  peer.endpoint = o.endpoint;
  peer.allowedIps = o.allowedIps;
  if (o.persistentKeepalive !== undefined) peer.persistentKeepalive = numeric(o.persistentKeepalive);
  if (o.resolveInterval !== undefined) peer.resolveIntervalSeconds = numeric(o.resolveInterval);
  const addresses = o.address.split(",").map((a) => a.trim());
  const config: Record<string, unknown> = { address: addresses.length === 1 ? addresses[0] : addresses };
  if (o.listenPort !== undefined) config.listenPort = numeric(o.listenPort);
  if (o.dns !== undefined) config.dns = o.dns;
  config.peer = peer;
  if (o.collector !== undefined) {
    const app: Record<string, unknown> = { collector: o.collector };
    if (o.name !== undefined) app.name = o.name;
    if (o.sleepMs !== undefined) app.sleepMs = numeric(o.sleepMs);
    config.app = app;
  }
  if (o.wifiSsid !== undefined) config.wifi = { ssid: o.wifiSsid, password: readWifiPassword(o.wifiPasswordFile!, warn) };
  if (o.newKey) config.newKey = true;
  const json = JSON.stringify(config);
  try {
    parseEnrollRequest(json); // the device's own check
    enrollLine(json); // the line must fit the console
  } catch (e) {
    wipe(psk);
    throw new CliError(labelField((e as Error).message));
  }
  // Home routes the device's own addresses to it, each as a host route.
  const hostRoute = parseInterfaceAddresses(config.address, "address").map((a) => `${a.ip}/${a.version === 4 ? 32 : 128}`).join(",");
  return { json, homePublic, psk, hostRoute };
}

/** The home side's wg-quick [Peer] stanza for the device. */
export function peerStanza(devicePublic: string, psk: Uint8Array | null, hostRoute: string): string {
  const lines = [`# homewire device ${devicePublic.slice(0, 8)}... (written by homewire enroll)`, "[Peer]", `PublicKey = ${devicePublic}`];
  if (psk) lines.push(`PresharedKey = ${encodeBase64(psk)}`);
  lines.push(`AllowedIPs = ${hostRoute.split(",").join(", ")}`);
  return lines.join("\n") + "\n";
}

/** The same peer for a running interface; the PSK by file name, as wg(8) takes it. */
export function wgSetLine(iface: string, devicePublic: string, pskPath: string | undefined, hostRoute: string): string {
  return `wg set ${iface} peer ${devicePublic}${pskPath ? ` preshared-key ${resolve(pskPath)}` : ""} allowed-ips ${hostRoute}`;
}

function devicePublicKey(text: string | null, what: string): string {
  if (text === null) throw new CliError(`the board's ${what} carries no public key`);
  try {
    decodeKey(text, "public key");
  } catch (e) {
    throw new CliError(`the board's ${what}: ${(e as Error).message}`);
  }
  return text;
}

export async function enroll(o: EnrollOptions, io: EnrollIo): Promise<void> {
  const t = { ...TIMEOUTS, ...io.timeouts };
  const prepared = prepareEnrollment(o, io.err);
  try {
    // Refuse now, not after the board has stored the config, if the stanza cannot be written.
    if (o.peerOut !== undefined && !o.force && existsSync(o.peerOut)) throw new CliError(`--peer-out: ${o.peerOut} exists; refusing to overwrite it (use --force)`);
    await talkToBoard(o, io, prepared, t);
  } finally {
    wipe(prepared.psk);
  }
}

async function talkToBoard(o: EnrollOptions, io: EnrollIo, p: PreparedEnrollment, t: typeof TIMEOUTS): Promise<void> {
  const link = await io.openLink(o.port);
  const session = new ConsoleSession(link);
  let stage = "asking for its public key";
  try {
    // An empty line first ends whatever an earlier, cut session left half-sent on the board (it
    // would otherwise be glued to our first command); the board ignores an empty line.
    link.write("");
    const keyAnswer = await session.request("public-key", t.answer);
    if (!keyAnswer.ok) throw new CliError(`the board refused public-key: ${keyAnswer.reason}`);
    const before = devicePublicKey(answerPublicKey(keyAnswer), "answer to public-key");
    if (!o.newKey && constantTimeEqual(decodeKey(before, "public key"), p.homePublic)) {
      throw new CliError("--home-public-key: this is the device's own public key; give the home side's key (wg show <iface> public-key)");
    }

    stage = "enrolling";
    const answer = await session.request(enrollLine(p.json), t.enroll);
    if (!answer.ok) throw new CliError(`the board refused the config, nothing changed on it: ${labelField(answer.reason)}`);
    const devicePublic = devicePublicKey(answerPublicKey(answer), "answer to enroll");
    if (!o.newKey && devicePublic !== before) io.err(`warning: the board answered a new public key without --new-key (was ${before})\n`);

    // The board holds the config now: the home side's stanza is written before anything else can fail.
    const stanza = peerStanza(devicePublic, p.psk, p.hostRoute);
    if (o.peerOut !== undefined) writeSecretFile(o.peerOut, stanza, o.force, "--peer-out");
    else io.out(stanza);
    io.err(`enrolled: the board's public key is ${devicePublic}\n`);
    io.err(`${o.peerOut !== undefined ? `wrote the home side's [Peer] stanza to ${o.peerOut}` : "the home side's [Peer] stanza is above"}; on a running interface:\n`);
    io.err(`  ${wgSetLine(o.wgInterface, devicePublic, o.psk, p.hostRoute)}\n`);

    // The config takes effect at the next boot; a board that comes back unenrolled did not keep it.
    stage = "resetting it";
    const reset = await session.request("reset", t.answer);
    if (!reset.ok) throw new CliError(`the board refused reset: ${reset.reason}; it takes the config at its next boot`);
    stage = "waiting for it to boot";
    const ready = await session.waitFor("ready line after reset", (l) => l === READY, t.boot, reset.position + 1);
    const key = await session.waitFor("public key at boot", (l) => l.startsWith(PUBLIC_KEY_PREFIX), t.boot, ready.position + 1);
    const state = await session.waitFor("enrolled / not enrolled at boot", (l) => l === ENROLLED || l === NOT_ENROLLED, t.boot, key.position + 1);
    if (state.line !== ENROLLED) throw new CliError("the board rebooted not enrolled: it did not keep the config (run enroll again)");
    const bootKey = key.line.slice(PUBLIC_KEY_PREFIX.length);
    if (bootKey !== devicePublic) throw new CliError(`the board booted with public key ${bootKey}, not the ${devicePublic} it answered to enroll`);
    io.err("the board rebooted enrolled; the tunnel starts now (homewire monitor shows its status)\n");
  } catch (e) {
    if (e instanceof LinkClosedError) {
      throw new CliError(`the link to ${o.port} ended while ${stage} (${e.message})` +
        (stage === "enrolling" ? ": the board stores the config in one step, so it holds either the old config or the whole new one; run enroll again (the key is kept)" : ""));
    }
    if (e instanceof ConsoleTimeoutError) {
      throw new CliError(`the board on ${o.port} did not answer while ${stage}: ${e.message}` +
        (stage === "asking for its public key" ? ` (is it running homewire firmware speaking homewire-console 2? homewire monitor --port ${o.port} shows what it prints)` : "") +
        (stage === "enrolling" ? "; it may hold the old config or the whole new one, never a mix: run enroll again (the key is kept)" : ""));
    }
    throw e;
  } finally {
    link.close();
  }
}
