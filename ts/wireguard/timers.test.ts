import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_TIMER_HANDSHAKES, Timers, type TimerActions } from "./timers.ts";
import { KEEPALIVE_TIMEOUT, REJECT_AFTER_TIME, REKEY_ATTEMPT_TIME, REKEY_TIMEOUT, REKEY_TIMEOUT_JITTER_MAX } from "./constants.ts";
import type { Random } from "../platform/platform.ts";

/** Random whose bytes are queued by the test; zeros when the queue is empty. */
class ScriptedRandom implements Random {
  queue: number[] = [];
  randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.queue.length ? this.queue.shift()! : 0;
    return out;
  }
}

const NONE: TimerActions = { sendInitiation: false, sendKeepalive: false, zeroKeys: false, gaveUp: false };
const only = (k: keyof TimerActions): TimerActions => ({ ...NONE, [k]: true });

test("MAX_TIMER_HANDSHAKES is REKEY_ATTEMPT_TIME / REKEY_TIMEOUT = 18", () => {
  assert.equal(MAX_TIMER_HANDSHAKES, 18);
});

test("nothing armed: poll fires nothing at any time", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  for (const now of [0, 1, 1e6, 1e12]) assert.deepEqual(t.poll(now), NONE);
  assert.equal(t.nextDeadline(), -1);
  assert.equal(t.wantRetransmit(), false);
});

test("retransmit: fires REKEY_TIMEOUT + jitter after the initiation, not a millisecond earlier", () => {
  const rnd = new ScriptedRandom();
  const t = new Timers(rnd, 0);
  rnd.queue.push(0, 100); // jitter 100 ms
  t.handshakeInitiated(1000);
  assert.ok(t.wantRetransmit());
  assert.equal(t.handshakeAttempts, 1);
  assert.equal(t.nextDeadline(), 1000 + REKEY_TIMEOUT + 100);
  assert.deepEqual(t.poll(1000 + REKEY_TIMEOUT + 99), NONE);
  assert.deepEqual(t.poll(1000 + REKEY_TIMEOUT + 100), only("sendInitiation"));
  assert.deepEqual(t.poll(1000 + REKEY_TIMEOUT + 101), NONE, "fires once");
});

test("retransmit jitter stays within 0..REKEY_TIMEOUT_JITTER_MAX for every random value", () => {
  const seen = new Set<number>();
  for (let v = 0; v < 65536; v += 7) {
    const rnd = new ScriptedRandom();
    rnd.queue.push(v >> 8, v & 0xff);
    const t = new Timers(rnd, 0);
    t.handshakeInitiated(0);
    const jitter = t.nextDeadline() - REKEY_TIMEOUT;
    assert.ok(jitter >= 0 && jitter <= REKEY_TIMEOUT_JITTER_MAX, `jitter ${jitter}`);
    seen.add(jitter);
  }
  assert.ok(seen.has(0) && seen.has(REKEY_TIMEOUT_JITTER_MAX), "both ends reachable");
  assert.ok(seen.size > 300, "jitter actually varies");
});

test("retransmit gives up after 19 retransmissions (more than MAX_TIMER_HANDSHAKES, as the reference) and reports gaveUp once", () => {
  const t = new Timers(new ScriptedRandom(), 0); // jitter 0
  let now = 0;
  t.handshakeInitiated(now);
  let retransmissions = 0;
  for (;;) {
    now += REKEY_TIMEOUT;
    const a = t.poll(now);
    if (a.gaveUp) {
      assert.equal(a.sendInitiation, false);
      break;
    }
    assert.ok(a.sendInitiation, `retransmission due at ${now}`);
    retransmissions++;
    assert.ok(retransmissions <= MAX_TIMER_HANDSHAKES + 1, "bounded");
    t.handshakeInitiated(now);
    assert.equal(t.handshakeAttempts, retransmissions + 1);
  }
  // wireguard-go and the kernel: attempts > MAX_TIMER_HANDSHAKES gives up, so 20 initiations in
  // all ("did not complete after 20 attempts"), the last at 95 s, the give-up at 100 s.
  assert.equal(retransmissions, MAX_TIMER_HANDSHAKES + 1);
  assert.equal(now, REKEY_ATTEMPT_TIME + 2 * REKEY_TIMEOUT, "last initiation at REKEY_ATTEMPT_TIME + REKEY_TIMEOUT, give-up one timeout later");
  assert.equal(t.wantRetransmit(), false);
  assert.equal(t.handshakeAttempts, 0);
  assert.deepEqual(t.poll(now + REKEY_TIMEOUT * 10), NONE, "no more retries");
  // Giving up arms the key wipe; it fires 3 * REJECT_AFTER_TIME later.
  assert.equal(t.nextDeadline(), now + 3 * REJECT_AFTER_TIME);
  assert.deepEqual(t.poll(now + 3 * REJECT_AFTER_TIME), only("zeroKeys"));
});

