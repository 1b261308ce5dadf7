/** One entry point for every report format, as diagnostics/format.ts is for validate's. */
import { renderReportCsv } from "./render-csv.js";
import { renderReportHtml, type HtmlOptions } from "./render-html.js";
import { renderReportJson } from "./render-json.js";
import { renderReportMarkdown } from "./render-markdown.js";
import { renderReportTable } from "./render-table.js";
import type { Report } from "./types.js";
import { FqcError } from "../errors.js";

import type { ReportFormat } from "./format-names.js";

export { REPORT_FORMATS, type ReportFormat } from "./format-names.js";

/**
 * The report as text. A report longer than a JavaScript string can hold (~512 MB: a checkpoint whose 100 MB header is all tensor
 * names, times several columns in CSV) is an FqcError, not a crash.
 */
export function renderReport(format: ReportFormat, report: Report, opts: HtmlOptions = {}): string {
  try {
    return renderAs(format, report, opts);
  } catch (e) {
    if (!(e instanceof RangeError) || !/Invalid string length/.test(e.message)) throw e;
    throw new FqcError("IO", `${report.model}: the ${format} report is longer than a string can hold (over 512 MB of text)`, {
      hint: "Use --worst N to list fewer tensors, or a format that repeats less (json lists each tensor once).",
    });
  }
}

function renderAs(format: ReportFormat, report: Report, opts: HtmlOptions): string {
  switch (format) {
    case "table": return renderReportTable(report, opts);
    case "json": return renderReportJson(report);
    case "csv": return renderReportCsv(report, opts);
    case "markdown": return renderReportMarkdown(report, opts);
    case "html": return renderReportHtml(report, opts);
  }
}
