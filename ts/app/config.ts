// The device's configuration. Two forms, one parser:
//  - the ENROLLED config, which `homewire enroll` sends over the console and the device keeps in
//    its store beside the key it made itself (ts/app/identity.ts). The host CLI checks it with
//    parseEnrolledConfig before sending; the device checks it again with the same function.
//  - the DEVICE config = privateKey + the enrolled fields, for endpoints whose key is given to
//    them (the Node endpoint in tests and tools).
// Everything is checked here, once, so the core receives typed values; every error is a
// TypeError that starts with the field's path ("peer.endpoint: ...") and never quotes a key or
// a password.
//
// {
//   "privateKey": "<base64>",            device config only: required, 32 bytes
//   "address": "10.77.0.2/32",           required, the device's tunnel address with prefix, or a
//                                        list of two, one IPv4 and one IPv6 (["10.77.0.2/32", "fd77::2/128"])
//   "listenPort": 51820,                 optional, 1..65535
//   "dns": ["192.168.1.1"],              enrolled config only, optional: up to 3 DNS servers (IPv4 or
//                                        IPv6) the board asks for a peer endpoint given as a name
//   "peer": {
//     "publicKey": "<base64>",           required
//     "presharedKey": "<base64>",        optional
//     "endpoint": "192.0.2.1:51820",     optional, IPv4:port, [IPv6]:port or name:port
//     "resolveIntervalSeconds": 300,     enrolled config only, optional, 30..86400: how often a name
//                                        endpoint is looked up again while all is well
//     "allowedIps": ["10.77.0.0/24"],    required, at least one CIDR
//     "persistentKeepalive": 25          optional, seconds, 0..65535, 0 = off
//   },
//   "app": {...},                        enrolled config only, optional: the sensor app (sensor.ts)
//   "wifi": {"ssid": "...", "password": "..."}   enrolled config only, optional: boards with Wi-Fi
// }

import { decodeKey } from "../wireguard/base64";
import { formatIp, parseCidr, parseIp } from "../wireguard/allowedips";
import { isZero } from "../wireguard/bytes";
import type { Address } from "../platform/platform";
import type { DeviceConfig } from "../wireguard/device";
import { sensorOptionsFrom } from "./sensor";
import type { SensorOptions } from "./sensor";

export var DEFAULT_LISTEN_PORT = 51820;

export interface InterfaceAddress {
  version: 4 | 6;
  /** The host address itself (not masked), 4 or 16 bytes. */
  bytes: Uint8Array;
  /** Its text, normalized (IPv6 compressed, lowercase). */
  ip: string;
  prefix: number;
}

/** The interface settings and the peer, common to both forms. */
export interface InterfaceConfig {
  /** The device's tunnel addresses: one, or one of each family (IPv4 first if both). */
  addresses: InterfaceAddress[];
  listenPort: number;
  peer: {
    publicKey: Uint8Array;
    presharedKey: Uint8Array | null;
    endpoint: Address | null;
    allowedIps: string[];
    /** Seconds; 0 = off. */
    persistentKeepalive: number;
  };
}

/** What parseDeviceConfig returns: the DeviceConfig the core's Device takes, plus the
 *  interface settings the runtime needs (tunnel address, UDP port). */
export interface ParsedDeviceConfig extends DeviceConfig, InterfaceConfig {
  privateKey: Uint8Array;
  peer: InterfaceConfig["peer"];
}

export interface WifiCredentials {
  ssid: string;
  password: string;
}

/** What parseEnrolledConfig returns. */
export interface EnrolledConfig extends InterfaceConfig {
  peer: InterfaceConfig["peer"] & {
    /** Seconds between lookups of an endpoint given as a name, while all is well. */
    resolveIntervalSeconds: number;
  };
  /** DNS servers (normalized addresses) for an endpoint given as a name; empty = the board's own
   *  (an ESP32's from its DHCP lease; the host and QEMU boards have none). */
  dns: string[];
  /** The sensor app's options, or null: the tunnel only. */
  app: SensorOptions | null;
  /** Station credentials for boards with Wi-Fi, or null. */
  wifi: WifiCredentials | null;
}

/** The fields of the enrolled form (also what identity.ts stores). */
export var ENROLLED_FIELDS = ["address", "listenPort", "dns", "peer", "app", "wifi"];

