// Deep-sleep resume in the core: the session record (session.ts) and Device.exportSession /
// importSession on a fake clock. A = the sensor that sleeps (every wake is a new Device: RAM
// off), B = home, which keeps running and must see one handshake for many wakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nobleCrypto as c } from "../platform/node/crypto.ts";
import { MemoryStore } from "../platform/node/store.ts";
import { MemoryRetained } from "../platform/node/retained.ts";
import type { Crypto } from "../platform/platform.ts";
import { makePair, makeNode, ipv4Packet, FakeClock, INNER_A, INNER_B, ADDRESS_A, ADDRESS_B, type Pair, type Node } from "./harness.test.ts";
import { RestoredReplayWindow, SESSION_SIZE, SESSION_VERSION, decodeSession, encodeSession, sessionTagKey, type SessionState } from "./session.ts";
import { SensorDevice } from "./sensordevice.ts";
import type { DeviceConfig } from "./device.ts";
import type { Platform } from "../platform/platform.ts";
import { ReplayWindow } from "./replay.ts";
import { REJECT_AFTER_TIME, REKEY_AFTER_TIME } from "./constants.ts";
import { toHex } from "./bytes.ts";

const typeOf = (b: Uint8Array) => b[0];
const resumable = (config: DeviceConfig, platform: Platform) => new SensorDevice(config, platform);
const rd = (n: Node) => n.device as SensorDevice;

function sampleState(over: Partial<SessionState> = {}): SessionState {
  return {
    isInitiator: true, sentLastMinuteHandshake: false, endpoint: { host: "192.0.2.9", port: 51820 },
    localIndex: 0xdeadbeef, remoteIndex: 7, sendKey: new Uint8Array(32).fill(1), recvKey: new Uint8Array(32).fill(2),
    savedAtMs: 123456789, savedAtWallMs: 1700000000123, created: 123400000, sendCounter: 2 ** 40 + 5, recvWindowTop: 77,
    lastHandshakeMs: 123400000, lastSentHandshake: null, zeroKeysAt: 123400000 + 540000, persistentAt: null, ...over,
  };
}

