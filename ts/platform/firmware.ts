// The Platform on the firmware engines, built from the natives (natives.d.ts). Host code never
// loads this file: there is no `hw` on Node.
//
// Where a Platform member has the native's signature, the native itself is the member: a JS
// closure in between costs ~1k interpreter instructions per call on the device, and the natives
// check their arguments in C anyway (they do not use `this`).

import type { Address, Crypto, Io, Platform } from "./platform";
import { LOG_WARN } from "./platform";

export function firmwarePlatform(): Platform {
  var natives = hw;
  var sendFailures = 0;
  var crypto: Crypto = {
    x25519: natives.x25519,
    x25519Base: natives.x25519Base,
    aeadSeal: natives.aeadSeal,
    aeadOpen: natives.aeadOpen,
    xaeadSeal: natives.xaeadSeal,
    xaeadOpen: natives.xaeadOpen,
    blake2s: natives.blake2s,
    hmacBlake2s: natives.hmacBlake2s,
  };
  var io: Io = {
    sendDatagram: function (bytes: Uint8Array, to: Address) {
      // The core treats sending as fire-and-forget (UDP); a refused send is a lost packet.
      // An endpoint this board cannot reach (IPv6 on an IPv4-only underlay) is one too,
      // reported once per 100 so the console does not flood.
      try {
        if (natives.udpSend(bytes, to.host, to.port)) return;
      } catch (e) {
        if (sendFailures % 100 === 0) natives.log(LOG_WARN, "udpSend to " + to.host + ":" + to.port + " failed: " + (e as Error).message);
        sendFailures++;
      }
    },
    deliverToTunnel: natives.tunnelDeliver, // a false return (dropped by the stack) is a lost packet
    log: natives.log,
  };
  // The optional per-packet natives: the core uses them when present. A natives table without
  // them (a board that does not register them) leaves the core on the plain path.
  if (typeof natives.openTransport === "function") crypto.openTransport = natives.openTransport;
  if (typeof natives.sendTransport === "function") io.sendTransport = natives.sendTransport;
  if (typeof natives.tunnelDeliverPrefix === "function") io.deliverPrefixToTunnel = natives.tunnelDeliverPrefix;
  var platform: Platform = {
    crypto: crypto,
    random: { randomBytes: natives.randomBytes },
    clock: { nowMs: natives.nowMs, wallClockMs: natives.wallClockMs },
    store: { get: natives.storeGet, put: natives.storePut },
    io: io,
  };
  // A board that keeps a region across deep sleep (board.h): where a session waits for the wake.
  var capacity = typeof natives.retainedCapacity === "function" ? natives.retainedCapacity() : 0;
  if (capacity > 0) platform.retained = { capacity: capacity, read: natives.retainedRead, write: natives.retainedWrite };
  return platform;
}