/** How often a name endpoint is looked up again by default, and the range a config may choose
 *  (endpointname.ts keeps to it; a day at most, so a moved home is found within a day even when
 *  no handshake fails). */
export var DEFAULT_RESOLVE_INTERVAL_SECONDS = 300;
export var MIN_RESOLVE_INTERVAL_SECONDS = 30;
export var MAX_RESOLVE_INTERVAL_SECONDS = 86400;
/** DNS servers a config may list (lwIP's table on the boards holds 3). */
export var MAX_DNS_SERVERS = 3;

function fail(field: string, message: string): never {
  throw new TypeError(field + ": " + message);
}

function isPlainObject(v: unknown): v is { [k: string]: unknown } {
  return typeof v === "object" && v !== null && !(v instanceof Array);
}

function checkKnownFields(obj: { [k: string]: unknown }, known: string[], where: string): void {
  var keys = Object.keys(obj);
  for (var i = 0; i < keys.length; i++) {
    if (known.indexOf(keys[i]) < 0) fail(where + keys[i], "unknown field (expected one of " + known.join(", ") + ")");
  }
}

function integerIn(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== "number" || v !== Math.floor(v)) fail(field, "expected an integer, got " + JSON.stringify(v));
  var n = v as number;
  if (n < min || n > max) fail(field, n + " out of range " + min + ".." + max);
  return n;
}

function key(v: unknown, field: string): Uint8Array {
  var k = decodeKey(v as string, field);
  if (isZero(k)) fail(field, "all-zero key");
  return k;
}

var HOST_NAME = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;

/** A DNS host name: RFC 1123 labels, at most 253 characters, not all digits ("1.2.3.999" is a
 *  broken IPv4 address, not a name). */
export function isHostName(text: string): boolean {
  return text.length <= 254 && HOST_NAME.test(text) && /[A-Za-z]/.test(text);
}

/** Parses "1.2.3.4:51820", "[fd00::1]:51820" or "home.example.org:51820" (a name is looked up
 *  up beside the device, see ts/wireguard/endpointname.ts). Exported for the CLI, which takes the same form. */
export function parseEndpoint(text: unknown, field: string): Address {
  if (typeof text !== "string") fail(field, "expected \"IPv4:port\" or \"[IPv6]:port\"");
  var s = text as string;
  var host: string, portText: string;
  if (s.charAt(0) === "[") {
    var close = s.indexOf("]");
    if (close < 0 || s.charAt(close + 1) !== ":") fail(field, "expected \"[IPv6]:port\", got \"" + s + "\"");
    host = s.substring(1, close);
    portText = s.substring(close + 2);
    var v6 = parseIp(host);
    if (!v6 || v6.length !== 16) fail(field, "\"" + host + "\" is not an IPv6 address");
    host = formatIp(v6 as Uint8Array);
  } else {
    var colon = s.lastIndexOf(":");
    if (colon < 0) fail(field, "missing \":port\" in \"" + s + "\"");
    host = s.substring(0, colon);
    portText = s.substring(colon + 1);
    if (host.indexOf(":") >= 0) fail(field, "an IPv6 endpoint needs brackets: \"[" + host + "]:port\"");
    if (!parseIp(host) && !isHostName(host)) fail(field, "\"" + host + "\" is neither an IPv4 address nor a host name");
  }
  if (!/^[0-9]{1,5}$/.test(portText)) fail(field, "bad port \"" + portText + "\"");
  var port = parseInt(portText, 10);
  if (port < 1 || port > 65535) fail(field, "port " + port + " out of range 1..65535");
  return { host: host, port: port };
}

/** Parses the device's own tunnel address, "10.77.0.2/24" (a bare address means /32 or /128). */
export function parseInterfaceAddress(text: unknown, field: string): InterfaceAddress {
  if (typeof text !== "string") fail(field, "expected an address with prefix, e.g. \"10.77.0.2/32\"");
  var s = text as string;
  try {
    parseCidr(s); // validates syntax and prefix range
  } catch (e) {
    fail(field, (e as Error).message);
  }
  var slash = s.indexOf("/");
  var bytes = parseIp(slash < 0 ? s : s.substring(0, slash)) as Uint8Array;
  var prefix = slash < 0 ? bytes.length * 8 : parseInt(s.substring(slash + 1), 10);
  return { version: bytes.length === 4 ? 4 : 6, bytes: bytes, ip: formatIp(bytes), prefix: prefix };
}

