/** Problem counts per file and in total; shared by the formatters and the CLI (`--max-warnings`). */
import { plural } from "../plural.js";
import type { UnlistedCount } from "./format-types.js";
import { MAX_PROBLEMS_PER_FILE } from "./problem-cap.js";
import type { Diagnostic } from "./types.js";

export interface FileSummary {
  file: string;
  errorCount: number;
  warningCount: number;
  /** This file's diagnostics, in report order. */
  diagnostics: Diagnostic[];
  /** Problems found in this file but not listed (they are included in the counts above). */
  unlistedCount: number;
}

export interface Summary {
  /** Every file: the checked ones in the order given, then files that appear only in diagnostics (first-seen order). */
  files: FileSummary[];
  errorCount: number;
  warningCount: number;
  problemCount: number;
  filesWithProblems: number;
  /** Problems found but not listed, over all files (included in the counts above). */
  unlistedCount: number;
}

export function summarize(
  diagnostics: readonly Diagnostic[],
  filesChecked: readonly string[] = [],
  unlisted: ReadonlyMap<string, UnlistedCount> = new Map(),
): Summary {
  const byFile = new Map<string, FileSummary>();
  const entry = (file: string): FileSummary => {
    let s = byFile.get(file);
    if (s === undefined) {
      s = { file, errorCount: 0, warningCount: 0, diagnostics: [], unlistedCount: 0 };
      byFile.set(file, s);
    }
    return s;
  };
  for (const file of filesChecked) entry(file);
  let errorCount = 0;
  let warningCount = 0;
  for (const d of diagnostics) {
    const s = entry(d.file);
    s.diagnostics.push(d);
    if (d.severity === "error") {
      s.errorCount++;
      errorCount++;
    } else {
      s.warningCount++;
      warningCount++;
    }
  }
  let unlistedCount = 0;
  for (const [file, u] of unlisted) {
    const s = entry(file);
    s.errorCount += u.errorCount;
    s.warningCount += u.warningCount;
    s.unlistedCount += u.errorCount + u.warningCount;
    errorCount += u.errorCount;
    warningCount += u.warningCount;
    unlistedCount += u.errorCount + u.warningCount;
  }
  const files = [...byFile.values()];
  return {
    files,
    errorCount,
    warningCount,
    problemCount: errorCount + warningCount,
    filesWithProblems: files.filter((f) => f.diagnostics.length > 0 || f.unlistedCount > 0).length,
    unlistedCount,
  };
}

/**
 * ESLint's `--max-warnings` rule: the run fails when there are more warnings
 * than allowed. `undefined` or a negative limit means "no limit".
 */
export function exceedsMaxWarnings(summary: Pick<Summary, "warningCount">, maxWarnings: number | undefined): boolean {
  return maxWarnings !== undefined && maxWarnings >= 0 && summary.warningCount > maxWarnings;
}

/** The words every formatter adds when problems were left out: "12 more not listed (at most 100 per file)". */
export function unlistedText(unlistedCount: number): string {
  return `${unlistedCount} more not listed (at most ${MAX_PROBLEMS_PER_FILE} per file)`;
}

/** "1 error", "2 errors". */
export { plural };

/** "3 problems (2 errors, 1 warning)" — ESLint's wording. */
export function problemsText(summary: Pick<Summary, "errorCount" | "warningCount">): string {
  const total = summary.errorCount + summary.warningCount;
  return `${plural(total, "problem")} (${plural(summary.errorCount, "error")}, ${plural(summary.warningCount, "warning")})`;
}
