/**
 * The report as GitHub-flavoured Markdown, for a pull-request comment or
 * $GITHUB_STEP_SUMMARY: a summary table (one row per column), then the
 * tensors (SQNR and max |x − y| per column). Pure.
 */
import { pushWithin, SUMMARY_MAX_BYTES } from "../diagnostics/format-markdown.js";
import { shownName } from "../diagnostics/one-line.js";
import { countOf } from "../plural.js";
import { cellNote, formatBytes, leftOutText, formatDb, formatWorstDb, formatSmall, selectRows, shapeText, type RowOptions } from "./rows.js";
import type { Report } from "./types.js";

/** Escapes what would break a table cell or turn into markup (control characters first, as visible escapes): & too, or `&lt;` would show as `<`, and ~ (GitHub strikes through `~~x~~`). */
function md(s: string): string {
  return shownName(s).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/([*_`<>[\]&~])/g, "\\$1");
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

/**
 * The report in Markdown. Its tensor table stops short of `maxBytes` (GitHub drops a step summary over 1 MiB whole, as
 * `validate --format github` knows), saying how many tensors it left out: a checkpoint of 20,000 tensors makes ~2 MB.
 */
export function renderReportMarkdown(report: Report, opts: RowOptions = {}, maxBytes: number = SUMMARY_MAX_BYTES): string {
  const out: string[] = [
    `### fqc report: \`${shownName(report.model).replace(/`/g, "'")}\``,
    "",
    `${countOf(report.tensors.length, "tensor")} (${report.format}), torchao ${report.torchao} numerics. SQNR = 20·log10(‖x‖/‖x − y‖), in float64.`,
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
  const rows = selectRows(report, opts);
  const lines = function* () {
    for (const t of rows) {
      yield row([md(t.name), shapeText(t.shape), t.dtype, ...t.cells.flatMap((c) => (c.figures ? [formatDb(c.figures.sqnrDb), formatSmall(c.figures.maxAbsError)] : [cellNote(c), ""]))]);
    }
  };
  // Room for the closing note, whose count is at most this long.
  const listed = pushWithin(out, lines(), maxBytes - 300);
  if (listed < rows.length) {
    const more = rows.length - listed;
    out.push("", `${countOf(more, "more tensor")} not in this table: GitHub takes at most 1 MiB of job summary ` +
      "(`--worst N` lists the N lowest, `--format csv` or `html` every tensor).");
  }
  return `${out.join("\n")}\n`;
}
