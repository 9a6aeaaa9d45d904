// The JerryScript app image: the firmware bundle as a *static* snapshot that the engine runs
// in place, from flash (the bytecode is never copied into the engine heap), plus the strings
// the snapshot refers to, which the engine reads in place as well ("external magic strings").
//
//   tsx scripts/jerry-image.ts --tool build/.../jerry-snapshot --config-id 1a2b3c4d --in bundle.js --out homewire.image
//
// A static snapshot may hold no literal that would live in the engine heap: every string
// literal must be one the engine knows by number (its built-in names, or a table registered
// before the snapshot runs), and every number literal must fit the engine's direct integers
// (-2^27 .. 2^27-1); regular expression literals are refused outright. So, in order:
//   1. rewrite the bundle: /re/flags -> (new RegExp("re", "flags")); every other number
//      literal -> an exact expression over direct integers, e.g. 4294967296 -> (64 * 67108864);
//      a string literal that reads as a number ("0.5", "-1", "100000") -> ("" + number), since
//      the engine makes those strings from numbers without the table; all are evaluated when
//      the code runs, which only costs off the per-packet path
//   2. jerry-snapshot generate (plain snapshot) + litdump: the list of string literals
//   3. jerry-snapshot generate --static with those literals registered as magic strings
//   4. the image: the static snapshot, then the table, then a trailer (firmware/vm/vm_jerryscript.c
//      reads it; little-endian u32s, everything 4-aligned):
//        [snapshot: S bytes, starts "JRRY"] [count x u32 string lengths] [the strings, padded to 4]
//        [trailer: "HWJ1" | count | S | engine configuration id]
//      The configuration id is a hash of the engine's build options (scripts/mk/firmware.mk):
//      the snapshot's built-in string numbers depend on them, so an image only runs on an
//      engine built with the same options, and the engine refuses any other.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import ts from "typescript";

/** The engine's direct (unboxed) integers: ECMA_INTEGER_NUMBER_MIN/MAX of JerryScript 3.0. */
export const DIRECT_MIN = -(2 ** 27);
export const DIRECT_MAX = 2 ** 27 - 1;
const STEP = 2 ** 26; // a direct factor; a 53-bit integer is hi * STEP + lo with both direct

function integerExpression(m: number): string {
  const hi = Math.floor(m / STEP), lo = m - hi * STEP;
  if (hi === 0) return String(lo);
  return `${hi} * ${STEP}${lo ? ` + ${lo}` : ""}`;
}

/** An expression of direct integers only, with exactly the value v (a finite literal >= 0).
 *  Products and quotients by powers of two are exact in binary64, so evaluating it gives v. */
export function exactExpression(v: number): string {
  if (!Number.isFinite(v) || v < 0) throw new RangeError(`jerry-image: number literal ${v} cannot be written exactly`);
  if (Number.isInteger(v) && v <= DIRECT_MAX) return String(v);
  // v = m * 2^e with m a whole number below 2^53 (so hi = m / 2^26 is direct)
  let m = v, e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  while (m >= 2 ** 53) {
    m /= 2;
    e++;
  }
  let expr = integerExpression(m);
  for (; e > 0; e -= Math.min(e, 26)) expr = `(${expr}) * ${2 ** Math.min(e, 26)}`;
  for (; e < 0; e += Math.min(-e, 26)) expr = `(${expr}) / ${2 ** Math.min(-e, 26)}`;
  const back = Function(`return (${expr});`)() as number;
  if (!Object.is(back, v)) throw new Error(`jerry-image: ${expr} is ${back}, not ${v}`);
  return `(${expr})`;
}

/** A string the engine also makes by converting a number, without looking it up in the
 *  string table (JerryScript assumes no table string looks like a number; array indices up to
 *  65535 have a direct form of their own): such a literal must be made from its number. */
export function numberLikeString(s: string): boolean {
  const v = Number(s);
  if (s === "" || !Number.isFinite(v) || String(v) !== s) return false; // NaN, Infinity: built-in names
  return !(Number.isInteger(v) && v >= 0 && v <= 0xffff);
}

export interface Rewrite {
  from: string;
  to: string;
}

