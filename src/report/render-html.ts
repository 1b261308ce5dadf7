/**
 * The report as one self-contained HTML file: inline CSS, the SVG chart
 * inline, no script, no network, no font or CDN. Opens anywhere, prints,
 * and attaches to a CI run as a single artifact. Pure.
 */
import { oneLine } from "../diagnostics/one-line.js";
import { countOf } from "../plural.js";
import { renderSqnrChart, shortName, shownText as shown, xmlEscape as esc, type ChartOptions } from "./render-chart.js";
import { cellNote, formatBytes, leftOutText, formatDb, formatWorstDb, formatShare, formatSmall, selectRows, shapeText, type RowOptions } from "./rows.js";
import type { Report } from "./types.js";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;margin:24px auto;max-width:1180px;padding:0 16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
p.meta{color:#555;margin:0 0 16px}
figure{margin:0;overflow-x:auto;border:1px solid #ddd;border-radius:6px}
div.scroll{overflow-x:auto}
figure svg{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;font-variant-numeric:tabular-nums;width:100%}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}
th{background:#f6f6f6;position:sticky;top:0}
td.name,th.name,td.text,th.text{text-align:left}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
td.note{color:#888;text-align:center}
table.summary td.worst{white-space:normal}
td.worst span{white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
td.refused{color:#b00}
tr:nth-child(even) td{background:#fbfbfb}
th.group{text-align:center;border-left:2px solid #ddd}
td.first,th.first{border-left:2px solid #ddd}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
`;

export interface HtmlOptions extends RowOptions, ChartOptions {}

/** How many values the figures leave out, per column (the table's summary lines say it too); "" when none. */
function leftOutNote(report: Report): string {
  const lines = report.summaries.flatMap((s) => {
    const text = leftOutText(s);
    return text ? [`Column ${shown(s.column)}: ${text} of its figures.`] : [];
  });
  return lines.length ? `<p class="meta">${lines.join("<br>")}</p>\n` : "";
}

export function renderReportHtml(report: Report, opts: HtmlOptions = {}): string {
  const { columns } = report;
  const summaryRows = report.summaries.map((s, i) => {
    const ratio = s.originalBytes === 0 ? "" : `${((100 * s.quantizedBytes) / s.originalBytes).toFixed(1)}%`;
    return `<tr><td class="text">${shown(s.column)}</td><td class="text">${shown(columns[i].source)}</td><td>${s.tensorsQuantized}${s.tensorsRefused ? ` (${s.tensorsRefused} refused)` : ""}</td>` +
      `<td>${formatDb(s.overallSqnrDb)}</td><td>${formatBytes(s.quantizedBytes)}</td><td>${ratio}</td>` +
      `<td class="text worst">${s.worst.slice(0, 3).map((w) => `<span>${shown(shortName(w.name))} ${formatWorstDb(w.sqnrDb)}</span>`).join("<br>")}</td></tr>`;
  });
  const head1 = `<tr><th class="name" colspan="3"></th>${columns.map((c) => `<th class="group" colspan="${c.kind === "recipe" ? 5 : 4}">${shown(c.name)}</th>`).join("")}</tr>`;
  const head2 = `<tr><th class="name">tensor</th><th class="text">shape</th><th class="text">dtype</th>${columns.map((c) =>
    `${c.kind === "recipe" ? `<th class="text first">key</th><th>SQNR dB</th>` : `<th class="first">SQNR dB</th>`}<th>RMSE</th><th>max |x−y|</th><th>zeroed</th>`).join("")}</tr>`;
  const body = selectRows(report, opts).map((t) => {
    const cells = t.cells.map((c, i) => {
      const key = columns[i].kind === "recipe" ? `<td class="text first">${shown(c.key ?? "")}</td>` : "";
      const first = key ? "" : ` first`;
      if (!c.figures) {
        const why = c.reason ? ` title="${esc(oneLine(c.reason))}"` : "";
        return `${key}<td class="note${first}${c.status === "refused" ? " refused" : ""}" colspan="4"${why}>${cellNote(c)}${c.status === "refused" ? `: ${esc(oneLine(c.reason ?? ""))}` : ""}</td>`;
      }
      const f = c.figures;
      return `${key}<td class="${first.trim()}">${formatDb(f.sqnrDb)}</td><td>${formatSmall(f.rmse)}</td><td>${formatSmall(f.maxAbsError)}</td><td>${formatShare(f.zeroedShare)}</td>`;
    }).join("");
    return `<tr><td class="name">${shown(t.name)}</td><td class="text">${shapeText(t.shape)}</td><td class="text">${t.dtype}</td>${cells}</tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fqc report: ${shown(report.model)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>fqc report: ${shown(report.model)}</h1>
<p class="meta">${countOf(report.tensors.length, "tensor")} (${esc(report.format)}), torchao ${esc(report.torchao)} numerics. SQNR = 20·log10(‖x‖ / ‖x − y‖) per tensor (torchao's compute_error), sums in float64; overall = over every tensor a column fake-quantized, weighted by their squares.</p>
<h2>SQNR per tensor</h2>
<figure>
${renderSqnrChart(report, opts)}
</figure>
<h2>Summary</h2>
<table class="summary">
<tr><th class="text">column</th><th class="text">from</th><th>tensors</th><th>overall SQNR dB</th><th>quantized size</th><th>of ${formatBytes(report.summaries[0]?.originalBytes ?? 0)}</th><th class="text">worst tensors (dB)</th></tr>
${summaryRows.join("\n")}
</table>
${leftOutNote(report)}<h2>Tensors</h2>
<div class="scroll">
<table class="tensors">
${head1}
${head2}
${body.join("\n")}
</table>
</div>
</body>
</html>
`;
}