test("session record: fixed 172 bytes (fits a 256-byte retained region), every field round-trips", () => {
  const key = sessionTagKey(c, new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
  assert.equal(SESSION_SIZE, 172);
  for (const over of [{}, { endpoint: { host: "2001:db8::1", port: 443 }, isInitiator: false, sentLastMinuteHandshake: true, savedAtWallMs: null, lastSentHandshake: 5, persistentAt: 0 }, { endpoint: null, recvWindowTop: 0, lastHandshakeMs: null, zeroKeysAt: null }]) {
    const s = sampleState(over);
    const b = encodeSession(c, key, s);
    assert.equal(b.length, SESSION_SIZE);
    assert.equal(b[0], SESSION_VERSION);
    assert.deepEqual(decodeSession(c, key, b), s);
  }
});

test("session record: corruption, another device's or peer's record, an old version and an erased region are refused", () => {
  const key = sessionTagKey(c, new Uint8Array(32).fill(3), new Uint8Array(32).fill(4));
  const b = encodeSession(c, key, sampleState());
  for (let bit = 8; bit < b.length * 8; bit += 7) {
    const x = b.slice();
    x[bit >> 3] ^= 1 << (bit & 7);
    assert.equal(decodeSession(c, key, x), "bad-tag", `bit ${bit}`);
  }
  assert.equal(decodeSession(c, sessionTagKey(c, new Uint8Array(32).fill(3), new Uint8Array(32).fill(5)), b), "bad-tag", "another peer");
  const v2 = b.slice();
  v2[0] = 2;
  assert.equal(decodeSession(c, key, v2), "bad-version");
  assert.equal(decodeSession(c, key, null), "empty");
  assert.equal(decodeSession(c, key, new Uint8Array(0)), "empty");
  assert.equal(decodeSession(c, key, new Uint8Array(SESSION_SIZE)), "empty");
  assert.equal(decodeSession(c, key, b.subarray(0, 100)), "bad-size");
  // A valid tag over values the device must not trust.
  assert.equal(decodeSession(c, key, encodeSession(c, key, sampleState({ created: 200000000 }))), "bad-field", "created after the save");
});

test("RestoredReplayWindow: counters below the kept top are refused, the ones above accepted once", () => {
  for (const top of [1, 31, 32, 33, 100, 2047, 2048, 4096 + 17, 2 ** 40]) {
    const w = new RestoredReplayWindow(top);
    assert.equal(w.top(), top);
    for (const old of [top - 1, top - 2, top - 31, top - 33, top - 2048, top - 5000]) {
      if (old >= 0) assert.equal(w.validateCounter(old), false, `top ${top}: ${old} counts as seen`);
    }
    for (const fresh of [top, top + 1, top + 31, top + 40, top + 3000]) {
      assert.equal(w.validateCounter(fresh), true, `top ${top}: ${fresh} is new`);
      assert.equal(w.validateCounter(fresh), false, `top ${top}: ${fresh} only once`);
    }
  }
  const w = new RestoredReplayWindow(0);
  assert.equal(w.validateCounter(0), true, "top 0: nothing seen");
  const live = new ReplayWindow();
  live.validateCounter(41);
  assert.equal(live.top(), 42);
});

/** The sealing of every transport message A sends, keyed by (key, counter): a nonce used twice
 *  for one key would show up here. */
function nonceLedger(base: Crypto) {
  const used = new Set<string>();
  let reused = 0;
  const crypto: Crypto = {
    ...base,
    aeadSeal(key, counter, plaintext, ad) {
      const id = toHex(key) + ":" + counter;
      if (used.has(id)) reused++;
      used.add(id);
      return base.aeadSeal(key, counter, plaintext, ad);
    },
  };
  return { crypto, used, reused: () => reused };
}

interface Sleeper {
  p: Pair;
  retained: MemoryRetained;
  store: MemoryStore;
  clock: FakeClock;
  ledger: ReturnType<typeof nonceLedger>;
  /** A new Device for A on the same clock, store and retained region: a wake with RAM off. */
  wake(): Node;
}

function sleeper(): Sleeper {
  const retained = new MemoryRetained();
  const store = new MemoryStore();
  const clock = new FakeClock();
  const ledger = nonceLedger(c);
  const p = makePair({ clockA: clock, storeA: store, cryptoA: ledger.crypto });
  // makePair gives B the pair's own clock: keep both on A's.
  p.b.clock = clock;
  p.b = makeNode(p.configB, ADDRESS_B, { clock, seed: 22 });
  p.a = makeNode(p.configA, ADDRESS_A, { clock, store, seed: 11, crypto: ledger.crypto, retained, make: resumable });
  let seed = 100;
  return {
    p, retained, store, clock, ledger,
    wake: () => (p.a = makeNode(p.configA, ADDRESS_A, { clock, store, seed: seed++, crypto: ledger.crypto, retained, make: resumable })),
  };
}

function reading(i: number): Uint8Array {
  return ipv4Packet(INNER_A, INNER_B, new TextEncoder().encode(`{"seq":${i}}`));
}

test("deep sleep: 20 wakes 5 s apart, RAM off in between, 20 readings delivered on one handshake", () => {
  const s = sleeper();
  const { p } = s;
  const sentTypes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const a = i === 0 ? p.a : s.wake();
    const resumed = rd(a).importSession();
    assert.equal(resumed, i === 0 ? "empty" : null, `wake ${i}`);
    a.device.onTunnelPacket(reading(i));
    sentTypes.push(...a.outbox.map((x) => typeOf(x.bytes)));
    p.pump();
    a.device.tick();
    assert.equal(rd(a).exportSession(), SESSION_SIZE, `wake ${i}: session handed over`);
    assert.equal(a.device.status().state, "idle", "forgotten after export");
    s.clock.t += 5000;
    p.b.device.tick();
    p.pump();
  }
  assert.equal(p.b.device.status().handshakes, 1, "home saw one handshake");
  assert.equal(sentTypes.filter((t) => t === 1).length, 1, "one initiation in 20 wakes");
  assert.deepEqual(p.b.delivered.map((x) => new TextDecoder().decode(x.subarray(28))), Array.from({ length: 20 }, (_, i) => `{"seq":${i}}`));
  assert.equal(s.ledger.reused(), 0);
  assert.deepEqual(p.b.device.status().drops, {});
  // 2 writes per wake (erase at import, record at export) and the first wake's export.
  assert.equal(s.retained.writes, 1 + 19 * 2);
});