/** Step 1: the bundle with every literal a static snapshot cannot hold rewritten. */
export function staticSource(source: string): { source: string; rewrites: Rewrite[] } {
  const file = ts.createSourceFile("bundle.js", source, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; to: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) {
      const text = node.text;
      const slash = text.lastIndexOf("/");
      const to = `(new RegExp(${JSON.stringify(text.slice(1, slash))}, ${JSON.stringify(text.slice(slash + 1))}))`;
      edits.push({ start: node.getStart(file), end: node.end, to });
    } else if (ts.isStringLiteral(node) && numberLikeString(node.text)) {
      if (ts.isPropertyAssignment(node.parent) && node.parent.name === node) throw new Error(`jerry-image: property name "${node.text}" cannot be kept in a static snapshot`);
      const v = Number(node.text);
      const to = `("" + ${v < 0 || Object.is(v, -0) ? `-${exactExpression(-v)}` : exactExpression(v)})`;
      edits.push({ start: node.getStart(file), end: node.end, to });
    } else if (ts.isNumericLiteral(node)) {
      // A number as an object literal's property name is a string to the engine: leave it.
      const isName = ts.isPropertyAssignment(node.parent) && node.parent.name === node;
      const v = Number(node.text);
      if (!isName && !(Number.isInteger(v) && v <= DIRECT_MAX)) edits.push({ start: node.getStart(file), end: node.end, to: exactExpression(v) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = source;
  const rewrites: Rewrite[] = [];
  for (const e of edits.sort((a, b) => b.start - a.start)) {
    rewrites.push({ from: source.slice(e.start, e.end), to: e.to });
    out = out.slice(0, e.start) + e.to + out.slice(e.end);
  }
  return { source: out, rewrites: rewrites.reverse() };
}

/** jerry-snapshot's literal list ("<bytes> <string>\n" ...) as byte strings. */
export function parseLiteralList(list: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < list.length) {
    const space = list.indexOf(0x20, at);
    const size = Number(list.subarray(at, space).toString("latin1"));
    if (space < 0 || !Number.isInteger(size) || size <= 0 || space + 1 + size > list.length) {
      throw new Error(`jerry-image: literal list malformed at byte ${at}`);
    }
    out.push(list.subarray(space + 1, space + 1 + size));
    at = space + 1 + size + 1; // the newline after each entry
  }
  return out;
}

/** The engine's order for its external string table: by length, then bytewise. */
export function sortStrings(strings: Buffer[]): Buffer[] {
  return [...strings].sort((a, b) => a.length - b.length || Buffer.compare(a, b));
}

const pad4 = (n: number) => (n + 3) & ~3;

/** Step 4: snapshot + string table + trailer (layout above). */
export function imageBytes(snapshot: Buffer, strings: Buffer[], configId: number): Buffer {
  if (snapshot.length % 4 !== 0 || snapshot.subarray(0, 4).toString("latin1") !== "JRRY") throw new Error("jerry-image: not a JerryScript snapshot");
  const sorted = sortStrings(strings);
  const numeric = sorted.find((b) => numberLikeString(b.toString("utf8")));
  if (numeric) throw new Error(`jerry-image: "${numeric}" looks like a number: the engine would not find it in the table`);
  for (let i = 1; i < sorted.length; i++) if (sorted[i].equals(sorted[i - 1])) throw new Error(`jerry-image: literal "${sorted[i]}" listed twice`);
  const lengths = Buffer.alloc(4 * sorted.length);
  sorted.forEach((s, i) => lengths.writeUInt32LE(s.length, 4 * i));
  const text = Buffer.concat(sorted);
  const trailer = Buffer.alloc(16);
  trailer.write("HWJ1", 0, "latin1");
  trailer.writeUInt32LE(sorted.length, 4);
  trailer.writeUInt32LE(snapshot.length, 8);
  trailer.writeUInt32LE(configId >>> 0, 12);
  return Buffer.concat([snapshot, lengths, text, Buffer.alloc(pad4(text.length) - text.length), trailer]);
}

function main(): void {
  const { values: o } = parseArgs({ options: { tool: { type: "string" }, "config-id": { type: "string" }, in: { type: "string" }, out: { type: "string" } } });
  if (!o.tool || !o.in || !o.out || !o["config-id"] || !/^[0-9a-f]{8}$/.test(o["config-id"])) {
    console.error("usage: tsx scripts/jerry-image.ts --tool JERRY_SNAPSHOT --config-id XXXXXXXX --in BUNDLE.js --out IMAGE");
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), "jerry-image-"));
  try {
    const { source, rewrites } = staticSource(readFileSync(o.in, "utf8"));
    const js = join(work, "app.js");
    writeFileSync(js, source);
    const toolPath = resolve(o.tool);
    const tool = (args: string[]) => execFileSync(toolPath, args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    tool(["generate", "-o", "plain.snapshot", js]);
    tool(["litdump", "--format", "list", "-o", "literals.list", "plain.snapshot"]);
    const strings = parseLiteralList(readFileSync(join(work, "literals.list")));
    try {
      tool(["generate", "--static", "--load-literals-list-format", "literals.list", "-o", "static.snapshot", js]);
    } catch (e) {
      throw new Error(`jerry-image: the static snapshot failed (a literal the engine cannot hold in place?): ${(e as { stderr?: Buffer }).stderr ?? e}`);
    }
    const snapshot = readFileSync(join(work, "static.snapshot"));
    const image = imageBytes(snapshot, strings, parseInt(o["config-id"], 16));
    writeFileSync(o.out, image);
    console.log(`jerry-image: ${o.out} ${image.length} bytes = static snapshot ${snapshot.length} + ${strings.length} strings ` +
      `(${image.length - snapshot.length} with lengths and trailer); ${rewrites.length} literals rewritten (${rewrites.filter((r) => r.to.startsWith("(new RegExp")).length} regular expressions)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
