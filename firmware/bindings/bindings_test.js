// Run by bindings_test.c on the engine under test (ES5). Every native is called with good
// arguments (known answers) and with each kind of misuse, which must throw the right error type.
var failed = 0;
function ok(c, m) { t.check(c ? 1 : 0, m); }
function hex(b) { var s = ""; for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16); return s; }
function unhex(s) { var b = new Uint8Array(s.length / 2); for (var i = 0; i < b.length; i++) b[i] = parseInt(s.substr(i * 2, 2), 16); return b; }
function bytes(n, start) { var b = new Uint8Array(n); for (var i = 0; i < n; i++) b[i] = (start + i) & 255; return b; }
function throws(kind, f, re, m) {
  try { f(); ok(false, m + ": did not throw"); }
  catch (e) {
    ok(e instanceof kind, m + ": wrong error type: " + e);
    if (re) ok(re.test(String(e.message)), m + ": message '" + e.message + "'");
  }
}

// x25519: RFC 7748 section 5.2 first vector, and section 6.1 (Alice's public key).
var s1 = unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
var u1 = unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
ok(hex(hw.x25519(s1, u1)) === "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", "x25519 RFC 7748 5.2");
var alice = unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
ok(hex(hw.x25519Base(alice)) === "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", "x25519Base RFC 7748 6.1");
ok(hex(hw.x25519(alice, new Uint8Array(32))) === hex(new Uint8Array(32)), "low-order point gives zeros");
throws(RangeError, function () { hw.x25519(new Uint8Array(31), u1); }, /x25519: scalar must be 32 bytes, got 31/, "short scalar");
throws(RangeError, function () { hw.x25519(s1, new Uint8Array(33)); }, /point must be 32 bytes/, "long point");
throws(TypeError, function () { hw.x25519(s1); }, /point must be a Uint8Array/, "missing point");
throws(TypeError, function () { hw.x25519Base("secret"); }, /x25519Base: scalar must be a Uint8Array/, "string scalar");

// ChaCha20-Poly1305 with WireGuard's nonce (known answer computed with an independent implementation).
var key = bytes(32, 0x80);
var pt = unhex("686f6d657769726520736561 6c65642074686973".replace(/ /g, ""));
var ad = unhex("616421");
var sealed = hw.aeadSeal(key, 5, pt, ad);
ok(hex(sealed) === "5b83befbf7320fa70c876857505325ec0866d0f08d52d336382a3dcf76486c9162658e2a", "aeadSeal known answer");
ok(hex(hw.aeadOpen(key, 5, sealed, ad)) === hex(pt), "aeadOpen round trip");
ok(hw.aeadOpen(key, 6, sealed, ad) === null, "wrong counter -> null");
var bad = hw.aeadSeal(key, 5, pt, ad); bad[3] ^= 1;
ok(hw.aeadOpen(key, 5, bad, ad) === null, "flipped bit -> null");
ok(hw.aeadOpen(key, 5, sealed, new Uint8Array(0)) === null, "wrong ad -> null");
ok(hw.aeadOpen(key, 5, new Uint8Array(15), ad) === null, "shorter than a tag -> null");
ok(hw.aeadSeal(key, 0, new Uint8Array(0), new Uint8Array(0)).length === 16, "empty plaintext -> tag only");
var view = new Uint8Array(sealed.length + 7); view.set(sealed, 7);
ok(hex(hw.aeadOpen(key, 5, view.subarray(7), ad)) === hex(pt), "subarray ciphertext");
ok(hw.aeadSeal(key, 9007199254740991, pt, ad).length === pt.length + 16, "counter 2^53-1 allowed");
throws(RangeError, function () { hw.aeadSeal(key, 9007199254740992, pt, ad); }, /counter must be an integer/, "counter 2^53");
throws(RangeError, function () { hw.aeadSeal(key, -1, pt, ad); }, /counter/, "negative counter");
throws(RangeError, function () { hw.aeadSeal(key, 1.5, pt, ad); }, /counter/, "fractional counter");
throws(RangeError, function () { hw.aeadSeal(key, NaN, pt, ad); }, /counter/, "NaN counter");
throws(TypeError, function () { hw.aeadSeal(key, "1", pt, ad); }, /counter must be a number/, "string counter");
throws(RangeError, function () { hw.aeadSeal(bytes(16, 0), 1, pt, ad); }, /aeadSeal: key must be 32 bytes/, "short key");
throws(TypeError, function () { hw.aeadOpen(key, 1, sealed); }, /aeadOpen: ad must be a Uint8Array/, "missing ad");
throws(RangeError, function () { hw.aeadSeal(key, 1, new Uint8Array(65537), ad); }, /plaintext longer than 65536/, "huge plaintext");

