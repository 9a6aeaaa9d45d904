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

// sendTransport / openTransport: a transport message sealed and sent, or checked and opened, in
// one call. Known answers computed with an independent implementation; then the same bytes as
// the plain path (aeadSeal of the padded packet, framed in JS as messages.ts frameTransport
// does) over lengths and counters. The fake board hands back what it was sent (t.sent()).
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
function sealT(k, counter, header, packet, padded) {
  var before = t.udpCalls();
  ok(hw.sendTransport(k, counter, header, packet, padded, "192.168.77.1", 51820) === true, "sendTransport sent");
  ok(t.udpCalls() === before + 1, "sendTransport: one datagram");
  return t.sent();
}
var INDEX = 0x11223344; // the receiver index in header, as the receiving keypair's localIndex
var header = unhex("0400000044332211" + "deadbeefdeadbeef"); // the last 8 bytes are ignored
var tpkt = unhex("686f6d657769726520736561 6c65642074686973".replace(/ /g, ""));
var tmsg = sealT(key, 5, header, tpkt, 32);
ok(hex(tmsg) === "04000000443322110500000000000000" + "5b83befbf7320fa70c876857505325ec0866d0f08b7266fea1f280b705837570" +
  "ee9f4d8a735b9a415529603ba1aacc3c", "sendTransport known answer (counter 5, padded 20 -> 32)");
ok(hex(sealT(key, 4294967303, header, tpkt, 32)) === "04000000443322110700000001000000" +
  "a6df9e4dff3c744fbe8430c7492a8ad8e87950f89c41e89bce847396032459c30e312bdcf50242c9106f802a8c1bb85c",
  "sendTransport known answer (counter 2^32 + 7: high counter word framed)");
ok(hw.sendTransport(key, 5, header, tpkt, 32, "10.0.0.9", 9) === false, "sendTransport reports a failed send as false");
var plainOut = new Uint8Array(40);
ok(hw.openTransport(key, INDEX, tmsg, plainOut) === 5, "openTransport returns the counter");
ok(hex(plainOut.subarray(0, 20)) === hex(tpkt) && hex(plainOut.subarray(20, 32)) === hex(new Uint8Array(12)) &&
  hex(plainOut.subarray(32)) === hex(new Uint8Array(8)), "openTransport: padded plaintext into the caller's array, nothing past it");
var lengths = [0, 1, 15, 16, 17, 64, 1399, 1404, 1408, 1409, 1419, 1420, 1421, 1436, 1437];
var counters = [0, 1, 255, 256, 65535, 4294967295, 4294967296, 1099511627777, 9007199254740990];
var big = bytes(1437, 0x45);
var back = new Uint8Array(1500);
for (var li = 0; li < lengths.length; li++) {
  for (var ci = 0; ci < counters.length; ci++) {
    var n = lengths[li], ctr = counters[ci], pk = big.subarray(0, n);
    var m1 = sealT(key, ctr, header, pk, padTo(n));
    var m2 = plainTransport(key, ctr, header, pk, padTo(n));
    ok(hex(m1) === hex(m2), "sendTransport = plain path, packet " + n + ", counter " + ctr);
    var ref = hw.aeadOpen(key, ctr, m1.subarray(16), new Uint8Array(0));
    ok(hw.openTransport(key, INDEX, m1, back) === ctr && hex(back.subarray(0, ref.length)) === hex(ref) &&
      hex(back.subarray(0, n)) === hex(pk), "openTransport = aeadOpen, packet " + n + ", counter " + ctr);
  }
}
ok(padTo(1409) === 1420 && sealT(key, 0, header, big.subarray(0, 1409), 1420).length === 1452, "padding stops at the MTU");
// Any (length, paddedLength): sent exactly when paddedLength follows the rule and the datagram
// fits 1500 bytes, and then it is header + padded packet + tag long. A fixed LCG, so a failure
// reproduces.
var lcg = 12345;
function rnd(n) { lcg = (lcg * 1103515245 + 12345) % 2147483648; return lcg % n; }
for (var ri = 0; ri < 300; ri++) {
  var rn = Math.min(rnd(1500), big.length), rp = rnd(3) === 0 ? padTo(rn) : rnd(1540);
  var sentOk = null, err = null, calls = t.udpCalls();
  try { sentOk = hw.sendTransport(key, ri, header, big.subarray(0, rn), rp, "192.168.77.1", 51820); } catch (e) { err = e; }
  var expectOk = rp === padTo(rn) && 32 + rp <= 1500;
  ok(expectOk ? (sentOk === true && t.sent().length === 32 + rp) : (err instanceof RangeError && t.udpCalls() === calls),
    "sendTransport(packet " + rn + ", paddedLength " + rp + "): " + (expectOk ? "sent" : "RangeError, nothing sent") + ", got " + (err || sentOk));
}
var inView = new Uint8Array(tmsg.length + 3); inView.set(tmsg, 3);
ok(hw.openTransport(key, INDEX, inView.subarray(3), back) === 5 && hex(back.subarray(0, 20)) === hex(tpkt), "openTransport on a subarray");
var outView = new Uint8Array(50);
ok(hw.openTransport(key, INDEX, tmsg, outView.subarray(7, 40)) === 5 && hex(outView.subarray(7, 27)) === hex(tpkt) &&
  hex(outView.subarray(0, 7)) === hex(new Uint8Array(7)) && hex(outView.subarray(40)) === hex(new Uint8Array(10)),
  "openTransport into a subarray: inside it only");
