// The example sensor application: every few seconds a small JSON reading goes over UDP to
// the collector at home, through the tunnel; every so often a status line on the console.
// Time comes from the platform clock and the work happens in tick(): no timers of its own.

import type { Address, Clock } from "../platform/platform";
import { LOG_INFO, LOG_WARN } from "../platform/platform";
import type { DeviceStatus } from "../wireguard/status";
import { formatIp, parseIp } from "../wireguard/allowedips";

export interface SensorOptions {
  collector: Address;        // inner address of the collector (home side of the tunnel)
  readingIntervalMs: number; // between readings
  statusIntervalMs: number;  // between console status lines; 0 = never
  name: string;              // the device's name inside each reading
  /** Deep-sleep mode (ts/app/sleep.ts) when > 0: each wake sends one reading, then the board
   *  sleeps this long with RAM off; readingIntervalMs is not used. 0 = always on. */
  sleepMs: number;
}

export interface SensorIo {
  /** Sends one UDP datagram from the device's tunnel address; false if the stack refused it. */
  send(bytes: Uint8Array, to: Address): boolean;
  log(level: number, message: string): void;
  status(): DeviceStatus;
  /** Optional: the lookups of an endpoint given as a name (endpointname.ts), for the status line. */
  dns?(): object;
}

/** "1.2.3.4:51820" or "[fd00::1]:51820". */
export function endpointText(a: Address): string {
  return (a.host.indexOf(":") >= 0 ? "[" + a.host + "]" : a.host) + ":" + a.port;
}

/** UTF-8 of an ASCII-only string (readings are built from numbers and a checked name). */
function ascii(text: string): Uint8Array {
  var out = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

export function parseSensorOptions(json: string): SensorOptions {
  var raw: unknown;
  try {
    raw = json ? JSON.parse(json) : {};
  } catch (e) {
    if (e instanceof SyntaxError) throw new TypeError("app: not valid JSON");
    throw e;
  }
  return sensorOptionsFrom(raw);
}

/** The app's options from a parsed JSON value (the enrolled config's "app" object). Errors are
 *  TypeErrors naming the field ("app.collector: ..."). */
export function sensorOptionsFrom(value: unknown): SensorOptions {
  if (typeof value !== "object" || value === null || value instanceof Array) throw new TypeError("app: expected a JSON object");
  var raw = value as { [k: string]: unknown };
  var known = ["collector", "name", "readingIntervalMs", "statusIntervalMs", "sleepMs"];
  for (var k in raw) {
    if (Object.prototype.hasOwnProperty.call(raw, k) && known.indexOf(k) < 0) throw new TypeError("app." + k + ": unknown field (expected one of " + known.join(", ") + ")");
  }
  var collector = typeof raw.collector === "string" ? raw.collector : "";
  var m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(collector) || /^\[([0-9A-Fa-f:.]+)\]:(\d{1,5})$/.exec(collector);
  var ip = m ? parseIp(m[1]) : null;
  if (!m || !ip || +m[2] < 1 || +m[2] > 65535) throw new TypeError("app.collector: expected \"A.B.C.D:port\" or \"[IPv6]:port\"");
  var name = raw.name === undefined ? "sensor" : raw.name;
  if (typeof name !== "string" || !/^[A-Za-z0-9._-]{1,32}$/.test(name)) throw new TypeError("app.name: expected [A-Za-z0-9._-]{1,32}");
  function ms(field: string, fallback: number): number {
    var v = raw[field];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || v !== Math.floor(v) || v < 0 || v > 86400000) throw new TypeError("app." + field + ": expected milliseconds 0..86400000");
    return v;
  }
  var reading = ms("readingIntervalMs", 5000);
  if (reading < 100) throw new TypeError("app.readingIntervalMs: at least 100");
  var sleep = ms("sleepMs", 0);
  // Shorter sleeps cost more in boots than they save in radio time; a day is the board's limit.
  if (sleep !== 0 && sleep < 1000) throw new TypeError("app.sleepMs: 0 (always on) or 1000..86400000");
  return { collector: { host: formatIp(ip as Uint8Array), port: +m[2] }, readingIntervalMs: reading, statusIntervalMs: ms("statusIntervalMs", 10000), name: name, sleepMs: sleep };
}

export class Sensor {
  private options: SensorOptions;
  private clock: Clock;
  private io: SensorIo;
  private nextReading: number;
  private nextStatus: number;
  private seq = 0;
  private sent = 0;
  private refused = 0;

  /** firstSeq: the sequence number of the first reading (a sleeping sensor carries it over). */
  constructor(options: SensorOptions, clock: Clock, io: SensorIo, firstSeq?: number) {
    this.options = options;
    if (firstSeq !== undefined) this.seq = firstSeq;
    this.clock = clock;
    this.io = io;
    var now = clock.nowMs();
    this.nextReading = now; // the first reading brings the tunnel up
    this.nextStatus = options.statusIntervalMs > 0 ? now + options.statusIntervalMs : -1;
  }

  tick(): void {
    var now = this.clock.nowMs();
    if (now >= this.nextReading) {
      this.nextReading = now + this.options.readingIntervalMs;
      this.sendReading(now);
    }
    if (this.nextStatus >= 0 && now >= this.nextStatus) {
      this.nextStatus = now + this.options.statusIntervalMs;
      this.io.log(LOG_INFO, "status " + this.statusLine());
    }
  }

  /** A simulated temperature: a slow wave, so a plot of the readings shows something. */
  reading(now: number): string {
    var celsius = Math.round((21 + 2 * Math.sin(now / 60000)) * 100) / 100;
    return JSON.stringify({ device: this.options.name, seq: this.seq, uptimeMs: Math.floor(now), celsius: celsius });
  }

  private sendReading(now: number): void {
    var text = this.reading(now);
    this.seq++;
    if (this.io.send(ascii(text), this.options.collector)) this.sent++;
    else {
      this.refused++;
      if (this.refused % 10 === 1) this.io.log(LOG_WARN, "reading " + (this.seq - 1) + " refused by the stack");
    }
  }

  /** The sequence number the next reading gets. */
  nextSeq(): number {
    return this.seq;
  }

  /** One line of JSON: tunnel state and counters (never key material). nowMs is the clock the
   *  handshake time is on, so a reader can tell the handshake's age. */
  statusLine(): string {
    var s = this.io.status();
    var line: { [k: string]: unknown } = {
      state: s.state, handshakes: s.handshakes, sessions: s.keypairs, lastHandshakeMs: s.lastHandshakeMs, nowMs: Math.floor(this.clock.nowMs()),
      endpoint: s.endpoint ? endpointText(s.endpoint) : null,
      rxBytes: s.rxBytes, txBytes: s.txBytes, rxPackets: s.rxPackets, txPackets: s.txPackets,
      datagramsIn: s.datagramsIn, datagramsAccepted: s.datagramsAccepted, readingsSent: this.sent, readingsRefused: this.refused, drops: s.drops,
    };
    if (this.io.dns) line.dns = this.io.dns();
    return JSON.stringify(line);
  }
}
