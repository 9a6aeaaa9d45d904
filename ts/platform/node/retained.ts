// The retained region (Platform.retained) on Node: a file that survives the process, as RTC
// memory survives a deep sleep, written durably (the core erases a session record before it uses
// the keys, and relies on that write having happened). MemoryRetained is for unit tests.
import { readFileSync } from "node:fs";
import type { Retained } from "../platform.ts";
import { writeFileDurably } from "./store.ts";

/** Like the ESP32's 8 KiB of RTC slow memory, minus what the board keeps for itself. */
export const RETAINED_CAPACITY = 256;

export class FileRetained implements Retained {
  readonly capacity: number;
  constructor(readonly path: string, capacity = RETAINED_CAPACITY) {
    this.capacity = capacity;
  }

  read(): Uint8Array | null {
    try {
      return new Uint8Array(readFileSync(this.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  write(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("FileRetained.write: expected a Uint8Array");
    if (bytes.length > this.capacity) throw new RangeError(`FileRetained.write: ${bytes.length} bytes, the region holds ${this.capacity}`);
    writeFileDurably(this.path, bytes);
  }
}

export class MemoryRetained implements Retained {
  private bytes: Uint8Array | null = null;
  writes = 0;
  /** Tests: make the next writes throw, as a failing flash or a full disk would. */
  refuse = false;
  constructor(readonly capacity = RETAINED_CAPACITY) {}

  read(): Uint8Array | null {
    return this.bytes === null ? null : this.bytes.slice();
  }

  write(bytes: Uint8Array): void {
    if (this.refuse) throw new Error("retained region: write refused");
    if (bytes.length > this.capacity) throw new RangeError(`MemoryRetained.write: ${bytes.length} bytes, the region holds ${this.capacity}`);
    this.bytes = bytes.slice();
    this.writes++;
  }
}
