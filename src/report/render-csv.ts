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

/**
 * A name a file chose — a tensor's (the checkpoint's), a recipe key (an exact key is a tensor name, often copied from the
 * checkpoint) or a column's (a config file's name): one that a spreadsheet would run as a formula (it starts with =, +, -, @,
 * a tab or a carriage return: a hostile checkpoint can name a tensor `=HYPERLINK(...)`) gets a leading ', as OWASP advises.
 * The other text fields are fqc's own words.
 */
function nameField(name: string | null): string {
  if (name === null) return "";
  // Quoted as well, as OWASP advises: the ' then stays inside the one text field whatever follows it.
  return /^[=+\-@\t\r]/.test(name) ? `"'${name.replace(/"/g, '""')}"` : field(name);
}

export function renderReportCsv(report: Report, opts: RowOptions = {}): string {
  return [...reportCsvPieces(report, opts)].join("");
}

/** The CSV row by row (each piece ends with a newline). */
export function* reportCsvPieces(report: Report, opts: RowOptions = {}): Generator<string> {
  yield `${HEADER.join(",")}\n`;
  for (const t of selectRows(report, opts)) {
    for (let i = 0; i < t.cells.length; i++) {
      const c = t.cells[i];
      const f = c.figures;
      yield `${[
        nameField(t.name), field(t.shape.join("x")), field(t.dtype), field(t.elements), nameField(report.columns[i].name), field(c.status),
        // A config column's key is fqc's own "--config"; a recipe column's is the recipe's.
        report.columns[i].kind === "recipe" ? nameField(c.key) : field(c.key), field(c.config),
        // Full precision (shortest round-trip): CSV is for further processing.
        field(f && f.sqnrDb !== null && Number.isFinite(f.sqnrDb) ? String(f.sqnrDb) : formatDb(f?.sqnrDb)), field(f?.rmse), field(f?.maxAbsError),
        field(f?.zeroedShare), field(c.sums?.nanInputs), field(c.sums?.infInputs), field(c.sums?.nonFiniteOutputs), field(c.bytes), field(c.reason),
      ].join(",")}\n`;
    }
  }
}
