// `npx homewire <command>`: host tools for provisioning a device. Run through scripts/homewire.mjs.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { encodeBase64 } from "../wireguard/base64.ts";
import { CliError, UsageError } from "./errors.ts";
import { parseKeyText, readKeyFile, writeSecretFile } from "./files.ts";
import { newKeyPair, publicKeyOf } from "./keys.ts";
import { buildPeerConfig } from "./peer-config.ts";
import { wipe } from "../wireguard/bytes.ts";

const USAGE = `usage: homewire <command> [options]

  keygen --out FILE [--force]      write a new private key (base64, mode 0600) to FILE, print its public key
  keygen                           print a new private key on stdout (refused when stdout is a terminal)
  pubkey [FILE]                    print the public key of the private key in FILE or on stdin (like wg pubkey)
  peer-config --key FILE --home-public-key KEY --address CIDR --allowed-ips CIDR[,CIDR...] --out FILE
              [--psk FILE] [--endpoint HOST:PORT] [--persistent-keepalive SECONDS] [--listen-port PORT]
              [--peer-out FILE] [--force]
                                   write the device config (JSON, mode 0600) and print the home side's
                                   wg-quick [Peer] stanza (or write it to --peer-out, mode 0600)
`;

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  stdoutIsTerminal: boolean;
  readStdin: () => string;
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
  const allowedIps = (values["allowed-ips"] ?? []).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
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

const COMMANDS: Record<string, (args: string[], io: Io) => void> = { keygen, pubkey, "peer-config": peerConfig };

export function main(argv: string[], io: Io): number {
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
    run(rest, io);
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
export function runFromProcess(): void {
  process.exitCode = main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stdoutIsTerminal: process.stdout.isTTY === true,
    readStdin: () => readFileSync(0, "utf8"),
  });
}

// Also runnable directly: tsx ts/cli/main.ts <command>
if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) runFromProcess();
