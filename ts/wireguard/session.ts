// The session a sleeping sensor keeps across a sleep with RAM off (deep sleep), in a small
// retained region (RTC memory, a region QEMU keeps, a file on the host board): one transport
// keypair with its counters and indices, the endpoint, and the timer deadlines that still mean
// something after a sleep. Compact, fixed-size and versioned; its last 8 bytes are a keyed
// BLAKE2s tag that detects corruption and binds the record to our key and the peer's.
//
// SensorDevice (sensordevice.ts) hands its session over before a sleep (exportSession) and takes
// it back after the wake (importSession); this file holds what that needs beside the Device: the
// record, a replay window restored from its top, timers that give and take the kept deadlines.
//
// The record is resumed at most once: importSession erases it durably before it installs the
// keypair, and exportSession writes it only after the device has stopped using the keypair.
// Hence every nonce ever sent with the key is below the stored counter, and every counter ever
// accepted is below the stored window top, also across a crash or a watchdog reset at any point:
// a wake that finds no record (or a consumed one) handshakes instead.
//
// Layout (little-endian, SESSION_SIZE = 172 bytes):
//   0 version (1)          1 flags                2 endpoint port (u16)   4 endpoint address (16)
//  20 local index (u32)   24 remote index (u32)  28 send key (32)        60 receive key (32)
//  92 saved at (ms, u64) 100 created (ms)       108 send counter (next unused)
// 116 receive window top (greatest accepted counter + 1, 0 = none)
// 124 last handshake (ms + 1, 0 = none)         132 last initiation sent (ms + 1, 0 = none)
// 140 zero-keys deadline (ms + 1, 0 = off)      148 persistent keepalive deadline (ms + 1, 0 = off)
// 156 wall clock at save (Unix ms, if flag)     164 tag (8)
// Times are the platform's nowMs(), which must keep counting across the sleep.

import type { Address, Crypto } from "../platform/platform";
import { concat, constantTimeEqual, copyOf, readU32LE, readU64LE, writeU32LE, writeU64LE } from "./bytes";
import { formatIp, parseIp } from "./allowedips";
import { ascii } from "./noise";
import { hash } from "./kdf";
import { REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME } from "./constants";
import { ReplayWindow } from "./replay";
import { Timers } from "./timers";

export var SESSION_VERSION = 1;
export var SESSION_SIZE = 172;
var TAG_AT = 164;
var TAG_SIZE = 8;
var LABEL_SESSION = "homewire session v1";

var FLAG_INITIATOR = 1;
var FLAG_LAST_MINUTE = 2;
var FLAG_ENDPOINT = 4;
var FLAG_ENDPOINT_V6 = 8;
var FLAG_WALL = 16;

export interface SessionState {
  isInitiator: boolean;
  /** The initiator already started its last-minute rekey on this keypair. */
  sentLastMinuteHandshake: boolean;
  endpoint: Address | null;
  localIndex: number;
  remoteIndex: number;
  sendKey: Uint8Array;
  recvKey: Uint8Array;
  savedAtMs: number;
  /** Unix ms at save, when the platform had a wall clock: a cross-check of the monotonic clock. */
  savedAtWallMs: number | null;
  created: number;
  /** The next counter to send with: every counter used so far is below it. */
  sendCounter: number;
  /** Greatest counter accepted + 1 (0: nothing received yet). */
  recvWindowTop: number;
  lastHandshakeMs: number | null;
  lastSentHandshake: number | null;
  zeroKeysAt: number | null;
  persistentAt: number | null;
}

/** The key of the record's tag: what binds a record to this device and this peer. */
export function sessionTagKey(crypto: Crypto, localPublic: Uint8Array, peerPublic: Uint8Array): Uint8Array {
  return hash(crypto, concat([ascii(LABEL_SESSION), localPublic, peerPublic]));
}

function putTime(b: Uint8Array, at: number, t: number | null): void {
  writeU64LE(b, at, t === null ? 0 : t + 1);
}

function getTime(b: Uint8Array, at: number): number | null {
  var v = readU64LE(b, at);
  return v === 0 ? null : v - 1;
}

