// Sends malformed WireGuard datagrams at the device's outer port (run inside the home
// namespace): random lengths and bytes, plus each message type with a right length and random
// content, plus right types with wrong lengths. Paced in bursts so the board's NIC queue
// carries them (the pace is the target's: a TAP takes 20 per 4 ms, QEMU's polled NIC less).
//   node --import tsx flood.ts <host> <port> <count> <seed> [burst=20] [intervalMs=4]
import { createSocket } from "node:dgram";

const [host, portText, countText, seedText, burstText, intervalText] = process.argv.slice(2);
const burstSize = Number(burstText ?? 20);
const intervalMs = Number(intervalText ?? 4);
const port = Number(portText);
const count = Number(countText);
let seed = Number(seedText) >>> 0 || 1;
function rand(): number {
  // xorshift32: reproducible from the seed, good enough for junk
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed;
}
const SIZES = [148, 92, 64, 32, 48, 1452];

function datagram(i: number): Buffer {
  const kind = i % 4;
  let len: number;
  if (kind === 0) len = rand() % 300;                       // anything
  else if (kind === 1) len = SIZES[rand() % SIZES.length];   // right sizes, random bytes
  else if (kind === 2) len = SIZES[rand() % SIZES.length] + (rand() % 2 ? 1 : -1);
  else len = 32 + (rand() % 200);                            // transport-shaped
  const b = Buffer.alloc(len);
  for (let j = 0; j < len; j++) b[j] = rand() & 255;
  if (len >= 4 && kind !== 0) {
    b[0] = kind === 3 ? 4 : 1 + (rand() % 4);
    b[1] = b[2] = b[3] = 0;
  }
  return b;
}

const sock = createSocket("udp4");
let sent = 0;
let errors = 0;
function burst(): void {
  for (let k = 0; k < burstSize && sent < count; k++, sent++) {
    sock.send(datagram(sent), port, host, (e) => { if (e) errors++; });
  }
  if (sent < count) setTimeout(burst, intervalMs);
  else setTimeout(() => { console.log(JSON.stringify({ sent, errors })); sock.close(); }, 200);
}
burst();
