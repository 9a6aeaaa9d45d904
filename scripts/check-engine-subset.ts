// The firmware's tsc lib is ES5, but lib.es5.d.ts declares more than the device engines have:
// Duktape 2.7's typed arrays carry only subarray/set and the view properties (fill, slice,
// indexOf, every... are undefined at run time), and a few legacy members are missing too.
// tsc cannot express "ES5 minus these", so this script walks the firmware program with the
// type checker and fails on every use of a lib member outside the engine subset.
//
// It resolves each property access to the declaration it binds to, so aliases, unions and
// element access with a literal name are caught the same way as `bytes.fill(0)`.
//
// Usage: tsx scripts/check-engine-subset.ts            (self-test on the fixture, then the firmware)
//        tsx scripts/check-engine-subset.ts FILE...    (check these files with the firmware options)
import ts from "typescript";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const TYPED_ARRAYS = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array"];
const VIEW_MEMBERS = ["length", "subarray", "set", "byteLength", "byteOffset", "buffer", "BYTES_PER_ELEMENT"];

/** Lib interface name -> the only members the engines provide (others are refused). */
const ALLOWED: Record<string, string[]> = { ArrayBuffer: ["byteLength"], ArrayBufferConstructor: ["isView", "prototype"] };
for (const name of TYPED_ARRAYS) {
  ALLOWED[name] = VIEW_MEMBERS;
  ALLOWED[name + "Constructor"] = ["BYTES_PER_ELEMENT", "prototype"]; // no from/of
}
/** Lib interface name -> members declared in lib.es5.d.ts that Duktape 2.7 lacks. */
const MISSING: Record<string, string[]> = { RegExp: ["compile"], Function: ["arguments", "caller"] };

export interface Violation {
  file: string;
  line: number;
  member: string;
  owner: string;
}

function firmwareOptions(): ts.ParsedCommandLine {
  const configPath = join(root, "tsconfig.firmware.json");
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  });
  if (!parsed) throw new Error("cannot read tsconfig.firmware.json");
  return parsed;
}

/** The lib interface a property symbol is declared in, if it is a default-lib declaration. */
function libOwners(symbol: ts.Symbol, program: ts.Program): string[] {
  const owners: string[] = [];
  for (const decl of symbol.declarations ?? []) {
    if (!program.isSourceFileDefaultLibrary(decl.getSourceFile())) continue;
    const parent = decl.parent;
    if (parent && (ts.isInterfaceDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name) owners.push(parent.name.text);
  }
  return owners;
}

function refused(owner: string, member: string): boolean {
  const allowed = ALLOWED[owner];
  if (allowed) return !allowed.includes(member);
  return (MISSING[owner] ?? []).includes(member);
}

export function findViolations(fileNames: string[], options: ts.CompilerOptions): Violation[] {
  const program = ts.createProgram(fileNames, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const found: Violation[] = [];

  const report = (node: ts.Node, nameNode: ts.Node, member: string) => {
    const symbol = checker.getSymbolAtLocation(nameNode);
    if (!symbol) return;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    for (const owner of libOwners(target, program)) {
      if (refused(owner, member)) {
        const sf = node.getSourceFile();
        const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
        found.push({ file: relative(root, sf.fileName), line: line + 1, member, owner });
        return;
      }
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      report(node, node.name, node.name.text);
    } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
      report(node, node.argumentExpression, node.argumentExpression.text);
    } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      // var { fill } = bytes
      const nameNode = node.propertyName ?? node.name;
      if (ts.isIdentifier(nameNode)) {
        const type = checker.getTypeAtLocation(node.parent);
        const prop = type.getProperty(nameNode.text);
        if (prop) {
          for (const owner of libOwners(prop, program)) {
            if (refused(owner, nameNode.text)) {
              const sf = node.getSourceFile();
              found.push({ file: relative(root, sf.fileName), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, member: nameNode.text, owner });
              break;
            }
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };

  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileDefaultLibrary(sf)) continue;
    if (!fileNames.some((f) => resolve(f) === resolve(sf.fileName))) continue;
    visit(sf);
  }
  return found;
}

function format(v: Violation): string {
  return `${v.file}:${v.line}: ${v.owner}.${v.member} is not available on the device engines (Duktape 2.7)`;
}

/** The fixture marks each line that must be refused with a trailing `// refused: Owner.member`. */
function selfTest(options: ts.CompilerOptions): void {
  const fixture = join(root, "scripts", "fixtures", "engine-subset-violations.ts");
  const want = new Set<string>();
  ts.sys.readFile(fixture)!.split("\n").forEach((text, i) => {
    const m = /\/\/ refused: (\w+)\.(\w+)/.exec(text);
    if (m) want.add(`${i + 1}:${m[1]}.${m[2]}`);
  });
  const got = new Set(findViolations([fixture], options).map((v) => `${v.line}:${v.owner}.${v.member}`));
  const missed = [...want].filter((k) => !got.has(k));
  const extra = [...got].filter((k) => !want.has(k));
  if (want.size < 5 || missed.length || extra.length) {
    console.error(`check-engine-subset self-test FAILED: missed ${missed.join(", ") || "none"}; unexpected ${extra.join(", ") || "none"}`);
    process.exit(2);
  }
  console.log(`check-engine-subset: self-test ok (${want.size} violations in the fixture caught, none invented)`);
}

function main(): void {
  const parsed = firmwareOptions();
  const args = process.argv.slice(2);
  if (args.length === 0) selfTest(parsed.options);
  const files = args.length ? args.map((a) => resolve(a)) : parsed.fileNames;
  const violations = findViolations(files, parsed.options);
  for (const v of violations) console.error(format(v));
  if (violations.length) {
    console.error(`check-engine-subset: ${violations.length} use(s) of lib members the engines lack; use ts/wireguard/bytes.ts helpers`);
    process.exit(1);
  }
  console.log(`check-engine-subset: ${files.length} firmware files use only the engine subset`);
}

main();
