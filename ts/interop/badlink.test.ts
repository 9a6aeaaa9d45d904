// The bad-link relay: its model's statistics and determinism, and the relay itself on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { BadLinkRelay, CLEAN_LINK, LinkModel, checkImpairment, type Impairment } from "./badlink.ts";
import { sleep, waitFor } from "./proc.ts";

const LOSSY: Impairment = { ...CLEAN_LINK, loss: 0.3, duplicate: 0.05, reorder: 0.1, reorderMs: 20, duplicateGapMs: 1 };

test("LinkModel: loss, duplication and reordering at the rates asked, over 10^5 datagrams", () => {
  for (const loss of [0, 0.1, 0.3]) {
    const m = new LinkModel({ ...LOSSY, loss }, 7);
    const n = 100000;
    let copies = 0;
    for (let i = 0; i < n; i++) copies += m.decide(i % 5 === 0 ? 1 : 4).copies.length;
    const s = m.stats;
    const kept = n - s.dropped;
    // 4 standard deviations of a binomial: a fair generator stays inside, a biased one does not.
    const within = (count: number, trials: number, p: number, what: string) => {
      const sd = Math.sqrt(trials * p * (1 - p));
      assert.ok(Math.abs(count - trials * p) <= 4 * sd + 1, `${what}: ${count} of ${trials}, expected ${trials * p}`);
    };
    within(s.dropped, n, loss, `loss ${loss}`);
    within(s.duplicated, kept, 0.05, `duplicates at loss ${loss}`);
    within(s.reordered, kept, 0.1, `reordered at loss ${loss}`);
    assert.equal(s.received, n);
    assert.equal(s.delivered, copies);
    assert.equal(s.delivered, kept + s.duplicated);
    assert.equal(s.byType[1].received + s.byType[4].received, n);
    assert.equal(s.byType[1].dropped + s.byType[4].dropped, s.dropped);
  }
});

test("LinkModel: the same seed gives the same fates, another seed others; delays as configured", () => {
  const a = new LinkModel(LOSSY, 42), b = new LinkModel(LOSSY, 42), c = new LinkModel(LOSSY, 43);
  const fa = Array.from({ length: 5000 }, () => a.decide());
  const fb = Array.from({ length: 5000 }, () => b.decide());
  const fc = Array.from({ length: 5000 }, () => c.decide());
  assert.deepEqual(fa, fb);
  assert.notDeepEqual(fa, fc);
  for (const f of fa) {
    if (f.copies.length === 0) continue;
    assert.equal(f.copies[0], f.reordered ? 20 : 0);
    if (f.copies.length === 2) assert.equal(f.copies[1], f.copies[0] + 1);
  }
  const clean = new LinkModel(CLEAN_LINK, 1);
  for (let i = 0; i < 1000; i++) assert.deepEqual(clean.decide().copies, [0]);
  const delayed = new LinkModel({ ...CLEAN_LINK, delayMs: 50, jitterMs: 10 }, 1);
  for (let i = 0; i < 1000; i++) {
    const d = delayed.decide().copies[0];
    assert.ok(d >= 50 && d < 60, `delay ${d}`);
  }
});

test("checkImpairment: every bad field is named", () => {
  assert.throws(() => checkImpairment({ loss: 1.5 }), /^RangeError: impairment\.loss: a probability in 0\.\.1, got 1\.5$/);
  assert.throws(() => checkImpairment({ duplicate: -0.1 }), /impairment\.duplicate/);
  assert.throws(() => checkImpairment({ reorder: NaN }), /impairment\.reorder/);
  assert.throws(() => checkImpairment({ delayMs: -1 }), /impairment\.delayMs: milliseconds/);
  assert.deepEqual(checkImpairment({}), CLEAN_LINK);
});

/** A "home" on loopback that records what it receives and answers each datagram once. */
async function loopbackRun(seed: number, toHome: Partial<Impairment>, count: number) {
  const home = createSocket("udp4");
  await new Promise<void>((r) => home.bind(0, "127.0.0.1", () => r()));
  const got: number[] = [];
  home.on("message", (msg, rinfo) => {
    got.push(msg.readUInt32BE(0));
    home.send(msg, rinfo.port, rinfo.address);
  });
  const relay = await BadLinkRelay.start({ listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: home.address().port }, toHome, toDevice: {}, seed });
  const device = createSocket("udp4");
  await new Promise<void>((r) => device.bind(0, "127.0.0.1", () => r()));
  const back: number[] = [];
  device.on("message", (msg) => back.push(msg.readUInt32BE(0)));
  const to = relay.addresses().listen;
  try {
    for (let i = 0; i < count; i++) {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(i, 0);
      device.send(b, to.port, to.host);
      if (i % 50 === 49) await sleep(5);
    }
    const stats = relay.stats();
    await waitFor("every delivered copy to arrive and come back", () => got.length === stats.toHome.delivered && back.length === got.length, 10000, 20);
    return { got, back, stats: relay.stats() };
  } finally {
    await relay.close();
    device.close();
    home.close();
  }
}

test("BadLinkRelay on loopback: what arrives is what the model decided (drops, duplicates, reordering), answers go back to the device", async () => {
  const r = await loopbackRun(5, LOSSY, 2000);
  const s = r.stats.toHome;
  assert.equal(s.received, 2000);
  assert.equal(r.got.length, s.delivered, "every copy the model let through arrived, nothing else");
  const counts = new Map<number, number>();
  for (const n of r.got) counts.set(n, (counts.get(n) ?? 0) + 1);
  assert.equal(2000 - counts.size, s.dropped, "dropped ones never arrive");
  assert.equal([...counts.values()].filter((c) => c === 2).length, s.duplicated, "duplicates arrive twice");
  let overtaken = 0;
  for (let i = 1; i < r.got.length; i++) if (r.got[i] < r.got[i - 1]) overtaken++;
  assert.ok(overtaken > 0 && s.reordered > 0, "held-back datagrams are overtaken");
  assert.ok(s.dropped > 450 && s.dropped < 750, `dropped ${s.dropped} of 2000 at 30 %`);
  assert.equal(r.back.length, r.got.length, "the clean way back delivers every answer to the device");
  // The same seed decides the same fates: the same datagrams dropped and duplicated.
  const again = await loopbackRun(5, LOSSY, 2000);
  assert.deepEqual([...new Set(again.got)].sort((x, y) => x - y), [...counts.keys()].sort((x, y) => x - y));
  assert.deepEqual(again.stats.toHome, r.stats.toHome);
});
