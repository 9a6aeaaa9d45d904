// The Platform on the firmware engines, built from the natives (natives.d.ts). Host code never
// loads this file: there is no `hw` on Node.

import type { Address, Platform } from "./platform";
import { LOG_WARN } from "./platform";

export function firmwarePlatform(): Platform {
  var natives = hw;
  var sendFailures = 0;
  return {
    crypto: {
      x25519: function (scalar, point) { return natives.x25519(scalar, point); },
      x25519Base: function (scalar) { return natives.x25519Base(scalar); },
      aeadSeal: function (key, counter, plaintext, ad) { return natives.aeadSeal(key, counter, plaintext, ad); },
      aeadOpen: function (key, counter, ciphertext, ad) { return natives.aeadOpen(key, counter, ciphertext, ad); },
      xaeadSeal: function (key, nonce, plaintext, ad) { return natives.xaeadSeal(key, nonce, plaintext, ad); },
      xaeadOpen: function (key, nonce, ciphertext, ad) { return natives.xaeadOpen(key, nonce, ciphertext, ad); },
      blake2s: function (outLen, data, key) { return natives.blake2s(outLen, data, key); },
    },
    random: { randomBytes: function (n) { return natives.randomBytes(n); } },
    clock: {
      nowMs: function () { return natives.nowMs(); },
      wallClockMs: function () { return natives.wallClockMs(); },
    },
    store: {
      get: function (key) { return natives.storeGet(key); },
      put: function (key, value) { natives.storePut(key, value); },
    },
    io: {
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
      deliverToTunnel: function (packet) { natives.tunnelDeliver(packet); },
      log: function (level, message) { natives.log(level, message); },
    },
  };
}