// sealTransport / openTransport: the whole transport message in one call. Known answers computed
// with an independent implementation; then the same bytes as the plain path (aeadSeal of the
// padded packet, framed in JS as messages.ts frameTransport does) over lengths and counters.
function plainTransport(k, counter, header, packet, padded) {
  var plain = new Uint8Array(padded); plain.set(packet);
  var s = hw.aeadSeal(k, counter, plain, new Uint8Array(0));
  var out = new Uint8Array(16 + s.length);
  out.set(header.subarray(0, 8));
  for (var i = 0; i < 8; i++) out[8 + i] = Math.floor(counter / Math.pow(2, 8 * i)) % 256;
  out.set(s, 16);
  return out;
}
function padTo(n) { var p = Math.ceil(n / 16) * 16; return n <= 1420 && p > 1420 ? 1420 : p; }
var header = unhex("0400000044332211" + "deadbeefdeadbeef"); // the last 8 bytes are ignored
var tpkt = unhex("686f6d657769726520736561 6c65642074686973".replace(/ /g, ""));
var tmsg = hw.sealTransport(key, 5, header, tpkt, 32);
ok(hex(tmsg) === "04000000443322110500000000000000" + "5b83befbf7320fa70c876857505325ec0866d0f08b7266fea1f280b705837570" +
  "ee9f4d8a735b9a415529603ba1aacc3c", "sealTransport known answer (counter 5, padded 20 -> 32)");
ok(hex(hw.sealTransport(key, 4294967303, header, tpkt, 32)) === "04000000443322110700000001000000" +
  "a6df9e4dff3c744fbe8430c7492a8ad8e87950f89c41e89bce847396032459c30e312bdcf50242c9106f802a8c1bb85c",
  "sealTransport known answer (counter 2^32 + 7: high counter word framed)");
var opened = hw.openTransport(key, 5, tmsg);
ok(opened.length === 32 && hex(opened.subarray(0, 20)) === hex(tpkt) && hex(opened.subarray(20)) === hex(new Uint8Array(12)),
  "openTransport: padded plaintext back");
