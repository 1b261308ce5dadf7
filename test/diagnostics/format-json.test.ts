import { describe, expect, it } from "vitest";
import { formatJson, type JsonReport } from "../../src/diagnostics/format-json.js";
import { CLEAN_FILE, DIAGNOSTICS, fixtureInput, NEWLINE_FILE, ODD_FILE, PAIR_FILE, STDIN } from "./fixture.js";

const text = formatJson(fixtureInput());
const report = JSON.parse(text) as JsonReport;

describe("formatJson", () => {
  it("is valid JSON with version, tool and totals", () => {
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: "fqc", version: "0.1.0" });
    expect(report.errorCount).toBe(4);
    expect(report.warningCount).toBe(1);
    expect(text.endsWith("}\n")).toBe(true);
  });

  it("lists every checked file in order, clean files with zero counts", () => {
    expect(report.files.map((f) => f.file)).toEqual([PAIR_FILE, CLEAN_FILE, ODD_FILE, NEWLINE_FILE, STDIN]);
    const clean = report.files.find((f) => f.file === CLEAN_FILE)!;
    expect(clean).toEqual({ file: CLEAN_FILE, errorCount: 0, warningCount: 0, unlistedCount: 0, diagnostics: [] });
    expect(report.files.map((f) => [f.errorCount, f.warningCount])).toEqual([[2, 0], [0, 0], [0, 1], [1, 0], [1, 0]]);
  });

  it("carries every diagnostic field unchanged, with hint null when absent", () => {
    const all = report.files.flatMap((f) => f.diagnostics);
    expect(all).toHaveLength(DIAGNOSTICS.length);
    for (const d of DIAGNOSTICS) {
      const j = all.find((x) => x.file === d.file && x.pointer === d.pointer)!;
      expect(j).toEqual({ ...d, hint: d.hint ?? null });
      expect(Object.keys(j)).toEqual(["ruleId", "severity", "message", "hint", "file", "pointer", "line", "column", "endLine", "endColumn"]);
    }
  });

  it("round-trips unicode, %, :, , and newlines in messages and file names", () => {
    const odd = report.files.find((f) => f.file === ODD_FILE)!;
    expect(odd.diagnostics[0].message).toBe(DIAGNOSTICS[2].message);
    expect(report.files.some((f) => f.file === "configs/odd\nname.json")).toBe(true);
  });

  it("is deterministic", () => {
    expect(formatJson(fixtureInput())).toBe(text);
  });

  it("reports a clean run with empty diagnostics", () => {
    const clean = JSON.parse(formatJson(fixtureInput({ diagnostics: [] }))) as JsonReport;
    expect(clean.errorCount + clean.warningCount).toBe(0);
    expect(clean.files.every((f) => f.diagnostics.length === 0)).toBe(true);
    expect(clean.files).toHaveLength(5);
  });
});
