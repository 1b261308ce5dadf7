/** One entry point for every report format, as diagnostics/format.ts is for validate's. */
import { reportCsvPieces } from "./render-csv.js";
import { renderReportHtml, type HtmlOptions } from "./render-html.js";
import { reportJsonPieces } from "./render-json.js";
import { renderReportMarkdown } from "./render-markdown.js";
import { reportTablePieces } from "./render-table.js";
import type { Report } from "./types.js";
import { FqcError } from "../errors.js";
import { checkChoice, checkCount, checkDb, checkReport, optionNames, optionsObject } from "../library-args.js";
import { SORT_KEYS } from "./format-names.js";

import { REPORT_FORMATS as FORMATS, type ReportFormat } from "./format-names.js";

/** Every option renderReport takes, for its check of a caller's keys. */
const OPTION_NAMES = optionNames<HtmlOptions>()(["sort", "worst", "threshold"]);

export { REPORT_FORMATS, type ReportFormat } from "./format-names.js";

/**
 * The report as text. A report longer than a JavaScript string can hold (~512 MB: a checkpoint whose 100 MB header is all tensor
 * names, times several columns in CSV) is an FqcError, not a crash; `reportPieces` has that limit for markdown and HTML only.
 */
export function renderReport(format: ReportFormat, report: Report, opts: HtmlOptions = {}): string {
  checkRenderArgs("renderReport", format, report, opts);
  return whole(format, report, "renderReport", () => [...piecesOf(format, report, opts, "renderReport")].join(""));
}

/**
 * The report as pieces of text to write one after another: table, CSV and JSON a line or a tensor at a
 * time (the report of a checkpoint of many tensors is never one string), markdown and HTML whole.
 */
export function reportPieces(format: ReportFormat, report: Report, opts: HtmlOptions = {}): Iterable<string> {
  checkRenderArgs("reportPieces", format, report, opts);
  return piecesOf(format, report, opts, "reportPieces");
}

/** reportPieces for `fqc report` or `fqc apply --report`, whose refusals speak of that command's flags. */
export function reportPiecesForCli(command: "report" | "apply", format: ReportFormat, report: Report, opts: HtmlOptions = {}): Iterable<string> {
  checkRenderArgs("reportPieces", format, report, opts);
  return piecesOf(format, report, opts, command);
}

/** What to do about a report too long for one string, in the words of whoever asked for it. */
const TOO_LONG_HINTS = {
  report: "Use --worst N to list fewer tensors, or table, csv or json, which are written a line or a tensor at a time.",
  apply: "Name the --report file .json or .csv (or anything else for the text table), which are written a line or a tensor at a time, or run fqc report with --worst N.",
  renderReport: "Set options.worst to list fewer tensors, or call reportPieces, which gives table, csv and json a line or a tensor at a time.",
  reportPieces: "Set options.worst to list fewer tensors, or use table, csv or json, which reportPieces gives a line or a tensor at a time.",
} as const;
type Asker = keyof typeof TOO_LONG_HINTS;

function piecesOf(format: ReportFormat, report: Report, opts: HtmlOptions, asker: Asker): Iterable<string> {
  switch (format) {
    case "table": return reportTablePieces(report, opts);
    case "json": return reportJsonPieces(report);
    case "csv": return reportCsvPieces(report, opts);
    case "markdown": return [whole(format, report, asker, () => renderReportMarkdown(report, opts))];
    case "html": return [whole(format, report, asker, () => renderReportHtml(report, opts))];
  }
}

/** A JavaScript caller's arguments, checked: an unknown format would render nothing, a NaN --worst no rows. */
function checkRenderArgs(fn: string, format: unknown, report: unknown, opts: unknown): void {
  if (format === undefined) throw new FqcError("USAGE", `${fn}: format must be given: one of ${FORMATS.map((f) => `"${f}"`).join(", ")}`);
  checkChoice(format, FORMATS, `${fn}: format`);
  checkReport(report, `${fn}: report`);
  const o = optionsObject<HtmlOptions>(opts, fn, false, OPTION_NAMES);
  checkChoice(o.sort, SORT_KEYS, `${fn}: options.sort`);
  checkCount(o.worst, `${fn}: options.worst`);
  checkDb(o.threshold, `${fn}: options.threshold`, true);
}

function whole(format: ReportFormat, report: Report, asker: Asker, render: () => string): string {
  try {
    return render();
  } catch (e) {
    if (!(e instanceof RangeError) || !/Invalid string length/.test(e.message)) throw e;
    throw new FqcError("IO", `${report.model}: the ${format} report is longer than a string can hold (over 512 MB of text)`, {
      hint: TOO_LONG_HINTS[asker],
    });
  }
}