var lengths = [0, 1, 15, 16, 17, 64, 1399, 1404, 1408, 1409, 1419, 1420, 1421, 1436, 1437];
var counters = [0, 1, 255, 256, 65535, 4294967295, 4294967296, 1099511627777, 9007199254740991];
var big = bytes(1437, 0x45);
for (var li = 0; li < lengths.length; li++) {
  for (var ci = 0; ci < counters.length; ci++) {
    var n = lengths[li], ctr = counters[ci], pk = big.subarray(0, n);
    var m1 = hw.sealTransport(key, ctr, header, pk, padTo(n));
    var m2 = plainTransport(key, ctr, header, pk, padTo(n));
    ok(hex(m1) === hex(m2), "sealTransport = plain path, packet " + n + ", counter " + ctr);
    var back = hw.openTransport(key, ctr, m1);
    var ref = hw.aeadOpen(key, ctr, m1.subarray(16), new Uint8Array(0));
    ok(back !== null && hex(back) === hex(ref) && hex(back.subarray(0, n)) === hex(pk), "openTransport = aeadOpen, packet " + n + ", counter " + ctr);
  }
}
ok(padTo(1409) === 1420 && hw.sealTransport(key, 0, header, big.subarray(0, 1409), 1420).length === 1452, "padding stops at the MTU");
// Any (length, paddedLength): accepted exactly when paddedLength follows the rule, and then the
// message is header + padded packet + tag long. A fixed LCG, so a failure reproduces.
var lcg = 12345;
function rnd(n) { lcg = (lcg * 1103515245 + 12345) % 2147483648; return lcg % n; }
for (var ri = 0; ri < 300; ri++) {
  var rn = rnd(1500), rp = rnd(3) === 0 ? padTo(rn) : rnd(1540);
  var m3 = null, err = null;
  try { m3 = hw.sealTransport(key, ri, header, big.subarray(0, Math.min(rn, big.length)), rp); } catch (e) { err = e; }
  var expectOk = rp === padTo(Math.min(rn, big.length));
  ok(expectOk ? (m3 !== null && m3.length === 32 + rp) : err instanceof RangeError,
    "sealTransport(packet " + Math.min(rn, big.length) + ", paddedLength " + rp + "): " + (expectOk ? "accepted" : "RangeError") + ", got " + (err || m3.length));
}
var inView = new Uint8Array(tmsg.length + 3); inView.set(tmsg, 3);
ok(hex(hw.openTransport(key, 5, inView.subarray(3))) === hex(opened), "openTransport on a subarray");
ok(hex(hw.sealTransport(key, 5, inView.subarray(3, 19), tpkt, 32)) === hex(tmsg), "sealTransport header as a subarray");
ok(hw.openTransport(key, 6, tmsg) === null, "openTransport: wrong counter -> null");
ok(hw.openTransport(bytes(32, 0), 5, tmsg) === null, "openTransport: wrong key -> null");
var tbad = hw.sealTransport(key, 5, header, tpkt, 32); tbad[tbad.length - 1] ^= 0x80;
ok(hw.openTransport(key, 5, tbad) === null, "openTransport: flipped tag bit -> null");
tbad = hw.sealTransport(key, 5, header, tpkt, 32); tbad[16] ^= 1;
ok(hw.openTransport(key, 5, tbad) === null, "openTransport: flipped ciphertext bit -> null");
tbad = hw.sealTransport(key, 5, header, tpkt, 32); tbad[4] ^= 1; tbad[9] ^= 1;
ok(hex(hw.openTransport(key, 5, tbad)) === hex(opened), "openTransport: header bytes 4..15 are not authenticated (empty AD)");
var keepalive = hw.sealTransport(key, 9, header, new Uint8Array(0), 0);
ok(keepalive.length === 32 && hw.openTransport(key, 9, keepalive).length === 0, "keepalive: 32 bytes, empty plaintext");
ok(hex(header) === "0400000044332211deadbeefdeadbeef" && hex(tpkt) === "686f6d657769726520736561" + "6c65642074686973", "inputs unchanged");
throws(RangeError, function () { hw.sealTransport(key, 5, header, tpkt, 48); }, /paddedLength must be 32 for a 20-byte packet/, "padding past the rule");
throws(RangeError, function () { hw.sealTransport(key, 5, header, tpkt, 20); }, /paddedLength must be 32/, "no padding");
throws(RangeError, function () { hw.sealTransport(key, 5, header, tpkt, 16); }, /paddedLength must be 32/, "paddedLength below the packet");
throws(RangeError, function () { hw.sealTransport(key, 5, header, big.subarray(0, 1410), 1424); }, /paddedLength must be 1420 for a 1410-byte packet/, "padding past the MTU");
throws(RangeError, function () { hw.sealTransport(key, 5, header, tpkt, 32.5); }, /paddedLength must be an integer in \[0, 65536\]/, "fractional paddedLength");
throws(RangeError, function () { hw.sealTransport(key, 5, header, tpkt, -16); }, /paddedLength must be an integer/, "negative paddedLength");
throws(TypeError, function () { hw.sealTransport(key, 5, header, tpkt); }, /sealTransport: paddedLength must be a number/, "missing paddedLength");
throws(RangeError, function () { hw.sealTransport(key, 5, header, new Uint8Array(65537), 65552); }, /sealTransport: packet longer than 65536/, "huge packet");
throws(RangeError, function () { hw.sealTransport(key, 5, header.subarray(0, 8), tpkt, 32); }, /sealTransport: header must be 16 bytes, got 8/, "short header");
throws(RangeError, function () { hw.sealTransport(key, 5, unhex("0100000044332211" + "0000000000000000"), tpkt, 32); }, /header must start 04 00 00 00/, "initiation type in header");
throws(RangeError, function () { hw.sealTransport(key, 5, unhex("0400010044332211" + "0000000000000000"), tpkt, 32); }, /header must start 04 00 00 00/, "reserved byte set");
throws(RangeError, function () { hw.sealTransport(bytes(31, 0), 5, header, tpkt, 32); }, /sealTransport: key must be 32 bytes, got 31/, "short key");
throws(RangeError, function () { hw.sealTransport(key, 9007199254740992, header, tpkt, 32); }, /sealTransport: counter must be an integer/, "counter 2^53");
throws(RangeError, function () { hw.sealTransport(key, -1, header, tpkt, 32); }, /sealTransport: counter/, "negative counter");
throws(TypeError, function () { hw.sealTransport(key, "5", header, tpkt, 32); }, /sealTransport: counter must be a number/, "string counter");
throws(TypeError, function () { hw.sealTransport(key, 5, header, [1, 2, 3], 16); }, /sealTransport: packet must be a Uint8Array/, "array packet");
throws(TypeError, function () { hw.sealTransport(key, 5, new Uint16Array(8), tpkt, 32); }, /sealTransport: header must be a Uint8Array/, "Uint16Array header");
throws(RangeError, function () { hw.openTransport(key, 5, tmsg.subarray(0, 31)); }, /openTransport: message must be 32\.\.65552 bytes, got 31/, "message shorter than header + tag");
throws(RangeError, function () { hw.openTransport(key, 5, new Uint8Array(65553)); }, /openTransport: message must be 32\.\.65552 bytes, got 65553/, "huge message");
var wrongType = hw.sealTransport(key, 5, header, tpkt, 32); wrongType[0] = 2;
throws(RangeError, function () { hw.openTransport(key, 5, wrongType); }, /openTransport: message must start 04 00 00 00/, "response type");
throws(RangeError, function () { hw.openTransport(key, 1.5, tmsg); }, /openTransport: counter must be an integer/, "fractional counter");
throws(RangeError, function () { hw.openTransport(bytes(33, 0), 5, tmsg); }, /openTransport: key must be 32 bytes, got 33/, "long key");
throws(TypeError, function () { hw.openTransport(key, 5); }, /openTransport: message must be a Uint8Array/, "missing message");
throws(TypeError, function () { hw.openTransport(key, 5, "message"); }, /openTransport: message must be a Uint8Array/, "string message");

