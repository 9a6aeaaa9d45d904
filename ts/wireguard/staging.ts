// Packets that arrive from the tunnel before a usable keypair exists wait here (whitepaper
// section 6.1: "queued until a handshake completes"). Bounded, oldest dropped first, because a
// sensor cannot buffer much and old readings are the least valuable.

export var STAGED_PACKETS_MAX = 16;

export class StagingQueue {
  private packets: Uint8Array[] = [];
  private max: number;

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
    return dropped;
  }

  /** Put a packet back at the head (it could not be sent after all). */
  unshift(packet: Uint8Array): void {
    this.packets.unshift(packet);
    if (this.packets.length > this.max) this.packets.pop();
  }

  shift(): Uint8Array | null {
    var p = this.packets.shift();
    return p === undefined ? null : p;
  }

  get length(): number {
    return this.packets.length;
  }

  /** Drop everything; returns how many packets were dropped. */
  clear(): number {
    var n = this.packets.length;
    this.packets = [];
    return n;
  }
}
