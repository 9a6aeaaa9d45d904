// Packets that arrive from the tunnel before a usable keypair exists wait here (whitepaper
// section 6.1: "queued until a handshake completes"). Bounded, oldest dropped first, because a
// sensor cannot buffer much and old readings are the least valuable.

export var STAGED_PACKETS_MAX = 16;

export class StagingQueue {
  private packets: Uint8Array[] = [];
  private max: number;
  /** Packets queued. A plain field, not a getter: the send path reads it for every packet. */
  length = 0;

  constructor(max?: number) {
    this.max = max === undefined ? STAGED_PACKETS_MAX : max;
  }

  /** Queue a packet; returns the number of old packets dropped to make room (0 or 1). */
  push(packet: Uint8Array): number {
    var dropped = 0;
    if (this.packets.length >= this.max) {
      this.packets.shift();
      dropped = 1;
    }
    this.packets.push(packet);
    this.length = this.packets.length;
    return dropped;
  }

  /** Put a packet back at the head (it could not be sent after all). */
  unshift(packet: Uint8Array): void {
    this.packets.unshift(packet);
    if (this.packets.length > this.max) this.packets.pop();
    this.length = this.packets.length;
  }

  shift(): Uint8Array | null {
    var p = this.packets.shift();
    this.length = this.packets.length;
    return p === undefined ? null : p;
  }

  /** Drop everything; returns how many packets were dropped. */
  clear(): number {
    var n = this.packets.length;
    this.packets = [];
    this.length = 0;
    return n;
  }
}