ok(hex(sealT(key, 5, inView.subarray(3, 19), tpkt, 32)) === hex(tmsg), "sendTransport header as a subarray");
// Each refusal, in the order the checks run; a refused message leaves no plaintext behind.
var OPEN_NOT_TRANSPORT = -1, OPEN_OTHER_RECEIVER = -2, OPEN_BAD_COUNTER = -3, OPEN_NOT_AUTHENTIC = -4;
function refused(msg, index, want, m) {
  var out = bytes(msg.length, 7);
  var r = hw.openTransport(key, index, msg, out);
  ok(r === want, m + ": " + want + ", got " + r);
  if (want === OPEN_NOT_AUTHENTIC) ok(hex(out.subarray(0, msg.length - 32)) === hex(new Uint8Array(msg.length - 32)), m + ": plaintext zeroed");
}
refused(tmsg, INDEX + 1, OPEN_OTHER_RECEIVER, "another receiver index");
refused(tmsg, 0x44332211, OPEN_OTHER_RECEIVER, "the index read big-endian");
var tbad = new Uint8Array(tmsg); tbad[9] ^= 1;
refused(tbad, INDEX, OPEN_NOT_AUTHENTIC, "wrong counter in the header");
refused(tmsg, INDEX, 5, "(the original still opens)");
var wrongKey = bytes(32, 0); ok(hw.openTransport(wrongKey, INDEX, tmsg, back) === OPEN_NOT_AUTHENTIC, "wrong key");
tbad = new Uint8Array(tmsg); tbad[tbad.length - 1] ^= 0x80;
refused(tbad, INDEX, OPEN_NOT_AUTHENTIC, "flipped tag bit");
tbad = new Uint8Array(tmsg); tbad[16] ^= 1;
refused(tbad, INDEX, OPEN_NOT_AUTHENTIC, "flipped ciphertext bit");
var wrongType = new Uint8Array(tmsg); wrongType[0] = 2;
refused(wrongType, INDEX, OPEN_NOT_TRANSPORT, "response type");
var reserved = new Uint8Array(tmsg); reserved[2] = 1;
refused(reserved, INDEX, OPEN_NOT_TRANSPORT, "reserved byte set");
refused(tmsg.subarray(0, 31), INDEX, OPEN_NOT_TRANSPORT, "shorter than header + tag");
refused(new Uint8Array(65553), INDEX, OPEN_NOT_TRANSPORT, "longer than 65552 bytes");
var last = plainTransport(key, 9007199254740991, header, tpkt, 32);
refused(last, INDEX, OPEN_BAD_COUNTER, "counter 2^53 - 1 (REJECT_AFTER_MESSAGES)");
var huge = plainTransport(key, 0, header, tpkt, 32); huge[15] = 0x80;
refused(huge, INDEX, OPEN_BAD_COUNTER, "counter 2^63");
var keepalive = sealT(key, 9, header, new Uint8Array(0), 0);
ok(keepalive.length === 32 && hw.openTransport(key, INDEX, keepalive, new Uint8Array(0)) === 9, "keepalive: 32 bytes, empty plaintext");
ok(hex(header) === "0400000044332211deadbeefdeadbeef" && hex(tpkt) === "686f6d657769726520736561" + "6c65642074686973", "inputs unchanged");
function sendThrows(kind, args, re, m) {
  var calls = t.udpCalls();
  throws(kind, function () { hw.sendTransport.apply(hw, args); }, re, m);
  ok(t.udpCalls() === calls, m + ": nothing sent");
}
var to = ["192.168.77.1", 51820];
sendThrows(RangeError, [key, 5, header, tpkt, 48].concat(to), /paddedLength must be 32 for a 20-byte packet/, "padding past the rule");
sendThrows(RangeError, [key, 5, header, tpkt, 20].concat(to), /paddedLength must be 32/, "no padding");
sendThrows(RangeError, [key, 5, header, tpkt, 16].concat(to), /paddedLength must be 32/, "paddedLength below the packet");
sendThrows(RangeError, [key, 5, header, big.subarray(0, 1410), 1424].concat(to), /paddedLength must be 1420 for a 1410-byte packet/, "padding past the MTU");
sendThrows(RangeError, [key, 5, header, tpkt, 32.5].concat(to), /paddedLength must be 32/, "fractional paddedLength");
sendThrows(TypeError, [key, 5, header, tpkt], /sendTransport: paddedLength must be a number/, "missing paddedLength");
sendThrows(RangeError, [key, 5, header, new Uint8Array(1469), 1472].concat(to), /datagram of 1504 bytes, over 1500/, "datagram over 1500 bytes");
sendThrows(RangeError, [key, 5, header.subarray(0, 8), tpkt, 32].concat(to), /sendTransport: header must be 16 bytes starting 04 00 00 00/, "short header");
sendThrows(RangeError, [key, 5, unhex("0100000044332211" + "0000000000000000"), tpkt, 32].concat(to), /header must be 16 bytes starting 04 00 00 00/, "initiation type in header");
sendThrows(RangeError, [key, 5, unhex("0400010044332211" + "0000000000000000"), tpkt, 32].concat(to), /starting 04 00 00 00/, "reserved byte set");
sendThrows(RangeError, [bytes(31, 0), 5, header, tpkt, 32].concat(to), /sendTransport: key must be 32 bytes, got 31/, "short key");
sendThrows(RangeError, [key, 9007199254740991, header, tpkt, 32].concat(to), /sendTransport: counter must be an integer in \[0, 2\^53 - 1\)/, "counter 2^53 - 1");
sendThrows(RangeError, [key, -1, header, tpkt, 32].concat(to), /sendTransport: counter/, "negative counter");
sendThrows(TypeError, [key, "5", header, tpkt, 32].concat(to), /sendTransport: counter must be a number/, "string counter");
sendThrows(TypeError, [key, 5, header, [1, 2, 3], 16].concat(to), /sendTransport: packet must be a Uint8Array/, "array packet");
sendThrows(TypeError, [key, 5, new Uint16Array(8), tpkt, 32].concat(to), /sendTransport: header must be a Uint8Array/, "Uint16Array header");
sendThrows(RangeError, [key, 5, header, tpkt, 32, "fd00::1::2", 51820], /sendTransport: host must be an IPv4 or IPv6 address/, "bad IPv6 host");
sendThrows(RangeError, [key, 5, header, tpkt, 32, "192.168.77.1", 0], /sendTransport: port must be an integer in \[1, 65535\]/, "port 0");
sendThrows(TypeError, [key, 5, header, tpkt, 32, 1234, 1], /sendTransport: host must be a string/, "numeric host");
throws(RangeError, function () { hw.openTransport(key, INDEX, tmsg, new Uint8Array(31)); }, /openTransport: plaintext must hold 32 bytes, has 31/, "plaintext too small");
throws(RangeError, function () { hw.openTransport(key, 1.5, tmsg, back); }, /openTransport: localIndex must be an integer/, "fractional index");
throws(RangeError, function () { hw.openTransport(key, 4294967296, tmsg, back); }, /openTransport: localIndex/, "index 2^32");
throws(RangeError, function () { hw.openTransport(bytes(33, 0), INDEX, tmsg, back); }, /openTransport: key must be 32 bytes, got 33/, "long key");
throws(TypeError, function () { hw.openTransport(key, INDEX, tmsg); }, /openTransport: plaintext must be a Uint8Array/, "missing plaintext");
throws(TypeError, function () { hw.openTransport(key, INDEX, "message", back); }, /openTransport: message must be a Uint8Array/, "string message");

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
var udpBefore = t.udpCalls();
ok(hw.udpSend(bytes(1, 0), "10.0.0.9", 9) === false, "udpSend reports a failed send as false");
ok(hw.udpSend(bytes(148, 0), "fd00:77::1", 51820) === true, "udpSend over IPv6");
ok(hw.udpSend(bytes(148, 0), "192.168.77.1", 51820) === true, "udpSend");
throws(RangeError, function () { hw.udpSend(bytes(1501, 0), "192.168.77.1", 51820); }, /1501 bytes exceeds 1500/, "datagram too big");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "192.168.77.256", 51820); }, /IPv4 or IPv6 address/, "octet 256");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "192.168.077.1", 51820); }, /IPv4 or IPv6 address/, "leading zero");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "fe80::1%eth0", 51820); }, /IPv4 or IPv6 address/, "zone id");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "1.2.3.4 ", 51820); }, /IPv4 or IPv6 address/, "trailing space");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "1.2.3.4", 0); }, /port must be an integer in \[1, 65535\]/, "port 0");
throws(RangeError, function () { hw.udpSend(bytes(4, 0), "1.2.3.4", 65536); }, /port/, "port 65536");
throws(TypeError, function () { hw.udpSend(bytes(4, 0), 1234, 1); }, /udpSend: host must be a string/, "numeric host");
ok(t.udpCalls() === udpBefore + 3, "udp_send called for the valid sends only");
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
ok(hw.appUdpSend(unhex("7b7d"), "fd77::1", 9999) === true, "appUdpSend to an IPv6 collector");
throws(RangeError, function () { hw.appUdpSend(bytes(1373, 0), "fd77::1", 9999); }, /1373 bytes exceeds 1372 \(IPv6\)/, "IPv6 payload limit");
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