test("a new handshake after giving up starts counting from 1 again", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  let now = 0;
  t.handshakeInitiated(now);
  for (let i = 0; i < MAX_TIMER_HANDSHAKES + 1; i++) {
    now += REKEY_TIMEOUT;
    assert.ok(t.poll(now).sendInitiation);
    t.handshakeInitiated(now);
  }
  now += REKEY_TIMEOUT;
  assert.ok(t.poll(now).gaveUp);
  t.handshakeInitiated(now + 1);
  assert.equal(t.handshakeAttempts, 1);
  assert.ok(t.wantRetransmit());
});

test("a retransmission the device could not send does not wedge the handshake: it still gives up on time", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.handshakeInitiated(0); // the first initiation went out; no retransmission ever does
  let now = 0;
  let fired = 0;
  for (let i = 0; i < 40; i++) {
    now += REKEY_TIMEOUT;
    const a = t.poll(now);
    if (a.gaveUp) break;
    assert.ok(a.sendInitiation, `timer came back at ${now} although nothing was sent`);
    fired++;
    assert.equal(t.handshakeAttempts, fired + 1);
  }
  assert.equal(fired, MAX_TIMER_HANDSHAKES + 1);
  assert.equal(now, REKEY_ATTEMPT_TIME + 2 * REKEY_TIMEOUT);
  assert.equal(t.wantRetransmit(), false, "connect() may start afresh");
});

test("handshakeComplete stops retransmission and resets the attempt count", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.handshakeInitiated(0);
  assert.ok(t.poll(REKEY_TIMEOUT).sendInitiation);
  t.handshakeInitiated(REKEY_TIMEOUT);
  assert.equal(t.handshakeAttempts, 2);
  t.handshakeComplete(REKEY_TIMEOUT + 50);
  assert.equal(t.wantRetransmit(), false);
  assert.equal(t.handshakeAttempts, 0);
  assert.deepEqual(t.poll(10 * REKEY_TIMEOUT), NONE);
});

test("give-up leaves an already armed key wipe where it was", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.sessionDerived(0);
  let now = 1000;
  t.handshakeInitiated(now);
  for (let i = 0; i < MAX_TIMER_HANDSHAKES + 1; i++) {
    now += REKEY_TIMEOUT;
    t.poll(now);
    t.handshakeInitiated(now);
  }
  now += REKEY_TIMEOUT;
  assert.ok(t.poll(now).gaveUp);
  assert.equal(t.nextDeadline(), 3 * REJECT_AFTER_TIME);
});

test("give-up cancels a pending passive keepalive", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.handshakeInitiated(0);
  for (let i = 1; i <= 19; i++) {
    t.poll(i * REKEY_TIMEOUT);
    t.handshakeInitiated(i * REKEY_TIMEOUT);
  }
  t.dataReceived(20 * REKEY_TIMEOUT - 1);
  assert.deepEqual(t.poll(20 * REKEY_TIMEOUT), { ...NONE, gaveUp: true });
  assert.equal(t.poll(20 * REKEY_TIMEOUT + KEEPALIVE_TIMEOUT).sendKeepalive, false);
});

test("passive keepalive: KEEPALIVE_TIMEOUT after data arrived, unless something was sent", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.dataReceived(500);
  t.dataReceived(3000); // already armed: the deadline stays with the first packet
  assert.equal(t.nextDeadline(), 500 + KEEPALIVE_TIMEOUT);
  assert.deepEqual(t.poll(500 + KEEPALIVE_TIMEOUT - 1), NONE);
  assert.deepEqual(t.poll(500 + KEEPALIVE_TIMEOUT), only("sendKeepalive"));
  assert.deepEqual(t.poll(500 + 2 * KEEPALIVE_TIMEOUT), NONE, "once");

  t.dataReceived(100000);
  t.anyAuthenticatedPacketSent(100000 + 2000); // our data answered the peer
  assert.deepEqual(t.poll(100000 + KEEPALIVE_TIMEOUT), NONE);
  t.dataReceived(200000);
  assert.deepEqual(t.poll(200000 + KEEPALIVE_TIMEOUT), only("sendKeepalive"), "re-armable after cancel");
});

