// The device identity: a key born from the board's RNG, kept with the enrolled config in one
// store value; enrolment is all or nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IDENTITY_KEY, enroll, enrolledConfig, loadIdentity, newIdentity, saveIdentity } from "./identity.ts";
import { nobleCrypto } from "../platform/node/crypto.ts";
import type { Random, Store } from "../platform/platform.ts";

const HOME = Buffer.alloc(32, 2).toString("base64");
const PSK = Buffer.alloc(32, 3).toString("base64");

function memoryStore(failPut = false): Store & { data: Map<string, string>; puts: number } {
  const data = new Map<string, string>();
  return {
    data,
    puts: 0,
    get(k) { return data.get(k) ?? null; },
    put(k, v) {
      if (failPut) throw new Error("storePut: the board's store failed to write identity");
      this.puts++;
      data.set(k, v);
    },
  };
}

function counterRandom(): Random {
  let n = 1;
  return { randomBytes: (len) => new Uint8Array(len).map(() => (n++ * 37) & 0xff) };
}

const config = (extra: Record<string, unknown> = {}) => ({
  address: "10.77.0.2/24",
  peer: { publicKey: HOME, presharedKey: PSK, endpoint: "192.0.2.1:51820", allowedIps: ["10.77.0.1/32"] },
  app: { collector: "10.77.0.1:9999", name: "s1" },
  ...extra,
});

