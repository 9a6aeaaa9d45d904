// The one boundary the protocol core sees. Everything here is injected: the core never
// reads a clock, draws randomness or touches I/O on its own, so every packet and timer
// path runs in a unit test on Node and unchanged on the device engines.
//
// ES5 subset: this file is compiled into the firmware bundle (type declarations only).

/**
 * Crypto primitives. On the device these are C natives (firmware/crypto via
 * firmware/bindings); on Node they come from @noble (ts/platform/node/crypto.ts), which is
 * also the differential oracle for the C code. Inputs are never modified; outputs are fresh
 * arrays. Implementations throw on wrong argument lengths.
 */
export interface Crypto {
  /** X25519(scalar, point). The scalar is clamped inside. An all-zero result (low-order
   *  point) is returned as is: callers must reject it. */
  x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array;
  /** X25519(scalar, 9): the public key of a private key. */
  x25519Base(scalar: Uint8Array): Uint8Array;
  /** ChaCha20-Poly1305 (RFC 8439) with WireGuard's nonce: 4 zero bytes || LE64(counter).
   *  counter is an integer in [0, 2^53). Returns ciphertext || 16-byte tag. */
  aeadSeal(key: Uint8Array, counter: number, plaintext: Uint8Array, ad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or null if the tag does not verify (compared in constant time). */
  aeadOpen(key: Uint8Array, counter: number, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null;
  /** XChaCha20-Poly1305 with a 24-byte nonce (cookie replies). */
  xaeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array;
  xaeadOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null;
  /** BLAKE2s with outLen in 1..32 and an optional key of 1..32 bytes (absent or empty = unkeyed). */
  blake2s(outLen: number, data: Uint8Array, key?: Uint8Array): Uint8Array;
  /** HMAC(key, data) (RFC 2104) with BLAKE2s-256 as the hash and a 64-byte block: the
   *  whitepaper's HMAC, under KDF1/2/3. Returns 32 bytes. key is 0..64 bytes (longer keys throw
   *  RangeError; WireGuard's are 32). A primitive rather than two blake2s calls: a handshake
   *  runs ~30 HMACs, and padding the key byte by byte is costly in an interpreter. */
  hmacBlake2s(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** Optional (the core uses it when present; it accepts exactly what the plain path accepts):
   *  the receive side of a transport message for the keypair the caller picked, in one call and
   *  without a fresh array. Checks that message is a transport message (type 4, reserved bytes
   *  zero, 32 bytes or more) whose receiver index is localIndex and whose counter is below 2^53
   *  - 1 (REJECT_AFTER_MESSAGES), then aeadOpen(key, counter, message[16, length), empty AD)
   *  into plaintext[0, message.length - 32). Returns the counter, or a negative OPEN_* code
   *  naming the first check that failed (then plaintext holds nothing of the message).
   *  plaintext.length >= message.length - 32, else RangeError. Under Duktape the header
   *  parsing, the view and the fresh array cost more than the AEAD of a small packet. Like the
   *  other optional per-packet members, the core keeps the function and calls it detached from
   *  this object: it must not use `this`. */
  openTransport?(key: Uint8Array, localIndex: number, message: Uint8Array, plaintext: Uint8Array): number;
}

/** Crypto.openTransport's refusals (a counter, its success value, is never negative). */
export const OPEN_NOT_TRANSPORT = -1; // not type 4 with zero reserved bytes, or shorter than 32 bytes
export const OPEN_OTHER_RECEIVER = -2; // the receiver index is not localIndex
export const OPEN_BAD_COUNTER = -3; // counter >= REJECT_AFTER_MESSAGES
export const OPEN_NOT_AUTHENTIC = -4; // the tag does not verify under key

/** Cryptographically secure randomness (getrandom, the ESP32 TRNG, a seeded ChaCha20 DRBG in QEMU). */
export interface Random {
  randomBytes(n: number): Uint8Array;
}

/** Monotonic milliseconds since boot. May start at 0 on every boot. */
export interface Clock {
  nowMs(): number;
  /** Wall-clock Unix time in ms if the platform knows it (Node, NTP-synced device), else null. */
  wallClockMs(): number | null;
}

/** An outer (underlay) UDP address — the whitepaper's peer "endpoint". host is a dotted IPv4 or an IPv6 string. */
export interface Address {
  host: string;
  port: number;
}

/** Small persistent key/value store (a file on the host, a flash region on a board).
 *  put must be durable when it returns: the TAI64N reservation relies on it. */
export interface Store {
  get(key: string): string | null;
  put(key: string, value: string): void;
}

/** Optional: a small region that keeps its bytes across a sleep with RAM off (RTC memory on the
 *  ESP32, a region the QEMU board keeps across its simulated sleep, a file on the host board and
 *  on Node). The core keeps one session there (ts/wireguard/session.ts, SESSION_SIZE bytes). */
export interface Retained {
  /** Bytes the region holds at most. */
  capacity: number;
  /** What the last write left; null or empty if nothing (first boot, power lost). */
  read(): Uint8Array | null;
  /** Replace the contents: atomic and durable when it returns; throws if it cannot. */
  write(bytes: Uint8Array): void;
}

/** Optional: DNS, for a peer endpoint given as a name (lwIP's DNS client on a board, a
 *  configured server on Node, a fake in tests). Never blocks: the answer comes through `done`,
 *  now or later, exactly once; the core gives up on it after a timeout of its own. */
export interface Resolver {
  /** done(addresses, null) with IPv4/IPv6 address strings, or done(null, reason). */
  resolve(name: string, done: (addresses: string[] | null, error: string | null) => void): void;
}

export const LOG_ERROR = 0;
export const LOG_WARN = 1;
export const LOG_INFO = 2;
export const LOG_DEBUG = 3;

/** Effects the core emits. */
export interface Io {
  /** Send one outer UDP datagram. */
  sendDatagram(bytes: Uint8Array, to: Address): void;
  /** Hand one decrypted, source-checked inner IP packet to the tunnel interface (lwIP). The
   *  array is the core's again when the call returns: copy what you keep. */
  deliverToTunnel(packet: Uint8Array): void;
  /** Optional (the core uses it when present): deliverToTunnel(plaintext[0, length)) without
   *  the caller making the view that trims WireGuard's padding (~2k instructions per packet
   *  received under Duktape). 0 < length <= plaintext.length. Like deliverToTunnel, it copies
   *  what it keeps: the core reuses the array. */
  deliverPrefixToTunnel?(plaintext: Uint8Array, length: number): void;
  /** Optional (the core uses it when present; the datagrams are the same bytes): one transport
   *  message sealed and sent in one call, never a JS array: header[0, 8) || LE64(counter) ||
   *  aeadSeal(key, counter, packet || zeros up to paddedLength, empty AD) as one datagram to
   *  host:port. header: 16 bytes starting 04 00 00 00, its last 8 ignored; counter below
   *  REJECT_AFTER_MESSAGES; packet.length <= paddedLength, as device.ts paddedLength computes
   *  it. Returns false if the datagram could not be queued (a lost packet, as sendDatagram).
   *  In Io rather than Crypto because it sends; under Duktape the padding copy, the framing and
   *  the datagram array cost about as much as the AEAD of a small packet. */
  sendTransport?(key: Uint8Array, counter: number, header: Uint8Array, packet: Uint8Array, paddedLength: number,
    host: string, port: number): boolean;
  /** Log a line. Never called with key material. */
  log(level: number, message: string): void;
}

export interface Platform {
  crypto: Crypto;
  random: Random;
  clock: Clock;
  store: Store;
  io: Io;
  /** Optional: where a session survives a deep sleep (Device.exportSession / importSession). */
  retained?: Retained;
  /** Optional: needed when the peer's endpoint is a DNS name. */
  resolver?: Resolver;
}
