// A UDP peer on the home side of the tunnel (inside the home namespace, on wireguard-go's
// wg interface address): reports each datagram and echoes it back; can also send on request.
import { emit, serveAgent, type AgentHandlers } from "./agent-main.ts";
import { NodeUdp } from "../platform/node/udp.ts";

const sockets = new Map<number, NodeUdp>();

const handlers: AgentHandlers = {
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

serveAgent(handlers);
