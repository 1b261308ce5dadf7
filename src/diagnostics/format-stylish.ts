/**
 * ESLint-like "stylish" output for people: per file a header, one row per
 * problem (`line:col  severity  message  rule-id`), the hint, a code frame,
 * and a closing "✖ N problems (E errors, W warnings)". Clean runs print nothing.
 */
import { codeFrame, lineIndex } from "./codeframe.js";
import { paint, visibleControls } from "./format-ansi.js";
import type { FormatInput } from "./format-types.js";
import { problemsText, summarize, unlistedText } from "./summary.js";
import type { Diagnostic } from "./types.js";

export function formatStylish(input: FormatInput, opts: { color: boolean }): string {
  const p = paint(opts.color);
  const summary = summarize(input.diagnostics, input.filesChecked, input.unlisted);
  if (summary.problemCount === 0) return "";

  const out: string[] = [];
  // One blank line between blocks, never two (a frame's trailing blank doubles as the file separator).
  const blank = () => {
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
  };
  for (const file of summary.files) {
    if (file.diagnostics.length === 0 && file.unlistedCount === 0) continue;
    out.push(p.underline(visibleControls(file.file)));
    const posWidth = file.diagnostics.reduce((w, d) => Math.max(w, position(d).length), 0);
    const sevWidth = file.diagnostics.some((d) => d.severity === "warning") ? "warning".length : "error".length;
    // Positions count from after a byte-order mark (source.ts), so the frame is drawn without it.
    // Text holding NUL is a binary file or another encoding (the one error it gets says which): a frame of it is noise.
    const text = input.sources.get(file.file);
    const source = text?.includes("\u0000") ? undefined : text?.replace(/^\uFEFF/, "");
    const lines = source !== undefined && file.diagnostics.length > 1 ? lineIndex(source) : undefined;
    for (const d of file.diagnostics) {
      const pos = position(d).padEnd(posWidth);
      const sev = d.severity.padEnd(sevWidth);
      // Continuation lines of the message and the hint line up under the message column.
      const indent = " ".repeat(2 + posWidth + 2 + sevWidth + 2);
      const [firstLine, ...rest] = textLines(d.message);
      out.push(`  ${p.gray(pos)}  ${p.severity(d.severity, sev)}  ${firstLine}  ${p.gray(visibleControls(d.ruleId))}`);
      for (const l of rest) out.push(indent + l);
      if (d.hint) {
        const [h, ...hRest] = textLines(d.hint);
        out.push(`${indent}${p.gray("hint:")} ${h}`);
        for (const l of hRest) out.push(`${indent}      ${l}`);
      }
      if (source !== undefined) {
        const frame = codeFrame(source, d.line, d.column, d.endLine, d.endColumn, { color: opts.color, severity: d.severity, lines });
        blank();
        out.push(...frame.split("\n").map((l) => "    " + l));
        blank();
      }
    }
    if (file.unlistedCount > 0) out.push(`  ${p.gray(`… and ${unlistedText(file.unlistedCount)}`)}`);
    blank();
  }
  const verdict = `✖ ${problemsText(summary)}${summary.unlistedCount > 0 ? `, ${unlistedText(summary.unlistedCount)}` : ""}`;
  out.push(p.bold(summary.errorCount > 0 ? p.red(verdict) : p.yellow(verdict)));
  return out.join("\n") + "\n";
}

function position(d: Diagnostic): string {
  return `${d.line}:${d.column}`;
}

function textLines(s: string): string[] {
  return visibleControls(s.replace(/\r\n?/g, "\n"), { keepNewline: true }).split("\n");
}
