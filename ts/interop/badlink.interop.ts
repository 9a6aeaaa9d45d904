// A bad link between the Node endpoint and wireguard-go: the bad-link relay (badlink.ts) in the
// home namespace drops, duplicates and reorders both ways with a seeded generator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HOME_OUTER } from "./netns.ts";
import { RELAY_PORT, badLinkRun, benchRunner, type BenchOptions } from "./fixture.ts";

const withBench = benchRunner("bad-link interop tests");

const RELAYED: BenchOptions = { deviceEndpoint: { host: HOME_OUTER, port: RELAY_PORT } };
const LINK = (loss: number) => ({ loss, duplicate: 0.05, reorder: 0.1, reorderMs: 30, duplicateGapMs: 1 });

// Seeds with a typical number of handshake attempts (1 at 10 %, 2 at 30 %; the mean at 30 % is
// 1 / 0.49): the spread of tunnel-up times is make bench-networks' business, over 5 seeds.
for (const [loss, seed] of [[0.1, 11], [0.3, 13]] as const) {
  test(`bad link, ${loss * 100} % loss, 5 % duplication, 10 % reordering: the tunnel comes up, readings arrive in order without duplicates, duplicates count as replays`, (t) => withBench(t, RELAYED, async (b) => {
    // 100 ms apart (the sensor app's least interval), more than the relay's reordering
    // displacement (30 ms), so readings keep their order.
    const r = await badLinkRun(b, LINK(loss), seed, 120, 100);
    const { seqs, sent, relay } = r;
    console.log(`bad link ${loss * 100} %: tunnel up in ${r.tunnelUpMs} ms; ${seqs.length} of ${sent} readings at the collector; relay to home ${JSON.stringify(relay.toHome)} to device ${JSON.stringify(relay.toDevice)}; device replays ${r.replays}`);
    assert.ok(seqs.length > 0);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `in order, no duplicates: ${seqs[i - 1]} then ${seqs[i]}`);
    // The link lost them, not the tunnel: the binomial's 4 standard deviations below (1 - loss).
    const sd = Math.sqrt(sent * loss * (1 - loss));
    assert.ok(seqs.length >= sent * (1 - loss) - 4 * sd, `${seqs.length} of ${sent} arrived at ${loss * 100} % loss`);
    // The relay really duplicated transport messages both ways; wireguard-go dropped the ones to
    // home (no duplicate reading), the device counted every one to it as a replay.
    assert.ok(relay.toHome.byType[4].duplicated > 0, "duplicates toward home");
    assert.ok(relay.toDevice.byType[4].duplicated > 0, "duplicates toward the device");
    assert.equal(r.replays, relay.toDevice.byType[4].duplicated, "each duplicated transport message to the device is one replay");
    assert.ok(relay.toHome.reordered > 0 && relay.toHome.dropped > 0 && relay.toDevice.dropped > 0);
    assert.ok((await b.wg.dump()).latestHandshake > 0);
  }));
}
