// `npx homewire <command>`: host tools for provisioning a device. Run through scripts/homewire.mjs.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { encodeBase64 } from "../wireguard/base64.ts";
import { CliError, UsageError } from "./errors.ts";
import { parseKeyText, readKeyFile, writeSecretFile } from "./files.ts";
import { newKeyPair, publicKeyOf } from "./keys.ts";
import { buildPeerConfig } from "./peer-config.ts";
import { wipe } from "../wireguard/bytes.ts";
import type { ConsoleLink } from "../console/link.ts";
import { enroll, type EnrollIo } from "./enroll.ts";
import { baudFlag, openPort } from "./ports.ts";
import { DEFAULT_BUILD, flash } from "./flash.ts";
import { monitor } from "./monitor.ts";
import type { Readable } from "node:stream";

const CONSOLE_BAUD = 115200;
const FLASH_BAUD = 460800; // idf.py's default; the ROM syncs at 115200 first

const USAGE = `usage: homewire <command> [options]

From a blank board to a tunnel home (ESP32; see README.md):
  flash --port DEV [--build DIR] [--baud N] [--verbose]
                                   write the ESP-IDF build's bootloader, partition table and app
                                   (DIR/flasher_args.json; DIR defaults to boards/esp32/build) with
                                   esptool from the project venv, each verified by MD5
  enroll --port DEV --home-public-key KEY --endpoint HOST:PORT --address CIDR[,CIDR] --allowed-ips CIDR[,CIDR...]
         [--dns IP[,IP...]] [--resolve-interval S]
         [--psk FILE --peer-out FILE] [--persistent-keepalive S] [--listen-port PORT]
         [--wifi-ssid SSID --wifi-password-file FILE] [--collector IP:PORT [--name NAME] [--sleep-ms MS]]
         [--new-key] [--peer-out FILE] [--force] [--wg-interface IFACE] [--baud N]
                                   check the config, send it to the board (which keeps its own key),
                                   reset it, and write the home side's [Peer] stanza (stdout or
                                   --peer-out, mode 0600) and print the matching wg set line.
                                   HOST: an IPv4 address, [IPv6] or a DNS name the board looks up
                                   with --dns servers (at most 3) every --resolve-interval seconds
                                   (30..86400, default 300) and when handshakes go unanswered;
                                   --address: one tunnel address, or one IPv4 and one IPv6
  monitor --port DEV [--baud N] [--no-reset] [--raw]
                                   the board's console with readable status lines; lines you type go
                                   to the board; resets it through DTR/RTS first; Ctrl-] quits

Keys for the home side:
  keygen --out FILE [--force]      write a new private key (base64, mode 0600) to FILE, print its public key
  keygen                           print a new private key on stdout (refused when stdout is a terminal)
  pubkey [FILE]                    print the public key of the private key in FILE or on stdin (like wg pubkey)

The Node endpoint (make demo-node: a software device whose key lives on this host):
  peer-config --key FILE --home-public-key KEY --address CIDR --allowed-ips CIDR[,CIDR...] --out FILE
              [--psk FILE --peer-out FILE] [--endpoint HOST:PORT] [--persistent-keepalive SECONDS]
              [--listen-port PORT] [--peer-out FILE] [--force]
                                   write its config (JSON with its private key, mode 0600) and print the
                                   home side's [Peer] stanza (or write it to --peer-out, mode 0600)
`;

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  stdoutIsTerminal: boolean;
  readStdin: () => string;
  /** Opens a board's console (tests pass a fake board's link). */
  openLink?: (port: string, baud: number) => Promise<ConsoleLink>;
  /** What monitor reads typed commands from (default: this process's stdin). */
  stdin?: Readable;
  stdinIsTerminal?: boolean;
  /** Waits on enroll's answers, shortened by tests. */
  enrollTimeouts?: EnrollIo["timeouts"];
}

function keygen(args: string[], io: Io): void {
  const { values } = parseArgs({ args, options: { out: { type: "string" }, force: { type: "boolean", default: false } }, strict: true });
  const pair = newKeyPair();
  if (values.out !== undefined) {
    writeSecretFile(values.out, pair.privateText + "\n", values.force ?? false, "--out");
    io.out(pair.publicText + "\n");
    return;
  }
  // Like `wg genkey`, so `homewire keygen | homewire pubkey` works; but a terminal is a log.
  if (io.stdoutIsTerminal) throw new UsageError("refusing to print a private key to a terminal; use --out FILE or redirect stdout");
  io.out(pair.privateText + "\n");
}

function pubkey(args: string[], io: Io): void {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length > 1) throw new UsageError("pubkey takes at most one file");
  const key = positionals.length === 1 ? readKeyFile(positionals[0], "private key", io.err) : parseKeyText(io.readStdin(), "private key (stdin)");
  try {
    io.out(encodeBase64(publicKeyOf(key)) + "\n");
  } finally {
    wipe(key);
  }
}

