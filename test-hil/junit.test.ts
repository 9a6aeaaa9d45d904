// The JUnit writer and the summary line: counts, escaping, what a skip and a failure carry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { junitXml, summaryLine, xmlEscape, type CaseResult } from "./junit.ts";

const CASES: CaseResult[] = [
  { name: "boot-handshake", status: "passed", durationMs: 1500 },
  { name: "flood <10^4> & \"quotes\"", status: "failed", durationMs: 2500, message: "saw 12 of 10000\nsecond line", details: "console\u0000tail" },
  { name: "make-demo", status: "skipped", durationMs: 0, message: "not root" },
];

test("junit: suite counts, one testcase each, failure and skip bodies", () => {
  const xml = junitXml("test-hil.host", CASES, new Date("2026-01-02T03:04:05.678Z"));
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="test-hil.host" tests="3" failures="1" skipped="1" time="4.000">/);
  assert.match(xml, /<testsuite name="test-hil.host" tests="3" failures="1" errors="0" skipped="1" time="4.000" timestamp="2026-01-02T03:04:05">/);
  assert.equal(xml.match(/<testcase /g)?.length, 3);
  assert.match(xml, /<testcase classname="test-hil.host" name="boot-handshake" time="1.500"\/>/);
  assert.match(xml, /name="flood &lt;10\^4&gt; &amp; &quot;quotes&quot;"/);
  assert.match(xml, /<failure message="saw 12 of 10000" type="AssertionError">saw 12 of 10000\nsecond line\nconsole\uFFFDtail<\/failure>/);
  assert.match(xml, /<skipped message="not root"\/>/);
});

test("junit: characters XML cannot carry are replaced, markup is escaped", () => {
  assert.equal(xmlEscape("a<b>&'\"\u0001\u001b[0m"), "a&lt;b&gt;&amp;&apos;&quot;\uFFFD\uFFFD[0m");
  assert.equal(xmlEscape("tab\tnewline\nok \u00e9 \u{1F600}"), "tab\tnewline\nok \u00e9 \u{1F600}");
});

test("summary: N passed, N failed, and skipped only when there are any", () => {
  assert.equal(summaryLine(CASES), "1 passed, 1 failed, 1 skipped");
  assert.equal(summaryLine(CASES.slice(0, 2)), "1 passed, 1 failed");
  assert.equal(summaryLine([]), "0 passed, 0 failed");
});
