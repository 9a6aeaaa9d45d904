// Differential test of the C crypto (firmware/crypto) against @noble: random inputs, boundary
// lengths, bad tags, wrong counters and ad, compared byte for byte with the Node provider
// (ts/platform/node/crypto.ts) or, where it has no entry point, @noble directly.
//
//   node_modules/.bin/tsx scripts/crypto-differential.ts [path/to/hwcrypto-cli]
//   CRYPTO_DIFF_SEED=<u32> reproduces a run; CRYPTO_DIFF_N=<count> sets cases per function.
//
// Prints one "<function>: N passed, M failed" line per function and a total; exits 1 on any
// mismatch. The C side is driven through the pipe protocol described in firmware/crypto/test/cli.c.
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { chacha20, chacha20poly1305, hchacha } from "@noble/ciphers/chacha.js";
import { poly1305 } from "@noble/ciphers/_poly1305.js";
import { blake2s } from "@noble/hashes/blake2.js";
import { nobleCrypto } from "../ts/platform/node/crypto.ts";

const CLI = process.argv[2] ?? "build/crypto/hwcrypto-cli";
const N = Number(process.env.CRYPTO_DIFF_N ?? 10000);
const SEED = process.env.CRYPTO_DIFF_SEED !== undefined ? Number(process.env.CRYPTO_DIFF_SEED) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const BATCH = 2000;

// sfc32: small, fast, and reproducible from one 32-bit seed.
let sa = 0x9e3779b9, sb = 0x243f6a88, sc = 0xb7e15162, sd = SEED;
function next32(): number {
  sa >>>= 0; sb >>>= 0; sc >>>= 0; sd >>>= 0;
  const t = (sa + sb + sd) >>> 0;
  sd = (sd + 1) >>> 0;
  sa = sb ^ (sb >>> 9);
  sb = (sc + (sc << 3)) >>> 0;
  sc = ((sc << 21) | (sc >>> 11)) >>> 0;
  sc = (sc + t) >>> 0;
  return t;
}
for (let i = 0; i < 16; i++) next32();
const below = (n: number): number => next32() % n;
const chance = (p: number): boolean => next32() / 4294967296 < p;
function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = next32() & 0xff;
  return b;
}
const BOUNDARY = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 1419, 1420, 1421, 2047, 2048];
const length = (max = 2048): number => (chance(0.4) ? BOUNDARY[below(BOUNDARY.length)] : below(max + 1));