// Network setup natives: either family, one tunnel address or one of each.
hw.netConfigure(51820, "10.77.0.2", 24);
hw.netConfigure(51821, "fd77::2", 64, "10.77.0.2", 32);
throws(RangeError, function () { hw.netConfigure(0, "10.77.0.2", 24); }, /listenPort must be an integer/, "listen port 0");
throws(RangeError, function () { hw.netConfigure(51820, "10.77.0.2", 33); }, /prefix must be an integer in \[0, 32\] for an IPv4 address/, "prefix 33");
throws(RangeError, function () { hw.netConfigure(51820, "fd77::2", 129); }, /prefix must be an integer in \[0, 128\] for an IPv6 address/, "prefix 129");
throws(RangeError, function () { hw.netConfigure(51820, "fd77::2", 64, "fd77::3", 64); }, /one IPv4, one IPv6/, "two IPv6 tunnel addresses");
throws(TypeError, function () { hw.netConfigure(51820, "fd77::2", 64, "10.77.0.2"); }, /prefix must be a number/, "second address without its prefix");
hw.tunnelRoute("10.77.0.0", 24);
hw.tunnelRoute("0.0.0.0", 0);
hw.tunnelRoute("fd77::", 64);
throws(Error, function () { hw.tunnelRoute("10.1.0.0", 16); }, /route table full/, "board refusal surfaces");
throws(RangeError, function () { hw.tunnelRoute("10.1.0", 16); }, /IPv4 or IPv6 address/, "bad route ip");
throws(RangeError, function () { hw.tunnelRoute("fd77::/64", 64); }, /IPv4 or IPv6 address/, "a CIDR is not an address");