export function encodeSession(crypto: Crypto, tagKey: Uint8Array, s: SessionState): Uint8Array {
  var b = new Uint8Array(SESSION_SIZE);
  var flags = (s.isInitiator ? FLAG_INITIATOR : 0) + (s.sentLastMinuteHandshake ? FLAG_LAST_MINUTE : 0) +
    (s.savedAtWallMs !== null ? FLAG_WALL : 0);
  var ip = s.endpoint === null ? null : parseIp(s.endpoint.host);
  if (s.endpoint !== null && ip !== null) {
    flags += FLAG_ENDPOINT + (ip.length === 16 ? FLAG_ENDPOINT_V6 : 0);
    b[2] = s.endpoint.port % 256;
    b[3] = (s.endpoint.port - b[2]) / 256;
    b.set(ip, 4);
  }
  b[0] = SESSION_VERSION;
  b[1] = flags;
  writeU32LE(b, 20, s.localIndex);
  writeU32LE(b, 24, s.remoteIndex);
  b.set(s.sendKey, 28);
  b.set(s.recvKey, 60);
  writeU64LE(b, 92, s.savedAtMs);
  writeU64LE(b, 100, s.created);
  writeU64LE(b, 108, s.sendCounter);
  writeU64LE(b, 116, s.recvWindowTop);
  putTime(b, 124, s.lastHandshakeMs);
  putTime(b, 132, s.lastSentHandshake);
  putTime(b, 140, s.zeroKeysAt);
  putTime(b, 148, s.persistentAt);
  writeU64LE(b, 156, s.savedAtWallMs === null ? 0 : s.savedAtWallMs);
  b.set(crypto.blake2s(TAG_SIZE, b.subarray(0, TAG_AT), tagKey), TAG_AT);
  return b;
}

/** The state in a record, or why there is none: "empty" (no record, or an erased one),
 *  "bad-size", "bad-version", "bad-tag" (corrupt, or another device's or peer's), "bad-field". */
export function decodeSession(crypto: Crypto, tagKey: Uint8Array, b: Uint8Array | null): SessionState | string {
  if (b === null || b.length === 0) return "empty";
  if (b.length !== SESSION_SIZE) return "bad-size";
  if (b[0] === 0) return "empty";
  if (b[0] !== SESSION_VERSION) return "bad-version";
  if (!constantTimeEqual(crypto.blake2s(TAG_SIZE, b.subarray(0, TAG_AT), tagKey), b.subarray(TAG_AT))) return "bad-tag";
  var flags = b[1];
  var endpoint: Address | null = null;
  if (flags % (2 * FLAG_ENDPOINT) >= FLAG_ENDPOINT) {
    var v6 = flags % (2 * FLAG_ENDPOINT_V6) >= FLAG_ENDPOINT_V6;
    var port = b[2] + b[3] * 256;
    if (port === 0) return "bad-field";
    endpoint = { host: formatIp(copyOf(b, 4, v6 ? 20 : 8)), port: port };
  }
  var s: SessionState = {
    isInitiator: flags % 2 === 1,
    sentLastMinuteHandshake: flags % (2 * FLAG_LAST_MINUTE) >= FLAG_LAST_MINUTE,
    endpoint: endpoint,
    localIndex: readU32LE(b, 20),
    remoteIndex: readU32LE(b, 24),
    sendKey: copyOf(b, 28, 60),
    recvKey: copyOf(b, 60, 92),
    savedAtMs: readU64LE(b, 92),
    savedAtWallMs: flags % (2 * FLAG_WALL) >= FLAG_WALL ? readU64LE(b, 156) : null,
    created: readU64LE(b, 100),
    sendCounter: readU64LE(b, 108),
    recvWindowTop: readU64LE(b, 116),
    lastHandshakeMs: getTime(b, 124),
    lastSentHandshake: getTime(b, 132),
    zeroKeysAt: getTime(b, 140),
    persistentAt: getTime(b, 148),
  };
  // The tag vouches for the writer, not for the values: check what the device relies on.
  if (s.created > s.savedAtMs || s.sendCounter >= REJECT_AFTER_MESSAGES || s.recvWindowTop > REJECT_AFTER_MESSAGES) return "bad-field";
  return s;
}

/** A replay window for a resumed session, of which only the top was kept: every counter below
 *  top counts as seen (late packets from before the sleep are refused, never accepted twice). */
export class RestoredReplayWindow extends ReplayWindow {
  constructor(top: number) {
    super();
    if (top > 0) this.seenBelow(top); // the ring's layout is replay.ts's business
  }
}

/** Timers that also give and take the deadlines a session keeps across a deep sleep. The
 *  passive-keepalive and new-handshake deadlines are not among them: both assume we are
 *  listening, and a sleeping sensor never hears the peer's keepalive, so a new-handshake deadline
 *  kept across sleeps would force a handshake on nearly every wake. */
export class SleepTimers extends Timers {
  sleepDeadlines(): { zeroKeysAt: number | null; persistentAt: number | null } {
    return { zeroKeysAt: this.zeroKeysAt < 0 ? null : this.zeroKeysAt, persistentAt: this.persistentAt < 0 ? null : this.persistentAt };
  }

  /** After a wake: those deadlines again (a persistent keepalive only if one is configured now;
   *  one that fell due in the sleep fires at the next poll). */
  resumeDeadlines(zeroKeysAt: number | null, persistentAt: number | null, now: number): void {
    this.zeroKeysAt = zeroKeysAt === null ? now + 3 * REJECT_AFTER_TIME : zeroKeysAt;
    if (this.persistentKeepaliveMs > 0) this.persistentAt = persistentAt === null ? now + this.persistentKeepaliveMs : persistentAt;
    this.newHandshakeDelay = 15000 + this.jitter();
  }
}
