// `make demo` (the QEMU board), `make demo-firmware` (the host board) and `make demo-esp-idf`
// (boards/esp32 on IDF's linux target): the firmware tunnels
// home to wireguard-go; the collector at home prints each reading, the firmware's console is
// shown with a prefix. Ctrl-C (or DEMO_SECONDS=N) stops everything and removes the namespaces.
//   npx tsx test-hil/demo.ts [--target qemu|host|idf-linux]      (default qemu)
import { interopUnavailable, removeStaleNamespaces } from "../ts/interop/netns.ts";
import { sleep } from "../ts/interop/proc.ts";
import { Bench } from "./bench.ts";
import type { Target } from "./target.ts";
import { HostTarget, ENGINE, FIRMWARE_BIN, FIRMWARE_IMAGE } from "./targets/host.ts";
import { QemuTarget, QEMU_ELF, QEMU_ENGINE, QEMU_IMAGE } from "./targets/qemu.ts";
import { IdfLinuxTarget, IDF_ELF, IDF_ENGINE } from "./targets/idf-linux.ts";

const targetArg = process.argv.indexOf("--target") >= 0 ? process.argv[process.argv.indexOf("--target") + 1] : "qemu";
if (targetArg !== "qemu" && targetArg !== "host" && targetArg !== "idf-linux") {
  console.error(`demo-firmware: --target must be qemu, host or idf-linux, not "${targetArg}"`);
  process.exit(2);
}

const seconds = process.env.DEMO_SECONDS ? Number(process.env.DEMO_SECONDS) : 0;
if (!(seconds >= 0)) {
  console.error(`demo-firmware: DEMO_SECONDS must be a number of seconds, got "${process.env.DEMO_SECONDS}"`);
  process.exit(2);
}
const reason = await interopUnavailable();
if (reason) {
  console.error(`demo-firmware: cannot run: ${reason}`);
  process.exit(1);
}
await removeStaleNamespaces();

console.log(targetArg === "host"
  ? `demo-firmware: host board, ${ENGINE} firmware ${FIRMWARE_BIN}, app image ${FIRMWARE_IMAGE}`
  : targetArg === "idf-linux"
  ? `demo-firmware: boards/esp32 on ESP-IDF's linux target, ${IDF_ENGINE}, ${IDF_ELF}`
  : `demo-firmware: QEMU Xtensa board, ${QEMU_ENGINE} firmware ${QEMU_ELF}, app image ${QEMU_IMAGE}`);
const target: Target = targetArg === "host" ? new HostTarget() : targetArg === "idf-linux" ? new IdfLinuxTarget() : new QemuTarget();
const bench = await Bench.create(target);
let stopping = false;
async function shutdown(why: string, code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log(`demo-firmware: ${why}: stopping, removing namespaces ${bench.topo.home} ${bench.topo.dev}`);
    if (target.running) {
      const exit = await bench.stopDevice();
      console.log(`demo-firmware: firmware exited (${exit.code}); JS heap peak ${exit.heapPeak} bytes`);
    }
    await bench.destroy();
    console.log("demo-firmware: clean");
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown("interrupted", 0));
process.on("SIGTERM", () => void shutdown("terminated", 0));

try {
  await bench.startDevice({ readingIntervalMs: 2000, statusIntervalMs: 10000 });
} catch (e) {
  console.error(`demo-firmware: ${(e as Error).message}`);
  await shutdown("firmware failed to start", 1);
}
console.log("demo-firmware: firmware up; home is wireguard-go + collector. Ctrl-C stops.");
let shownLines = 0;
let shownReadings = 0;
const deadline = seconds > 0 ? Date.now() + seconds * 1000 : Infinity;
while (Date.now() < deadline) {
  for (; shownLines < target.lines.length; shownLines++) console.log(`  firmware | ${target.lines[shownLines]}`);
  const readings = bench.readings();
  for (; shownReadings < readings.length; shownReadings++) console.log(`  collector| ${JSON.stringify(readings[shownReadings])}`);
  if (!target.running) await shutdown("the firmware exited", 1);
  await sleep(200);
}
await shutdown(`${seconds} s elapsed`, bench.readings().length > 0 ? 0 : 1);