test("new handshake: KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter after data sent with nothing back", () => {
  const rnd = new ScriptedRandom();
  rnd.queue.push(0, 200); // jitter 200 ms, drawn when the session was derived
  const t = new Timers(rnd, 0);
  t.sessionDerived(0);
  t.dataSent(0);
  t.dataSent(4000); // armed by the first packet, not pushed out by later ones
  const due = KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + 200;
  assert.equal(t.nextDeadline(), due);
  assert.deepEqual(t.poll(due - 1), NONE);
  assert.deepEqual(t.poll(due), only("sendInitiation"));
  assert.deepEqual(t.poll(due + 1), NONE);
});

test("new handshake jitter: 0..REKEY_TIMEOUT_JITTER_MAX from the injected randomness, a fresh draw for every deadline that fires", () => {
  const rnd = new ScriptedRandom();
  const t = new Timers(rnd, 0);
  const seen = new Set<number>();
  let now = 0;
  rnd.queue.push(0, 0);
  t.sessionDerived(now); // the first draw: jitter 0
  t.stopAll();
  let expected = 0;
  for (let v = 97; v < 65536; v += 97) {
    t.transportSent(now, true);
    const jitter = t.nextDeadline() - now - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT;
    assert.equal(jitter, expected, "the value drawn before, not a constant");
    assert.ok(jitter >= 0 && jitter <= REKEY_TIMEOUT_JITTER_MAX, `jitter ${jitter}`);
    seen.add(jitter);
    // Cancelled and re-armed before it fires: the same jitter, no randomness used (the arming
    // is on the per-packet path).
    t.transportReceived(now + 1, false);
    t.transportSent(now + 2, true);
    assert.equal(t.nextDeadline(), now + 2 + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + jitter);
    now = t.nextDeadline();
    rnd.queue.push(v >> 8, v & 0xff); // drawn when the deadline fires, for the next one
    assert.ok(t.poll(now).sendInitiation);
    assert.equal(rnd.queue.length, 0);
    expected = v % (REKEY_TIMEOUT_JITTER_MAX + 1);
  }
  assert.ok(seen.size > 300, "jitter actually varies");
  // A new session draws too.
  rnd.queue.push(0, 7);
  t.sessionDerived(now);
  t.transportSent(now, true);
  assert.equal(t.nextDeadline(), now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT + 7);
});

test("new handshake is cancelled by any authenticated packet received", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.dataSent(0);
  t.anyAuthenticatedPacketReceived(9000);
  assert.deepEqual(t.poll(60000), NONE);
  t.dataSent(60000);
  assert.deepEqual(t.poll(60000 + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT), only("sendInitiation"));
});

test("new handshake does not duplicate a handshake already in flight", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.dataSent(0);
  t.handshakeInitiated(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT - 1000); // e.g. rekey started meanwhile
  assert.deepEqual(t.poll(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT), NONE);
  assert.deepEqual(t.poll(KEEPALIVE_TIMEOUT + 2 * REKEY_TIMEOUT - 1000), only("sendInitiation"), "the retransmit still comes");
});

test("zero key material: 3 * REJECT_AFTER_TIME after the last session, pushed out by a newer one", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.sessionDerived(0);
  t.sessionDerived(120000);
  assert.deepEqual(t.poll(3 * REJECT_AFTER_TIME), NONE, "the second session moved it");
  assert.deepEqual(t.poll(120000 + 3 * REJECT_AFTER_TIME - 1), NONE);
  assert.deepEqual(t.poll(120000 + 3 * REJECT_AFTER_TIME), only("zeroKeys"));
  assert.deepEqual(t.poll(120000 + 6 * REJECT_AFTER_TIME), NONE);
});

test("persistent keepalive: interval after the last traversal, periodic while idle", () => {
  const t = new Timers(new ScriptedRandom(), 25000);
  assert.deepEqual(t.poll(1e6), NONE, "not armed before any packet");
  t.anyAuthenticatedPacketTraversal(1000);
  t.anyAuthenticatedPacketTraversal(5000); // pushes it out
  assert.deepEqual(t.poll(26000), NONE);
  assert.deepEqual(t.poll(30000), only("sendKeepalive"));
  assert.deepEqual(t.poll(54999), NONE);
  assert.deepEqual(t.poll(55000), only("sendKeepalive"), "re-armed even if the device could not send");
  t.anyAuthenticatedPacketTraversal(55000);
  assert.equal(t.nextDeadline(), 80000);
});

