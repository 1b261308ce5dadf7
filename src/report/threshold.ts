/** `--fail-under DB`: the fake-quantized tensors whose SQNR falls below a threshold (a CI guard). Pure. */
import type { Report } from "./types.js";

export interface BelowThreshold {
  tensor: string;
  column: string;
  sqnrDb: number | null;
}

/**
 * Every (tensor, column) whose SQNR is below `db`, in checkpoint order. A
 * tensor whose figures could not be computed (every value non-finite) counts
 * as below: the guard must not pass on data it never measured.
 */
export function tensorsBelow(report: Report, db: number): BelowThreshold[] {
  const out: BelowThreshold[] = [];
  for (const t of report.tensors) {
    t.cells.forEach((c, i) => {
      if (c.status !== "quantized" || !c.figures) return;
      const v = c.figures.sqnrDb;
      if (v === null || v < db) out.push({ tensor: t.name, column: report.columns[i].name, sqnrDb: v });
    });
  }
  return out;
}
