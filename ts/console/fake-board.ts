// A board speaking homewire-console 2, for tests of the host tools when no firmware runs: a key
// born at first boot, the identity (key + enrolled config) stored in one put, the command table
// of console protocol 2 (firmware/runtime/console.h). It checks an enrolment with the same parser the CLI uses, so a test can tell
// the host's checks from the board's. Not a model of timing or of the runtime.
import type { Readable, Writable } from "node:stream";
import { parseEnrollRequest } from "../app/identity.ts";
import { generatePrivateKey, publicKeyOf } from "../cli/keys.ts";
import { decodeBase64, encodeBase64 } from "../wireguard/base64.ts";
import { ENROLLED, errorLine, LineSplitter, NOT_ENROLLED, okLine, parseEnrollLine, PUBLIC_KEY_PREFIX, READY } from "./protocol.ts";

export interface FakeBoardOptions {
  /** Refuse every enrolment with this reason (a field only the board checks, say). */
  refuseEnroll?: string;
  /** Called with each complete line the board receives; false = the board never acts on it. */
  onReceive?: (line: string) => boolean;
  /** Say nothing at all (a board not running homewire). */
  silent?: boolean;
  /** A broken store: the config is gone after a reset (the key stays). */
  forgetsOnReset?: boolean;
  /** Line ending the board prints. */
  eol?: "\n" | "\r\n";
}

export class FakeBoard {
  /** The store: one value, replaced whole (an atomic put). */
  identity: string | null = null;
  readonly received: string[] = [];
  private stopped = false;
  private output: Writable | null = null;
  private readonly splitter = new LineSplitter((line) => this.onLine(line));

  constructor(readonly options: FakeBoardOptions = {}) {}

  /** Connects the board's UART: bytes from the host on input, the console on output. Boots the
   *  first time; a later attach is the host opening the port again (the board keeps running). */
  attach(input: Readable, output: Writable): void {
    const first = this.output === null;
    this.output = output;
    input.on("data", (chunk: Buffer | string) => this.splitter.push(chunk.toString()));
    if (first) this.boot();
  }

  say(line: string): void {
    if (!this.options.silent) this.output?.write(line + (this.options.eol ?? "\n"));
  }

  /** The private key the board holds (tests look for it in everything the host printed). */
  get privateKey(): string | null {
    return this.identity === null ? null : (JSON.parse(this.identity) as { privateKey: string }).privateKey;
  }

  get publicKey(): string | null {
    const k = this.privateKey;
    return k === null ? null : encodeBase64(publicKeyOf(decodeBase64(k)));
  }

  get config(): Record<string, unknown> | null {
    return this.identity === null ? null : ((JSON.parse(this.identity) as { config?: Record<string, unknown> }).config ?? null);
  }

  boot(): void {
    this.stopped = false;
    if (this.identity === null) this.identity = JSON.stringify({ v: 1, privateKey: encodeBase64(generatePrivateKey()) });
    this.say("garbage from the ROM \u0000\u00ff");
    this.say(READY);
    this.say(PUBLIC_KEY_PREFIX + this.publicKey);
    this.say(this.config ? ENROLLED : NOT_ENROLLED);
    if (this.config) this.say("[started] engine=fake heap-current=1000 heap-peak=1200 heap-limit=4096 outer-rx=0 outer-tx=0");
  }

  printStatus(): void {
    this.say("[status] engine=fake heap-current=3000 heap-peak=3500 heap-limit=8192 outer-rx=12 outer-tx=9 tunnel-in=4 tunnel-out=5 app-tx=5 queue-drops=1");
    this.say('[info] status {"state":"established","handshakes":2,"lastHandshakeMs":61000,"nowMs":73500,"endpoint":"192.0.2.1:51820",' +
      '"rxBytes":1536,"txBytes":2048,"rxPackets":4,"txPackets":5,"datagramsIn":9,"datagramsAccepted":7,"readingsSent":5,"readingsRefused":0,' +
      '"drops":{"replay":1,"bad-mac1":1}}');
  }

  private onLine(line: string): void {
    if (line === "") return; // an empty line asks nothing (the CLI sends one to end a cut line)
    this.received.push(line);
    if (this.options.onReceive && !this.options.onReceive(line)) return;
    const word = line.split(" ", 1)[0];
    if (this.stopped && word !== "reset" && word !== "wipe-store") return this.say(errorLine(word, "stopped (reset or wipe-store)"));
    switch (word) {
      case "enroll":
        return this.enroll(line);
      case "public-key":
        return this.say(okLine("public-key", this.publicKey!));
      case "status": // as the board: what the command prints, then its answer
        this.printStatus();
        return this.say(okLine("status"));
      case "reset":
        this.say(okLine("reset"));
        if (this.options.forgetsOnReset) this.identity = JSON.stringify({ v: 1, privateKey: this.privateKey });
        return this.boot();
      case "stop":
        this.stopped = true;
        this.say("[exit] engine=fake heap-current=900 heap-peak=1500 heap-limit=4096 outer-rx=3 outer-tx=4");
        return this.say(okLine("stop"));
      case "wipe-store":
        if (!this.stopped) return this.say(errorLine("wipe-store", "only while stopped"));
        this.identity = null;
        return this.say(okLine("wipe-store"));
      default:
        return this.say(errorLine(word, "unknown command"));
    }
  }

  private enroll(line: string): void {
    const parts = parseEnrollLine(line);
    if ("error" in parts) return this.say(errorLine("enroll", parts.error));
    let parsed;
    try {
      parsed = parseEnrollRequest(parts.json);
    } catch (e) {
      return this.say(errorLine("enroll", (e as Error).message));
    }
    if (this.options.refuseEnroll) return this.say(errorLine("enroll", this.options.refuseEnroll));
    const config = parsed.config;
    const privateKey = parsed.newKey ? encodeBase64(generatePrivateKey()) : this.privateKey!;
    // One put: the new value replaces the old whole, or not at all.
    this.identity = JSON.stringify({ v: 1, privateKey, config });
    this.say(okLine("enroll", "public-key=" + this.publicKey));
  }
}
