/**
 * Reports built by hand (no checkpoint, no pass): cells with chosen sums, so a test of a renderer, a sort or the
 * --fail-under check can put a figure exactly where a boundary is.
 */
import { errorFigures, type StatSums } from "../../src/report/stats.js";
import type { ColumnSummary, Report, ReportCell, ReportColumn, ReportTensor } from "../../src/report/types.js";

export function sums(p: Partial<StatSums>): StatSums {
  return { sumX2: 0, sumE2: 0, maxAbsError: 0, counted: 0, zeroed: 0, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0, ...p };
}

/** A fake-quantized cell with these sums and the figures they give. */
export function quantized(s: Partial<StatSums>, p: Partial<ReportCell> = {}): ReportCell {
  const all = sums(s);
  return { status: "quantized", key: "--config", config: "int8 per_channel symmetric", reason: null, sums: all, figures: errorFigures(all), bytes: 8, ...p };
}

export const SKIPPED: ReportCell = { status: "skipped", key: null, config: null, reason: "not a 2-D weight", sums: null, figures: null, bytes: 16 };
export const REFUSED: ReportCell = { status: "refused", key: "--config", config: null, reason: "torchao would refuse", sums: null, figures: null, bytes: 16 };

export function tensor(name: string, cells: ReportCell[], shape: number[] = [4]): ReportTensor {
  const elements = shape.reduce((a, b) => a * b, 1);
  return { name, dtype: "F32", shape, elements, bytes: 4 * elements, cells };
}

export function summary(column: string, p: Partial<ColumnSummary> = {}): ColumnSummary {
  return {
    column, tensorsQuantized: 0, tensorsRefused: 0, elementsQuantized: 0, sumX2: 0, sumE2: 0, overallSqnrDb: null, worst: [],
    originalBytes: 0, quantizedBytes: 0, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0, ...p,
  };
}

/** Columns col0, col1, … (config columns unless `kinds` says), as many as the first tensor has cells. */
export function reportOf(tensors: ReportTensor[], p: Partial<Report> & { kinds?: ReportColumn["kind"][] } = {}): Report {
  const { kinds, ...rest } = p;
  const columns = (tensors[0]?.cells ?? []).map((_, i) => ({ name: `col${i}`, source: `col${i}.json`, kind: kinds?.[i] ?? ("config" as const) }));
  return { model: "m.safetensors", format: "safetensors", torchao: "0.12", columns, tensors, summaries: [], ...rest };
}