/** The device's tunnel addresses: one address with prefix, or a list of one or two, at most one
 *  per family. Returned IPv4 first. */
export function parseInterfaceAddresses(value: unknown, field: string): InterfaceAddress[] {
  if (!(value instanceof Array)) return [parseInterfaceAddress(value, field)];
  var list = value as unknown[];
  if (list.length < 1 || list.length > 2) fail(field, "expected one address, or a list of one IPv4 and one IPv6 address");
  var out: InterfaceAddress[] = [];
  for (var i = 0; i < list.length; i++) out.push(parseInterfaceAddress(list[i], field + "[" + i + "]"));
  if (out.length === 2) {
    if (out[0].version === out[1].version) fail(field, "two IPv" + out[0].version + " addresses: give at most one of each family");
    if (out[0].version === 6) out.reverse();
  }
  return out;
}

/** DNS servers: a list of up to MAX_DNS_SERVERS IPv4/IPv6 addresses, normalized. */
export function parseDnsServers(value: unknown, field: string): string[] {
  if (!(value instanceof Array)) fail(field, "expected a list of DNS server addresses");
  var list = value as unknown[];
  if (list.length > MAX_DNS_SERVERS) fail(field, list.length + " servers; at most " + MAX_DNS_SERVERS);
  var out: string[] = [];
  for (var i = 0; i < list.length; i++) {
    var ip = typeof list[i] === "string" ? parseIp(list[i] as string) : null;
    if (ip === null) fail(field + "[" + i + "]", "expected an IPv4 or IPv6 address, got " + JSON.stringify(list[i]));
    out.push(formatIp(ip as Uint8Array));
  }
  return out;
}

function parseJsonObject(json: string): { [k: string]: unknown } {
  var raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    if (e instanceof SyntaxError) fail("config", "not valid JSON");
    throw e; // not the sender's fault (the engine out of memory): reported as it is
  }
  if (!isPlainObject(raw)) fail("config", "expected a JSON object");
  return raw as { [k: string]: unknown };
}

var PEER_FIELDS = ["publicKey", "presharedKey", "endpoint", "allowedIps", "persistentKeepalive"];

/** The interface and peer fields of either form (peerFields: the peer's fields this form takes). */
function parseInterface(top: { [k: string]: unknown }, peerFields: string[]): InterfaceConfig {
  if (top.address === undefined) fail("address", "required");
  var addresses = parseInterfaceAddresses(top.address, "address");
  var listenPort = top.listenPort === undefined ? DEFAULT_LISTEN_PORT : integerIn(top.listenPort, "listenPort", 1, 65535);

  if (!isPlainObject(top.peer)) fail("peer", top.peer === undefined ? "required" : "expected an object");
  var p = top.peer as { [k: string]: unknown };
  checkKnownFields(p, peerFields, "peer.");

  if (p.publicKey === undefined) fail("peer.publicKey", "required");
  var publicKey = key(p.publicKey, "peer.publicKey");
  var presharedKey = p.presharedKey === undefined || p.presharedKey === null ? null : decodeKey(p.presharedKey as string, "peer.presharedKey");
  var endpoint = p.endpoint === undefined || p.endpoint === null ? null : parseEndpoint(p.endpoint, "peer.endpoint");

  if (!(p.allowedIps instanceof Array)) fail("peer.allowedIps", p.allowedIps === undefined ? "required" : "expected a list of CIDRs");
  var list = p.allowedIps as unknown[];
  if (list.length === 0) fail("peer.allowedIps", "at least one CIDR is needed, or nothing from the peer is delivered");
  var allowedIps: string[] = [];
  for (var i = 0; i < list.length; i++) {
    var field = "peer.allowedIps[" + i + "]";
    if (typeof list[i] !== "string") fail(field, "expected a CIDR string");
    try {
      parseCidr(list[i] as string);
    } catch (e) {
      fail(field, (e as Error).message);
    }
    allowedIps.push(list[i] as string);
  }
  var persistentKeepalive = p.persistentKeepalive === undefined ? 0 : integerIn(p.persistentKeepalive, "peer.persistentKeepalive", 0, 65535);
  return {
    addresses: addresses,
    listenPort: listenPort,
    peer: {
      publicKey: publicKey,
      presharedKey: presharedKey,
      endpoint: endpoint,
      allowedIps: allowedIps,
      persistentKeepalive: persistentKeepalive,
    },
  };
}

