/** `--fail-under DB`: the fake-quantized tensors whose SQNR falls below a threshold (a CI guard). Pure. */
import { unmeasured } from "./rows.js";
import type { Report } from "./types.js";
import { checkDb, checkReport } from "../library-args.js";

export interface BelowThreshold {
  tensor: string;
  column: string;
  sqnrDb: number | null;
  /** Finite inputs whose fake-quantized output is NaN or ±inf (the figures leave them out). */
  nonFiniteOutputs: number;
}

/**
 * Every (tensor, column) whose SQNR is below `db`, in checkpoint order. A
 * tensor whose figures could not be computed (every value non-finite) counts
 * as below: the guard must not pass on data it never measured (an empty tensor,
 * with no value to lose, does not). So does one where a finite input became
 * NaN or inf (an all-zero group under eps 0, a float16 range that overflows, a
 * NaN elsewhere in the group): torchao would write that value, and the SQNR,
 * taken over the other elements, cannot show it.
 */
export function tensorsBelow(report: Report, db: number): BelowThreshold[] {
  checkReport(report, "tensorsBelow: report");
  // NaN would compare false with every figure: a guard that never fails.
  checkDb(db, "tensorsBelow: db", false);
  const out: BelowThreshold[] = [];
  for (const t of report.tensors) {
    t.cells.forEach((c, i) => {
      if (c.status !== "quantized" || !c.figures) return;
      const v = c.figures.sqnrDb;
      const bad = c.sums?.nonFiniteOutputs ?? 0;
      if (unmeasured(t, c) || (v !== null && v < db) || bad > 0) out.push({ tensor: t.name, column: report.columns[i].name, sqnrDb: v, nonFiniteOutputs: bad });
    });
  }
  return out;
}
