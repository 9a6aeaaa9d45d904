// Self-checks that need no crypto and no I/O, written in the engine subset so that the same
// function runs under Node (selftest.test.ts) and inside the firmware bundle on Duktape /
// JerryScript (scripts/run-duk-selftest.js). They prove that the engine executes the core's
// arithmetic the way Node does: counters past 2^32, bit tricks, typed-array views, parsing.

import { ReplayWindow, REPLAY_WINDOW_SIZE } from "./replay";
import { Timers, MAX_TIMER_HANDSHAKES } from "./timers";
import { decodeBase64, encodeBase64 } from "./base64";
import { AllowedIps, formatCidr, ipPacketLength, parseCidr, parseIp } from "./allowedips";
import { readU64LE, toHex, writeU64LE } from "./bytes";
import {
  classify, MESSAGE_COOKIE_REPLY, MESSAGE_INITIATION, MESSAGE_RESPONSE, MESSAGE_TRANSPORT,
  parseCookieReply, parseInitiation, parseResponse, parseTransportHeader, serializeCookieReply,
  serializeInitiation, serializeResponse, serializeTransport, transportPayload,
} from "./messages";
import { KEEPALIVE_TIMEOUT, REJECT_AFTER_MESSAGES, REJECT_AFTER_TIME, REKEY_TIMEOUT } from "./constants";
import { RateLimiter, rateLimitKey } from "./ratelimiter";
import { EndpointName } from "./endpointname";
import { RestoredReplayWindow, SESSION_SIZE, decodeSession, encodeSession } from "./session";
import type { Crypto } from "../platform/platform";

export interface SelfTestResult {
  passed: number;
  failed: number;
  /** "name: what went wrong", one per failed check. */
  failures: string[];
}

/** Collects named checks; a check fails by throwing. */
export class SelfTestRun {
  passed = 0;
  failed = 0;
  failures: string[] = [];

  check(name: string, body: () => void): void {
    try {
      body();
      this.passed++;
    } catch (e) {
      this.failed++;
      this.failures.push(name + ": " + (e && (e as Error).message ? (e as Error).message : String(e)));
    }
  }

  result(): SelfTestResult {
    return { passed: this.passed, failed: this.failed, failures: this.failures.slice(0) };
  }
}

export function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

export function expectEqual(actual: unknown, wanted: unknown, what: string): void {
  if (actual !== wanted) throw new Error(what + ": got " + String(actual) + ", want " + String(wanted));
}

function expectThrows(body: () => void, what: string): void {
  var threw = false;
  try {
    body();
  } catch (e) {
    threw = true;
  }
  if (!threw) throw new Error(what + ": did not throw");
}

// ---- replay window: the Linux kernel's counter self-test sequence, as data ----

export type Step = [number, boolean];

function replaySteps(run: SelfTestRun, name: string, steps: Step[]): void {
  run.check(name, function () {
    var w = new ReplayWindow();
    for (var i = 0; i < steps.length; i++) {
      var got = w.validateCounter(steps[i][0]);
      if (got !== steps[i][1]) throw new Error("step " + (i + 1) + ": counter " + steps[i][0] + " gave " + got);
    }
  });
}

function countUp(from: number, to: number, steps: Step[]): Step[] {
  for (var n = from; n <= to; n++) steps.push([n, true]);
  return steps;
}

function countDown(from: number, to: number, steps: Step[]): Step[] {
  for (var n = from; n >= to; n--) steps.push([n, true]);
  return steps;
}

/** The Linux kernel's counter self-test sequence (drivers/net/wireguard/selftest/counter.c),
 *  restated for our window size: counter -> accepted? on a fresh window. Shared with
 *  replay.test.ts so the Node tests and the engine self-checks run the very same cases. */