test("persistent keepalive off (0) never fires; setPersistentKeepalive turns it on and off", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.anyAuthenticatedPacketTraversal(0);
  assert.deepEqual(t.poll(1e9), NONE);
  t.setPersistentKeepalive(10000, 5);
  assert.deepEqual(t.poll(10005), only("sendKeepalive"));
  t.setPersistentKeepalive(0, 10005);
  t.anyAuthenticatedPacketTraversal(10005);
  assert.deepEqual(t.poll(1e9), NONE);
  assert.throws(() => new Timers(new ScriptedRandom(), -1), TypeError);
});

test("several timers due at once all fire in one poll", () => {
  const t = new Timers(new ScriptedRandom(), 1000);
  t.sessionDerived(0);
  t.handshakeInitiated(0);
  t.dataReceived(0);
  t.anyAuthenticatedPacketTraversal(0);
  assert.deepEqual(t.poll(3 * REJECT_AFTER_TIME), { sendInitiation: true, sendKeepalive: true, zeroKeys: true, gaveUp: false });
});

test("stopAll disarms every timer", () => {
  const t = new Timers(new ScriptedRandom(), 1000);
  t.sessionDerived(0);
  t.handshakeInitiated(0);
  t.dataReceived(0);
  t.dataSent(0);
  t.anyAuthenticatedPacketTraversal(0);
  t.stopAll();
  assert.equal(t.nextDeadline(), -1);
  assert.equal(t.wantRetransmit(), false);
  assert.deepEqual(t.poll(1e9), NONE);
});

test("a clock that starts at 0 works (deadline 0 + x is not mistaken for 'off')", () => {
  const t = new Timers(new ScriptedRandom(), 0);
  t.dataReceived(0);
  assert.deepEqual(t.poll(KEEPALIVE_TIMEOUT), only("sendKeepalive"));
});

test("transportSent / transportReceived arm exactly what the separate events arm", () => {
  // Every combination of starting state (persistent keepalive on/off, keepalive and new-handshake
  // timers armed or not) against the separate calls, compared through poll at each deadline.
  for (const persistent of [0, 25000]) {
    for (const isData of [false, true]) {
      for (const sent of [false, true]) {
        for (const prior of ["none", "dataSent", "dataReceived"]) {
          const setup = (t: Timers) => {
            if (prior === "dataSent") t.dataSent(100);
            if (prior === "dataReceived") t.dataReceived(100);
          };
          const a = new Timers(new ScriptedRandom(), persistent), b = new Timers(new ScriptedRandom(), persistent);
          setup(a);
          setup(b);
          const now = 2000;
          if (sent) {
            a.transportSent(now, isData);
            b.anyAuthenticatedPacketTraversal(now);
            b.anyAuthenticatedPacketSent(now);
            if (isData) b.dataSent(now);
          } else {
            a.transportReceived(now, isData);
            b.anyAuthenticatedPacketTraversal(now);
            b.anyAuthenticatedPacketReceived(now);
            if (isData) b.dataReceived(now);
          }
          const label = `persistent ${persistent} data ${isData} sent ${sent} prior ${prior}`;
          assert.equal(a.nextDeadline(), b.nextDeadline(), label);
          for (const t of [now + KEEPALIVE_TIMEOUT, now + KEEPALIVE_TIMEOUT + REKEY_TIMEOUT, now + 25000, 100 + KEEPALIVE_TIMEOUT]) {
            assert.deepEqual(a.poll(t), b.poll(t), `${label} at ${t}`);
          }
        }
      }
    }
  }
  // And they do arm something: data received owes a keepalive, data sent expects an answer.
  const r = new Timers(new ScriptedRandom(), 0);
  r.transportReceived(0, true);
  assert.equal(r.nextDeadline(), KEEPALIVE_TIMEOUT);
  const s = new Timers(new ScriptedRandom(), 0);
  s.transportSent(0, true);
  assert.equal(s.nextDeadline(), KEEPALIVE_TIMEOUT + REKEY_TIMEOUT);
});
