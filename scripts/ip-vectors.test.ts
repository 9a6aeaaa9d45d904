// The committed address-text vectors (firmware/net/test/ip-vectors.txt, read by the C side's
// hw_ip_test) are what the TypeScript parseIp / formatIp give today.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { IP_VECTORS_FILE, ipVectors } from "./ip-vectors.ts";

test("ip-vectors.txt matches ts/wireguard/allowedips.ts parseIp/formatIp (regenerate: tsx scripts/ip-vectors.ts)", () => {
  const want = ipVectors();
  assert.equal(readFileSync(IP_VECTORS_FILE, "utf8"), want);
  assert.ok(want.split("\n").filter((l) => l.startsWith("F\t")).length >= 256);
  assert.ok(want.includes("\t-\n"), "refused texts are in it");
});