export function kernelCounterSequence(): Step[] {
  var W = REPLAY_WINDOW_SIZE, L = W + 1, R = REJECT_AFTER_MESSAGES;
  return [
    [0, true], [1, true], [1, false], [9, true], [8, true], [7, true], [7, false],
    [L, true], [L - 1, true], [L - 1, false], [L - 2, true], [2, true], [2, false],
    [L + 16, true], [3, false], [L + 16, false],
    [4 * L, true], [4 * L - (L - 1), true], [10, false], [4 * L - L, false], [4 * L - (L + 1), false],
    [4 * L - (L - 2), true], [4 * L + 1 - L, false], [0, false],
    [R, false], [R - 1, true], [R, false], [R - 1, false], [R - 2, true],
    [R + 1, false], [R + 2, false], [R - 2, false], [R - 3, true], [0, false],
  ];
}

function replayChecks(run: SelfTestRun): void {
  var W = REPLAY_WINDOW_SIZE;
  replaySteps(run, "replay: kernel sequence", kernelCounterSequence());
  replaySteps(run, "replay: bulk 1..W, 0", countUp(1, W, []).concat([[0, true], [0, false]]));
  replaySteps(run, "replay: bulk 2..W+1, 1", countUp(2, W + 1, []).concat([[1, true], [0, false]]));
  replaySteps(run, "replay: bulk W+1..1", countDown(W + 1, 1, []));
  replaySteps(run, "replay: bulk W+2..2", countDown(W + 2, 2, []).concat([[0, false]]));
  replaySteps(run, "replay: bulk W..1, W+1", countDown(W, 1, []).concat([[W + 1, true], [0, false]]));
  replaySteps(run, "replay: bulk W..0, W+1", countDown(W, 1, []).concat([[0, true], [W + 1, true]]));
  replaySteps(run, "replay: counters across 2^32", [[4294967295, true], [4294967296, true], [4294967295, false], [4294967296, false], [4294967297, true], [1, false]]);
}

// ---- timers on a fake clock ----

function zeroRandom(n: number): Uint8Array {
  return new Uint8Array(n);
}

function timerChecks(run: SelfTestRun): void {
  var rnd = { randomBytes: zeroRandom };
  run.check("timers: retransmit after REKEY_TIMEOUT, give up after 19 (more than MAX_TIMER_HANDSHAKES)", function () {
    var t = new Timers(rnd, 0);
    t.handshakeInitiated(0);
    var now = 0, retries = 0;
    for (var guard = 0; guard < 40; guard++) {
      expect(!t.poll(now + REKEY_TIMEOUT - 1).sendInitiation, "early retransmit at " + now);
      now += REKEY_TIMEOUT;
      var a = t.poll(now);
      if (a.gaveUp) break;
      expect(a.sendInitiation, "retransmit due at " + now);
      retries++;
      t.handshakeInitiated(now);
    }
    expectEqual(retries, MAX_TIMER_HANDSHAKES + 1, "retransmissions before giving up");
    expect(!t.wantRetransmit(), "still in flight after giving up");
  });
  run.check("timers: jitter bounded", function () {
    var t = new Timers({ randomBytes: function (n: number) { var b = new Uint8Array(n); for (var i = 0; i < n; i++) b[i] = 0xff; return b; } }, 0);
    t.handshakeInitiated(1000);
    var d = t.nextDeadline() - 1000 - REKEY_TIMEOUT;
    expect(d >= 0 && d <= 333, "jitter " + d);
  });
  run.check("timers: passive keepalive", function () {
    var t = new Timers(rnd, 0);
    t.dataReceived(0);
    expect(!t.poll(KEEPALIVE_TIMEOUT - 1).sendKeepalive, "early");
    expect(t.poll(KEEPALIVE_TIMEOUT).sendKeepalive, "due");
    t.dataReceived(50000);
    t.anyAuthenticatedPacketSent(50001);
    expect(!t.poll(70000).sendKeepalive, "cancelled by a sent packet");
  });
  run.check("timers: new handshake after data sent without reply", function () {
    var t = new Timers(rnd, 0);
    t.dataSent(0);
    expect(!t.poll(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT - 1).sendInitiation, "early");
    expect(t.poll(KEEPALIVE_TIMEOUT + REKEY_TIMEOUT).sendInitiation, "due");
    t.dataSent(100000);
    t.anyAuthenticatedPacketReceived(100500);
    expect(!t.poll(200000).sendInitiation, "cancelled by a received packet");
  });
  run.check("timers: zero keys after 3 * REJECT_AFTER_TIME", function () {
    var t = new Timers(rnd, 0);
    t.sessionDerived(7);
    expect(!t.poll(7 + 3 * REJECT_AFTER_TIME - 1).zeroKeys, "early");
    expect(t.poll(7 + 3 * REJECT_AFTER_TIME).zeroKeys, "due");
  });
  run.check("timers: persistent keepalive", function () {
    var t = new Timers(rnd, 25000);
    expect(!t.poll(1e9).sendKeepalive, "armed before any traffic");
    t.anyAuthenticatedPacketTraversal(1e9);
    expect(!t.poll(1e9 + 24999).sendKeepalive, "early");
    expect(t.poll(1e9 + 25000).sendKeepalive, "due");
    expect(t.poll(1e9 + 50000).sendKeepalive, "periodic");
  });
}