test("deep sleep: a wake after REJECT_AFTER_TIME handshakes again (the expired record is erased, its keys gone)", () => {
  const s = sleeper();
  const { p } = s;
  p.a.device.onTunnelPacket(reading(0));
  p.pump();
  assert.equal(rd(p.a).exportSession(), SESSION_SIZE);
  s.clock.t += REJECT_AFTER_TIME;
  const a = s.wake();
  assert.equal(rd(a).importSession(), "expired");
  assert.equal(s.retained.read()!.length, 0, "erased");
  a.device.onTunnelPacket(reading(1));
  assert.deepEqual(a.outbox.map((x) => typeOf(x.bytes)), [1], "a handshake, the reading staged");
  p.pump();
  assert.equal(p.b.device.status().handshakes, 2);
  assert.equal(p.b.delivered.length, 2);
  assert.equal(s.ledger.reused(), 0);
});

test("deep sleep: an old session the protocol still allows is used; one past REKEY_AFTER_TIME sends and rekeys", () => {
  const s = sleeper();
  const { p } = s;
  p.a.device.onTunnelPacket(reading(0));
  p.pump();
  rd(p.a).exportSession();
  s.clock.t += REKEY_AFTER_TIME + 1000;
  const a = s.wake();
  assert.equal(rd(a).importSession(), null);
  a.device.onTunnelPacket(reading(1));
  assert.deepEqual(a.outbox.map((x) => typeOf(x.bytes)), [4, 1], "the reading on the resumed keypair, then the initiator's rekey");
  p.pump();
  assert.equal(p.b.delivered.length, 2);
  assert.equal(p.b.device.status().handshakes, 2);
});

test("deep sleep: a crash after resuming (before or after sending) never reuses a nonce: the record was consumed, the next wake handshakes", () => {
  const s = sleeper();
  const { p } = s;
  p.a.device.onTunnelPacket(reading(0));
  p.pump();
  rd(p.a).exportSession();
  s.clock.t += 5000;
  // Wake 1 resumes, sends a reading and a second packet, then dies (watchdog): no export.
  let a = s.wake();
  assert.equal(rd(a).importSession(), null);
  a.device.onTunnelPacket(reading(1));
  a.device.onTunnelPacket(reading(2));
  p.pump();
  s.clock.t += 1000;
  // Wake 2 finds nothing to resume: it must not reuse wake 1's counters, so it handshakes.
  a = s.wake();
  assert.equal(rd(a).importSession(), "empty");
  a.device.onTunnelPacket(reading(3));
  assert.equal(typeOf(a.outbox[0].bytes), 1);
  p.pump();
  // Wake 3 resumes, dies before sending anything; wake 4 handshakes again.
  rd(a).exportSession();
  s.clock.t += 1000;
  a = s.wake();
  assert.equal(rd(a).importSession(), null);
  s.clock.t += 1000;
  a = s.wake();
  assert.equal(rd(a).importSession(), "empty");
  a.device.onTunnelPacket(reading(4));
  p.pump();
  assert.equal(p.b.delivered.length, 5, "every reading arrived");
  assert.equal(s.ledger.reused(), 0, "no (key, counter) sealed twice");
  assert.ok(s.ledger.used.size >= 6);
});

