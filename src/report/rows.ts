/**
 * Which tensors a human-readable report lists, in which order (`--sort`,
 * `--worst N`), and the number formats every text renderer shares. Pure.
 */
import type { SortKey } from "./format-names.js";
import type { ColumnSummary, Report, ReportCell, ReportTensor } from "./types.js";

export { SORT_KEYS, type SortKey } from "./format-names.js";

export interface RowOptions {
  /** order: checkpoint order (default); sqnr: lowest SQNR of any column first; name; size: most elements first. */
  sort?: SortKey;
  /** Only the N tensors with the lowest SQNR (of any column); tensors no column quantized are then left out. */
  worst?: number;
}

/** The lowest SQNR any column gives this tensor; null when no column has a figure. */
export function lowestSqnr(t: ReportTensor): number | null {
  let low: number | null = null;
  for (const c of t.cells) {
    const v = c.figures?.sqnrDb;
    if (v !== null && v !== undefined && (low === null || v < low)) low = v;
  }
  return low;
}

/**
 * Whether a column fake-quantized this tensor without a finite value to measure (every value NaN or inf, or made so):
 * the worst there is, for --fail-under, the summary's worst list, --worst and --sort sqnr. Not an empty tensor (a 0
 * dimension): it has no value to lose, and would otherwise fail every --fail-under.
 */
export function unmeasured(t: Pick<ReportTensor, "elements">, c: ReportCell): boolean {
  return c.status === "quantized" && (c.figures?.sqnrDb ?? null) === null && t.elements > 0;
}

/**
 * The SQNR a tensor ranks by: its lowest figure, or -inf when a column fake-quantized it without a finite
 * value to measure (`unmeasured`); null when no column has a figure for it.
 */
function rankSqnr(t: ReportTensor): number | null {
  if (t.cells.some((c) => unmeasured(t, c))) return -Infinity;
  return lowestSqnr(t);
}

function bySqnr(a: ReportTensor, b: ReportTensor): number {
  const x = rankSqnr(a);
  const y = rankSqnr(b);
  if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

export function selectRows(report: Report, opts: RowOptions = {}): ReportTensor[] {
  let rows = report.tensors.slice();
  if (opts.worst !== undefined) {
    rows = rows.filter((t) => t.cells.some((c) => c.status === "quantized")).sort(bySqnr).slice(0, opts.worst);
    // Back to checkpoint order unless a sort is asked for.
    const index = new Map(report.tensors.map((t, i) => [t, i]));
    rows.sort((a, b) => index.get(a)! - index.get(b)!);
  }
  const sort = opts.sort ?? "order";
  // Array.prototype.sort is stable: ties keep checkpoint order.
  if (sort === "sqnr") rows.sort(bySqnr);
  else if (sort === "name") rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  else if (sort === "size") rows.sort((a, b) => b.elements - a.elements);
  return rows;
}

/** "19.84", "inf", "-inf"; "" for null. */
export function formatDb(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined) return "";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return v.toFixed(digits);
}

/**
 * A figure as formatDb shows it, and when it is below `threshold`, with more digits where two would round it up
 * to the threshold or past it ("14.996" under --fail-under 15, not "15.00").
 */
export function formatDbBelow(v: number, threshold: number): string {
  if (!Number.isFinite(v) || !(v < threshold)) return formatDb(v);
  for (let digits = 2; digits <= 15; digits++) {
    const s = formatDb(v, digits);
    if (Number(s) < threshold) return s;
  }
  return String(v);
}

/**
 * A worst-tensor entry's figure: "14.91" (with `unit` appended); a tensor with no finite value to measure
 * (all NaN/inf, or no elements) ranks first and says so instead of showing an empty figure.
 */
export function formatWorstDb(v: number | null, unit = ""): string {
  return v === null ? "(no finite values)" : `${formatDb(v)}${unit}`;
}

/** Three significant digits: "1.23e-3", "0" for 0. */
export function formatSmall(v: number | null | undefined): string {
  if (v === null || v === undefined) return "";
  if (v === 0) return "0";
  const [m, e] = v.toExponential(2).split("e");
  return `${m}e${Number(e)}`;
}

export function formatShare(v: number | null | undefined): string {
  if (v === null || v === undefined) return "";
  return `${(v * 100).toFixed(2)}%`;
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(2)} ${units[u]}`;
}

/**
 * The values a column's figures leave out, in words: "65 NaN and 2 inf inputs, 189 non-finite outputs left out"; null when none
 * was. A non-finite output of a finite input (a NaN or inf elsewhere in its group, or a float16 range that overflowed) is the
 * one to notice: torchao would write it, and no figure shows it.
 */
export function leftOutText(s: Pick<ColumnSummary, "nanInputs" | "infInputs" | "nonFiniteOutputs">): string | null {
  const parts: string[] = [];
  if (s.nanInputs + s.infInputs > 0) parts.push(`${s.nanInputs} NaN and ${s.infInputs} inf input${s.nanInputs + s.infInputs === 1 ? "" : "s"}`);
  if (s.nonFiniteOutputs > 0) parts.push(`${s.nonFiniteOutputs} non-finite output${s.nonFiniteOutputs === 1 ? "" : "s"}`);
  return parts.length ? `${parts.join(", ")} left out` : null;
}

/** What a cell shows in place of figures. */
export function cellNote(c: ReportCell): string {
  return c.status === "refused" ? "refused" : c.status === "skipped" ? "—" : "";
}

export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? "()" : shape.join("×");
}
