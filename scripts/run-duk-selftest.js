// Runs the bundle's self-checks inside an engine CLI (Duktape's `duk`), after build/homewire.js:
//   duk build/homewire.js scripts/run-duk-selftest.js
// Plain ES5 on purpose. duk exits with status 1 when a file throws, so failure throws at top level.
(function () {
  if (typeof homewire !== "object" || typeof homewire.runSelfTests !== "function") {
    throw new Error("homewire bundle not loaded: run with build/homewire.js first");
  }
  var result = homewire.runSelfTests();
  for (var i = 0; i < result.failures.length; i++) print("FAIL " + result.failures[i]);
  var engine = typeof Duktape === "object" ? "Duktape " + Duktape.version : "unknown engine";
  print(result.passed + " passed, " + result.failed + " failed (" + engine + ")");
  if (result.failed !== 0 || result.passed === 0) throw new Error("self-checks failed");
})();
