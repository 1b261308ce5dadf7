/**
 * The plan as `--dry-run` prints it: a text table (name, shape, dtype,
 * action, key, config or why the tensor is left alone) followed by the
 * problems, or JSON. Pure functions: entries in, text out.
 */
import { displayWidth, padToWidth } from "../diagnostics/display-width.js";
import { FqcError } from "../errors.js";
import { kindOf, optionNames, optionsObject } from "../library-args.js";
import { oneLine, shownName } from "../diagnostics/one-line.js";
import { describeConfig } from "../config/summary.js";
import type { CanonicalConfig } from "../config/types.js";
import { jsonObjectPieces } from "../json-pieces.js";
import { countOf } from "../plural.js";
import { withThousands } from "../thousands.js";
import { checkPlanEntries, type TensorPlanEntry } from "./plan-tensors.js";

export interface PlanRenderExtras {
  /** Recipe keys that match no tensor (from `unmatchedRecipeKeys`). */
  unmatchedKeys?: readonly string[];
}

const EXTRAS_NAMES = optionNames<PlanRenderExtras>()(["unmatchedKeys"]);

/** What a JavaScript caller passes: a misspelt `unmatched` would drop the unmatched keys without a word. */
function checkRenderArgs(entries: unknown, extras: unknown, fn: string): PlanRenderExtras {
  checkPlanEntries(entries, `${fn}: entries`);
  const o = optionsObject<PlanRenderExtras>(extras, fn, false, EXTRAS_NAMES);
  if (o.unmatchedKeys !== undefined && !Array.isArray(o.unmatchedKeys)) {
    throw new FqcError("USAGE", `${fn}: unmatchedKeys must be an array of recipe keys (what unmatchedRecipeKeys returns), not ${kindOf(o.unmatchedKeys)}`);
  }
  return o;
}

export interface PlanSummary {
  tensors: number;
  quantize: number;
  skip: number;
  /** Elements of the tensors to fake-quantize. */
  quantizeElements: number;
  errors: number;
}

function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function summarizePlan(entries: readonly TensorPlanEntry[]): PlanSummary {
  checkPlanEntries(entries, "summarizePlan: entries");
  const q = entries.filter((e) => e.action === "quantize");
  return {
    tensors: entries.length,
    quantize: q.length,
    skip: entries.length - q.length,
    quantizeElements: q.reduce((a, e) => a + elements(e.tensor.shape), 0),
    errors: entries.reduce((a, e) => a + e.errors.length, 0),
  };
}

const HEADERS = ["name", "shape", "dtype", "action", "key", "config"] as const;

function row(e: TensorPlanEntry, summary: (c: CanonicalConfig) => string): string[] {
  const shape = e.tensor.shape.length === 0 ? "scalar" : e.tensor.shape.join("×");
  const action = e.errors.length > 0 ? "error" : e.action;
  const what = e.action === "quantize" && e.config ? summary(e.config) : (e.note ?? "");
  return [shownName(e.tensor.name), shape, e.tensor.dtype, action, e.key === undefined ? "—" : shownName(e.key), what];
}

/** The plan as an aligned text table, then a summary line, then every problem. */
export function renderPlanTable(entries: readonly TensorPlanEntry[], extras: PlanRenderExtras = {}): string {
  extras = checkRenderArgs(entries, extras, "renderPlanTable");
  return [...planTablePieces(entries, extras)].join("");
}

/** renderPlanTable line by line (each piece ends with a newline). */
export function* planTablePieces(entries: readonly TensorPlanEntry[], extras: PlanRenderExtras = {}): Generator<string> {
  // One summary per config object: every tensor under one config shares it.
  const summaries = new Map<CanonicalConfig, string>();
  const summary = (c: CanonicalConfig) => summaries.get(c) ?? summaries.set(c, describeConfig(c)).get(c)!;
  const rows = [HEADERS.slice() as string[], ...entries.map((e) => row(e, summary))];
  // Loops, not Math.max(...rows): one argument per tensor overflows the call stack at ~100,000 tensors.
  // Terminal columns (as report's table pads): a CJK name takes two per character, a combining accent none.
  const widths = HEADERS.map((_, i) => rows.reduce((w, r) => Math.max(w, displayWidth(r[i])), 0));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : padToWidth(c, widths[i]))).join("  ").trimEnd();
  for (const r of rows) yield `${line(r)}\n`;
  const s = summarizePlan(entries);
  yield `\n${countOf(s.tensors, "tensor")}: ${withThousands(s.quantize)} to fake-quantize (${countOf(s.quantizeElements, "element")}), ${withThousands(s.skip)} left alone${s.errors ? `; ${countOf(s.errors, "error")}` : ""}\n`;
  for (const e of entries) {
    for (const issue of e.errors) {
      yield `error: ${shownName(e.tensor.name)}${e.key ? ` (key ${shownName(e.key)})` : ""}: ${oneLine(issue.message)}${issue.hint ? `\n  hint: ${oneLine(issue.hint)}` : ""}\n`;
    }
  }
  for (const k of extras.unmatchedKeys ?? []) yield `${unmatchedKeyWarning(k)}\n`;
}

/**
 * The warning for a recipe key that matches no tensor, in the dry run's plan and on stderr of apply and report
 * (`recipe`: the recipe's file, named when a report compares several).
 */
export function unmatchedKeyWarning(key: string, recipe?: string): string {
  return `warning: recipe key ${shownName(key)} matches no tensor${recipe === undefined ? "" : ` (${shownName(recipe)})`}`;
}

/** One entry as `--dry-run --json` lists it. */
function entryJson(e: TensorPlanEntry) {
  return {
    name: e.tensor.name,
    shape: [...e.tensor.shape],
    dtype: e.tensor.dtype,
    action: e.action,
    key: e.key ?? null,
    tier: e.tier ?? null,
    config: e.config ?? null,
    summary: e.config ? describeConfig(e.config) : null,
    reason: e.reason ?? null,
    note: e.note ?? null,
    errors: e.errors.map((i) => ({ message: i.message, hint: i.hint ?? null, torchaoError: i.torchaoError ?? null })),
  };
}

/** The plan as plain JSON data (what `--dry-run --json` prints). */
export function planToJson(entries: readonly TensorPlanEntry[], extras: PlanRenderExtras = {}) {
  extras = checkRenderArgs(entries, extras, "planToJson");
  return { tensors: entries.map(entryJson), ...planJsonTail(entries, extras) };
}

function planJsonTail(entries: readonly TensorPlanEntry[], extras: PlanRenderExtras) {
  return { unmatchedKeys: [...(extras.unmatchedKeys ?? [])], summary: summarizePlan(entries) };
}

export function renderPlanJson(entries: readonly TensorPlanEntry[], extras: PlanRenderExtras = {}): string {
  extras = checkRenderArgs(entries, extras, "renderPlanJson");
  return [...planJsonPieces({}, entries, extras)].join("");
}

/** `{ ...head, ...planToJson(entries, extras) }` as JSON text in pieces, an entry at a time (same bytes as stringify with 2 spaces). */
export function planJsonPieces(head: Record<string, unknown>, entries: readonly TensorPlanEntry[], extras: PlanRenderExtras = {}): Generator<string> {
  return jsonObjectPieces(head, "tensors", entries, entryJson, planJsonTail(entries, extras));
}
