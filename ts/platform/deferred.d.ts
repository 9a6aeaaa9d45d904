// Loading a module only when a board needs it: requireDeferred("./module") in firmware code.
// scripts/bundle.ts puts a module reached only this way after the bundle's deferred mark; on an
// engine that compiles source (Duktape) the runtime compiles that part at the first such load
// (hw.loadDeferred), so a board that never needs the module never holds it in its heap. Firmware
// code only: Node has no such function.
declare function requireDeferred(id: string): unknown;
