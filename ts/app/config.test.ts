import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDeviceConfig, parseEndpoint, parseEnrolledConfig } from "./config.ts";

const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");
const KEY_C = Buffer.alloc(32, 3).toString("base64");

function base(): any {
  return {
    privateKey: KEY_A,
    address: "10.77.0.2/32",
    listenPort: 51821,
    peer: { publicKey: KEY_B, presharedKey: KEY_C, endpoint: "192.0.2.1:51820", allowedIps: ["10.77.0.0/24", "fd00:77::/64"], persistentKeepalive: 25 },
  };
}

function rejects(mutate: (c: any) => void, field: string, detail?: RegExp): void {
  const c = base();
  mutate(c);
  assert.throws(
    () => parseDeviceConfig(JSON.stringify(c)),
    (e: unknown) => e instanceof TypeError && e.message.startsWith(field + ": ") && (!detail || detail.test(e.message)),
    `expected a TypeError naming ${field}`,
  );
}

test("a full config parses into typed values", () => {
  const c = parseDeviceConfig(JSON.stringify(base()));
  assert.deepEqual(c.privateKey, new Uint8Array(32).fill(1));
  assert.deepEqual(c.addresses, [{ version: 4, bytes: new Uint8Array([10, 77, 0, 2]), ip: "10.77.0.2", prefix: 32 }]);
  assert.equal(c.listenPort, 51821);
  assert.deepEqual(c.peer.publicKey, new Uint8Array(32).fill(2));
  assert.deepEqual(c.peer.presharedKey, new Uint8Array(32).fill(3));
  assert.deepEqual(c.peer.endpoint, { host: "192.0.2.1", port: 51820 });
  assert.deepEqual(c.peer.allowedIps, ["10.77.0.0/24", "fd00:77::/64"]);
  assert.equal(c.peer.persistentKeepalive, 25);
});

test("optional fields take their defaults", () => {
  const c = parseDeviceConfig(JSON.stringify({ privateKey: KEY_A, address: "fd00:77::2/64", peer: { publicKey: KEY_B, allowedIps: ["fd00:77::1"] } }));
  assert.equal(c.listenPort, 51820);
  assert.equal(c.peer.presharedKey, null);
  assert.equal(c.peer.endpoint, null, "no endpoint: the device waits for the peer");
  assert.equal(c.peer.persistentKeepalive, 0);
  assert.equal(c.addresses.length, 1);
  assert.equal(c.addresses[0].ip, "fd00:77::2");
  assert.equal(c.addresses[0].prefix, 64);
});

test("endpoint forms: IPv4:port and [IPv6]:port, normalized", () => {
  assert.deepEqual(parseEndpoint("[FD00:0:0::1]:443", "e"), { host: "fd00::1", port: 443 });
  assert.deepEqual(parseEndpoint("127.0.0.1:1", "e"), { host: "127.0.0.1", port: 1 });
  assert.deepEqual(parseEndpoint("127.0.0.1:65535", "e"), { host: "127.0.0.1", port: 65535 });
});

test("an endpoint may be a host name (looked up beside the device)", () => {
  const c = base();
  c.peer.endpoint = "home.example.net:51820";
  assert.deepEqual(parseDeviceConfig(JSON.stringify(c)).peer.endpoint, { host: "home.example.net", port: 51820 });
  c.peer.endpoint = "Home-1.example.NET.:443";
  assert.deepEqual(parseDeviceConfig(JSON.stringify(c)).peer.endpoint, { host: "Home-1.example.NET.", port: 443 });
});

