// mac1, mac2 and cookie replies (whitepaper section 5.4.4 and 5.4.7).
//
// CookieChecker is the receiving side: it verifies mac1 with our public key, verifies mac2
// against the cookie this source should hold, and creates cookie replies when we are under
// load. CookieGenerator is the sending side: it stamps mac1 (and mac2 while it holds a fresh
// cookie) on our handshake messages and consumes the peer's cookie replies.

import type { Address, Crypto, Random } from "../platform/platform";
import { concat, constantTimeEqual, readU32LE, wipe } from "./bytes";
import { hash, mac } from "./kdf";
import { COOKIE_NONCE_SIZE, COOKIE_REPLY_SIZE, MAC_SIZE, parseCookieReply, serializeCookieReply } from "./messages";
import { ascii } from "./noise";
import { parseIp } from "./allowedips";
import { COOKIE_REFRESH_TIME } from "./constants";

export var LABEL_MAC1 = "mac1----";
export var LABEL_COOKIE = "cookie--";

/** The bytes a cookie binds to: the source IP (4 or 16 bytes) and the UDP port (big-endian). */
export function addressBytes(address: Address): Uint8Array {
  var ip = parseIp(address.host);
  var host = ip !== null ? ip : ascii(String(address.host));
  var port = new Uint8Array(2);
  port[0] = (address.port >>> 8) & 0xff;
  port[1] = address.port & 0xff;
  return concat([host, port]);
}

/** mac1 and mac2 sit in the last 32 bytes of both handshake messages. */
function mac1Start(msg: Uint8Array): number {
  return msg.length - 2 * MAC_SIZE;
}

export class CookieChecker {
  private crypto: Crypto;
  private random: Random;
  private mac1Key: Uint8Array;
  private encryptionKey: Uint8Array;
  /** Rm: the secret cookies are MACs under; replaced every COOKIE_REFRESH_TIME. */
  private secret: Uint8Array;
  private secretSetAt: number | null;

  /** localPublic: our static public key (mac1 and cookie keys are derived from it). */
  constructor(crypto: Crypto, random: Random, localPublic: Uint8Array) {
    this.crypto = crypto;
    this.random = random;
    this.mac1Key = hash(crypto, concat([ascii(LABEL_MAC1), localPublic]));
    this.encryptionKey = hash(crypto, concat([ascii(LABEL_COOKIE), localPublic]));
    this.secret = new Uint8Array(32);
    this.secretSetAt = null;
  }

  checkMac1(msg: Uint8Array): boolean {
    var at = mac1Start(msg);
    var expected = mac(this.crypto, this.mac1Key, msg.subarray(0, at));
    return constantTimeEqual(expected, msg.subarray(at, at + MAC_SIZE));
  }

  private secretFresh(now: number): boolean {
    return this.secretSetAt !== null && now - this.secretSetAt < COOKIE_REFRESH_TIME;
  }

  /** The cookie a source should hold now: MAC(Rm, ip || port). */
  private cookieFor(source: Address): Uint8Array {
    return mac(this.crypto, this.secret, addressBytes(source));
  }

  /** True if msg carries the mac2 of the cookie this source was (or would be) given. */
  checkMac2(msg: Uint8Array, source: Address, now: number): boolean {
    if (!this.secretFresh(now)) return false;
    var cookie = this.cookieFor(source);
    var at = msg.length - MAC_SIZE;
    var expected = mac(this.crypto, cookie, msg.subarray(0, at));
    wipe(cookie);
    return constantTimeEqual(expected, msg.subarray(at));
  }

  /** createCookieReply: the cookie for source, sealed with XChaCha20-Poly1305 under
   *  HASH(LABEL_COOKIE || our public key), a random nonce, and the message's mac1 as AD. */
  createCookieReply(msg: Uint8Array, source: Address, now: number): Uint8Array {
    if (!this.secretFresh(now)) {
      wipe(this.secret);
      this.secret = this.random.randomBytes(32);
      this.secretSetAt = now;
    }
    var cookie = this.cookieFor(source);
    var nonce = this.random.randomBytes(COOKIE_NONCE_SIZE);
    var at = mac1Start(msg);
    var sealed = this.crypto.xaeadSeal(this.encryptionKey, nonce, cookie, msg.subarray(at, at + MAC_SIZE));
    wipe(cookie);
    return serializeCookieReply({ receiver: readU32LE(msg, 4), nonce: nonce, encryptedCookie: sealed });
  }

  /** Forget Rm (device shutdown, tests). */
  clear(): void {
    wipe(this.secret);
    this.secretSetAt = null;
  }
}

export class CookieGenerator {
  private crypto: Crypto;
  private mac1Key: Uint8Array;
  private encryptionKey: Uint8Array;
  private cookie: Uint8Array;
  private cookieSetAt: number | null;
  /** mac1 of the last handshake message we sent: the AD a genuine cookie reply must carry. */
  private lastMac1: Uint8Array | null;

  /** remotePublic: the peer's static public key. */
  constructor(crypto: Crypto, remotePublic: Uint8Array) {
    this.crypto = crypto;
    this.mac1Key = hash(crypto, concat([ascii(LABEL_MAC1), remotePublic]));
    this.encryptionKey = hash(crypto, concat([ascii(LABEL_COOKIE), remotePublic]));
    this.cookie = new Uint8Array(MAC_SIZE);
    this.cookieSetAt = null;
    this.lastMac1 = null;
  }

  /** Fill mac1, and mac2 while the cookie is younger than COOKIE_REFRESH_TIME (else zeros). */
  addMacs(msg: Uint8Array, now: number): void {
    var at = mac1Start(msg);
    var mac1 = mac(this.crypto, this.mac1Key, msg.subarray(0, at));
    msg.set(mac1, at);
    this.lastMac1 = mac1;
    var at2 = at + MAC_SIZE;
    if (this.hasCookie(now)) {
      msg.set(mac(this.crypto, this.cookie, msg.subarray(0, at2)), at2);
    } else {
      for (var i = at2; i < msg.length; i++) msg[i] = 0;
    }
  }

  hasCookie(now: number): boolean {
    return this.cookieSetAt !== null && now - this.cookieSetAt < COOKIE_REFRESH_TIME;
  }

  /** consumeCookieReply: true if the reply answers our last handshake message and decrypted;
   *  the cookie is then used for mac2 from the next message on. */
  consumeCookieReply(reply: Uint8Array, now: number): boolean {
    if (this.lastMac1 === null || reply.length !== COOKIE_REPLY_SIZE) return false;
    var m = parseCookieReply(reply);
    if (m === null) return false;
    var cookie = this.crypto.xaeadOpen(this.encryptionKey, m.nonce, m.encryptedCookie, this.lastMac1);
    if (cookie === null) return false;
    wipe(this.cookie);
    this.cookie = cookie;
    this.cookieSetAt = now;
    // One reply per message sent: a replayed reply cannot refresh the cookie's age.
    this.lastMac1 = null;
    return true;
  }

  clear(): void {
    wipe(this.cookie);
    this.cookieSetAt = null;
    this.lastMac1 = null;
  }
}
