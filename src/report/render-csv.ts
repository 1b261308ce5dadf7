/**
 * The report as CSV (RFC 4180: comma-separated, quoted where needed, CRLF-free
 * \n line ends): one row per tensor and column, in the order `selectRows`
 * gives, with a header row. Summaries are not rows: the JSON has them.
 */
import { formatDb, selectRows, type RowOptions } from "./rows.js";
import type { Report } from "./types.js";

const HEADER = [
  "tensor", "shape", "dtype", "elements", "column", "status", "key", "config",
  "sqnr_db", "rmse", "max_abs_error", "zeroed_share", "nan_inputs", "inf_inputs", "nonfinite_outputs", "bytes", "reason",
];

function field(v: string | number | null | undefined): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderReportCsv(report: Report, opts: RowOptions = {}): string {
  const lines = [HEADER.join(",")];
  for (const t of selectRows(report, opts)) {
    t.cells.forEach((c, i) => {
      const f = c.figures;
      lines.push([
        t.name, t.shape.join("x"), t.dtype, t.elements, report.columns[i].name, c.status, c.key, c.config,
        // Full precision (shortest round-trip): CSV is for further processing.
        f && f.sqnrDb !== null && Number.isFinite(f.sqnrDb) ? String(f.sqnrDb) : formatDb(f?.sqnrDb), f?.rmse, f?.maxAbsError, f?.zeroedShare,
        c.sums?.nanInputs, c.sums?.infInputs, c.sums?.nonFiniteOutputs, c.bytes, c.reason,
      ].map(field).join(","));
    });
  }
  return `${lines.join("\n")}\n`;
}