// ---- encodings and parsing ----

function asciiBytes(s: string): Uint8Array {
  var b = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function parsingChecks(run: SelfTestRun): void {
  run.check("base64: RFC 4648 vectors", function () {
    var v = [["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"]];
    for (var i = 0; i < v.length; i++) {
      expectEqual(encodeBase64(asciiBytes(v[i][0])), v[i][1], "encode " + v[i][0]);
      expectEqual(toHex(decodeBase64(v[i][1])), toHex(asciiBytes(v[i][0])), "decode " + v[i][1]);
    }
  });
  run.check("base64: strict decoding", function () {
    var bad = ["Zg", "Zg=", "Zh==", "Zm9=", "Zm9-", "Z===", "Zm 9"];
    for (var i = 0; i < bad.length; i++) expectThrows(function () { decodeBase64(bad[i]); }, "decoded " + bad[i]);
  });
  run.check("bytes: 64-bit little-endian counters", function () {
    var b = new Uint8Array(8);
    writeU64LE(b, 0, REJECT_AFTER_MESSAGES - 1);
    expectEqual(toHex(b), "feffffffffff1f00", "2^53 - 2");
    expectEqual(readU64LE(b, 0), REJECT_AFTER_MESSAGES - 1, "round trip");
  });
  run.check("allowedips: address parsing", function () {
    expectEqual(toHex(parseIp("10.77.0.2") as Uint8Array), "0a4d0002", "IPv4");
    expectEqual(toHex(parseIp("fd00:77::2") as Uint8Array), "fd000077000000000000000000000002", "IPv6 with ::");
    expectEqual(toHex(parseIp("::ffff:192.0.2.1") as Uint8Array), "00000000000000000000ffffc0000201", "IPv4 tail");
    expectEqual(parseIp("1::2::3"), null, "two ::");
    expectEqual(parseIp("256.0.0.1"), null, "octet > 255");
    expectEqual(formatCidr(parseCidr("10.77.1.130/25")), "10.77.1.128/25", "host bits cleared");
    expectThrows(function () { parseCidr("10.0.0.0/33"); }, "prefix 33");
  });
  run.check("allowedips: source filter and packet length", function () {
    var p = new Uint8Array(32);
    p[0] = 0x45; p[3] = 28; p[12] = 10; p[13] = 77; p[15] = 9; p[16] = 1;
    var a = new AllowedIps(["10.77.0.0/24"]);
    expect(a.allowsSource(p), "10.77.0.9 in 10.77.0.0/24");
    expectEqual(ipPacketLength(p), 28, "padding trimmed");
    p[14] = 1;
    expect(!a.allowsSource(p), "10.77.1.9 outside");
    expectEqual(ipPacketLength(p.subarray(0, 27)), -1, "truncated");
  });
}

// ---- message framing (no crypto: layouts, sizes, little-endian fields) ----

function pattern(length: number, seed: number): Uint8Array {
  var b = new Uint8Array(length);
  for (var i = 0; i < length; i++) b[i] = (seed + i * 7) & 0xff;
  return b;
}

function messageChecks(run: SelfTestRun): void {
  run.check("messages: classify by type and exact size", function () {
    var sizes = [[148, MESSAGE_INITIATION], [92, MESSAGE_RESPONSE], [64, MESSAGE_COOKIE_REPLY], [32, MESSAGE_TRANSPORT], [1452, MESSAGE_TRANSPORT]];
    for (var i = 0; i < sizes.length; i++) {
      var m = new Uint8Array(sizes[i][0]);
      m[0] = sizes[i][1];
      expectEqual(classify(m), sizes[i][1], "type " + sizes[i][1] + " at " + sizes[i][0] + " bytes");
      // Transport messages have a minimum, the handshake messages an exact size.
      if (sizes[i][0] !== 1452) expectEqual(classify(m.subarray(0, sizes[i][0] - 1)), "bad-length", "one byte short, type " + sizes[i][1]);
    }
    var odd = new Uint8Array(148);
    odd[0] = 1; odd[2] = 1;
    expectEqual(classify(odd), "bad-type", "non-zero reserved byte");
    odd[0] = 5; odd[2] = 0;
    expectEqual(classify(odd), "bad-type", "type 5");
    expectEqual(classify(new Uint8Array(3)), "bad-length", "3 bytes");
    var long = new Uint8Array(149);
    long[0] = MESSAGE_INITIATION;
    expectEqual(classify(long), "bad-length", "initiation one byte long");
  });
  run.check("messages: initiation round trip", function () {
    var bytes = serializeInitiation({ sender: 0xfffffffe, ephemeral: pattern(32, 1), encryptedStatic: pattern(48, 2),
      encryptedTimestamp: pattern(28, 3), mac1: pattern(16, 4), mac2: pattern(16, 5) });
    expectEqual(bytes.length, 148, "size");
    expectEqual(toHex(bytes.subarray(0, 8)), "01000000feffffff", "type and sender, little-endian");
    var m = parseInitiation(bytes);
    if (!m) throw new Error("did not parse");
    expectEqual(m.sender, 0xfffffffe, "sender");
    expectEqual(toHex(m.encryptedTimestamp), toHex(pattern(28, 3)), "timestamp");
    expectEqual(toHex(m.mac2), toHex(pattern(16, 5)), "mac2");
    expectEqual(parseInitiation(bytes.subarray(0, 147)), null, "short");
  });
  run.check("messages: response and cookie reply round trip", function () {
    var r = parseResponse(serializeResponse({ sender: 7, receiver: 0x80000001, ephemeral: pattern(32, 9), encryptedNothing: pattern(16, 10),
      mac1: pattern(16, 11), mac2: pattern(16, 12) }));
    if (!r) throw new Error("response did not parse");
    expectEqual(r.receiver, 0x80000001, "receiver");
    expectEqual(toHex(r.mac1), toHex(pattern(16, 11)), "mac1");
    var c = parseCookieReply(serializeCookieReply({ receiver: 42, nonce: pattern(24, 13), encryptedCookie: pattern(32, 14) }));
    if (!c) throw new Error("cookie reply did not parse");
    expectEqual(c.receiver, 42, "receiver");
    expectEqual(toHex(c.nonce), toHex(pattern(24, 13)), "nonce");
  });
  run.check("messages: transport header with a 64-bit counter", function () {
    var t = serializeTransport(0xdeadbeef, REJECT_AFTER_MESSAGES - 1, pattern(16, 15));
    expectEqual(toHex(t.subarray(0, 16)), "04000000efbeaddefeffffffffff1f00", "header bytes");
    var h = parseTransportHeader(t);
    if (!h) throw new Error("did not parse");
    expectEqual(h.receiver, 0xdeadbeef, "receiver");
    expectEqual(h.counter, REJECT_AFTER_MESSAGES - 1, "counter");
    expectEqual(transportPayload(t).length, 16, "payload view");
  });
}

// ---- issue 11: the engine runs the new code paths as Node does ----

/** Enough of a Crypto for session.ts's tag: a keyed mix (not BLAKE2s), deterministic. */
var mixCrypto = {
  blake2s: function (outLen: number, data: Uint8Array, key?: Uint8Array): Uint8Array {
    var out = new Uint8Array(outLen), acc = 7, i;
    if (key) for (i = 0; i < key.length; i++) { acc = (acc * 31 + key[i]) % 65521; out[i % outLen] ^= acc & 255; }
    for (i = 0; i < data.length; i++) { acc = (acc * 33 + data[i]) % 65521; out[i % outLen] ^= acc & 255; }
    return out;
  },
} as unknown as Crypto;

function networkChecks(run: SelfTestRun): void {
  run.check("session: a 172-byte record round-trips counters past 2^32, a flipped bit is refused", function () {
    var key = pattern(32, 5);
    var b = encodeSession(mixCrypto, key, {
      isInitiator: true, sentLastMinuteHandshake: false, endpoint: { host: "2001:db8::9", port: 51820 }, localIndex: 0xfedcba98,
      remoteIndex: 3, sendKey: pattern(32, 1), recvKey: pattern(32, 2), savedAtMs: 1e12, savedAtWallMs: null, created: 1e12 - 5000,
      sendCounter: 4294967296 * 5 + 7, recvWindowTop: 4294967297, lastHandshakeMs: 0, lastSentHandshake: null, zeroKeysAt: 1e12 + 1, persistentAt: null,
    });
    expectEqual(b.length, SESSION_SIZE, "size");
    var s = decodeSession(mixCrypto, key, b);
    if (typeof s === "string") throw new Error("decode: " + s);
    expectEqual(s.sendCounter, 4294967296 * 5 + 7, "send counter");
    expectEqual(s.recvWindowTop, 4294967297, "window top");
    expectEqual(s.localIndex, 0xfedcba98, "index");
    expectEqual(s.endpoint ? s.endpoint.host + " " + s.endpoint.port : "none", "2001:db8::9 51820", "endpoint");
    expectEqual(s.lastHandshakeMs, 0, "time 0 is not 'none'");
    expectEqual(s.lastSentHandshake, null, "none");
    b[100] ^= 1;
    expectEqual(decodeSession(mixCrypto, key, b), "bad-tag", "flipped bit");
  });
  run.check("replay: a restored window refuses what was below its top", function () {
    var w = new RestoredReplayWindow(4294967297); // counters up to 4294967296 were accepted before the sleep
    expect(!w.validateCounter(4294967296) && !w.validateCounter(4294967200), "below the top");
    expect(w.validateCounter(4294967297), "the top itself is new");
    expect(!w.validateCounter(4294967297), "once");
  });
  run.check("ratelimiter: the full table refuses a new source; IPv6 per /64", function () {
    var rl = new RateLimiter(20, 5, 2);
    expect(rl.allow("192.0.2.1", 0) && rl.allow("192.0.2.2", 0), "two fit");
    expect(!rl.allow("192.0.2.3", 1), "the third is refused");
    expectEqual(rateLimitKey("2001:db8:1:2::5"), rateLimitKey("2001:db8:1:2:ffff::1"), "one /64");
    expectEqual(rateLimitKey("::ffff:192.0.2.9"), "192.0.2.9", "mapped");
  });
  run.check("endpoint name: backoff 2..64 s", function () {
    var n = new EndpointName("home.example.org", 51820, 300000);
    var now = 0, gaps: number[] = [];
    for (var i = 0; i < 8; i++) {
      while (!n.due(now)) now += 1000;
      gaps.push(now);
      n.finish(n.begin(now), null, "SERVFAIL", now);
    }
    expectEqual(gaps.join(","), "0,2000,6000,14000,30000,62000,126000,190000", "lookup times");
    var answer = n.finish(n.begin(now), ["not an address", "192.0.2.7"], null, now);
    expectEqual(answer ? answer.address.host : "none", "192.0.2.7", "the first address in the answer");
  });
}

/** Runs every core self-check. Extra checks (messages, config) are added by the caller via `more`. */
export function runSelfTests(more?: (run: SelfTestRun) => void): SelfTestResult {
  var run = new SelfTestRun();
  replayChecks(run);
  timerChecks(run);
  parsingChecks(run);
  messageChecks(run);
  networkChecks(run);
  if (more) more(run);
  return run.result();
}
