/**
 * GitHub Actions workflow commands, one annotation per diagnostic:
 *   ::error file=F,line=L,endLine=EL,col=C,endColumn=EC,title=RULE::MESSAGE
 * escaped as actions/toolkit's command.ts does. GitHub shows only 10 errors and
 * 10 warnings per step (and silently drops the rest), so every annotation is
 * still printed for the log and a final plain line states the real totals.
 */
import type { FormatInput } from "./format-types.js";
import { messageWithHint, repoRelativePath, STDIN_FILE, TOOL_NAME } from "./format-types.js";
import { plural, problemsText, summarize, unlistedText } from "./summary.js";
import type { Diagnostic } from "./types.js";

/** Annotations GitHub displays per step and severity. */
export const GITHUB_ANNOTATIONS_SHOWN_PER_STEP = 10;

/** Escaping of a command's message (toolkit `escapeData`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escaping of a property value (toolkit `escapeProperty`). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function formatGithub(input: FormatInput): string {
  const summary = summarize(input.diagnostics, input.filesChecked, input.unlisted);
  const lines = summary.files.flatMap((f) => f.diagnostics.map((d) => annotation(d, input.cwd, input.root ?? input.cwd)));
  lines.push(summaryLine(summary));
  return lines.join("\n") + "\n";
}

function annotation(d: Diagnostic, cwd: string, root: string): string {
  const props: [string, string][] = [];
  if (d.file !== STDIN_FILE) {
    // The runner resolves paths against the workspace (the repository root), wherever the step ran.
    props.push(["file", repoRelativePath(d.file, cwd, root) ?? d.file]);
    const line = Math.max(1, d.line);
    const endLine = Math.max(line, d.endLine);
    props.push(["line", String(line)], ["endLine", String(endLine)]);
    // The runner drops columns unless start and end are on one line; its endColumn is inclusive.
    if (endLine === line) {
      const col = Math.max(1, d.column);
      props.push(["col", String(col)], ["endColumn", String(Math.max(col, d.endColumn - 1))]);
    }
  }
  props.push(["title", d.ruleId]);
  const propText = props.map(([k, v]) => `${k}=${escapeProperty(v)}`).join(",");
  return `::${d.severity} ${propText}::${escapeData(messageWithHint(d))}`;
}

function summaryLine(summary: ReturnType<typeof summarize>): string {
  const files = plural(summary.files.length, "file");
  if (summary.problemCount === 0) return `${TOOL_NAME}: ${files} checked, no problems`;
  let line = `${TOOL_NAME}: ${problemsText(summary)} in ${plural(summary.filesWithProblems, "file")} (${files} checked)`;
  if (summary.unlistedCount > 0) line += `; ${unlistedText(summary.unlistedCount)}`;
  const n = GITHUB_ANNOTATIONS_SHOWN_PER_STEP;
  if (summary.errorCount > n || summary.warningCount > n) {
    line += `; GitHub shows only the first ${n} errors and ${n} warnings of a step as annotations, all are listed above`;
  }
  return line;
}
