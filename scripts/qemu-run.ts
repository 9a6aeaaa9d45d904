// `make qemu`: boots the QEMU Xtensa board interactively, its console on this terminal
// (Ctrl-A X quits QEMU) or on a pty for `npx homewire enroll/monitor --port`. Writes the boot page
// (boards/qemu-xtensa/boot.h: the board's hardware) and keeps the board's flash (its store: the
// key it made on its first boot and the config `enroll` brought) in a file across runs.
//
//   tsx scripts/qemu-run.ts [--serial stdio|pty] [--net user|tap:IFNAME] [--ip A.B.C.D/N]
//                           [--flash file] [--icount N]
//
// --net user (default) is QEMU's user-mode network: the board is 10.0.2.15/24 and reaches the
// host as 10.0.2.2, so a wireguard-go listening on the host answers a peer endpoint of
// 10.0.2.2:<port> without root. --net tap:IF puts the NIC on an existing TAP (e.g. in a netns).
// A blank board prints its public key and waits for `enroll` (firmware/runtime/console.h).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootPage, imageKindOf, BOARD_MAC, BOOT_PAGE_ADDR, FLASH_SIZE, IMAGE_ADDR, QEMU_ELF, QEMU_IMAGE } from "../test-hil/targets/qemu.ts";

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i], v = process.argv[i + 1];
  if (!k.startsWith("--") || v === undefined) usage(`bad argument ${k}`);
  args.set(k.slice(2), v);
}
function usage(why: string): never {
  console.error(`qemu-run: ${why}\nsee scripts/qemu-run.ts for the options`);
  process.exit(2);
}

// ENGINE=duktape|jerryscript picks the build (test-hil/targets/qemu.ts); HW_QEMU_ELF/IMAGE override.
const ELF = QEMU_ELF;
const IMAGE = QEMU_IMAGE;
const RUN_DIR = "build/qemu-xtensa/run";
for (const f of [ELF, IMAGE]) if (!existsSync(f)) usage(`${f} is not built (make qemu-board firmware-image)`);
if (statSync(IMAGE).size > 1024 * 1024) usage(`${IMAGE} does not fit the board's 1 MiB image area`);
mkdirSync(RUN_DIR, { recursive: true });

const net = args.get("net") ?? "user";
const ip = args.get("ip") ?? (net === "user" ? "10.0.2.15/24" : "192.168.77.2/24");
const mac = BOARD_MAC;
let page: Buffer;
try {
  page = bootPage({ seed: randomBytes(32), mac, ip, imageLength: statSync(IMAGE).size, imageKind: imageKindOf(readFileSync(IMAGE)), statusMs: 5000 });
} catch (e) {
  usage((e as Error).message);
}
const bootFile = join(RUN_DIR, "boot.txt");
writeFileSync(bootFile, page, { mode: 0o600 }); // holds the RNG seed

const flash = args.get("flash") ?? join(RUN_DIR, "flash.bin");
if (!existsSync(flash)) writeFileSync(flash, Buffer.alloc(FLASH_SIZE, 0xff)); // erased
else if (statSync(flash).size !== FLASH_SIZE) usage(`${flash} is not a ${FLASH_SIZE >> 20} MiB flash image`);

const nic = net === "user" ? `user,mac=${mac}`
  : net.startsWith("tap:") ? `tap,ifname=${net.slice(4)},script=no,downscript=no,mac=${mac}` : usage(`--net must be user or tap:IFNAME`);
const serial = args.get("serial") ?? "stdio";
if (serial !== "stdio" && serial !== "pty") usage("--serial must be stdio or pty");
const argv = ["-M", "lx60-nommu", "-cpu", "lx106", "-nographic", "-serial", serial === "pty" ? "pty" : "mon:stdio", "-semihosting",
  "-kernel", ELF, "-device", `loader,file=${bootFile},addr=0x${BOOT_PAGE_ADDR.toString(16)},force-raw=on`,
  "-device", `loader,file=${IMAGE},addr=0x${IMAGE_ADDR.toString(16)},force-raw=on`,
  "-drive", `if=pflash,format=raw,file=${flash}`, "-nic", nic,
  ...(args.has("icount") ? ["-icount", `shift=${args.get("icount")}`] : [])];
console.log(serial === "pty"
  ? `qemu-run: board ${ip} on ${net}, store ${flash}; its console is the pty QEMU names below (npx homewire monitor --port it); Ctrl-C quits`
  : `qemu-run: board ${ip} on ${net}, store ${flash}; Ctrl-A X quits`);
const r = spawnSync("qemu-system-xtensa", argv, { stdio: "inherit" });
process.exit(r.status ?? 1);
