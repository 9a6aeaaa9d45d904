// The image vm_test runs on engines whose images come from their own tool (JerryScript:
// scripts/jerry-image.ts). It holds what a static snapshot cannot keep as written: strings the
// engine does not know, numbers beyond its direct integers, a regular expression literal.
var imageWords = ["homewire", "static", "snapshot"].join("-");
var imageBig = 4294967296;
var imageSafe = 9007199254740991;
var imageFraction = 0.2;
var imageMatch = /^(\d+)-([a-z]+)$/.exec("42-abc");
var imageRan = t.add(40, 2);

function imageChecks() {
  var failed = [];
  if (imageWords !== "homewire-static-snapshot") failed.push("strings");
  if (imageBig !== 65536 * 65536 || imageSafe !== Number.MAX_SAFE_INTEGER) failed.push("large numbers");
  if (imageFraction * 5 !== 1 || String(imageFraction) !== "0.2") failed.push("fraction");
  if (!imageMatch || imageMatch[1] !== "42" || imageMatch[2] !== "abc") failed.push("regular expression");
  if (imageRan !== 42) failed.push("native call");
  var o = { staticKey: 1 };
  if (JSON.stringify(o) !== '{"staticKey":1}' || JSON.parse('{"staticKey":2}').staticKey !== 2) failed.push("property names");
  if (!imageNumberStrings()) failed.push("number-like strings");
  imageChecks.failed = failed.join(", ");
  return failed.length === 0;
}

// Strings that read as numbers: the engine makes these from numbers without its string table.
function imageNumberStrings() {
  var a = 0.5, b = -1, c = 100000;
  return String(a) === "0.5" && String(b) === "-1" && String(c) === "100000" && "" + 65535 === "65535";
}
