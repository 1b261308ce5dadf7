/**
 * At most this many problems are listed per file. A config has a few dozen
 * keys, so more than this is a generated or hostile file, and listing
 * (locating, framing) every problem would make the report cost more than the
 * file: 50,000 unknown keys used to take a minute. The rest are counted, and
 * every formatter states how many were left out.
 */
import type { UnlistedCount } from "./format-types.js";
import type { Diagnostic } from "./types.js";

export const MAX_PROBLEMS_PER_FILE = 100;

/** The first `max` diagnostics of one file's list, in report order, and the counts of the rest. */
export function capProblems(diagnostics: readonly Diagnostic[], max: number = MAX_PROBLEMS_PER_FILE): { listed: Diagnostic[]; unlisted: UnlistedCount } {
  const listed = diagnostics.slice(0, max);
  const unlisted: UnlistedCount = { errorCount: 0, warningCount: 0 };
  for (let i = max; i < diagnostics.length; i++) {
    if (diagnostics[i].severity === "error") unlisted.errorCount++;
    else unlisted.warningCount++;
  }
  return { listed, unlisted };
}
