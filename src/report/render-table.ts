/**
 * The report as a plain-text table for a terminal: per tensor its shape and
 * dtype, and per column SQNR, RMSE, max |x − y| and the zeroed share (and
 * the recipe key that matched, for recipe columns); then one summary line
 * per column. Pure.
 */
import { displayWidth, padToWidth } from "../diagnostics/display-width.js";
import { oneLine, shownName } from "../diagnostics/one-line.js";
import { countOf } from "../plural.js";
import { cellNote, formatBytes, leftOutText, formatDb, formatWorstDb, formatShare, formatSmall, selectRows, shapeText, type RowOptions } from "./rows.js";
import type { ColumnSummary, Report, ReportCell } from "./types.js";

interface GridColumn {
  label: string;
  right: boolean;
}

function cellTexts(c: ReportCell, withKey: boolean): string[] {
  const key = withKey ? [shownName(c.key ?? "")] : [];
  if (!c.figures) return [...key, cellNote(c), "", "", ""];
  return [...key, formatDb(c.figures.sqnrDb), formatSmall(c.figures.rmse), formatSmall(c.figures.maxAbsError), formatShare(c.figures.zeroedShare)];
}

/**
 * Pads a grid of texts into aligned lines: a group header line over the sub-columns, then labels, then rows.
 * Returns the three heading lines and the function that pads one row, so rows can be written one at a time.
 */
function layOut(groups: Array<{ label: string; span: number }>, columns: GridColumn[], rows: string[][]): { heading: string[]; line: (texts: string[]) => string } {
  // reduce, not Math.max(...rows): one argument per tensor overflows the call stack at ~100,000 tensors.
  // Terminal columns, not UTF-16 units: a CJK name takes two per character, an accent written as a combining mark none.
  const width = columns.map((c, i) => rows.reduce((w, r) => Math.max(w, displayWidth(r[i])), c.label.length));
  // Widen a group's last column if its label is longer than its columns together.
  let at = 0;
  for (const g of groups) {
    const have = width.slice(at, at + g.span).reduce((a, b) => a + b, 0) + 2 * (g.span - 1);
    const label = displayWidth(g.label);
    if (label > have) width[at + g.span - 1] += label - have;
    at += g.span;
  }
  const line = (texts: string[]) => texts.map((s, i) => padToWidth(s, width[i], columns[i].right)).join("  ").trimEnd();
  at = 0;
  const head = groups.map((g) => {
    const w = width.slice(at, at + g.span).reduce((a, b) => a + b, 0) + 2 * (g.span - 1);
    at += g.span;
    return padToWidth(g.label, w);
  }).join("  ").trimEnd();
  const rule = width.map((w) => "─".repeat(w)).join("  ");
  return { heading: [head, line(columns.map((c) => c.label)), rule], line };
}

export function summaryLine(s: ColumnSummary): string {
  const ratio = s.originalBytes === 0 ? "" : ` (${((100 * s.quantizedBytes) / s.originalBytes).toFixed(1)}%)`;
  const worst = s.worst.length ? `; worst: ${s.worst.slice(0, 3).map((w) => `${shownName(w.name)} ${formatWorstDb(w.sqnrDb, " dB")}`).join(", ")}` : "";
  const refused = s.tensorsRefused ? `, ${s.tensorsRefused} refused` : "";
  const leftOut = leftOutText(s);
  const bad = leftOut ? `, ${leftOut}` : "";
  const overall = s.overallSqnrDb === null ? "no figures" : `overall SQNR ${formatDb(s.overallSqnrDb)} dB`;
  return `${shownName(s.column)}: ${countOf(s.tensorsQuantized, "tensor")} fake-quantized${refused}, ${overall}${bad}, ` +
    `${formatBytes(s.originalBytes)} → ${formatBytes(s.quantizedBytes)}${ratio}${worst}`;
}

export function renderReportTable(report: Report, opts: RowOptions = {}): string {
  return [...reportTablePieces(report, opts)].join("");
}

/** The table line by line (each piece ends with a newline): a report of many tensors is never one string. */
export function* reportTablePieces(report: Report, opts: RowOptions = {}): Generator<string> {
  const recipeCols = report.columns.map((c) => c.kind === "recipe");
  const groups = [{ label: "", span: 3 }, ...report.columns.map((c, i) => ({ label: shownName(c.name), span: recipeCols[i] ? 5 : 4 }))];
  const columns: GridColumn[] = [
    { label: "tensor", right: false }, { label: "shape", right: false }, { label: "dtype", right: false },
    ...report.columns.flatMap((_, i) => [
      ...(recipeCols[i] ? [{ label: "key", right: false }] : []),
      { label: "SQNR dB", right: true }, { label: "RMSE", right: true }, { label: "max|e|", right: true }, { label: "zeroed", right: true },
    ]),
  ];
  const rows = selectRows(report, opts).map((t) => [shownName(t.name), shapeText(t.shape), t.dtype, ...t.cells.flatMap((c, i) => cellTexts(c, recipeCols[i]))]);
  const { heading, line } = layOut(groups, columns, rows);
  yield `${shownName(report.model)} (${report.format}): ${countOf(report.tensors.length, "tensor")}, torchao ${report.torchao} numerics\n\n`;
  for (const text of heading) yield `${text}\n`;
  for (const r of rows) yield `${line(r)}\n`;
  yield "\n";
  for (const s of report.summaries) yield `${summaryLine(s)}\n`;
  const refusals = report.tensors.flatMap((t) => t.cells.flatMap((c, i) => (c.status === "refused" ? [`${shownName(t.name)} (${shownName(report.columns[i].name)}): ${oneLine(c.reason ?? "")}`] : [])));
  if (refusals.length) {
    yield "\ntorchao would refuse:\n";
    for (const r of refusals) yield `  ${r}\n`;
  }
}
