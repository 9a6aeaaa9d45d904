// A Device whose peer endpoint can be set from outside, as `wg set ... endpoint` does: what
// NamedEndpoint (endpointname.ts) needs to keep a device pointed at a DNS name. Its own file,
// so a firmware whose home is an address does not carry it (SensorDevice, for deep sleep, builds
// on it).

import type { Address } from "../platform/platform";
import { parseIp } from "./allowedips";
import { Device } from "./device";

export class EndpointDevice extends Device {
  /**
   * Where the peer is, as `wg set ... endpoint` says it (NamedEndpoint after a lookup). An
   * initiation in flight went elsewhere: one goes to the new address at once; without a usable
   * session one goes too, taking the staged packets along; with one, the next packet goes there.
   * Throws a TypeError naming a bad field.
   */
  setPeerEndpoint(address: Address): void {
    var a = address;
    if (!a || typeof a.port !== "number" || a.port !== Math.floor(a.port) || a.port < 1 || a.port > 65535) throw new TypeError("endpoint.port: expected an integer in 1..65535");
    if (typeof a.host !== "string" || parseIp(a.host) === null) throw new TypeError("endpoint.host: expected an IP address");
    a = { host: a.host, port: a.port };
    var now = this.clock.nowMs();
    this.setEndpoint(a);
    this.lastSentHandshake = null;
    if (this.timers.wantRetransmit()) this.sendInitiation(true, now);
    else this.sendStaged(now);
  }

  /** Initiations sent in the handshake in flight (0: none in flight): more than one means the
   *  peer did not answer the first (NamedEndpoint then looks the name up again). */
  handshakeAttempts(): number {
    return this.timers.handshakeAttempts;
  }
}