test("newIdentity: 32 random bytes, clamped as X25519 keys are, and its public key", () => {
  const id = newIdentity(counterRandom(), nobleCrypto);
  assert.equal(id.privateKey.length, 32);
  assert.equal(id.privateKey[0] & 7, 0);
  assert.equal(id.privateKey[31] & 0xc0, 0x40);
  assert.deepEqual(id.publicKey, nobleCrypto.x25519Base(id.privateKey));
  assert.equal(id.config, null, "a new device is not enrolled");
  assert.throws(() => newIdentity({ randomBytes: (n) => new Uint8Array(n) }, nobleCrypto), /identity: the board's RNG gave no key material/);
});

test("save and load: one store value; a blank store has none; the key comes back", () => {
  const store = memoryStore();
  assert.equal(loadIdentity(store, nobleCrypto), null);
  const id = newIdentity(counterRandom(), nobleCrypto);
  saveIdentity(store, id);
  assert.deepEqual([...store.data.keys()], [IDENTITY_KEY]);
  const back = loadIdentity(store, nobleCrypto)!;
  assert.deepEqual(back.privateKey, id.privateKey);
  assert.deepEqual(back.publicKey, id.publicKey);
  assert.equal(back.config, null);
});

test("a stored record that cannot be read is an error, never silently replaced by a new key", () => {
  for (const [text, why] of [["{", /not valid JSON/], ['{"v":2,"privateKey":"x"}', /unknown version/], ['{"v":1}', /no key/],
    ['{"v":1,"privateKey":"AAAA"}', /not 32 bytes/], [`{"v":1,"privateKey":"${Buffer.alloc(32).toString("base64")}"}`, /not 32 bytes/],
    [`{"v":1,"privateKey":"${Buffer.alloc(32, 9).toString("base64")}","config":[1]}`, /config is not an object/]] as const) {
    const store = memoryStore();
    store.data.set(IDENTITY_KEY, text);
    assert.throws(() => loadIdentity(store, nobleCrypto), (e: Error) => e instanceof TypeError && why.test(e.message) && e.message.startsWith("identity: "), text);
  }
});

test("enroll: checks with the config parser, stores key and config in one put, keeps the key", () => {
  const store = memoryStore();
  const id = newIdentity(counterRandom(), nobleCrypto);
  saveIdentity(store, id);
  const before = store.puts;
  const next = enroll(store, counterRandom(), nobleCrypto, id, JSON.stringify(config()));
  assert.equal(store.puts, before + 1, "one put");
  assert.deepEqual(next.privateKey, id.privateKey, "the key is kept");
  const loaded = loadIdentity(store, nobleCrypto)!;
  const c = enrolledConfig(loaded)!;
  assert.equal(c.addresses[0].ip, "10.77.0.2");
  assert.deepEqual(c.app!.collector, { host: "10.77.0.1", port: 9999 });
  assert.deepEqual(loaded.privateKey, id.privateKey);
  // Enrolling again with other options keeps the key too; newKey makes a new one.
  const again = enroll(store, counterRandom(), nobleCrypto, loaded, JSON.stringify(config({ listenPort: 51821 })));
  assert.deepEqual(again.privateKey, id.privateKey);
  const fresh = enroll(store, { randomBytes: (n) => new Uint8Array(n).fill(0x42) }, nobleCrypto, again, JSON.stringify({ ...config(), newKey: true }));
  assert.notDeepEqual(fresh.publicKey, id.publicKey);
  assert.deepEqual(loadIdentity(store, nobleCrypto)!.publicKey, fresh.publicKey);
  assert.equal((loadIdentity(store, nobleCrypto)!.config as any).newKey, undefined, "newKey is a request, not config");
});

test("enroll: a refused field, bad JSON, a failing store or a record too large leave the old identity whole", () => {
  const store = memoryStore();
  const id = newIdentity(counterRandom(), nobleCrypto);
  saveIdentity(store, id);
  const enrolled = enroll(store, counterRandom(), nobleCrypto, id, JSON.stringify(config()));
  const before = store.data.get(IDENTITY_KEY);
  const cases: [string, RegExp][] = [
    [JSON.stringify(config({ peer: { publicKey: HOME, endpoint: "192.0.2.1:70000", allowedIps: ["10.77.0.1/32"] } })), /^peer\.endpoint: port 70000 out of range/],
    [JSON.stringify(config({ privateKey: HOME })), /^privateKey: the device makes its own key/],
    [JSON.stringify(config({ wifi: { ssid: "home", password: "short" } })), /^wifi\.password: expected 8\.\.63/],
    [JSON.stringify(config({ app: { collector: "nowhere" } })), /^app\.collector: /],
    [JSON.stringify({ ...config(), newKey: "yes" }), /^newKey: expected true or false/],
    ["{not json", /^config: not valid JSON/],
    ["[]", /^config: expected a JSON object/],
    [JSON.stringify(config({ peer: { publicKey: HOME, allowedIps: Array.from({ length: 200 }, (_, i) => `10.${i}.0.0/16`) } })), /^identity: too large for the store/],
  ];
  for (const [json, why] of cases) {
    assert.throws(() => enroll(store, counterRandom(), nobleCrypto, enrolled, json), (e: Error) => why.test(e.message), json.slice(0, 60));
    assert.equal(store.data.get(IDENTITY_KEY), before, "the stored identity is untouched");
  }
  assert.throws(() => enroll(memoryStore(true), counterRandom(), nobleCrypto, enrolled, JSON.stringify(config({ listenPort: 1 }))), /store failed/);
});

test("enroll: a config the image cannot run (canRun throws) is refused before anything is stored", () => {
  const store = memoryStore();
  const id = newIdentity(counterRandom(), nobleCrypto);
  saveIdentity(store, id);
  const before = store.data.get(IDENTITY_KEY);
  const noSleep = (c: { app: { sleepMs: number } | null }) => {
    if (c.app && c.app.sleepMs > 0) throw new TypeError("app.sleepMs: this firmware image has no deep-sleep mode");
  };
  const json = JSON.stringify(config({ app: { collector: "10.77.0.1:9999", sleepMs: 5000 } }));
  assert.throws(() => enroll(store, counterRandom(), nobleCrypto, id, json, noSleep), (e: Error) => /^app\.sleepMs: this firmware image/.test(e.message));
  assert.equal(store.data.get(IDENTITY_KEY), before, "the stored identity is untouched");
  const ok = enroll(store, counterRandom(), nobleCrypto, id, JSON.stringify(config()), noSleep);
  assert.notEqual(store.data.get(IDENTITY_KEY), before);
  assert.equal(enrolledConfig(ok)!.app!.sleepMs, 0);
});

test("errors never quote a key, a PSK or a Wi-Fi password", () => {
  const store = memoryStore();
  const id = newIdentity(counterRandom(), nobleCrypto);
  const secret = "correct horse battery"; // a valid passphrase, so make it fail elsewhere
  const attempts = [
    config({ wifi: { ssid: "", password: secret } }),
    config({ wifi: { ssid: "x", password: "\u0001" + secret } }),
    config({ peer: { publicKey: HOME, presharedKey: PSK.slice(0, 20), allowedIps: ["10.77.0.1/32"] } }),
  ];
  for (const c of attempts) {
    let message = "";
    try {
      enroll(store, counterRandom(), nobleCrypto, id, JSON.stringify(c));
    } catch (e) {
      message = (e as Error).message;
    }
    assert.ok(message, "refused");
    for (const s of [secret, PSK.slice(0, 20), Buffer.from(id.privateKey).toString("base64").slice(0, 12)]) assert.ok(!message.includes(s), message);
  }
});
