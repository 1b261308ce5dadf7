/** `--fail-under DB`: the fake-quantized tensors whose SQNR falls below a threshold (a CI guard). Pure. */
import type { Report } from "./types.js";
import { checkDb, checkReport } from "../library-args.js";

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
  checkReport(report, "tensorsBelow: report");
  // NaN would compare false with every figure: a guard that never fails.
  checkDb(db, "tensorsBelow: db", false);
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
