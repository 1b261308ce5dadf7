/** Issue 13 item 5: at most MAX_PROBLEMS_PER_FILE problems are listed per file; the rest are counted, and every format says so. */
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/config/rules.js";
import { codeFrame, lineIndex } from "../../src/diagnostics/codeframe.js";
import { formatGithub, formatJson, formatSarif, formatStylish } from "../../src/diagnostics/format.js";
import { formatMarkdownSummary } from "../../src/diagnostics/format-markdown.js";
import type { FormatInput } from "../../src/diagnostics/format-types.js";
import { capProblems, MAX_PROBLEMS_PER_FILE } from "../../src/diagnostics/problem-cap.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";

const diag = (i: number, severity: Diagnostic["severity"] = "error"): Diagnostic => ({
  ruleId: "fqc/unknown-key", severity, message: `unknown key "k${i}"`, file: "big.json", pointer: `/k${i}`, line: 1, column: 2 + i, endLine: 1, endColumn: 3 + i,
});

describe("capProblems", () => {
  it("keeps the first 100 problems in report order and counts the rest by severity", () => {
    const all = [...Array.from({ length: 150 }, (_, i) => diag(i)), ...Array.from({ length: 30 }, (_, i) => diag(150 + i, "warning"))];
    const { listed, unlisted } = capProblems(all);
    expect(MAX_PROBLEMS_PER_FILE).toBe(100);
    expect(listed).toEqual(all.slice(0, 100));
    expect(unlisted).toEqual({ errorCount: 50, warningCount: 30 });
  });

  it("leaves a short list whole", () => {
    expect(capProblems([diag(0)])).toEqual({ listed: [diag(0)], unlisted: { errorCount: 0, warningCount: 0 } });
  });
});

describe("every format states how many problems were not listed", () => {
  const source = `{${Array.from({ length: 180 }, (_, i) => `"k${i}":1`).join(",")}}`;
  const all = Array.from({ length: 180 }, (_, i) => diag(i));
  const { listed, unlisted } = capProblems(all);
  const input: FormatInput = {
    diagnostics: listed, sources: new Map([["big.json", source]]), filesChecked: ["big.json", "ok.json"], rules: RULES, toolVersion: "1.0.0", cwd: "/repo",
    unlisted: new Map([["big.json", unlisted]]),
  };

  it("stylish: a line under the file and the closing totals", () => {
    const out = formatStylish(input, { color: false });
    expect(out).toContain("  … and 80 more not listed (at most 100 per file)");
    expect(out.trimEnd().split("\n").pop()).toBe("✖ 180 problems (180 errors, 0 warnings), 80 more not listed (at most 100 per file)");
    expect(out.match(/unknown key/g)).toHaveLength(100);
  });

  it("json: per-file and total unlistedCount, counts include them", () => {
    const report = JSON.parse(formatJson(input));
    expect(report.files[0]).toMatchObject({ file: "big.json", errorCount: 180, unlistedCount: 80 });
    expect(report.files[0].diagnostics).toHaveLength(100);
    expect(report).toMatchObject({ errorCount: 180, unlistedCount: 80 });
  });

  it("github: the closing plain line", () => {
    expect(formatGithub(input).trimEnd().split("\n").pop()).toContain("180 problems (180 errors, 0 warnings) in 1 file (2 files checked); 80 more not listed (at most 100 per file)");
  });

  it("sarif: a tool execution notification and a run property", () => {
    const run = JSON.parse(formatSarif(input)).runs[0];
    expect(run.results).toHaveLength(100);
    expect(run.invocations[0].toolExecutionNotifications[0].message.text).toBe("fqc: 80 more not listed (at most 100 per file)");
    expect(run.properties.unlistedCount).toBe(80);
  });

  it("markdown: the totals line", () => {
    expect(formatMarkdownSummary(input)).toContain("180 problems (180 errors, 0 warnings) in 1 file (2 files checked); 80 more not listed (at most 100 per file)");
  });
});

describe("code frames on huge lines", () => {
  it("a frame on a 1,000,000-character line shows a window around the range, as wide as on a short line", () => {
    const key = "k".repeat(1_000_000);
    const text = `{"dtype": "int4", "${key}": 1}`;
    const frame = codeFrame(text, 1, 19, 1, 19 + key.length + 2, { color: false });
    const [src, marks] = frame.split("\n");
    expect(src.length).toBeLessThan(120);
    expect(marks.length).toBeLessThan(120);
    expect(src).toContain('"dtype": "int4", "kkk');
    expect(src.endsWith("…")).toBe(true);
  });

  it("a frame deep in a long line keeps the range in view with an ellipsis on the left", () => {
    const text = `${"x".repeat(500_000)}ERR${"y".repeat(500_000)}`;
    const [src, marks] = codeFrame(text, 1, 500_001, 1, 500_004, { color: false }).split("\n");
    expect(src).toMatch(/^> 1 \| …x+ERRy+…$/);
    expect(marks.indexOf("^")).toBe(src.indexOf("ERR"));
  });

  it("a line index gives the same frames as the source alone", () => {
    const text = "a\r\nbb\rccc\n\tdddd\n";
    const idx = lineIndex(text);
    for (let line = 1; line <= 5; line++) expect(codeFrame(text, line, 2, line, 3, { color: false, lines: idx })).toBe(codeFrame(text, line, 2, line, 3, { color: false }));
  });
});