test("every bad field is refused with a TypeError naming it", () => {
  rejects((c) => (c.peer.endpoint = "192.0.2.1:70000"), "peer.endpoint", /port 70000 out of range 1\.\.65535/);
  rejects((c) => (c.peer.endpoint = "192.0.2.1:0"), "peer.endpoint", /out of range/);
  rejects((c) => (c.peer.endpoint = "192.0.2.1"), "peer.endpoint", /missing ":port"/);
  rejects((c) => (c.peer.endpoint = "fd00::1:51820"), "peer.endpoint", /brackets/);
  rejects((c) => (c.peer.endpoint = "[fd00::1]51820"), "peer.endpoint");
  rejects((c) => (c.peer.endpoint = "[10.0.0.1]:51820"), "peer.endpoint", /not an IPv6/);
  rejects((c) => (c.peer.endpoint = "home_example.net:51820"), "peer.endpoint", /neither an IPv4 address nor a host name/);
  rejects((c) => (c.peer.endpoint = "192.0.2.300:51820"), "peer.endpoint", /neither an IPv4 address nor a host name/);
  rejects((c) => (c.peer.endpoint = "192.0.2.1:51a"), "peer.endpoint", /bad port/);
  rejects((c) => (c.peer.endpoint = 51820), "peer.endpoint");
  rejects((c) => (c.listenPort = 0), "listenPort", /out of range 1\.\.65535/);
  rejects((c) => (c.listenPort = 65536), "listenPort");
  rejects((c) => (c.listenPort = 1.5), "listenPort", /integer/);
  rejects((c) => (c.listenPort = "51820"), "listenPort", /integer/);
  rejects((c) => delete c.privateKey, "privateKey", /required/);
  rejects((c) => (c.privateKey = KEY_A.slice(0, 40) + "===="), "privateKey");
  rejects((c) => (c.privateKey = Buffer.alloc(31, 1).toString("base64")), "privateKey", /31 bytes/);
  rejects((c) => (c.privateKey = Buffer.alloc(32).toString("base64")), "privateKey", /all-zero/);
  rejects((c) => (c.peer.publicKey = "not base64!"), "peer.publicKey");
  rejects((c) => delete c.peer.publicKey, "peer.publicKey", /required/);
  rejects((c) => (c.peer.presharedKey = "AAAA"), "peer.presharedKey", /3 bytes/);
  rejects((c) => delete c.address, "address", /required/);
  rejects((c) => (c.address = "10.77.0.2/33"), "address", /out of range/);
  rejects((c) => (c.address = "10.77.0/24"), "address");
  rejects((c) => (c.peer.allowedIps = []), "peer.allowedIps", /at least one/);
  rejects((c) => delete c.peer.allowedIps, "peer.allowedIps", /required/);
  rejects((c) => (c.peer.allowedIps = "10.0.0.0/8"), "peer.allowedIps", /list/);
  rejects((c) => (c.peer.allowedIps = ["10.0.0.0/8", "10.0.0.0/40"]), "peer.allowedIps[1]", /out of range/);
  rejects((c) => (c.peer.allowedIps = ["10.0.0.0/8", 7]), "peer.allowedIps[1]", /CIDR string/);
  rejects((c) => (c.peer.persistentKeepalive = 65536), "peer.persistentKeepalive", /0\.\.65535/);
  rejects((c) => (c.peer.persistentKeepalive = -1), "peer.persistentKeepalive");
  rejects((c) => delete c.peer, "peer", /required/);
  rejects((c) => (c.peer = [1]), "peer", /object/);
  rejects((c) => (c.persistentKeepalive = 25), "persistentKeepalive", /unknown field/);
  rejects((c) => (c.peer.persistentKeepAlive = 25), "peer.persistentKeepAlive", /unknown field/);
});

test("non-JSON and non-objects are refused as 'config'", () => {
  for (const text of ["", "{", "[]", "null", "42", "\"x\""]) {
    assert.throws(() => parseDeviceConfig(text), (e: unknown) => e instanceof TypeError && e.message.startsWith("config: "), text);
  }
});

test("errors never quote key material", () => {
  const secret = Buffer.alloc(31, 0xab).toString("base64");
  const c = base();
  c.privateKey = secret;
  assert.throws(() => parseDeviceConfig(JSON.stringify(c)), (e: unknown) => e instanceof TypeError && !e.message.includes(secret.slice(0, 8)));
});

