import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore, MemoryStore } from "./store.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "hw-store-"));
}

test("FileStore: a value put is read back by a new instance (survives a restart)", () => {
  const dir = tempDir();
  try {
    const path = join(dir, "store.json");
    const a = new FileStore(path);
    assert.equal(a.get("tai64n"), null);
    a.put("tai64n", "4000000065a0b1c2");
    a.put("other", "x");
    a.put("tai64n", "4000000065a0b1c3");
    assert.equal(a.get("tai64n"), "4000000065a0b1c3");
    const b = new FileStore(path);
    assert.equal(b.get("tai64n"), "4000000065a0b1c3");
    assert.equal(b.get("other"), "x");
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { other: "x", tai64n: "4000000065a0b1c3" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FileStore: put leaves no temporary file behind", () => {
  const dir = tempDir();
  try {
    const s = new FileStore(join(dir, "s.json"));
    for (let i = 0; i < 5; i++) s.put("k" + i, String(i));
    assert.deepEqual(readdirSync(dir), ["s.json"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FileStore: a temp file left by a crash mid-put does not change what is loaded", () => {
  const dir = tempDir();
  try {
    const path = join(dir, "s.json");
    new FileStore(path).put("k", "old");
    writeFileSync(`${path}.tmp-99999`, '{"k":"torn');
    assert.equal(new FileStore(path).get("k"), "old");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FileStore: a failed write (directory gone) throws and keeps the previous value", () => {
  const dir = tempDir();
  const path = join(dir, "s.json");
  const s = new FileStore(path);
  s.put("k", "v1");
  rmSync(dir, { recursive: true, force: true });
  assert.throws(() => s.put("k", "v2"), /ENOENT/);
  assert.equal(s.get("k"), "v1");
});

test("FileStore: refuses a corrupt file and non-string values instead of starting empty", () => {
  const dir = tempDir();
  try {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    assert.throws(() => new FileStore(bad), /not valid JSON/);
    const wrong = join(dir, "wrong.json");
    writeFileSync(wrong, '{"k": 5}');
    assert.throws(() => new FileStore(wrong), /not a string/);
    const s = new FileStore(join(dir, "ok.json"));
    assert.throws(() => s.put("k", 5 as unknown as string), TypeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FileStore: keys that look like Object.prototype members are ordinary keys", () => {
  const dir = tempDir();
  try {
    const s = new FileStore(join(dir, "s.json"));
    assert.equal(s.get("toString"), null);
    assert.equal(s.get("__proto__"), null);
    s.put("constructor", "c");
    assert.equal(new FileStore(join(dir, "s.json")).get("constructor"), "c");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MemoryStore: get/put", () => {
  const s = new MemoryStore();
  assert.equal(s.get("a"), null);
  s.put("a", "1");
  assert.equal(s.get("a"), "1");
});