function peerConfig(args: string[], io: Io): void {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      key: { type: "string" },
      "home-public-key": { type: "string" },
      psk: { type: "string" },
      address: { type: "string" },
      endpoint: { type: "string" },
      "allowed-ips": { type: "string", multiple: true },
      "persistent-keepalive": { type: "string" },
      "listen-port": { type: "string" },
      out: { type: "string" },
      "peer-out": { type: "string" },
      force: { type: "boolean", default: false },
    },
  });
  for (const required of ["key", "home-public-key", "address", "out"] as const) {
    if (values[required] === undefined) throw new UsageError(`--${required}: required`);
  }
  if (values.psk !== undefined && values["peer-out"] === undefined) {
    throw new UsageError("--peer-out: required with --psk (the [Peer] stanza then holds the PSK: it goes to a 0600 file, never to stdout)");
  }
  const allowedIps = splitList(values["allowed-ips"]);
  const result = buildPeerConfig(
    {
      key: values.key!,
      homePublicKey: values["home-public-key"]!,
      psk: values.psk,
      address: values.address!,
      endpoint: values.endpoint,
      allowedIps,
      persistentKeepalive: values["persistent-keepalive"],
      listenPort: values["listen-port"],
    },
    io.err,
  );
  writeSecretFile(values.out!, result.deviceJson, values.force ?? false, "--out");
  if (values["peer-out"] !== undefined) {
    writeSecretFile(values["peer-out"], result.stanza, values.force ?? false, "--peer-out");
    io.err(`wrote ${values.out} (device) and ${values["peer-out"]} (home [Peer] stanza)\n`);
  } else {
    io.out(result.stanza);
    io.err(`wrote ${values.out}; add the [Peer] stanza above to the home side's wg-quick config\n`);
  }
}

async function enrollCommand(args: string[], io: Io): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: "string" },
      baud: { type: "string" },
      "home-public-key": { type: "string" },
      endpoint: { type: "string" },
      address: { type: "string" },
      "allowed-ips": { type: "string", multiple: true },
      dns: { type: "string", multiple: true },
      "resolve-interval": { type: "string" },
      psk: { type: "string" },
      "persistent-keepalive": { type: "string" },
      "listen-port": { type: "string" },
      "wifi-ssid": { type: "string" },
      "wifi-password-file": { type: "string" },
      collector: { type: "string" },
      name: { type: "string" },
      "sleep-ms": { type: "string" },
      "new-key": { type: "boolean", default: false },
      "peer-out": { type: "string" },
      force: { type: "boolean", default: false },
      "wg-interface": { type: "string", default: "wg0" },
    },
  });
  for (const required of ["port", "home-public-key", "endpoint", "address"] as const) {
    if (values[required] === undefined) throw new UsageError(`--${required}: required`);
  }
  const baud = baudFlag(values.baud, CONSOLE_BAUD);
  await enroll(
    {
      port: values.port!,
      homePublicKey: values["home-public-key"]!,
      endpoint: values.endpoint!,
      address: values.address!,
      allowedIps: splitList(values["allowed-ips"]),
      dns: values.dns === undefined ? undefined : splitList(values.dns),
      resolveInterval: values["resolve-interval"],
      psk: values.psk,
      persistentKeepalive: values["persistent-keepalive"],
      listenPort: values["listen-port"],
      wifiSsid: values["wifi-ssid"],
      wifiPasswordFile: values["wifi-password-file"],
      collector: values.collector,
      name: values.name,
      sleepMs: values["sleep-ms"],
      newKey: values["new-key"] ?? false,
      peerOut: values["peer-out"],
      force: values.force ?? false,
      wgInterface: values["wg-interface"]!,
    },
    { out: io.out, err: io.err, openLink: (port) => (io.openLink ?? openPort)(port, baud), timeouts: io.enrollTimeouts },
  );
}

async function flashCommand(args: string[], io: Io): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { port: { type: "string" }, build: { type: "string" }, baud: { type: "string" }, verbose: { type: "boolean", default: false } },
  });
  if (values.port === undefined) throw new UsageError("--port: required (the board's serial port, e.g. /dev/ttyUSB0)");
  await flash(values.port, baudFlag(values.baud, FLASH_BAUD), values.build ?? DEFAULT_BUILD, {
    out: io.out, err: io.err, terminal: io.stdoutIsTerminal, verbose: values.verbose ?? false,
  });
}

async function monitorCommand(args: string[], io: Io): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { port: { type: "string" }, baud: { type: "string" }, "no-reset": { type: "boolean", default: false }, raw: { type: "boolean", default: false } },
  });
  if (values.port === undefined) throw new UsageError("--port: required (the board's serial port, e.g. /dev/ttyUSB0)");
  const baud = baudFlag(values.baud, CONSOLE_BAUD);
  const link = await (io.openLink ?? openPort)(values.port, baud);
  const stdin = io.stdin ?? process.stdin;
  const code = await monitor(link, { port: values.port, baud, reset: !(values["no-reset"] ?? false), raw: values.raw ?? false }, {
    out: io.out, err: io.err, input: stdin, terminal: io.stdin ? (io.stdinIsTerminal ?? false) : process.stdin.isTTY === true,
  });
  if (code !== 0) throw new CliError("the board's port went away");
}

/** "--allowed-ips a,b --allowed-ips c" -> [a, b, c]. */
function splitList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
}

const COMMANDS: Record<string, (args: string[], io: Io) => void | Promise<void>> = { keygen, pubkey, "peer-config": peerConfig, enroll: enrollCommand, flash: flashCommand, monitor: monitorCommand };

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.err(`homewire: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  try {
    await run(rest, io);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`homewire ${command}: ${e.message}\n`);
      return e.status;
    }
    // parseArgs reports unknown/malformed options with code ERR_PARSE_ARGS_*.
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (code.startsWith("ERR_PARSE_ARGS")) {
      io.err(`homewire ${command}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Runs the CLI on this process's arguments and streams (the bin shim calls this). */
export async function runFromProcess(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdoutIsTerminal: process.stdout.isTTY === true,
    readStdin: () => readFileSync(0, "utf8"),
  });
}

// Also runnable directly: tsx ts/cli/main.ts <command>
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) void runFromProcess();
