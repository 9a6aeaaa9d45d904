// The sensor app in deep-sleep mode (app.sleepMs > 0): a wake is a boot. Each wake takes back
// the session the last one left in the retained region (SensorDevice.importSession: erased before
// use, so resumed at most once), sends one reading (at once on the kept session when the protocol
// allows it, after a handshake otherwise), hands the session back (exportSession) and sleeps.
//
// The region is shared with the app: the core's record, then the sequence number of the next
// reading, so readings stay numbered across wakes. Every write of the record carries the number
// after this wake's reading, and one write happens before the reading goes out: a crash or a
// watchdog reset at any point may skip a number, never send one twice.
//
//   region = [record length (1 byte)] [record (0..capacity-5 bytes)] [next seq (4 bytes, LE)]

import type { Platform, Retained } from "../platform/platform";
import { LOG_INFO, LOG_WARN } from "../platform/platform";
import type { SensorDevice } from "../wireguard/sensordevice";
import { Sensor } from "./sensor";
import type { SensorOptions } from "./sensor";

/** Awake at most this long for one reading: three initiations (REKEY_TIMEOUT apart) and their
 *  answers; past it the sensor sleeps anyway (a home that does not answer must not drain the
 *  battery) and tries again at the next wake. */
export var AWAKE_LIMIT_MS = 20000;

/** The core's view of the region: the record part only; writes carry the app's next number. */
export class SharedRegion implements Retained {
  capacity: number;
  /** The number of this wake's reading (from the region; 0 on a power-on). */
  seq: number;
  /** How many writes this wake made. */
  writes = 0;
  private region: Retained;
  private record: Uint8Array | null;

  constructor(region: Retained) {
    this.region = region;
    this.capacity = region.capacity - 5;
    var bytes = region.read();
    var n = bytes ? bytes.length : 0;
    var len = n >= 5 ? bytes![0] : -1;
    if (len >= 0 && 1 + len + 4 === n) {
      this.record = bytes!.subarray(1, 1 + len);
      this.seq = bytes![n - 4] + bytes![n - 3] * 256 + bytes![n - 2] * 65536 + bytes![n - 1] * 16777216;
    } else { // empty (power-on) or not ours: no record, numbering from 0
      this.record = null;
      this.seq = 0;
    }
  }

  read(): Uint8Array | null {
    return this.record;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > this.capacity) throw new RangeError("retained region: a record of " + bytes.length + " bytes, room for " + this.capacity);
    var next = this.seq + 1;
    var out = new Uint8Array(1 + bytes.length + 4);
    out[0] = bytes.length;
    out.set(bytes, 1);
    var at = 1 + bytes.length;
    out[at] = next & 255;
    out[at + 1] = (next >>> 8) & 255;
    out[at + 2] = (next >>> 16) & 255;
    out[at + 3] = (next >>> 24) & 255;
    try {
      this.region.write(out);
    } finally {
      for (var i = 0; i < out.length; i++) out[i] = 0; // held a copy of the record's keys
    }
    this.record = null;
    this.writes++;
  }
}

export class SleepingSensor {
  private device: SensorDevice;
  private platform: Platform;
  private options: SensorOptions;
  private region: SharedRegion;
  private sensor: Sensor;
  private sleep: (ms: number) => void;
  private wokeAt: number;
  private resume: string | null;
  private asleep = false;

  /** sleep(ms): the board's deep sleep (taken once the current call returns). */
  constructor(device: SensorDevice, platform: Platform, options: SensorOptions, sleep: (ms: number) => void) {
    this.device = device;
    this.platform = platform;
    this.options = options;
    this.sleep = sleep;
    if (!platform.retained) throw new Error("app.sleepMs: this board keeps nothing across a deep sleep (no retained region)");
    this.region = new SharedRegion(platform.retained);
    this.platform.retained = this.region;
    this.wokeAt = platform.clock.nowMs();
    this.resume = device.importSession();
    // This wake's number is reserved before its reading can go out (importSession wrote already
    // when it resumed or refused a record).
    if (this.region.writes === 0) this.region.write(new Uint8Array(0));
    var d = device;
    this.sensor = new Sensor(options, platform.clock, {
      send: function (bytes, to) { return hw.appUdpSend(bytes, to.host, to.port); },
      log: platform.io.log,
      status: function () { return d.status(); },
    }, this.region.seq);
  }

  tick(): void {
    if (this.asleep) return;
    this.sensor.tick();
    var now = this.platform.clock.nowMs();
    var s = this.device.status();
    var sent = s.txPackets > 0; // the reading left through the tunnel
    if (!sent && now - this.wokeAt < AWAKE_LIMIT_MS) return;
    this.asleep = true;
    var kept = 0;
    try {
      kept = this.device.exportSession();
    } catch (e) {
      this.platform.io.log(LOG_WARN, "sleep: the session could not be kept: " + (e as Error).message);
    }
    this.platform.io.log(LOG_INFO, "wake " + JSON.stringify({
      seq: this.sensor.nextSeq() - 1, resume: this.resume, sent: sent, handshakes: s.handshakes,
      replays: s.drops.replay || 0, awakeMs: Math.floor(now - this.wokeAt), kept: kept, sleepMs: this.options.sleepMs,
    }));
    this.sleep(this.options.sleepMs);
  }

  statusLine(): string {
    return this.sensor.statusLine();
  }
}
