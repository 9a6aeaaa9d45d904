// Standard base64 (RFC 4648 section 4, with padding) in plain ES5: keys travel as base64 in
// configs, the same text wg(8) prints. Decoding is strict so that one key has exactly one
// spelling: wrong length, characters outside the alphabet and non-zero padding bits all fail.

var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export function encodeBase64(bytes: Uint8Array): string {
  var out = "";
  var i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    var n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  var left = bytes.length - i;
  if (left === 1) {
    var a = bytes[i] << 16;
    out += ALPHABET.charAt(a >> 18) + ALPHABET.charAt((a >> 12) & 63) + "==";
  } else if (left === 2) {
    var b = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET.charAt(b >> 18) + ALPHABET.charAt((b >> 12) & 63) + ALPHABET.charAt((b >> 6) & 63) + "=";
  }
  return out;
}

function sextet(text: string, at: number): number {
  var v = ALPHABET.indexOf(text.charAt(at));
  if (v < 0) throw new TypeError("base64: invalid character at position " + at);
  return v;
}

/** Decodes canonical padded base64. Throws a TypeError saying what is wrong (never echoing
 *  the input, which may be a private key). */
export function decodeBase64(text: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError("base64: not a string");
  if (text.length % 4 !== 0) throw new TypeError("base64: length " + text.length + " is not a multiple of 4");
  var pad = 0;
  if (text.length > 0 && text.charAt(text.length - 1) === "=") pad = text.charAt(text.length - 2) === "=" ? 2 : 1;
  var out = new Uint8Array((text.length / 4) * 3 - pad);
  var o = 0;
  for (var i = 0; i < text.length; i += 4) {
    var last = i + 4 === text.length;
    var c0 = sextet(text, i), c1 = sextet(text, i + 1);
    var c2 = last && pad === 2 ? 0 : sextet(text, i + 2);
    var c3 = last && pad >= 1 ? 0 : sextet(text, i + 3);
    var n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
    // Bits below the last encoded byte must be zero, or two texts would decode alike.
    if (last && ((pad === 1 && (c2 & 3) !== 0) || (pad === 2 && (c1 & 15) !== 0))) {
      throw new TypeError("base64: non-canonical padding bits");
    }
  }
  return out;
}

/** A 32-byte key from base64 (44 characters); the error names the field, never the value. */
export function decodeKey(text: string, field: string): Uint8Array {
  if (typeof text !== "string") throw new TypeError(field + ": expected a base64 string");
  var key: Uint8Array;
  try {
    key = decodeBase64(text);
  } catch (e) {
    throw new TypeError(field + ": " + (e as Error).message);
  }
  if (key.length !== 32) throw new TypeError(field + ": expected 32 bytes of base64 (44 characters), got " + key.length + " bytes");
  return key;
}
