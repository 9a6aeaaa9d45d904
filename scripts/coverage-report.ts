// Line / branch / function coverage of one source folder from an lcov file (Node's built-in
// coverage, --test-reporter=lcov), tests excluded: a table per file and the totals, plus JSON.
//   tsx scripts/coverage-report.ts build/fuzz/core.lcov ts/wireguard/ [--json out.json]
import { readFileSync, writeFileSync } from "node:fs";

interface FileCoverage { file: string; lines: [number, number]; branches: [number, number]; functions: [number, number] }

const [lcovPath, prefix, ...rest] = process.argv.slice(2);
if (!lcovPath || !prefix) {
  console.error("usage: coverage-report.ts LCOV PREFIX [--json OUT]");
  process.exit(2);
}
const jsonOut = rest[0] === "--json" ? rest[1] : null;

const files: FileCoverage[] = [];
let current: FileCoverage | null = null;
for (const line of readFileSync(lcovPath, "utf8").split("\n")) {
  const [tag, value] = [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)];
  if (tag === "SF") current = { file: value, lines: [0, 0], branches: [0, 0], functions: [0, 0] };
  else if (current && tag === "LF") current.lines[1] = Number(value);
  else if (current && tag === "LH") current.lines[0] = Number(value);
  else if (current && tag === "BRF") current.branches[1] = Number(value);
  else if (current && tag === "BRH") current.branches[0] = Number(value);
  else if (current && tag === "FNF") current.functions[1] = Number(value);
  else if (current && tag === "FNH") current.functions[0] = Number(value);
  else if (line === "end_of_record" && current) {
    if (current.file.startsWith(prefix) && !current.file.endsWith(".test.ts")) files.push(current);
    current = null;
  }
}
if (files.length === 0) {
  console.error(`coverage-report: no file under ${prefix} in ${lcovPath}`);
  process.exit(1);
}

const pct = ([hit, found]: [number, number]): string => (found === 0 ? "-" : ((100 * hit) / found).toFixed(1));
const total = (k: "lines" | "branches" | "functions"): [number, number] =>
  files.reduce<[number, number]>((acc, f) => [acc[0] + f[k][0], acc[1] + f[k][1]], [0, 0]);
const rows = files.sort((a, b) => a.file.localeCompare(b.file)).map((f) => [f.file, pct(f.lines), pct(f.branches), pct(f.functions)]);
const totals = { lines: total("lines"), branches: total("branches"), functions: total("functions") };
rows.push([`all of ${prefix}`, pct(totals.lines), pct(totals.branches), pct(totals.functions)]);
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`${"file".padEnd(width)}  line %  branch %  funcs %`);
for (const r of rows) console.log(`${r[0].padEnd(width)}  ${r[1].padStart(6)}  ${r[2].padStart(8)}  ${r[3].padStart(7)}`);
console.log(`coverage of ${prefix}: lines ${totals.lines[0]}/${totals.lines[1]} (${pct(totals.lines)} %), branches ${totals.branches[0]}/${totals.branches[1]} (${pct(totals.branches)} %), functions ${totals.functions[0]}/${totals.functions[1]} (${pct(totals.functions)} %)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ prefix, totals, files }, null, 2) + "\n");