test("the enrolled config: the same fields without privateKey, plus app and wifi, checked by the same parser", () => {
  const { privateKey: _omit, ...enrolled } = base();
  const c = parseEnrolledConfig(JSON.stringify({ ...enrolled, app: { collector: "10.77.0.1:9999", name: "s1" }, wifi: { ssid: "home", password: "correct horse" } }));
  assert.equal(c.listenPort, 51821);
  assert.deepEqual(c.peer.endpoint, { host: "192.0.2.1", port: 51820 });
  assert.deepEqual(c.app, { collector: { host: "10.77.0.1", port: 9999 }, name: "s1", readingIntervalMs: 5000, statusIntervalMs: 10000, sleepMs: 0 });
  assert.deepEqual(c.wifi, { ssid: "home", password: "correct horse" });
  const bare = parseEnrolledConfig({ address: "10.77.0.2/32", peer: { publicKey: KEY_B, allowedIps: ["10.77.0.1/32"] } });
  assert.equal(bare.app, null, "no app: the tunnel only");
  assert.equal(bare.wifi, null);
  // Open networks, passphrases and raw PSKs; SSIDs counted in bytes.
  for (const password of ["", "12345678", "x".repeat(63), "ab".repeat(32)]) assert.equal(parseEnrolledConfig({ ...bare0(), wifi: { ssid: "n", password } }).wifi!.password, password);
  assert.equal(parseEnrolledConfig({ ...bare0(), wifi: { ssid: "é".repeat(16) } }).wifi!.password, "");
});

function bare0(): any {
  return { address: "10.77.0.2/32", peer: { publicKey: KEY_B, allowedIps: ["10.77.0.1/32"] } };
}

test("the enrolled config refuses a private key, unknown fields and bad app or wifi values, naming the field", () => {
  const refuse = (c: any, field: string, detail?: RegExp) => assert.throws(() => parseEnrolledConfig(c),
    (e: unknown) => e instanceof TypeError && e.message.startsWith(field + ": ") && (!detail || detail.test(e.message)), field);
  refuse({ ...bare0(), privateKey: KEY_A }, "privateKey", /makes its own key/);
  refuse({ ...bare0(), extra: 1 }, "extra", /unknown field/);
  refuse({ ...bare0(), app: { collector: "10.77.0.1:9999", color: "red" } }, "app.color", /unknown field/);
  refuse({ ...bare0(), app: { collector: "10.77.0.1:9999", readingIntervalMs: 50 } }, "app.readingIntervalMs");
  refuse({ ...bare0(), app: { collector: "10.77.0.1:9999", sleepMs: 500 } }, "app.sleepMs");
  refuse({ ...bare0(), app: { collector: "10.77.0.1:9999", sleepMs: "5s" } }, "app.sleepMs");
  refuse({ ...bare0(), peer: { ...bare0().peer, endpoint: "home.example.net:51820" }, app: { collector: "10.77.0.1:9999", sleepMs: 5000 } }, "app.sleepMs");
  refuse({ ...bare0(), wifi: { ssid: "" } }, "wifi.ssid");
  refuse({ ...bare0(), wifi: { ssid: "é".repeat(17) } }, "wifi.ssid", /1\.\.32 bytes/);
  refuse({ ...bare0(), wifi: { ssid: "n", password: "short" } }, "wifi.password");
  refuse({ ...bare0(), wifi: { ssid: "n", password: "g".repeat(64) } }, "wifi.password");
  refuse({ ...bare0(), wifi: { ssid: "n", password: "secret\u0007pw" } }, "wifi.password");
  refuse({ ...bare0(), wifi: { ssid: "n", pass: "x" } }, "wifi.pass", /unknown field/);
  refuse("{", "config", /not valid JSON/);
  assert.throws(() => parseEnrolledConfig({ ...bare0(), wifi: { ssid: "n", password: "hunter2-secret\u0001" } }), (e: Error) => !e.message.includes("hunter2"));
});