// XChaCha20-Poly1305: round trip, tamper, lengths.
var nonce = bytes(24, 3);
var xs = hw.xaeadSeal(key, nonce, pt, ad);
ok(xs.length === pt.length + 16 && hex(hw.xaeadOpen(key, nonce, xs, ad)) === hex(pt), "xaead round trip");
nonce[0] ^= 1;
ok(hw.xaeadOpen(key, nonce, xs, ad) === null, "xaead wrong nonce -> null");
throws(RangeError, function () { hw.xaeadSeal(key, new Uint8Array(12), pt, ad); }, /xaeadSeal: nonce must be 24 bytes/, "12-byte nonce");

// BLAKE2s: RFC 7693 appendix B ("abc"), keyed and truncated outputs differ, bounds.
var abc = unhex("616263");
ok(hex(hw.blake2s(32, abc)) === "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982", "blake2s('abc')");
ok(hex(hw.blake2s(32, abc, new Uint8Array(0))) === hex(hw.blake2s(32, abc)), "empty key = unkeyed");
ok(hex(hw.blake2s(32, abc, bytes(32, 0))) !== hex(hw.blake2s(32, abc)), "keyed differs");
ok(hw.blake2s(16, abc).length === 16, "16-byte output");
throws(RangeError, function () { hw.blake2s(0, abc); }, /outLen must be an integer in \[1, 32\]/, "outLen 0");
throws(RangeError, function () { hw.blake2s(33, abc); }, /outLen/, "outLen 33");
throws(RangeError, function () { hw.blake2s(32, abc, new Uint8Array(33)); }, /blake2s: key longer than 32/, "33-byte key");
throws(TypeError, function () { hw.blake2s(32, [1, 2, 3]); }, /data must be a Uint8Array/, "array data");

