/**
 * The stable machine format (version 1). Every file checked is listed, clean
 * ones with empty `diagnostics`; every diagnostic carries all its fields in a
 * fixed order, with `hint: null` when there is none, so consumers (jq, scripts)
 * never need to test for missing keys.
 */
import type { FormatInput } from "./format-types.js";
import { TOOL_NAME } from "./format-types.js";
import { summarize } from "./summary.js";
import type { Diagnostic } from "./types.js";

export const JSON_FORMAT_VERSION = 1;

/** A Diagnostic with every key present (`hint` null when there is none), for a stable machine format. */
export type JsonDiagnostic = Omit<Diagnostic, "hint"> & { hint: string | null };

export interface JsonReport {
  version: typeof JSON_FORMAT_VERSION;
  tool: { name: string; version: string };
  /** Counts include problems not listed in `diagnostics` (`unlistedCount` of them; at most 100 are listed per file). */
  files: { file: string; errorCount: number; warningCount: number; unlistedCount: number; diagnostics: JsonDiagnostic[] }[];
  errorCount: number;
  warningCount: number;
  unlistedCount: number;
}

export function formatJson(input: FormatInput): string {
  const summary = summarize(input.diagnostics, input.filesChecked, input.unlisted);
  const report: JsonReport = {
    version: JSON_FORMAT_VERSION,
    tool: { name: TOOL_NAME, version: input.toolVersion },
    files: summary.files.map((f) => ({
      file: f.file,
      errorCount: f.errorCount,
      warningCount: f.warningCount,
      unlistedCount: f.unlistedCount,
      diagnostics: f.diagnostics.map(toJson),
    })),
    errorCount: summary.errorCount,
    warningCount: summary.warningCount,
    unlistedCount: summary.unlistedCount,
  };
  return JSON.stringify(report, null, 2) + "\n";
}

function toJson(d: Diagnostic): JsonDiagnostic {
  return {
    ruleId: d.ruleId,
    severity: d.severity,
    message: d.message,
    hint: d.hint ?? null,
    file: d.file,
    pointer: d.pointer,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
  };
}
