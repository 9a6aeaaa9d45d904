// The JerryScript image tool's source rewriting and image layout (scripts/jerry-image.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DIRECT_MAX, exactExpression, imageBytes, numberLikeString, parseLiteralList, sortStrings, staticSource } from "./jerry-image.ts";

const evaluate = (expr: string) => Function(`return ${expr};`)() as number;
/** Every number literal left in the expression must be one of the engine's direct integers. */
const onlyDirect = (expr: string) => (expr.match(/\d+(\.\d+)?(e[+-]?\d+)?/gi) ?? []).every((n) => Number.isInteger(Number(n)) && Number(n) <= DIRECT_MAX);

test("exactExpression: the same double, from direct integers only", () => {
  for (const v of [2 ** 27, 4294967295, 4294967296, 2 ** 40, 2 ** 53 - 1, 2 ** 53, 2 ** 60, 1152921504606846976, 0.2, 0.5, 10.77, 1e-7, 1e21, 1.7976931348623157e308, 5e-324]) {
    const e = exactExpression(v);
    assert.ok(Object.is(evaluate(e), v), `${v}: ${e}`);
    assert.ok(onlyDirect(e), `${v}: ${e} has a literal beyond the direct integers`);
  }
  assert.equal(exactExpression(42), "42", "direct integers stay as they are");
  assert.throws(() => exactExpression(Infinity), RangeError);
});

test("staticSource: regular expressions, large numbers and number-like strings are rewritten; names stay", () => {
  const src = 'var a = /^(\\d+)\\/x$/gi.test(s); var b = 4294967296 + 7; var o = { 4294967296: 1, "0.5": 2 }; var c = "0.5" + "-1" + "65535"; var d = x[100000];';
  assert.throws(() => staticSource(src), /property name "0.5"/, "a number-like property name cannot be kept");
  const { source, rewrites } = staticSource(src.replace(', "0.5": 2', ""));
  assert.match(source, /var a = \(new RegExp\("\^\(\\\\d\+\)\\\\\/x\$", "gi"\)\)\.test\(s\);/);
  assert.match(source, /var b = \(64 \* 67108864\) \+ 7;/);
  assert.match(source, /\{ 4294967296: 1 \}/, "a number as an object literal's key is a name");
  assert.match(source, /var c = \(""\ \+ \(\(1\) \/ 2\)\) \+ \(""\ \+ -1\) \+ "65535";/);
  assert.match(source, /x\[100000\]/, "a direct integer is left alone");
  assert.equal(rewrites.length, 4);
  // The rewritten program computes the same values.
  const run = (code: string) => Function("s", "x", `${code}; return [a, b, o[4294967296], c, d];`)("12/X", { 100000: "d" });
  assert.deepEqual(run(source), run(src.replace(', "0.5": 2', "")));
});

test("numberLikeString: only strings a number converts to, except the engine's direct indices", () => {
  for (const s of ["0.5", "-1", "100000", "4294967296", "1e+21", "-0.25"]) assert.ok(numberLikeString(s), s);
  for (const s of ["", "0", "65535", "1e21", "01", "0.50", "abc", "-0", "NaN", "Infinity"]) assert.ok(!numberLikeString(s), s);
});

test("parseLiteralList and the image: sorted strings, lengths, trailer", () => {
  const list = Buffer.from("3 abc\n1 z\n2 hw\n5 a b\nc\n");
  const strings = parseLiteralList(list);
  assert.deepEqual(strings.map(String), ["abc", "z", "hw", "a b\nc"]);
  assert.deepEqual(sortStrings([Buffer.from("bb"), Buffer.from("Bb"), Buffer.from("a"), Buffer.from("aaa")]).map(String), ["a", "Bb", "bb", "aaa"]);
  assert.throws(() => parseLiteralList(Buffer.from("9 short\n")), /malformed/);
  const snapshot = Buffer.concat([Buffer.from("JRRY"), Buffer.alloc(12, 7)]);
  const image = imageBytes(snapshot, strings, 0xe4eb9d85);
  assert.equal(image.length % 4, 0);
  assert.ok(image.subarray(0, 16).equals(snapshot));
  const t = image.subarray(image.length - 16);
  assert.equal(t.subarray(0, 4).toString(), "HWJ1");
  assert.equal(t.readUInt32LE(4), 4);
  assert.equal(t.readUInt32LE(8), 16);
  assert.equal(t.readUInt32LE(12), 0xe4eb9d85);
  assert.deepEqual([0, 1, 2, 3].map((i) => image.readUInt32LE(16 + 4 * i)), [1, 2, 3, 5]);
  assert.equal(image.subarray(32, 32 + 11).toString(), "zhwabca b\nc");
  assert.throws(() => imageBytes(snapshot, [Buffer.from("x"), Buffer.from("x")], 1), /twice/);
  assert.throws(() => imageBytes(snapshot, [Buffer.from("0.5")], 1), /looks like a number/);
  assert.throws(() => imageBytes(Buffer.from("JRRX0000"), [], 1), /not a JerryScript snapshot/);
});