// DNS natives: servers of either family; a lookup starts or says why not (the answer comes later,
// from the runtime's loop, as homewire.onResolved: runtime.c).
hw.dnsServer(0, "192.168.77.53");
hw.dnsServer(1, "fd00:77::35");
throws(Error, function () { hw.dnsServer(3, "192.168.77.53"); }, /takes no DNS server 3/, "a server slot the board lacks");
throws(RangeError, function () { hw.dnsServer(-1, "192.168.77.53"); }, /index must be an integer/, "negative index");
throws(RangeError, function () { hw.dnsServer(0, "home.example"); }, /IPv4 or IPv6 address/, "a name as a server");
hw.dnsResolve("home.homewire.test", 7);
throws(Error, function () { hw.dnsResolve("busy.example", 8); }, /dnsResolve: lwIP's DNS table is busy/, "the board's refusal is the message");
throws(RangeError, function () { hw.dnsResolve("", 9); }, /name must be 1\.\.254/, "empty name");
throws(RangeError, function () { hw.dnsResolve("home example", 9); }, /letters, digits/, "a space in the name");
throws(RangeError, function () { hw.dnsResolve(new Array(256).join("a"), 9); }, /name must be 1\.\.254/, "255 characters");
throws(RangeError, function () { hw.dnsResolve("home.example", 4294967296); }, /id must be an integer/, "id beyond 32 bits");
throws(TypeError, function () { hw.dnsResolve(5, 1); }, /dnsResolve: name must be a string/, "numeric name");
