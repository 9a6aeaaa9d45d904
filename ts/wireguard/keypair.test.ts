import { test } from "node:test";
import assert from "node:assert/strict";
import { Keypair, Keypairs } from "./keypair.ts";
import { REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME } from "./constants.ts";

let nextIndex = 1;
function kp(isInitiator: boolean, created = 0): Keypair {
  return new Keypair({ sendKey: new Uint8Array(32).fill(nextIndex), recvKey: new Uint8Array(32).fill(nextIndex + 100), isInitiator, localIndex: nextIndex++, remoteIndex: 0 }, created);
}

test("initiator: new keypair becomes current at once, old current becomes previous (and the one before is wiped)", () => {
  const k = new Keypairs();
  const k1 = kp(true), k2 = kp(true), k3 = kp(true);
  k.install(k1);
  assert.equal(k.current, k1);
  k.install(k2);
  assert.equal(k.current, k2);
  assert.equal(k.previous, k1);
  k.install(k3);
  assert.equal(k.previous, k2);
  assert.deepEqual(k1.sendKey, new Uint8Array(32), "dropped keypair wiped");
  assert.deepEqual(k1.recvKey, new Uint8Array(32));
});

test("responder: new keypair waits in next until the initiator uses it", () => {
  const k = new Keypairs();
  const cur = kp(true);
  k.install(cur);
  const old = kp(true);
  k.previous = old;
  const n = kp(false);
  k.install(n);
  assert.equal(k.current, cur, "current kept for sending");
  assert.equal(k.next, n);
  assert.equal(k.previous, null, "previous dropped");
  assert.deepEqual(old.sendKey, new Uint8Array(32));
  assert.ok(!k.receivedWith(cur));
  assert.ok(k.receivedWith(n));
  assert.equal(k.current, n);
  assert.equal(k.previous, cur);
  assert.equal(k.next, null);
  // A second responder keypair replaces an unconfirmed next (and wipes it).
  const n2 = kp(false), n3 = kp(false);
  k.install(n2);
  k.install(n3);
  assert.equal(k.next, n3);
  assert.deepEqual(n2.sendKey, new Uint8Array(32));
});

test("initiator completing while a responder keypair is unconfirmed: next becomes previous", () => {
  const k = new Keypairs();
  const cur = kp(true), n = kp(false), mine = kp(true);
  k.install(cur);
  k.install(n);
  k.install(mine);
  assert.equal(k.current, mine);
  assert.equal(k.previous, n);
  assert.equal(k.next, null);
  assert.deepEqual(cur.sendKey, new Uint8Array(32));
});

test("lookup by local index, expiry wipes, counters limit sending", () => {
  const k = new Keypairs();
  const a = kp(true, 0);
  k.install(a);
  assert.equal(k.lookup(a.localIndex), a);
  assert.equal(k.lookup(a.localIndex + 1000), null);
  assert.ok(a.canSend(REJECT_AFTER_TIME - 1));
  assert.ok(!a.canSend(REJECT_AFTER_TIME));
  k.expire(REJECT_AFTER_TIME - 1);
  assert.equal(k.current, a);
  k.expire(REJECT_AFTER_TIME);
  assert.equal(k.current, null);
  assert.deepEqual(a.sendKey, new Uint8Array(32));
  const b = kp(true, 0);
  b.sendCounter = REJECT_AFTER_MESSAGES;
  assert.ok(!b.canSend(0));
});
