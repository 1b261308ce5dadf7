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

  it("adds problems found but not listed to the file's and the run's counts, by severity", () => {
    const unlisted = new Map([[PAIR_FILE, { errorCount: 3, warningCount: 4 }], ["more.json", { errorCount: 0, warningCount: 2 }]]);
    const s = summarize(DIAGNOSTICS, [PAIR_FILE, CLEAN_FILE], unlisted);
    expect(s).toMatchObject({ errorCount: 7, warningCount: 7, problemCount: 14, unlistedCount: 9 });
    const byName = Object.fromEntries(s.files.map((f) => [f.file, [f.errorCount, f.warningCount, f.unlistedCount, f.diagnostics.length]]));
    expect(byName[PAIR_FILE]).toEqual([5, 4, 7, 2]);
    expect(byName[CLEAN_FILE]).toEqual([0, 0, 0, 0]);
    // A file whose problems are all unlisted still has problems.
    expect(byName["more.json"]).toEqual([0, 2, 2, 0]);
    expect(s.filesWithProblems).toBe(5);
    expect(summarize([], [CLEAN_FILE], new Map([[CLEAN_FILE, { errorCount: 0, warningCount: 1 }]])).filesWithProblems).toBe(1);
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
