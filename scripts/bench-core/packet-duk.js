// Per-packet cost of the protocol core under Duktape, for scripts/bench-core/run.sh. Runs after
// the Device bundle (global `hw`) and a line setting PACKETS and MODE: "send" | "recv" | "build"
// (recv's input without receiving) | "seal" | "open" | "nop" (the stand-in AEAD alone, and the
// same loop calling an empty function, so its cost can be taken out of send/recv) | "hsend" |
// "hrecv" (the send/recv loops calling empty methods instead of the Device: the harness's own
// cost) | "check" (a functional run). NATIVES (optional, default false): the stand-in platform
// also has the optional per-packet natives Crypto.openTransport, Io.sendTransport and
// Io.deliverPrefixToTunnel.
//
// The crypto here is a stand-in that keeps the protocol's structure but is NOT secure: public key
// = private key, DH = xor (so both sides agree), AEAD = copy plus a 16-byte tag (in "check" mode
// the tag holds the counter, so a header whose counter differs from the nonce fails to open; the
// measured modes skip that, keeping the stand-in cheap), hashes = a cheap mix.
// The bench measures the JS around the crypto; the natives are benchmarked on their own.
/* global hw, print, PACKETS, MODE, NATIVES */
(function () {
  function mix(outLen, data, key) {
    var out = new Uint8Array(outLen), acc = 7, i;
    if (key) for (i = 0; i < key.length; i++) { acc = (acc * 31 + key[i]) | 0; out[i % outLen] ^= acc & 255; }
    for (i = 0; i < data.length; i++) { acc = (acc * 33 + data[i]) | 0; out[i % outLen] ^= acc & 255; }
    for (i = 0; i < outLen; i++) { acc = (acc * 17 + i) | 0; out[i] ^= acc & 255; }
    return out;
  }
  // The tag's first 8 bytes: LE64 of a numeric nonce (the AEAD counter), written with shifts.
  var bindCounter = MODE === "check";
  function putTag(o, at, nonce) {
    if (!bindCounter || typeof nonce !== "number") return;
    var low = nonce % 4294967296, high = (nonce - low) / 4294967296;
    for (var k = 0; k < 4; k++) { o[at + k] = (low >>> (8 * k)) & 255; o[at + 4 + k] = (high >>> (8 * k)) & 255; }
  }
  function tagOk(s, at, nonce) {
    if (!bindCounter || typeof nonce !== "number") return true;
    var t = new Uint8Array(8);
    putTag(t, 0, nonce);
    for (var k = 0; k < 8; k++) if (s[at + k] !== t[k]) return false;
    return true;
  }
  function seal(key, nonce, plain) {
    var o = new Uint8Array(plain.length + 16);
    o.set(plain);
    putTag(o, plain.length, nonce);
    return o;
  }
  function open(key, nonce, sealed) {
    if (sealed.length < 16 || !tagOk(sealed, sealed.length - 16, nonce)) return null;
    var o = new Uint8Array(sealed.length - 16);
    o.set(sealed.subarray(0, sealed.length - 16));
    return o;
  }
  var crypto = {
    x25519: function (s, p) { var o = new Uint8Array(32); for (var i = 0; i < 32; i++) o[i] = s[i] ^ p[i]; return o; },
    x25519Base: function (s) { var o = new Uint8Array(32); o.set(s); return o; },
    aeadSeal: seal, aeadOpen: open, xaeadSeal: seal, xaeadOpen: open, blake2s: mix,
    // RFC 2104 over the stand-in hash, as kdf.ts built it before HMAC became a primitive.
    hmacBlake2s: function (key, data) {
      var inner = new Uint8Array(64 + data.length), outer = new Uint8Array(64 + 32), i;
      for (i = 0; i < 64; i++) { inner[i] = (i < key.length ? key[i] : 0) ^ 0x36; outer[i] = (i < key.length ? key[i] : 0) ^ 0x5c; }
      inner.set(data, 64);
      outer.set(mix(32, inner), 64);
      return mix(32, outer);
    }
  };
  var natives = typeof NATIVES !== "undefined" && NATIVES;
  // header[0, 8) || LE64(counter) || "seal"(packet || zeros): Io.sendTransport's datagram.
  function frame(counter, header, packet, paddedLength) {
    var o = new Uint8Array(16 + paddedLength + 16);
    o.set(header.subarray(0, 8));
    var low = counter % 4294967296, high = (counter - low) / 4294967296;
    o[8] = low & 255; o[9] = (low >>> 8) & 255; o[10] = (low >>> 16) & 255; o[11] = low >>> 24;
    o[12] = high & 255; o[13] = (high >>> 8) & 255; o[14] = (high >>> 16) & 255; o[15] = high >>> 24;
    o.set(packet, 16);
    putTag(o, 16 + paddedLength, counter);
    return o;
  }
  if (natives) {
    // The platform contract (platform.ts Crypto.openTransport): the counter or an OPEN_* code.
    crypto.openTransport = function (key, localIndex, message, plaintext) {
      if (message.length < 32 || message[0] !== 4 || (message[1] | message[2] | message[3]) !== 0) return -1;
      var word = function (at) { return (message[at] | message[at + 1] << 8 | message[at + 2] << 16 | message[at + 3] << 24) >>> 0; };
      if (word(4) !== localIndex) return -2;
      var counter = word(12) * 4294967296 + word(8);
      if (counter >= 9007199254740991) return -3;
      if (!tagOk(message, message.length - 16, counter)) return -4;
      plaintext.set(message.subarray(16, message.length - 16));
      return counter;
    };
  }
  var seed = 1;
  var random = { randomBytes: function (n) {
    var o = new Uint8Array(n);
    for (var i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; o[i] = seed >> 16; }
    return o;
  } };
  var now = 0;
  var clock = { nowMs: function () { return now; }, wallClockMs: function () { return null; } };
  function memoryStore() {
    var m = {};
    return { get: function (k) { return m.hasOwnProperty(k) ? m[k] : null; }, put: function (k, v) { m[k] = v; } };
  }
  var last = null, delivered = 0;
  function io() {
    var o = { sendDatagram: function (bytes) { last = bytes; }, deliverToTunnel: function () { delivered++; }, log: function () {} };
    if (natives) {
      o.deliverPrefixToTunnel = function () { delivered++; };
      o.sendTransport = function (key, counter, header, packet, paddedLength, host, port) {
        o.sendDatagram(frame(counter, header, packet, paddedLength), { host: host, port: port });
        return true;
      };
    }
    return o;
  }
  var A = { host: "192.0.2.1", port: 51820 }, B = { host: "192.0.2.2", port: 51820 };
  var ka = new Uint8Array(32), kb = new Uint8Array(32);
  ka[0] = 1; ka[5] = 9; kb[0] = 2; kb[7] = 3;
  var ioA = io(), ioB = io();
  var a = new hw.Device({ privateKey: ka, peer: { publicKey: kb, endpoint: B, allowedIps: ["10.0.0.1/32"] } },
    { crypto: crypto, random: random, clock: clock, store: memoryStore(), io: ioA });
  var b = new hw.Device({ privateKey: kb, peer: { publicKey: ka, endpoint: null, allowedIps: ["10.0.0.2/32"] } },
    { crypto: crypto, random: random, clock: clock, store: memoryStore(), io: ioB });
  // Handshake by hand: initiation A->B, response B->A, keepalive A->B.
  a.connect(); b.onDatagram(last, A); a.onDatagram(last, B); b.onDatagram(last, A);
  var packet = new Uint8Array(100);
  packet[0] = 0x45; packet[3] = 100; packet[8] = 64; packet[9] = 17;
  packet.set([10, 0, 0, 2], 12); packet.set([10, 0, 0, 1], 16);
  // Pre-build the datagrams B receives so that "recv" measures only the receive path.
  var inbound = [];
  if (MODE === "recv" || MODE === "build" || MODE === "hrecv") for (var j = 0; j < PACKETS; j++) { a.onTunnelPacket(packet); inbound.push(last); }
  var i;
  if (MODE === "send") for (i = 0; i < PACKETS; i++) a.onTunnelPacket(packet);
  else if (MODE === "recv") for (i = 0; i < PACKETS; i++) b.onDatagram(inbound[i], A);
  else if (MODE === "hsend" || MODE === "hrecv") {
    var stubDevice = { onTunnelPacket: function (p) {}, onDatagram: function (d, from) {} };
    if (MODE === "hsend") for (i = 0; i < PACKETS; i++) stubDevice.onTunnelPacket(packet);
    else for (i = 0; i < PACKETS; i++) stubDevice.onDatagram(inbound[i], A);
  }
  else if (MODE === "seal" || MODE === "open" || MODE === "nop") {
    // What the core hands the AEAD for this packet: 112 padded bytes to seal, a 128-byte sealed
    // view to open. The call itself stays on the core's account (a native is called too).
    // With the optional natives: the 16-byte header template and the 100-byte packet to seal
    // and send (padded to 112 inside), the whole 144-byte message to open into a reused array.
    var key = new Uint8Array(32), none = new Uint8Array(0), plain = new Uint8Array(112);
    var message = new Uint8Array(16 + 128), sealedView = message.subarray(16), header = new Uint8Array(16);
    message[0] = 4; header[0] = 4;
    var stub = { aeadSeal: function (k, n, p, d) {}, sendTransport: function (k, n, h, p, l, host, port) {} };
    if (MODE === "seal" && natives) for (i = 0; i < PACKETS; i++) ioA.sendTransport(key, i, header, packet, 112, B.host, B.port);
    else if (MODE === "seal") for (i = 0; i < PACKETS; i++) crypto.aeadSeal(key, i, plain, none);
    else if (MODE === "open" && natives) for (i = 0; i < PACKETS; i++) crypto.openTransport(key, 0, message, plain);
    else if (MODE === "open") for (i = 0; i < PACKETS; i++) crypto.aeadOpen(key, i, sealedView, none);
    else if (natives) for (i = 0; i < PACKETS; i++) stub.sendTransport(key, i, header, packet, 112, B.host, B.port);
    else for (i = 0; i < PACKETS; i++) stub.aeadSeal(key, i, sealedView, none);
  }
  if (MODE === "check") {
    // Engine check (make test-core-engine): data both ways, a rekey on the clock, timers.
    var queue = [];
    ioA.sendDatagram = function (bytes) { queue.push([b, bytes, A]); };
    ioB.sendDatagram = function (bytes) { queue.push([a, bytes, B]); };
    var toA = new Uint8Array(packet.length);
    toA.set(packet);
    toA.set([10, 0, 0, 1], 12); toA.set([10, 0, 0, 2], 16);
    var pump = function () { for (var n = 0; queue.length > 0 && n < 1000; n++) { var d = queue.shift(); d[0].onDatagram(d[1], d[2]); } };
    for (i = 0; i < PACKETS; i++) { a.onTunnelPacket(packet); b.onTunnelPacket(toA); pump(); }
    // Counters past 2^32 and near 2^53 (framed through the typed array's ToUint8 conversion,
    // read back with the high word, the replay window's arithmetic) on this engine; the
    // keypair is reached through the compiled class's plain properties.
    var big = [4294967296 + 5, 4503599627370499, 9007199254740000];
    for (i = 0; i < big.length; i++) {
      a.keypairs.current.sendCounter = big[i];
      a.onTunnelPacket(packet); pump();
    }
    if (delivered !== 2 * PACKETS + big.length) throw new Error("bench-core check: large counters not delivered under duk");
    now += 121000; // past REKEY_AFTER_TIME: A's next packet starts a new handshake
    a.onTunnelPacket(packet); pump();
    for (i = 0; i < 100; i++) { now += 1000; a.tick(); b.tick(); pump(); }
    if (a.status().handshakes !== 2 || b.status().handshakes !== 2) throw new Error("bench-core check: no rekey under duk");
    if (delivered !== 2 * PACKETS + big.length + 1) throw new Error("bench-core check: delivered " + delivered + ", expected " + (2 * PACKETS + big.length + 1));
  }
  var sa = a.status(), sb = b.status();
  var ok = sa.state === "established" && sb.state === "established" && (MODE !== "recv" || delivered === PACKETS) &&
    (MODE !== "check" || delivered === 2 * PACKETS + 4);
  print(JSON.stringify({ mode: MODE, packets: PACKETS, ok: ok, delivered: delivered, drops: sb.drops }));
  if (!ok) throw new Error("bench-core: the tunnel did not work under duk");
})();