/** UTF-8 length of a string (SSIDs are limited in bytes, not characters). */
function utf8Length(s: string): number {
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return n;
}

/** Wi-Fi station credentials: SSID 1..32 bytes; password empty (an open network), a WPA
 *  passphrase of 8..63 printable ASCII characters, or a 64-hex-digit PSK. */
export function parseWifi(value: unknown): WifiCredentials {
  if (!isPlainObject(value)) fail("wifi", "expected {\"ssid\": ..., \"password\": ...}");
  var w = value as { [k: string]: unknown };
  checkKnownFields(w, ["ssid", "password"], "wifi.");
  if (typeof w.ssid !== "string") fail("wifi.ssid", "expected a string of 1..32 bytes");
  var ssidBytes = utf8Length(w.ssid as string);
  if (ssidBytes < 1 || ssidBytes > 32) fail("wifi.ssid", ssidBytes + " bytes; an SSID is 1..32 bytes");
  var password = w.password === undefined ? "" : w.password;
  if (typeof password !== "string") fail("wifi.password", "expected a string");
  var pw = password as string;
  // The message never quotes the password: it is a secret like the keys.
  if (pw !== "" && !/^[\x20-\x7e]{8,63}$/.test(pw) && !/^[0-9a-fA-F]{64}$/.test(pw)) {
    fail("wifi.password", "expected 8..63 printable ASCII characters, 64 hex digits, or empty for an open network");
  }
  return { ssid: w.ssid as string, password: pw };
}

/** Checks an enrolled config, given as JSON text or as a parsed object (what the identity
 *  record holds). Throws a TypeError naming the bad field. */
export function parseEnrolledConfig(config: string | { [k: string]: unknown }): EnrolledConfig {
  var top = typeof config === "string" ? parseJsonObject(config) : config;
  if (!isPlainObject(top)) fail("config", "expected a JSON object");
  if (top.privateKey !== undefined) fail("privateKey", "the device makes its own key: an enrolled config never carries one");
  checkKnownFields(top, ENROLLED_FIELDS, "");
  var base = parseInterface(top, PEER_FIELDS.concat(["resolveIntervalSeconds"]));
  var p = top.peer as { [k: string]: unknown };
  var interval = p.resolveIntervalSeconds === undefined ? DEFAULT_RESOLVE_INTERVAL_SECONDS
    : integerIn(p.resolveIntervalSeconds, "peer.resolveIntervalSeconds", MIN_RESOLVE_INTERVAL_SECONDS, MAX_RESOLVE_INTERVAL_SECONDS);
  var peer = base.peer;
  var app = top.app === undefined || top.app === null ? null : sensorOptionsFrom(top.app);
  // A wake resumes the kept session at once: there is no time to look a name up first.
  if (app && app.sleepMs > 0 && peer.endpoint !== null && parseIp(peer.endpoint.host) === null)
    fail("app.sleepMs", "the deep-sleep mode needs peer.endpoint as an IP address, not a host name");
  return {
    addresses: base.addresses,
    listenPort: base.listenPort,
    dns: top.dns === undefined || top.dns === null ? [] : parseDnsServers(top.dns, "dns"),
    peer: {
      publicKey: peer.publicKey, presharedKey: peer.presharedKey, endpoint: peer.endpoint, allowedIps: peer.allowedIps,
      persistentKeepalive: peer.persistentKeepalive, resolveIntervalSeconds: interval,
    },
    app: app,
    wifi: top.wifi === undefined || top.wifi === null ? null : parseWifi(top.wifi),
  };
}

/** Parses and validates the device config JSON (privateKey + interface + peer). Throws a
 *  TypeError naming the bad field. */
export function parseDeviceConfig(json: string): ParsedDeviceConfig {
  var top = parseJsonObject(json);
  checkKnownFields(top, ["privateKey", "address", "listenPort", "peer"], "");
  if (top.privateKey === undefined) fail("privateKey", "required");
  var privateKey = key(top.privateKey, "privateKey");
  var base = parseInterface(top, PEER_FIELDS);
  return { privateKey: privateKey, addresses: base.addresses, listenPort: base.listenPort, peer: base.peer };
}
