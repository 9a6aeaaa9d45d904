// Random on Node: the OS CSPRNG via node:crypto. Returns plain Uint8Arrays (not Buffers),
// because Buffer#slice returns a view and the core must be able to rely on copies.
import { randomFillSync } from "node:crypto";
import type { Random } from "../platform.ts";

export const nodeRandom: Random = {
  randomBytes(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`randomBytes: n must be a non-negative integer, got ${n}`);
    return randomFillSync(new Uint8Array(n));
  },
};
