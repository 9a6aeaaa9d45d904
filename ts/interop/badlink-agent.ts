// The bad-link relay (badlink.ts) as a child process driven over JSON lines, so it can run
// inside a namespace: the interop bench's home namespace now, test-hil's for boards later.
// Commands: start {listen, upstream, toHome, toDevice, seed} -> {listen, upstream} (addresses),
// addresses -> the same,
// stats -> {toHome, toDevice, device, nonceReuse}, inject {type, fromElsewhere} (send the last datagram of
// that WireGuard type home sent to the device once more, from the relay's listen address or
// another port of it) -> {from}, stop.
import { serveAgent, type AgentHandlers } from "./agent-main.ts";
import { BadLinkRelay } from "./badlink.ts";

let relay: BadLinkRelay | null = null;

function need(): BadLinkRelay {
  if (!relay) throw new Error("not started");
  return relay;
}

const handlers: AgentHandlers = {
  async start(m) {
    if (relay) throw new Error("already started");
    relay = await BadLinkRelay.start({ listen: m.listen, upstream: m.upstream, toHome: m.toHome ?? {}, toDevice: m.toDevice ?? {}, seed: m.seed });
    return relay.addresses();
  },
  addresses() {
    return need().addresses();
  },
  stats() {
    const r = need();
    return { ...r.stats(), device: r.device, nonceReuse: r.nonceReuse };
  },
  async inject(m) {
    const r = need();
    const bytes = r.lastSeen.toDevice[m.type];
    if (!bytes) throw new Error(`inject: no datagram of type ${m.type} went to the device`);
    return { from: await r.inject(bytes, { fromElsewhere: !!m.fromElsewhere }), bytes: bytes.length };
  },
  async stop() {
    if (relay) await relay.close();
    relay = null;
    setImmediate(() => process.exit(0));
    return {};
  },
};

serveAgent(handlers);
