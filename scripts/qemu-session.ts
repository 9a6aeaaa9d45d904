// One QEMU board on the test-hil topology for the measuring scripts (`make bench-qemu`,
// `make profile-qemu`): the TAP bridge, wireguard-go at home, the board booted with a fresh
// boot page and an erased flash under `-icount`, enrolled over its console (it makes its key on
// that first boot) and reset: what the scripts measure starts with that second, enrolled boot.
// The sensor app sends its first reading at start (which makes the device initiate), then none
// for an hour of board time, and prints no status, so what the scripts measure is the tunnel.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { b64, fromB64, generateKeyPair, Topology, WireguardGo, DEV_INNER, HOME_INNER, HOME_OUTER } from "../ts/interop/netns.ts";
import type { Child } from "../ts/interop/proc.ts";
import { answerPublicKey, bootState, enrollLine, READY } from "../ts/console/protocol.ts";
import { LineFeed } from "../ts/console/link.ts";
import { ConsoleSession } from "../ts/console/session.ts";
import { bridgeTap } from "../test-hil/bench.ts";
import { bootPage, imageKindOf, BOARD_MAC, BOOT_PAGE_ADDR, FLASH_SIZE, IMAGE_ADDR } from "../test-hil/targets/qemu.ts";

const TAP = "hwtap0";

export interface BoardSession {
  qemu: Child;
  wg: WireguardGo;
}

/** Boots the board in topo's dev namespace; console lines go to onLine. */
export async function startBoardSession(topo: Topology, o: {
  name: string; elf: string; image: string; icountShift: number; qemuArgs?: string[]; onLine: (line: string) => void;
  /** App options over the defaults below (e.g. sleepMs: the deep-sleep mode, on its image). */
  app?: Record<string, unknown>;
}): Promise<BoardSession> {
  await bridgeTap(topo, TAP);
  const home = generateKeyPair();
  const bootFile = join(topo.dir, "boot.txt");
  const image = readFileSync(o.image);
  writeFileSync(bootFile, bootPage({ seed: randomBytes(32), mac: BOARD_MAC, ip: "192.168.77.2/24", imageLength: image.length,
    imageKind: imageKindOf(image), statusMs: 0 }), { mode: 0o600 });
  const flash = join(topo.dir, "flash.bin");
  writeFileSync(flash, Buffer.alloc(FLASH_SIZE, 0xff)); // erased: the board makes its key
  const board = new LineFeed((line) => void qemu.process.stdin!.write(line + "\n"));
  const con = new ConsoleSession(board);
  const qemu = topo.spawn("qemu", topo.dev, ["qemu-system-xtensa", "-M", "lx60-nommu", "-cpu", "lx106", "-nographic", "-monitor", "none",
    "-serial", "stdio", "-semihosting", "-icount", `shift=${o.icountShift}`, "-kernel", o.elf, ...(o.qemuArgs ?? []),
    "-device", `loader,file=${bootFile},addr=0x${BOOT_PAGE_ADDR.toString(16)},force-raw=on`,
    "-device", `loader,file=${o.image},addr=0x${IMAGE_ADDR.toString(16)},force-raw=on`,
    "-drive", `if=pflash,format=raw,file=${flash}`, "-nic", `tap,ifname=${TAP},script=no,downscript=no,mac=${BOARD_MAC}`],
    { onLine: (l) => { const line = l.replace(/\r/g, ""); board.feed(line); o.onLine(line); } });
  // The blank board's boot: its public key, which home needs before the board can reach it.
  const bootLines = async (from: number) => {
    await con.waitFor("the board's boot lines", (l) => l === "[board] enrolled" || l === "[board] not enrolled", 120000, from);
    return bootState(con.since(from))!;
  };
  const first = await bootLines(0);
  const wg = new WireguardGo(topo, topo.home, { privateKey: home.privateKey, listenPort: 51820, address: `${HOME_INNER}/24`,
    peer: { publicKey: fromB64(first.publicKey), allowedIps: [`${DEV_INNER}/32`] } });
  await wg.start();
  const enrolled = await con.request(enrollLine(JSON.stringify({ address: `${DEV_INNER}/24`, listenPort: 51820,
    peer: { publicKey: b64(home.publicKey), endpoint: `${HOME_OUTER}:51820`, allowedIps: [`${HOME_INNER}/32`] },
    app: { collector: `${HOME_INNER}:9999`, name: o.name, readingIntervalMs: 3600000, statusIntervalMs: 0, ...o.app } })), 60000);
  if (answerPublicKey(enrolled) !== first.publicKey) throw new Error(`enroll: ${enrolled.ok ? enrolled.detail : enrolled.reason}`);
  const reset = await con.request("reset", 60000);
  await con.waitFor("the ready line after reset", (l) => l === READY, 120000, reset.position + 1);
  const again = await bootLines(reset.position + 1);
  if (!again.enrolled) throw new Error("the board did not come back enrolled after enroll + reset");
  return { qemu, wg };
}
