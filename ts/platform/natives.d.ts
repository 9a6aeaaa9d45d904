// The natives the firmware runtime installs as the global `hw` (firmware/bindings). ES5 only.
// Every argument is checked in C: a wrong type throws TypeError, a wrong length or range
// RangeError, a board failure Error, always with a message naming the function and argument.
// The crypto members match Crypto in platform.ts one to one.

interface HwNatives {
  // Crypto (firmware/crypto): see platform.ts Crypto for the semantics.
  x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array;
  x25519Base(scalar: Uint8Array): Uint8Array;
  aeadSeal(key: Uint8Array, counter: number, plaintext: Uint8Array, ad: Uint8Array): Uint8Array;
  aeadOpen(key: Uint8Array, counter: number, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null;
  xaeadSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array;
  xaeadOpen(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array): Uint8Array | null;
  blake2s(outLen: number, data: Uint8Array, key?: Uint8Array): Uint8Array;
  hmacBlake2s(key: Uint8Array, data: Uint8Array): Uint8Array; // key 0..64 bytes, data <= 65536
  // The per-packet receive path (platform.ts Crypto.openTransport): the counter, or an OPEN_* code.
  openTransport(key: Uint8Array, localIndex: number, message: Uint8Array, plaintext: Uint8Array): number;

  // Outer UDP (the underlay). host: IPv4 or IPv6 text (as allowedips.ts parseIp reads it); at
  // most 1500 bytes. false: not sent (lost). A datagram's source reaches homewire.onDatagram in
  // formatIp's text, so the core can compare hosts as strings.
  udpSend(bytes: Uint8Array, host: string, port: number): boolean;
  // A decrypted inner IP packet (1..1420 bytes) into the tunnel netif. false: dropped by the stack.
  tunnelDeliver(packet: Uint8Array): boolean;
  // tunnelDeliver(plaintext[0, length)) without a JS view; length in 1..min(plaintext.length, 1420).
  tunnelDeliverPrefix(plaintext: Uint8Array, length: number): boolean;
  // The per-packet send path (platform.ts Io.sendTransport): also checks that paddedLength is
  // device.ts paddedLength(packet.length), that header starts 04 00 00 00 and that the datagram
  // fits 1500 bytes; host and port as for udpSend. false: not sent (lost).
  sendTransport(key: Uint8Array, counter: number, header: Uint8Array, packet: Uint8Array, paddedLength: number,
    host: string, port: number): boolean;
  // The application's UDP datagram, sent from the tunnel address of host's family through lwIP
  // (and so the tunnel); at most 1392 bytes to an IPv4 host, 1372 to an IPv6 one.
  appUdpSend(bytes: Uint8Array, host: string, port: number): boolean;

  nowMs(): number;
  wallClockMs(): number | null;
  randomBytes(n: number): Uint8Array; // n in 0..1024
  log(level: number, message: string): void; // level 0..3 (LOG_ERROR..LOG_DEBUG)

  // Store: keys [A-Za-z0-9._-]{1,32}, values up to 2048 bytes without newlines; put is durable.
  storeGet(key: string): string | null;
  storePut(key: string, value: string): void;

  // Network bring-up, once per boot: outer listen port (IPv4 and IPv6), the tunnel's address and
  // prefix, and optionally a second one of the other family.
  netConfigure(listenPort: number, tunnelIp: string, prefix: number, tunnelIp2?: string, prefix2?: number): void;
  // Route an inner destination prefix (one of the peer's AllowedIPs, either family) into the tunnel.
  tunnelRoute(ip: string, prefix: number): void;
  // DNS server `index` (0..2 on the NO_SYS boards) for dnsResolve; IPv4 or IPv6.
  dnsServer(index: number, ip: string): void;
  // Starts looking a host name up with lwIP's DNS client; returns at once. The answer comes later
  // from the runtime's event loop as homewire.onResolved(id, address | undefined, error |
  // undefined); id is an integer in 1..2^32 - 1 (0 is never answered). Throws Error with the
  // board's reason when the lookup cannot start (no server set, lwIP's table busy).
  dnsResolve(name: string, id: number): void;
  // Compiles the app's deferred modules (scripts/bundle.ts, after the deferred mark of a source
  // image) now: true if it did, false when there was nothing (left) to load. The bundle's own
  // require calls it; app code loads such modules with requireDeferred.
  loadDeferred(): boolean;
  // Join this Wi-Fi network as a station, and keep rejoining; false when the board has no Wi-Fi.
  // ssid 1..32 bytes, password 0..64 bytes (checked by the config parser first). A secret: never logged.
  wifiJoin(ssid: string, password: string): boolean;

  // Deep sleep (firmware/runtime/board.h). The retained region keeps its bytes across a sleep:
  // capacity in bytes (0: this board has none), its contents (empty: nothing kept), an atomic
  // replacement (throws RangeError past the capacity, Error if the board could not write).
  retainedCapacity(): number;
  retainedRead(): Uint8Array;
  retainedWrite(bytes: Uint8Array): void;
  // Once the current call into JS returns, the board sleeps ms (0..86400000) with RAM off except
  // the retained region and boots again; the clock (nowMs) goes on across. Throws without one.
  deepSleep(ms: number): void;
}

declare var hw: HwNatives;
