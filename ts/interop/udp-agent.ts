// A UDP peer on the home side of the tunnel (inside the home namespace, on wireguard-go's
// wg interface address): reports each datagram and echoes it back; can also send on request.
import { createInterface } from "node:readline";
import { NodeUdp } from "../platform/node/udp.ts";

function emit(msg: unknown): void {
  process.stdout.write(JSON.stringify(msg) + "\n");
}

const sockets = new Map<number, NodeUdp>();

const handlers: Record<string, (m: any) => unknown | Promise<unknown>> = {
  async listen(m) {
    const udp = await NodeUdp.bind(m.host, m.port);
    const port = udp.address().port;
    sockets.set(port, udp);
    udp.onDatagram((bytes, from) => {
      const text = Buffer.from(bytes).toString("utf8");
      emit({ event: "udp", port, from, text });
      if (m.echo && !text.startsWith("echo:")) udp.send(new TextEncoder().encode("echo:" + text), from);
    });
    return { port };
  },
  send(m) {
    const udp = sockets.get(m.fromPort);
    if (!udp) throw new Error(`no socket on port ${m.fromPort}`);
    udp.send(new TextEncoder().encode(m.text), { host: m.host, port: m.port });
    return {};
  },
  async stop() {
    for (const s of sockets.values()) await s.close();
    setImmediate(() => process.exit(0));
    return {};
  },
};

const rl = createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let m: any;
  try {
    m = JSON.parse(line);
  } catch {
    return;
  }
  try {
    const h = handlers[m.cmd];
    if (!h) throw new Error(`unknown command "${m.cmd}"`);
    emit({ id: m.id, ok: true, result: await h(m) });
  } catch (e) {
    emit({ id: m.id, ok: false, error: (e as Error).message });
  }
});
rl.on("close", () => process.exit(0));