test("deep sleep: packets from home accepted before the sleep are refused as replays after it", () => {
  const s = sleeper();
  const { p } = s;
  p.a.device.onTunnelPacket(reading(0));
  p.pump();
  const fromHome: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    p.b.device.onTunnelPacket(ipv4Packet(INNER_B, INNER_A, 20));
    fromHome.push(...p.b.outbox.map((x) => x.bytes));
    p.pump();
  }
  assert.equal(p.a.delivered.length, 3);
  rd(p.a).exportSession();
  s.clock.t += 5000;
  const a = s.wake();
  assert.equal(rd(a).importSession(), null);
  for (const old of fromHome) a.device.onDatagram(old, ADDRESS_B);
  assert.equal(a.device.status().drops.replay, 3);
  assert.equal(a.delivered.length, 0);
  // New traffic from home on the same keypair still arrives.
  p.b.device.onTunnelPacket(ipv4Packet(INNER_B, INNER_A, 20));
  p.pump();
  assert.equal(a.delivered.length, 1);
});

test("deep sleep: a clock that restarted, a record for another key, a failing region: no resume, and the device handshakes", () => {
  const s = sleeper();
  const { p } = s;
  s.clock.t = 10000;
  p.a.device.onTunnelPacket(reading(0));
  p.pump();
  rd(p.a).exportSession();
  const record = s.retained.read()!;
  // The clock started again from zero (a real reboot, not a sleep).
  let a = makeNode(p.configA, ADDRESS_A, { clock: new FakeClock(), store: s.store, crypto: s.ledger.crypto, retained: s.retained, make: resumable });
  assert.equal(rd(a).importSession(), "clock-went-back");
  assert.equal(s.retained.read()!.length, 0, "erased");
  // The wall clock says 1 h passed, the monotonic clock 5 s: it did not keep counting.
  s.retained.write(record);
  s.clock.t += 5000;
  const wallAtSave = decodeSession(c, sessionTagKey(c, p.keys.publicA, p.keys.publicB), record) as SessionState;
  assert.equal(wallAtSave.savedAtWallMs, null, "the fake clock has no wall clock");
  s.clock.wall = 1700000000000;
  a = s.wake();
  const withWall = rd(a).importSession();
  assert.equal(withWall, null, "no wall clock at save: the monotonic clock is trusted");
  rd(a).exportSession();
  s.clock.t += 5000;
  s.clock.wall! += 3600 * 1000;
  a = s.wake();
  assert.equal(rd(a).importSession(), "clock-mismatch");
  // A record another identity wrote.
  s.retained.write(record);
  const other = makeNode({ ...p.configA, privateKey: new Uint8Array(32).fill(9) }, ADDRESS_A, { clock: s.clock, store: s.store, retained: s.retained, make: resumable });
  assert.equal(rd(other).importSession(), "bad-tag");
  // The region refuses the erase: the record is not resumed (it could be resumed again later).
  s.clock.wall = null;
  s.retained.write(record);
  s.retained.refuse = true;
  a = s.wake();
  assert.equal(rd(a).importSession(), "retained-write-failed");
  assert.equal(a.device.status().state, "idle");
  a.device.onTunnelPacket(reading(1));
  assert.equal(typeOf(a.outbox[0].bytes), 1, "handshakes instead");
  assert.equal(s.ledger.reused(), 0);
});

test("deep sleep: export without a session erases the region; a refused export keeps the session; staged packets count as tx-suspended", () => {
  const s = sleeper();
  const { p } = s;
  s.retained.write(new Uint8Array(40).fill(7));
  assert.equal(rd(p.a).exportSession(), 0);
  assert.equal(s.retained.read()!.length, 0);
  p.a.device.onTunnelPacket(reading(0));
  p.pump();
  s.retained.refuse = true;
  assert.throws(() => rd(p.a).exportSession(), /write refused/);
  assert.equal(p.a.device.status().state, "established", "still usable");
  s.retained.refuse = false;
  // A packet staged behind a handshake that has not completed is dropped, counted, at export.
  s.clock.t += REJECT_AFTER_TIME;
  p.a.device.tick();
  p.a.device.onTunnelPacket(reading(1));
  assert.equal(rd(p.a).exportSession(), 0, "no usable session: nothing kept");
  assert.equal(p.a.device.status().drops["tx-suspended"], 1);
  // Without a retained region the platform cannot do either.
  const bare = makeNode(p.configA, ADDRESS_A, { clock: s.clock, make: resumable });
  assert.throws(() => rd(bare).importSession(), /no retained region/);
  assert.throws(() => rd(bare).exportSession(), /no retained region/);
});
