// What the device reports about itself: state, traffic counters and drop counters by reason.
// Nothing here is secret; keys never enter a status.

import type { Address } from "../platform/platform";

export interface DeviceStatus {
  /** "idle" | "handshake-sent" | "handshake-responded" | "established" */
  state: string;
  /** clock.nowMs() of the last completed handshake, or null. */
  lastHandshakeMs: number | null;
  /** Where we send to: the configured endpoint, then the source of the last authenticated packet. */
  endpoint: Address | null;
  /** Outer bytes of authenticated WireGuard messages received / all messages sent (as `wg show` transfer). */
  rxBytes: number;
  txBytes: number;
  /** Inner IP packets delivered to / taken from the tunnel and sent (keepalives not counted). */
  rxPackets: number;
  txPackets: number;
  /** Completed handshakes (either role). */
  handshakes: number;
  /** Keypairs held (current, previous, next: 0..3); 0 once they expired and were wiped. */
  keypairs: number;
  /** Datagrams given to onDatagram, and those accepted; every other one is in drops. */
  datagramsIn: number;
  datagramsAccepted: number;
  /** Dropped datagrams (and outbound packets, reasons starting "tx-") by reason. */
  drops: { [reason: string]: number };
}

/** Every reason the device counts. Inbound datagrams: each lands in exactly one. */
export var DROP_REASONS = [
  "bad-type", "bad-length", "bad-mac1", "unknown-receiver", "decrypt-failed", "bad-counter",
  "replay", "source-not-allowed", "bad-inner-packet", "stale-timestamp", "handshake-flood",
  "handshake-failed", "unknown-peer", "low-order-point", "rate-limited", "cookie-sent", "bad-cookie",
  "expired-keypair", "store-failed", "internal-error",
  // Outbound packets from the tunnel.
  "tx-bad-packet", "tx-no-route", "staging-overflow", "tx-gave-up", "tx-suspended",
];

export class DropCounters {
  private counts: { [reason: string]: number } = {};

  add(reason: string): void {
    this.counts[reason] = (this.counts[reason] || 0) + 1;
  }

  addMany(reason: string, n: number): void {
    if (n > 0) this.counts[reason] = (this.counts[reason] || 0) + n;
  }

  get(reason: string): number {
    return this.counts[reason] || 0;
  }

  /** A copy: callers may keep or change it. */
  snapshot(): { [reason: string]: number } {
    var out: { [reason: string]: number } = {};
    for (var k in this.counts) {
      if (Object.prototype.hasOwnProperty.call(this.counts, k)) out[k] = this.counts[k];
    }
    return out;
  }
}
