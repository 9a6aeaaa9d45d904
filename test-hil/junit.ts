// Results as JUnit XML (what CI systems read) and the one-line summary the runner ends with.

export interface CaseResult {
  name: string;
  status: "passed" | "failed" | "skipped";
  durationMs: number;
  /** Failure message (first line used as the attribute) or the reason for a skip. */
  message?: string;
  /** Console and wireguard-go tails for a failure. */
  details?: string;
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Escapes text for XML and drops characters XML 1.0 cannot carry (console noise, NULs). */
export function xmlEscape(text: string): string {
  return text.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD").replace(/[&<>"']/g, (c) => XML_ESCAPES[c]);
}

export function junitXml(suite: string, cases: CaseResult[], timestamp = new Date()): string {
  const count = (s: CaseResult["status"]) => cases.filter((c) => c.status === s).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = cases.reduce((a, c) => a + c.durationMs, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" tests="${cases.length}" failures="${count("failed")}" skipped="${count("skipped")}" time="${seconds(total)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${cases.length}" failures="${count("failed")}" errors="0" skipped="${count("skipped")}" time="${seconds(total)}" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, "")}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(c.name)}" time="${seconds(c.durationMs)}"`;
    const firstLine = (c.message ?? "").split("\n")[0];
    if (c.status === "passed") out.push(`${open}/>`);
    else if (c.status === "skipped") out.push(`${open}>`, `      <skipped message="${xmlEscape(firstLine)}"/>`, "    </testcase>");
    else {
      const body = [c.message ?? "", c.details ?? ""].filter(Boolean).join("\n");
      out.push(`${open}>`, `      <failure message="${xmlEscape(firstLine)}" type="AssertionError">${xmlEscape(body)}</failure>`, "    </testcase>");
    }
  }
  out.push("  </testsuite>", "</testsuites>", "");
  return out.join("\n");
}

/** "N passed, N failed" (", N skipped" only when there are any). */
export function summaryLine(cases: CaseResult[]): string {
  const count = (s: CaseResult["status"]) => cases.filter((c) => c.status === s).length;
  const skipped = count("skipped");
  return `${count("passed")} passed, ${count("failed")} failed${skipped ? `, ${skipped} skipped` : ""}`;
}
