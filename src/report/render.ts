/** One entry point for every report format, as diagnostics/format.ts is for validate's. */
import { renderReportCsv } from "./render-csv.js";
import { renderReportHtml, type HtmlOptions } from "./render-html.js";
import { renderReportJson } from "./render-json.js";
import { renderReportMarkdown } from "./render-markdown.js";
import { renderReportTable } from "./render-table.js";
import type { Report } from "./types.js";

import type { ReportFormat } from "./format-names.js";

export { REPORT_FORMATS, type ReportFormat } from "./format-names.js";

export function renderReport(format: ReportFormat, report: Report, opts: HtmlOptions = {}): string {
  switch (format) {
    case "table": return renderReportTable(report, opts);
    case "json": return renderReportJson(report);
    case "csv": return renderReportCsv(report, opts);
    case "markdown": return renderReportMarkdown(report, opts);
    case "html": return renderReportHtml(report, opts);
  }
}