// hmacBlake2s: known answer from firmware/crypto/test/vectors/hmac-blake2s.txt (RFC 4231 case 2
// inputs; CPython hmac+hashlib and @noble agree), a view with an offset, and misuse.
var jefe = unhex("4a656665"), want = "90b6281e2f3038c9056af0b4a7e763cae6fe5d9eb4386a0ec95237890c104ff0";
var wdyw = unhex("7768617420646f2079612077616e7420666f72206e6f7468696e673f");
ok(hex(hw.hmacBlake2s(jefe, wdyw)) === want, "hmacBlake2s known answer");
var spread = new Uint8Array(3 + wdyw.length); spread.set(wdyw, 3);
ok(hex(hw.hmacBlake2s(jefe, spread.subarray(3))) === want, "hmacBlake2s of a view at an offset");
ok(hw.hmacBlake2s(new Uint8Array(0), new Uint8Array(0)).length === 32, "hmacBlake2s empty key and data");
ok(hw.hmacBlake2s(bytes(64, 1), abc).length === 32, "hmacBlake2s 64-byte key");
throws(RangeError, function () { hw.hmacBlake2s(bytes(65, 1), abc); }, /hmacBlake2s: key longer than 64 bytes/, "65-byte key");
throws(RangeError, function () { hw.hmacBlake2s(jefe, new Uint8Array(65537)); }, /hmacBlake2s: data longer than 65536/, "huge data");
throws(TypeError, function () { hw.hmacBlake2s("Jefe", wdyw); }, /hmacBlake2s: key must be a Uint8Array/, "string key");
throws(TypeError, function () { hw.hmacBlake2s(jefe); }, /hmacBlake2s: data must be a Uint8Array/, "missing data");

