import { describe, expect, it } from "vitest";
import { exceedsMaxWarnings, plural, problemsText, summarize } from "../../src/diagnostics/summary.js";
import { CLEAN_FILE, DIAGNOSTICS, NEWLINE_FILE, ODD_FILE, PAIR_FILE, STDIN } from "./fixture.js";

describe("summarize", () => {
  it("counts errors and warnings per file and in total", () => {
    const s = summarize(DIAGNOSTICS, [PAIR_FILE, CLEAN_FILE, ODD_FILE, NEWLINE_FILE, STDIN]);
    expect(s.errorCount).toBe(4);
    expect(s.warningCount).toBe(1);
    expect(s.problemCount).toBe(5);
    expect(s.filesWithProblems).toBe(4);
    const byName = Object.fromEntries(s.files.map((f) => [f.file, [f.errorCount, f.warningCount, f.diagnostics.length]]));
    expect(byName).toEqual({
      [PAIR_FILE]: [2, 0, 2],
      [CLEAN_FILE]: [0, 0, 0],
      [ODD_FILE]: [0, 1, 1],
      [NEWLINE_FILE]: [1, 0, 1],
      [STDIN]: [1, 0, 1],
    });
  });

  it("lists checked files in the given order, clean ones included", () => {
    const s = summarize(DIAGNOSTICS, [STDIN, CLEAN_FILE, PAIR_FILE, NEWLINE_FILE, ODD_FILE]);
    expect(s.files.map((f) => f.file)).toEqual([STDIN, CLEAN_FILE, PAIR_FILE, NEWLINE_FILE, ODD_FILE]);
  });

  it("appends files that only appear in diagnostics, in first-seen order", () => {
    const s = summarize(DIAGNOSTICS, [CLEAN_FILE]);
    expect(s.files.map((f) => f.file)).toEqual([CLEAN_FILE, PAIR_FILE, ODD_FILE, NEWLINE_FILE, STDIN]);
  });

  it("keeps each file's diagnostics in report order", () => {
    const reversed = [...DIAGNOSTICS].reverse();
    const pair = summarize(reversed).files.find((f) => f.file === PAIR_FILE)!;
    expect(pair.diagnostics.map((d) => d.ruleId)).toEqual(["fqc/unknown-key", "forward/symmetric-per-token"]);
  });

  it("works without a file list (the CLI's exit-code check)", () => {
    const s = summarize(DIAGNOSTICS);
    expect([s.errorCount, s.warningCount]).toEqual([4, 1]);
    expect(summarize([])).toMatchObject({ errorCount: 0, warningCount: 0, problemCount: 0, files: [] });
  });
});

describe("exceedsMaxWarnings", () => {
  it("follows ESLint: more warnings than the limit fails, a negative or absent limit never does", () => {
    expect(exceedsMaxWarnings({ warningCount: 3 }, 2)).toBe(true);
    expect(exceedsMaxWarnings({ warningCount: 2 }, 2)).toBe(false);
    expect(exceedsMaxWarnings({ warningCount: 1 }, 0)).toBe(true);
    expect(exceedsMaxWarnings({ warningCount: 0 }, 0)).toBe(false);
    expect(exceedsMaxWarnings({ warningCount: 99 }, -1)).toBe(false);
    expect(exceedsMaxWarnings({ warningCount: 99 }, undefined)).toBe(false);
  });
});

describe("problemsText", () => {
  it("uses singular and plural like ESLint", () => {
    expect(problemsText({ errorCount: 1, warningCount: 0 })).toBe("1 problem (1 error, 0 warnings)");
    expect(problemsText({ errorCount: 2, warningCount: 1 })).toBe("3 problems (2 errors, 1 warning)");
    expect(plural(0, "file")).toBe("0 files");
  });
});
