/**
 * From the pass's merged sums to the report: per-cell figures and sizes,
 * per-column summaries (overall SQNR, worst tensors, bytes). Pure.
 */
import type { Checkpoint } from "../checkpoint/types.js";
import type { CanonicalConfig, TorchaoVersion } from "../config/types.js";
import type { CellPlans } from "./cell-plans.js";
import { quantizedSize } from "./sizes.js";
import { errorFigures, sqnrDb, type StatSums } from "./stats.js";
import type { ColumnInput, ColumnSummary, Report, ReportCell, ReportTensor } from "./types.js";

/** "int4 per_group 32 symmetric", "int8 per_channel symmetric", "int8 per_token asymmetric". */
export function describeConfig(c: CanonicalConfig): string {
  const g = c.granularity;
  const gran = g.type === "PerGroup" ? `per_group ${String(g.group_size)}` : g.type === "PerAxis" ? "per_channel" : "per_token";
  const domain = g.type !== "PerToken" && c.zero_point_domain === "FLOAT" ? " (FLOAT zero point)" : "";
  return `${c.dtype} ${gran} ${c.mapping_type.toLowerCase()}${domain}`;
}

/** The merged sums of tensor `index` under column `column` (read only where the column fake-quantizes the tensor). */
export type SumsOf = (index: number, column: number) => StatSums;

export function assembleReport(
  checkpoint: Checkpoint, columns: readonly ColumnInput[], cells: CellPlans, sumsOf: SumsOf,
  opts: { torchao: TorchaoVersion; worst: number },
): Report {
  // One description per config object, shared by its cells (a string each was ~40 MB over 300,000 tensors).
  const described = new Map<CanonicalConfig, string>();
  const describe = (c: CanonicalConfig) => described.get(c) ?? described.set(c, describeConfig(c)).get(c)!;
  const tensors: ReportTensor[] = checkpoint.tensors.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    elements: t.shape.reduce((a, b) => a * b, 1),
    bytes: t.byteLength,
    cells: columns.map((_, c): ReportCell => {
      const { target, plan, refusal } = cells.cell(t.index, c);
      const config = target.action === "quantize" ? describe(target.config) : null;
      if (plan) {
        const s = sumsOf(t.index, c);
        return { status: "quantized", key: target.key, config, reason: null, sums: s, figures: errorFigures(s), bytes: quantizedSize(plan).total };
      }
      const reason = refusal ?? (target.action === "skip" ? target.reason : null);
      return { status: refusal ? "refused" : "skipped", key: target.key, config, reason, sums: null, figures: null, bytes: t.byteLength };
    }),
  }));
  const summaries = columns.map((col, c) => summarize(col.name, tensors, c, opts.worst));
  return {
    model: checkpoint.path,
    format: checkpoint.format,
    torchao: opts.torchao,
    columns: columns.map(({ name, source, kind }) => ({ name, source, kind })),
    tensors,
    summaries,
  };
}

function summarize(column: string, tensors: readonly ReportTensor[], c: number, worstCount: number): ColumnSummary {
  const s: ColumnSummary = {
    column, tensorsQuantized: 0, tensorsRefused: 0, elementsQuantized: 0, sumX2: 0, sumE2: 0, overallSqnrDb: null,
    worst: [], originalBytes: 0, quantizedBytes: 0, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0,
  };
  let counted = 0;
  const ranked: Array<{ name: string; sqnrDb: number | null; order: number }> = [];
  tensors.forEach((t, order) => {
    const cell = t.cells[c];
    s.originalBytes += t.bytes;
    s.quantizedBytes += cell.bytes;
    if (cell.status === "refused") s.tensorsRefused++;
    if (cell.status !== "quantized" || !cell.sums) return;
    s.tensorsQuantized++;
    s.elementsQuantized += t.elements;
    // Tensor by tensor, in checkpoint order: a fixed order, so the same float64 sums every run.
    s.sumX2 += cell.sums.sumX2;
    s.sumE2 += cell.sums.sumE2;
    counted += cell.sums.counted;
    s.nanInputs += cell.sums.nanInputs;
    s.infInputs += cell.sums.infInputs;
    s.nonFiniteOutputs += cell.sums.nonFiniteOutputs;
    // An empty tensor has no figure and no value to lose (rows.ts, `unmeasured`): listed, it would push a real worst tensor out.
    if (t.elements > 0) ranked.push({ name: t.name, sqnrDb: cell.figures?.sqnrDb ?? null, order });
  });
  s.overallSqnrDb = s.tensorsQuantized === 0 ? null : sqnrDb(s.sumX2, s.sumE2, counted);
  // Lowest SQNR first; tensors without figures (all values non-finite) first of all; ties in checkpoint order.
  ranked.sort((a, b) => rank(a.sqnrDb) - rank(b.sqnrDb) || a.order - b.order);
  s.worst = ranked.slice(0, worstCount).map(({ name, sqnrDb: v }) => ({ name, sqnrDb: v }));
  return s;
}

function rank(v: number | null): number {
  return v === null ? -Infinity : v;
}