// Board services (a fake board in bindings_test.c records what it was given).
ok(hw.udpSend(bytes(148, 0), "192.168.77.1", 51820) === true, "udpSend");
ok(hw.udpSend(bytes(1, 0), "10.0.0.9", 9) === false, "udpSend reports a failed send as false");
throws(RangeError, function () { hw.udpSend(bytes(1501, 0), "192.168.77.1", 51820); }, /1501 bytes exceeds 1500/, "datagram too big");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "192.168.77.256", 51820); }, /dotted IPv4/, "octet 256");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "192.168.077.1", 51820); }, /dotted IPv4/, "leading zero");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "fd00::1", 51820); }, /IPv6/, "IPv6 host");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "1.2.3.4 ", 51820); }, /dotted IPv4/, "trailing space");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "1.2.3.4", 0); }, /port must be an integer in \[1, 65535\]/, "port 0");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "1.2.3.4", 65536); }, /port/, "port 65536");
throws(TypeError, function () { hw.udpSend(bytes(4, 0), 1234, 1); }, /udpSend: host must be a string/, "numeric host");
ok(hw.tunnelDeliver(bytes(84, 0x45)) === true, "tunnelDeliver");
throws(RangeError, function () { hw.tunnelDeliver(new Uint8Array(1421)); }, /1\.\.1420 bytes, got 1421/, "packet over MTU");
throws(RangeError, function () { hw.tunnelDeliver(new Uint8Array(0)); }, /got 0/, "empty packet");
// tunnelDeliverPrefix: the board gets the first `length` bytes (bindings_test.c checks length and sum).
var padded = bytes(96, 1);
ok(hw.tunnelDeliverPrefix(padded, 60) === true, "tunnelDeliverPrefix");
ok(hex(padded) === hex(bytes(96, 1)), "tunnelDeliverPrefix leaves the plaintext as it was");
throws(RangeError, function () { hw.tunnelDeliverPrefix(padded, 97); }, /length must be an integer in \[1, 96\] \(plaintext of 96 bytes/, "prefix past the end");
throws(RangeError, function () { hw.tunnelDeliverPrefix(padded, 0); }, /tunnelDeliverPrefix: length must be an integer/, "empty prefix");
throws(RangeError, function () { hw.tunnelDeliverPrefix(padded, 2.5); }, /tunnelDeliverPrefix: length/, "fractional length");
throws(RangeError, function () { hw.tunnelDeliverPrefix(padded, NaN); }, /tunnelDeliverPrefix: length/, "NaN length");
throws(RangeError, function () { hw.tunnelDeliverPrefix(new Uint8Array(1500), 1421); }, /\[1, 1420\]/, "prefix over the MTU");
throws(TypeError, function () { hw.tunnelDeliverPrefix(padded, "60"); }, /tunnelDeliverPrefix: length must be a number/, "string length");
throws(TypeError, function () { hw.tunnelDeliverPrefix([1, 2], 1); }, /tunnelDeliverPrefix: plaintext must be a Uint8Array/, "array plaintext");
ok(hw.appUdpSend(unhex("7b7d"), "10.77.0.1", 9999) === true, "appUdpSend");
ok(hw.nowMs() === 12345, "nowMs");
ok(hw.wallClockMs() === null, "wallClockMs unknown -> null");
var r1 = hw.randomBytes(32), r2 = hw.randomBytes(32);
ok(r1.length === 32 && hex(r1) !== hex(r2), "randomBytes");
ok(hw.randomBytes(0).length === 0, "randomBytes(0)");
throws(RangeError, function () { hw.randomBytes(1025); }, /n must be an integer in \[0, 1024\]/, "randomBytes too many");
throws(RangeError, function () { hw.randomBytes(-1); }, /randomBytes/, "randomBytes negative");
hw.log(2, "hello from js");
throws(RangeError, function () { hw.log(7, "x"); }, /level must be 0\.\.3/, "log level");
throws(TypeError, function () { hw.log(1, {}); }, /log: message must be a string/, "log object");
ok(hw.storeGet("missing") === null, "storeGet missing -> null");
hw.storePut("tai64n.reserved", "4000000068a1b2c3");
ok(hw.storeGet("tai64n.reserved") === "4000000068a1b2c3", "store round trip");
throws(RangeError, function () { hw.storePut("bad key", "v"); }, /key must match/, "key with space");
throws(RangeError, function () { hw.storePut("", "v"); }, /key must match/, "empty key");
throws(RangeError, function () { hw.storePut("k", "a\nb"); }, /newlines/, "newline in value");
var big = new Array(2049).join("v"); // the largest value (an identity record may be this long)
hw.storePut("identity", big);
ok(hw.storeGet("identity") === big, "a 2048-byte value round trip");
throws(RangeError, function () { hw.storePut("k", big + "v"); }, /longer than 2048/, "long value");
throws(Error, function () { hw.storePut("failing", "v"); }, /store failed/, "store failure surfaces");

// Wi-Fi: the board's answer as a boolean; lengths and NULs checked before the board sees them.
ok(hw.wifiJoin("elsewhere", "") === false, "wifiJoin where the board has none");
throws(RangeError, function () { hw.wifiJoin("", "x"); }, /ssid must be 1\.\.32 bytes/, "empty ssid");
throws(RangeError, function () { hw.wifiJoin(new Array(34).join("s"), "x"); }, /ssid must be 1\.\.32 bytes/, "ssid of 33 bytes");
throws(RangeError, function () { hw.wifiJoin("home", new Array(66).join("p")); }, /password must be 0\.\.64 bytes/, "password of 65 bytes");
throws(RangeError, function () { hw.wifiJoin("home", "a\u0000b"); }, /without NUL/, "NUL in the password");
throws(TypeError, function () { hw.wifiJoin("home"); }, /wifiJoin: password must be a string/, "no password");
ok(hw.wifiJoin("home", "correct horse") === true, "wifiJoin on a board with Wi-Fi (the last call)");

// Network setup natives.
hw.netConfigure(51820, "10.77.0.2", 24);
throws(RangeError, function () { hw.netConfigure(0, "10.77.0.2", 24); }, /listenPort must be an integer/, "listen port 0");
throws(RangeError, function () { hw.netConfigure(51820, "10.77.0.2", 33); }, /prefix must be an integer in \[0, 32\]/, "prefix 33");
hw.tunnelRoute("10.77.0.0", 24);
hw.tunnelRoute("0.0.0.0", 0);
throws(Error, function () { hw.tunnelRoute("10.1.0.0", 16); }, /route table full/, "board refusal surfaces");
throws(RangeError, function () { hw.tunnelRoute("10.1.0", 16); }, /dotted IPv4/, "bad route ip");
