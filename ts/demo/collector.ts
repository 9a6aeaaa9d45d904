// The demo's collector: a UDP socket at home, on wireguard-go's tunnel address, printing every
// reading the sensor sends through the tunnel.
//   node --import tsx ts/demo/collector.ts HOST PORT
import { NodeUdp } from "../platform/node/udp.ts";

const [host, portText] = process.argv.slice(2);
const port = Number(portText);
if (!host || !Number.isInteger(port)) {
  console.error("usage: collector.ts HOST PORT");
  process.exit(2);
}

const udp = await NodeUdp.bind(host, port);
let count = 0;
udp.onDatagram((bytes, from) => {
  const text = Buffer.from(bytes).toString("utf8");
  let reading: unknown;
  try {
    reading = JSON.parse(text);
  } catch {
    console.log(`collector: ignored ${bytes.length} bytes from ${from.host} (not JSON)`);
    return;
  }
  count++;
  console.log(`reading #${count} from ${from.host}: ${JSON.stringify(reading)}`);
});
console.log(`collector: listening on ${host}:${port}`);
const stop = () => {
  console.log(`collector: ${count} readings received`);
  void udp.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
