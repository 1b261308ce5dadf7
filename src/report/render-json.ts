/**
 * The report as JSON, version 1 (documented in the README, "fqc report"):
 * every tensor in checkpoint order, every column, figures and the raw float64
 * sums they come from. SQNR is a number, or the string "inf" / "-inf" (JSON
 * has no infinities), or null when nothing could be compared. Float-valued
 * fields are written as floats (2.0, never 2: json-float.ts); counts and sizes
 * as integers. Pure; the same report always renders to the same bytes.
 */
import { JsonFloat, jsonText } from "../json-float.js";
import { jsonObjectPieces } from "../json-pieces.js";
import type { StatSums } from "./stats.js";
import type { ColumnSummary, Report, ReportCell, ReportTensor } from "./types.js";

export const REPORT_JSON_VERSION = 1;

/** How a float-valued field is held: the number itself (reportJsonValue), or marked to be written as a float. */
type Float<F> = (v: number) => F;
const plain: Float<number> = (v) => v;
const marked: Float<JsonFloat> = (v) => new JsonFloat(v);

/** A dB value as JSON can hold it. */
export function jsonDb(v: number | null): number | string | null;
export function jsonDb<F>(v: number | null, float: Float<F>): F | string | null;
export function jsonDb(v: number | null, float: Float<unknown> = plain): unknown {
  if (v === null) return null;
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return float(v);
}

function orNull<F>(v: number | null | undefined, float: Float<F>): F | null {
  return v === undefined || v === null ? null : float(v);
}

function sumsJson<F>(s: StatSums | null, float: Float<F>) {
  return s && {
    sum_sq_x: float(s.sumX2),
    sum_sq_error: float(s.sumE2),
    counted: s.counted,
    zeroed: s.zeroed,
    nan_inputs: s.nanInputs,
    inf_inputs: s.infInputs,
    nonfinite_outputs: s.nonFiniteOutputs,
  };
}

function cellJson<F>(column: string, c: ReportCell, float: Float<F>) {
  return {
    column,
    status: c.status,
    key: c.key,
    config: c.config,
    reason: c.reason,
    sqnr_db: c.figures ? jsonDb(c.figures.sqnrDb, float) : null,
    rmse: orNull(c.figures?.rmse, float),
    max_abs_error: orNull(c.figures?.maxAbsError, float),
    zeroed_share: orNull(c.figures?.zeroedShare, float),
    ...(sumsJson(c.sums, float) ?? {}),
    bytes: c.bytes,
  };
}

function summaryJson<F>(s: ColumnSummary, float: Float<F>) {
  return {
    column: s.column,
    tensors_quantized: s.tensorsQuantized,
    tensors_refused: s.tensorsRefused,
    elements_quantized: s.elementsQuantized,
    overall_sqnr_db: jsonDb(s.overallSqnrDb, float),
    sum_sq_x: float(s.sumX2),
    sum_sq_error: float(s.sumE2),
    worst: s.worst.map((w) => ({ name: w.name, sqnr_db: jsonDb(w.sqnrDb, float) })),
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

function tensorJson<F>(report: Report, t: ReportTensor, float: Float<F>) {
  return {
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    elements: t.elements,
    bytes: t.bytes,
    cells: t.cells.map((c, i) => cellJson(report.columns[i].name, c, float)),
  };
}

/** The report as the value its JSON text parses to. */
export function reportJsonValue(report: Report) {
  return { ...headJson(report), tensors: report.tensors.map((t) => tensorJson(report, t, plain)), summary: report.summaries.map((s) => summaryJson(s, plain)) };
}

export function renderReportJson(report: Report): string {
  return [...reportJsonPieces(report)].join("");
}

/** The same bytes as renderReportJson, a tensor at a time. */
export function reportJsonPieces(report: Report): Generator<string> {
  return jsonObjectPieces(
    headJson(report), "tensors", report.tensors, (t) => tensorJson(report, t, marked), { summary: report.summaries.map((s) => summaryJson(s, marked)) }, jsonText,
  );
}
