// A DNS server that answers the way a test asks (JSON-lines agent, run in the home namespace):
// for the board's failure scenarios, where dnsmasq only ever answers well. Modes:
//   nxdomain   the name does not exist (RCODE 3)
//   silent     no answer at all (the client's lookup times out)
//   malformed  an address record of the wrong length (a client must not take it)
//   zero       a well-formed answer holding 0.0.0.0 / :: (no peer can be there)
//   answer     a good A record: `address` (AAAA queries get no record)
// Every query is reported as an event {event: "query", atMs, name, type}, so a test can see when
// the client asked (its retry backoff).
import { createSocket, type Socket } from "node:dgram";
import { emit, serveAgent, type AgentHandlers } from "./agent-main.ts";
import { isIPv6 } from "node:net";

type Mode = "nxdomain" | "silent" | "malformed" | "zero" | "answer";
const MODES: Mode[] = ["nxdomain", "silent", "malformed", "zero", "answer"];

let socket: Socket | null = null;
let mode: Mode = "nxdomain";
let address = "";

/** The question's end (offset after QTYPE and QCLASS), its name and type, or null if malformed. */
function question(q: Buffer): { end: number; name: string; type: number } | null {
  if (q.length < 12 || q.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let i = 12;
  while (i < q.length && q[i] !== 0) {
    const n = q[i];
    if (n > 63 || i + 1 + n > q.length) return null;
    labels.push(q.subarray(i + 1, i + 1 + n).toString("latin1"));
    i += 1 + n;
  }
  if (i + 5 > q.length) return null;
  return { end: i + 5, name: labels.join("."), type: q.readUInt16BE(i + 1) };
}

function record(type: number, data: Buffer): Buffer {
  const r = Buffer.alloc(12);
  r.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  r.writeUInt16BE(type, 2);
  r.writeUInt16BE(1, 4); // IN
  r.writeUInt32BE(0, 6); // TTL 0: not to be cached
  r.writeUInt16BE(data.length, 10);
  return Buffer.concat([r, data]);
}

function reply(q: Buffer, end: number, type: number): Buffer | null {
  const A = 1, AAAA = 28;
  let rcode = 0;
  const answers: Buffer[] = [];
  if (mode === "silent") return null;
  if (mode === "nxdomain") rcode = 3;
  else if (mode === "malformed") answers.push(record(type === AAAA ? AAAA : A, Buffer.from([10, 77, 0])));
  else if (mode === "zero") answers.push(type === AAAA ? record(AAAA, Buffer.alloc(16)) : record(A, Buffer.alloc(4)));
  else if (type === A && address) answers.push(record(A, Buffer.from(address.split(".").map(Number))));
  const head = Buffer.from(q.subarray(0, end));
  head.writeUInt16BE(0x8000 | (q.readUInt16BE(2) & 0x0100) | 0x0080 | rcode, 2); // QR, RD as asked, RA
  head.writeUInt16BE(answers.length, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  return Buffer.concat([head, ...answers]);
}

const handlers: AgentHandlers = {
  async listen(m) {
    const s = createSocket(isIPv6(m.host) ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.bind(m.port, m.host, () => resolve());
    });
    s.on("message", (q, from) => {
      const qq = question(q);
      emit({ event: "query", atMs: Date.now(), name: qq?.name ?? null, type: qq?.type ?? null });
      if (!qq) return;
      const r = reply(q, qq.end, qq.type);
      if (r) s.send(r, from.port, from.address);
    });
    socket = s;
    return {};
  },
  mode(m) {
    if (!MODES.includes(m.mode)) throw new Error(`mode must be one of ${MODES.join(", ")}`);
    mode = m.mode;
    address = typeof m.address === "string" ? m.address : "";
    return {};
  },
  stop() {
    socket?.close();
    setImmediate(() => process.exit(0));
    return {};
  },
};

serveAgent(handlers);
