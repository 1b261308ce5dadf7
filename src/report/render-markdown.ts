/**
 * The report as GitHub-flavoured Markdown, for a pull-request comment or
 * $GITHUB_STEP_SUMMARY: a summary table (one row per column), then the
 * tensors (SQNR and max |x − y| per column). Pure.
 */
import { shownName } from "../diagnostics/one-line.js";
import { cellNote, formatBytes, leftOutText, formatDb, formatWorstDb, formatSmall, selectRows, shapeText, type RowOptions } from "./rows.js";
import type { Report } from "./types.js";

/** Escapes what would break a table cell or turn into markup (control characters first, as visible escapes): & too, or `&lt;` would show as `<`, and ~ (GitHub strikes through `~~x~~`). */
function md(s: string): string {
  return shownName(s).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/([*_`<>[\]&~])/g, "\\$1");
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

export function renderReportMarkdown(report: Report, opts: RowOptions = {}): string {
  const out: string[] = [
    `### fqc report: \`${shownName(report.model).replace(/`/g, "'")}\``,
    "",
    `${report.tensors.length} tensors (${report.format}), torchao ${report.torchao} numerics. SQNR = 20·log10(‖x‖/‖x − y‖), in float64.`,
    "",
    row(["column", "tensors", "overall SQNR dB", "size", "of original", "worst tensors"]),
    row(["---", "---:", "---:", "---:", "---:", "---"]),
  ];
  for (const s of report.summaries) {
    const ratio = s.originalBytes === 0 ? "" : `${((100 * s.quantizedBytes) / s.originalBytes).toFixed(1)}%`;
    out.push(row([
      md(s.column),
      String(s.tensorsQuantized) + (s.tensorsRefused ? ` (${s.tensorsRefused} refused)` : ""),
      formatDb(s.overallSqnrDb),
      `${formatBytes(s.quantizedBytes)} of ${formatBytes(s.originalBytes)}`,
      ratio,
      s.worst.slice(0, 3).map((w) => `${md(w.name)} ${formatWorstDb(w.sqnrDb)}`).join(", "),
    ]));
  }
  // The figures leave non-finite values out: say how many, as the table's summary lines do.
  const leftOut = report.summaries.flatMap((s) => {
    const text = leftOutText(s);
    return text ? [`Column ${md(s.column)}: ${text} of its figures.`] : [];
  });
  if (leftOut.length) out.push("", leftOut.join("<br>\n"));
  out.push("", row(["tensor", "shape", "dtype", ...report.columns.flatMap((c) => [`${md(c.name)} SQNR dB`, `${md(c.name)} max \\|e\\|`])]));
  out.push(row(["---", "---", "---", ...report.columns.flatMap(() => ["---:", "---:"])]));
  for (const t of selectRows(report, opts)) {
    out.push(row([md(t.name), shapeText(t.shape), t.dtype, ...t.cells.flatMap((c) => (c.figures ? [formatDb(c.figures.sqnrDb), formatSmall(c.figures.maxAbsError)] : [cellNote(c), ""]))]));
  }
  return `${out.join("\n")}\n`;
}
