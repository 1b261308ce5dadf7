/**
 * The report as JSON, version 1 (documented in the README, "fqc report"):
 * every tensor in checkpoint order, every column, figures and the raw float64
 * sums they come from. SQNR is a number, or the string "inf" / "-inf" (JSON
 * has no infinities), or null when nothing could be compared. Float-valued
 * fields are written as floats (2.0, never 2: json-float.ts); counts and sizes
 * as integers. Pure; the same report always renders to the same bytes.
 */
import { floatFieldsWriter } from "../json-float.js";
import { jsonObjectPieces, nested } from "../json-pieces.js";
import { checkReport } from "../library-args.js";
import type { StatSums } from "./stats.js";
import type { ColumnSummary, Report, ReportCell, ReportTensor } from "./types.js";

export const REPORT_JSON_VERSION = 1;

/** A dB value as JSON can hold it. */
export function jsonDb(v: number | null): number | string | null {
  if (v === null) return null;
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return v;
}

function sumsJson(s: StatSums | null) {
  return s && {
    sum_sq_x: s.sumX2,
    sum_sq_error: s.sumE2,
    counted: s.counted,
    zeroed: s.zeroed,
    nan_inputs: s.nanInputs,
    inf_inputs: s.infInputs,
    nonfinite_outputs: s.nonFiniteOutputs,
  };
}

function cellJson(column: string, c: ReportCell) {
  return {
    column,
    status: c.status,
    key: c.key,
    config: c.config,
    reason: c.reason,
    sqnr_db: c.figures ? jsonDb(c.figures.sqnrDb) : null,
    rmse: c.figures?.rmse ?? null,
    max_abs_error: c.figures?.maxAbsError ?? null,
    zeroed_share: c.figures?.zeroedShare ?? null,
    ...(sumsJson(c.sums) ?? {}),
    bytes: c.bytes,
  };
}

function summaryJson(s: ColumnSummary) {
  return {
    column: s.column,
    tensors_quantized: s.tensorsQuantized,
    tensors_refused: s.tensorsRefused,
    elements_quantized: s.elementsQuantized,
    overall_sqnr_db: jsonDb(s.overallSqnrDb),
    sum_sq_x: s.sumX2,
    sum_sq_error: s.sumE2,
    worst: s.worst.map((w) => ({ name: w.name, sqnr_db: jsonDb(w.sqnrDb) })),
    original_bytes: s.originalBytes,
    quantized_bytes: s.quantizedBytes,
    nan_inputs: s.nanInputs,
    inf_inputs: s.infInputs,
    nonfinite_outputs: s.nonFiniteOutputs,
  };
}

/** The fields before "tensors", in their order. */
function headJson(report: Report) {
  return {
    version: REPORT_JSON_VERSION,
    model: report.model,
    format: report.format,
    torchao: report.torchao,
    columns: report.columns.map((c) => ({ name: c.name, source: c.source, kind: c.kind })),
  };
}

function tensorJson(report: Report, t: ReportTensor) {
  return {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    elements: t.elements,
    bytes: t.bytes,
    cells: t.cells.map((c, i) => cellJson(report.columns[i].name, c)),
  };
}

/** The report as the value its JSON text parses to. */
export function reportJsonValue(report: Report) {
  checkReport(report, "reportJsonValue: report");
  return { ...headJson(report), tensors: report.tensors.map((t) => tensorJson(report, t)), summary: report.summaries.map(summaryJson) };
}

export function renderReportJson(report: Report): string {
  return [...reportJsonPieces(report)].join("");
}

/** The same bytes as renderReportJson, a tensor at a time. */
export function reportJsonPieces(report: Report): Generator<string> {
  return jsonObjectPieces(
    headJson(report), "tensors", report.tensors, (t) => tensorJson(report, t), { summary: report.summaries.map(summaryJson) },
    (value, depth) => writeFloats(nested(value, depth)),
  );
}

/** The fields whose values are doubles (every other number of the report is a count or a size). */
const writeFloats = floatFieldsWriter(["sqnr_db", "overall_sqnr_db", "rmse", "max_abs_error", "zeroed_share", "sum_sq_x", "sum_sq_error"]);