test("the enrolled config: home by name, DNS servers and the lookup interval; both tunnel address families", () => {
  const c = parseEnrolledConfig({ ...bare0(), dns: ["192.168.77.53", "FD00:77::0035"], peer: { publicKey: KEY_B, endpoint: "home.homewire.test:51820", resolveIntervalSeconds: 60, allowedIps: ["10.77.0.1/32"] } });
  assert.deepEqual(c.peer.endpoint, { host: "home.homewire.test", port: 51820 }, "a name is no longer refused: the board looks it up");
  assert.deepEqual(c.dns, ["192.168.77.53", "fd00:77::35"], "servers normalized");
  assert.equal(c.peer.resolveIntervalSeconds, 60);
  const d = parseEnrolledConfig(bare0());
  assert.deepEqual(d.dns, [], "no servers: the board's own");
  assert.equal(d.peer.resolveIntervalSeconds, 300, "every 5 minutes by default");
  for (const s of [30, 86400]) assert.equal(parseEnrolledConfig({ ...bare0(), peer: { ...bare0().peer, resolveIntervalSeconds: s } }).peer.resolveIntervalSeconds, s);
  // One address, or one of each family (IPv4 first, whatever the order given).
  const two = parseEnrolledConfig({ ...bare0(), address: ["fd77::2/64", "10.77.0.2/24"] });
  assert.deepEqual(two.addresses.map((a) => `${a.ip}/${a.prefix}`), ["10.77.0.2/24", "fd77::2/64"]);
  assert.deepEqual(parseEnrolledConfig({ ...bare0(), address: ["fd77::2"] }).addresses.map((a) => `${a.ip}/${a.prefix}`), ["fd77::2/128"]);
});

test("the enrolled config refuses bad DNS, interval and address lists, naming the field", () => {
  const refuse = (c: any, field: string, detail?: RegExp) => assert.throws(() => parseEnrolledConfig(c),
    (e: unknown) => e instanceof TypeError && e.message.startsWith(field + ": ") && (!detail || detail.test(e.message)), field);
  const peer = bare0().peer;
  refuse({ ...bare0(), dns: "192.168.77.53" }, "dns", /list/);
  refuse({ ...bare0(), dns: ["192.168.77.53", "home.example"] }, "dns[1]", /IPv4 or IPv6 address/);
  refuse({ ...bare0(), dns: ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"] }, "dns", /at most 3/);
  refuse({ ...bare0(), peer: { ...peer, resolveIntervalSeconds: 29 } }, "peer.resolveIntervalSeconds", /out of range 30\.\.86400/);
  refuse({ ...bare0(), peer: { ...peer, resolveIntervalSeconds: 86401 } }, "peer.resolveIntervalSeconds", /out of range/);
  refuse({ ...bare0(), peer: { ...peer, resolveIntervalSeconds: 60.5 } }, "peer.resolveIntervalSeconds", /integer/);
  refuse({ ...bare0(), address: [] }, "address", /one IPv4 and one IPv6/);
  refuse({ ...bare0(), address: ["10.77.0.2/32", "10.77.0.3/32"] }, "address", /two IPv4 addresses/);
  refuse({ ...bare0(), address: ["10.77.0.2/32", "fd77::2/129"] }, "address[1]", /out of range/);
  refuse({ ...bare0(), address: ["10.77.0.2/32", "fd77::2", "fd77::3"] }, "address", /one IPv4 and one IPv6/);
  // The device config (keys given, the Node endpoint) keeps its own fields: no dns there.
  assert.throws(() => parseDeviceConfig(JSON.stringify({ ...base(), dns: ["1.1.1.1"] })), /dns: unknown field/);
  assert.throws(() => parseDeviceConfig(JSON.stringify({ ...base(), peer: { ...base().peer, resolveIntervalSeconds: 60 } })), /peer.resolveIntervalSeconds: unknown field/);
});