const u32le = (v: number): Uint8Array => new Uint8Array([v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]);
function u64le(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

interface Case {
  op: number;
  fields: Uint8Array[];
  status: number; // expected: 0 ok, 1 the primitive reports failure
  out: Uint8Array; // expected output bytes
}

const OP = { x25519: 1, x25519Base: 2, aeadSeal: 3, aeadOpen: 4, xaeadSeal: 5, xaeadOpen: 6, blake2s: 7, blake2sSplit: 8, chacha20: 9, poly1305: 10, hchacha20: 11, hmacBlake2s: 12 };

function encode(cases: Case[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const c of cases) {
    parts.push(new Uint8Array([c.op | (chance(0.5) ? 0x80 : 0), c.fields.length]));
    for (const f of c.fields) parts.push(u32le(f.length), f);
  }
  return Buffer.concat(parts);
}

function runBatch(cases: Case[]): { status: number; out: Uint8Array }[] {
  const r = spawnSync(CLI, [], { input: encode(cases), maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${CLI} exited ${r.status}: ${r.stderr.toString()}`);
  const buf = r.stdout;
  const res: { status: number; out: Uint8Array }[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = buf.readUInt32LE(at + 1);
    res.push({ status: buf[at], out: new Uint8Array(buf.subarray(at + 5, at + 5 + len)) });
    at += 5 + len;
  }
  return res;
}

// ---- case generators: each returns the request and @noble's answer ----

const P = (1n << 255n) - 19n;
function leBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return b;
}
function x25519Point(): Uint8Array {
  const r = below(100);
  if (r < 3) return leBytes(BigInt(below(2))); // u = 0, 1: low order, all-zero result
  if (r < 6) return leBytes(P - 1n); // u = -1, order 4
  if (r < 10) return leBytes(P + BigInt(below(19))); // non-canonical (>= p), must reduce
  if (r < 14) { const u = bytes(32); u[31] |= 0x80; return u; } // bit 255 set, must be ignored
  return bytes(32);
}
const allZero = (b: Uint8Array): boolean => b.every((x) => x === 0);

const gen: Record<string, () => Case> = {
  x25519() {
    const s = bytes(32), u = x25519Point();
    const out = nobleCrypto.x25519(s, u);
    return { op: OP.x25519, fields: [s, u], status: allZero(out) ? 1 : 0, out };
  },
  x25519Base() {
    const s = bytes(32);
    return { op: OP.x25519Base, fields: [s], status: 0, out: nobleCrypto.x25519Base(s) };
  },
  aeadSeal() {
    const key = bytes(32), pt = bytes(length()), ad = bytes(length(64));
    const { counter, nonce } = aeadCounter();
    const out = chance(0.5) && counter < BigInt(Number.MAX_SAFE_INTEGER)
      ? nobleCrypto.aeadSeal(key, Number(counter), pt, ad)
      : chacha20poly1305(key, nonce, ad).encrypt(pt);
    return { op: OP.aeadSeal, fields: [key, u64le(counter), pt, ad], status: 0, out };
  },
  aeadOpen() {
    const key = bytes(32), pt = bytes(length()), ad = bytes(length(64));
    const { counter, nonce } = aeadCounter();
    let ct = chacha20poly1305(key, nonce, ad).encrypt(pt);
    let useCounter = counter, useAd = ad;
    const how = below(6); // 0-1 intact, 2 bit flip, 3 wrong counter, 4 wrong ad, 5 truncated
    if (how === 2) { ct = ct.slice(); ct[below(ct.length)] ^= 1 << below(8); }
    if (how === 3) useCounter = (counter + 1n + BigInt(below(3))) & 0xffffffffffffffffn;
    if (how === 4) { useAd = useAd.length ? useAd.slice() : new Uint8Array(1); useAd[below(useAd.length)] ^= 0x40; }
    if (how === 5) ct = ct.slice(0, below(Math.min(ct.length, 20)));
    let got: Uint8Array | null = null;
    if (ct.length >= 16) {
      const n = new Uint8Array(12);
      n.set(u64le(useCounter), 4);
      try { got = chacha20poly1305(key, n, useAd).decrypt(ct); } catch { got = null; }
    }
    const outLen = Math.max(ct.length - 16, 0);
    return { op: OP.aeadOpen, fields: [key, u64le(useCounter), ct, useAd], status: got ? 0 : 1, out: got ?? new Uint8Array(outLen) };
  },
  xaeadSeal() {
    const key = bytes(32), nonce = bytes(24), pt = bytes(length()), ad = bytes(length(64));
    return { op: OP.xaeadSeal, fields: [key, nonce, pt, ad], status: 0, out: nobleCrypto.xaeadSeal(key, nonce, pt, ad) };
  },
  xaeadOpen() {
    const key = bytes(32), nonce = bytes(24), pt = bytes(length()), ad = bytes(length(64));
    let ct = nobleCrypto.xaeadSeal(key, nonce, pt, ad);
    let useNonce = nonce, useAd = ad;
    const how = below(6);
    if (how === 2) { ct = ct.slice(); ct[below(ct.length)] ^= 1 << below(8); }
    if (how === 3) { useNonce = nonce.slice(); useNonce[below(24)] ^= 1; }
    if (how === 4) { useAd = useAd.length ? useAd.slice() : new Uint8Array(1); useAd[below(useAd.length)] ^= 0x40; }
    if (how === 5) ct = ct.slice(0, below(Math.min(ct.length, 20)));
    const got = nobleCrypto.xaeadOpen(key, useNonce, ct, useAd);
    return { op: OP.xaeadOpen, fields: [key, useNonce, ct, useAd], status: got ? 0 : 1, out: got ?? new Uint8Array(Math.max(ct.length - 16, 0)) };
  },
  blake2s() {
    const { outLen, key, data, bad } = blakeArgs();
    const out = bad ? new Uint8Array(0) : nobleCrypto.blake2s(outLen, data, key.length ? key : undefined);
    return { op: OP.blake2s, fields: [new Uint8Array([outLen]), data, key], status: bad ? 1 : 0, out };
  },
  blake2sSplit() {
    const { outLen, key, data, bad } = blakeArgs();
    const pieces = new Uint8Array(2 * (1 + below(8)));
    for (let i = 0; i < pieces.length; i += 2) pieces[i] = chance(0.3) ? [0, 1, 63, 64, 65][below(5)] : below(140);
    if (pieces.every((x) => x === 0)) pieces[0] = 1;
    const out = bad ? new Uint8Array(0) : blake2s(data, key.length ? { key, dkLen: outLen } : { dkLen: outLen });
    return { op: OP.blake2sSplit, fields: [new Uint8Array([outLen]), data, key, pieces], status: bad ? 1 : 0, out };
  },
  chacha20() {
    const key = bytes(32), nonce = bytes(12), data = bytes(length());
    const counter = chance(0.1) ? 0xffffffff - 40 : chance(0.2) ? below(4) : next32() % 0xffff0000;
    return { op: OP.chacha20, fields: [key, nonce, u32le(counter), data], status: 0, out: chacha20(key, nonce, data, undefined, counter) };
  },
  poly1305() {
    const key = bytes(32), msg = bytes(length());
    if (chance(0.1)) key.fill(0xff, 16); // s near 2^128: the final addition wraps
    if (chance(0.1)) msg.fill(0xff); // accumulator near p
    return { op: OP.poly1305, fields: [key, msg], status: 0, out: poly1305(msg, key) };
  },
  hchacha20() {
    const key = bytes(32), nonce = bytes(16);
    const sigma = new Uint32Array([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
    const o = new Uint32Array(8);
    hchacha(sigma, new Uint32Array(key.slice().buffer), new Uint32Array(nonce.slice().buffer), o);
    return { op: OP.hchacha20, fields: [key, nonce], status: 0, out: new Uint8Array(o.buffer) };
  },
  hmacBlake2s() {
    // Keys 0..64 (WireGuard's are 32: chaining keys and KDF pseudorandom keys); 2% too long,
    // which both sides must refuse.
    const bad = chance(0.02);
    const keyLen = bad ? 65 + below(40) : chance(0.3) ? [0, 1, 31, 32, 33, 63, 64][below(7)] : below(65);
    const key = bytes(keyLen), data = bytes(chance(0.3) ? [0, 1, 32, 33, 63, 64, 65][below(7)] : length(300));
    let out: Uint8Array = new Uint8Array(0);
    if (!bad) out = nobleCrypto.hmacBlake2s(key, data);
    else assert.throws(() => nobleCrypto.hmacBlake2s(key, data), RangeError);
    return { op: OP.hmacBlake2s, fields: [key, data], status: bad ? 1 : 0, out };
  },
};

function aeadCounter(): { counter: bigint; nonce: Uint8Array } {
  const special = [0n, 1n, 0xffffffffn, 0x100000000n, (1n << 53n) - 1n, (1n << 60n), (1n << 64n) - 1n];
  const counter = chance(0.2) ? special[below(special.length)] : (BigInt(next32()) << 32n) | BigInt(next32());
  const nonce = new Uint8Array(12);
  nonce.set(u64le(counter), 4);
  return { counter, nonce };
}

function blakeArgs(): { outLen: number; key: Uint8Array; data: Uint8Array; bad: boolean } {
  const bad = chance(0.02);
  const outLen = bad && chance(0.5) ? [0, 33, 64][below(3)] : 1 + below(32);
  const keyLen = bad && outLen >= 1 && outLen <= 32 ? 33 + below(4) : chance(0.5) ? 0 : 1 + below(32);
  return { outLen, key: bytes(keyLen), data: bytes(length()), bad };
}

// ---- run ----
// Little-endian host assumed by the Uint32Array views in hchacha20 (x86, arm64).
console.log(`crypto-differential: seed ${SEED} (CRYPTO_DIFF_SEED to reproduce), ${N} cases per function, cli ${CLI}`);
let totalPass = 0, totalFail = 0;
for (const [name, make] of Object.entries(gen)) {
  let pass = 0, fail = 0;
  for (let done = 0; done < N; done += BATCH) {
    const cases: Case[] = [];
    for (let i = 0; i < Math.min(BATCH, N - done); i++) cases.push(make());
    const got = runBatch(cases);
    if (got.length !== cases.length) throw new Error(`${name}: ${got.length} answers for ${cases.length} requests`);
    cases.forEach((c, i) => {
      const g = got[i];
      if (g.status === c.status && hex(g.out) === hex(c.out)) { pass++; return; }
      fail++;
      if (fail <= 3) {
        console.log(`  MISMATCH ${name} #${done + i}: status c=${g.status} noble=${c.status}`);
        console.log(`    fields ${c.fields.map((f) => (f.length > 48 ? `${f.length}B` : hex(f))).join(" ")}`);
        console.log(`    c     ${hex(g.out).slice(0, 96)}\n    noble ${hex(c.out).slice(0, 96)}`);
      }
    });
  }
  console.log(`${name}: ${pass} passed, ${fail} failed`);
  totalPass += pass;
  totalFail += fail;
}
console.log(`crypto-differential: ${totalPass} passed, ${totalFail} failed (seed ${SEED})`);
process.exit(totalFail === 0 ? 0 : 1);
