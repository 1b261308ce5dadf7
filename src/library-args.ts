/**
 * Checks of what a JavaScript caller passes to the library's entry points. TypeScript callers get these
 * from the types; plain-JavaScript callers would otherwise meet a TypeError from deep inside (or, for a
 * fractional shape, a silently unchanged output). Each check throws FqcError "USAGE" naming the argument.
 */
import { FqcError } from "./errors.js";
import { didYouMean } from "./config/suggest.js";
import { TORCHAO_VERSIONS, type CanonicalConfig, type Recipe, type TorchaoVersion } from "./config/types.js";
import { COMPUTE_DTYPES } from "./input-dtype.js";
import type { ComputeDtype } from "./quant/plan.js";
import { KERNEL_CHOICES, type KernelChoice } from "./quant/kernel-choice.js";

/** How a value is spoken of in a message: "null", "an array", "a string", "a Uint8Array". */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const t = typeof v;
  return t === "object" ? "an object" : `${/^[aeiou]/.test(t) ? "an" : "a"} ${t}`;
}

/**
 * The option names of T, listed once for the run-time check of optionsObject; the compiler
 * refuses a list that misses one of T's keys or names one T does not have.
 */
export function optionNames<T>() {
  return <const K extends readonly (keyof T & string)[]>(names: K & ([keyof T] extends [K[number]] ? unknown : never)): readonly string[] => names;
}

/**
 * An options object (required, or absent for an optional one: then `{}`). With `names`, a key outside them
 * is refused: from JavaScript a misspelt option (`trheads: 2`) would otherwise be ignored without a word.
 */
export function optionsObject<T extends object>(opts: unknown, fn: string, required: boolean, names?: readonly string[]): T {
  if (opts === undefined && !required) return {} as T;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new FqcError("USAGE", `${fn}: the options must be an object, not ${kindOf(opts)}`);
  }
  if (names) {
    for (const key of Object.keys(opts)) {
      if (names.includes(key)) continue;
      const near = didYouMean(key, names);
      throw new FqcError("USAGE", `${fn}: unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}`, {
        hint: `${fn} takes ${names.map((n) => JSON.stringify(n)).join(", ")}.`,
      });
    }
  }
  return opts as T;
}

export function checkShape(shape: unknown, what: string): readonly number[] {
  if (!Array.isArray(shape)) {
    throw new FqcError("USAGE", `${what} must be an array of dimensions, not ${kindOf(shape)}`, { hint: "e.g. shape: [rows, columns]" });
  }
  let count = 1;
  shape.forEach((d: unknown, i) => {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new FqcError("USAGE", `${what}[${i}] is ${typeof d === "number" ? String(d) : kindOf(d)}: a dimension must be a whole number ≥ 0`);
    }
    count *= d;
  });
  if (!Number.isSafeInteger(count)) throw new FqcError("USAGE", `${what} (${shape.join(", ")}) has more elements than a typed array can hold`);
  return shape as number[];
}

/** Tensor values: a Float32Array or Float64Array whose buffer is still usable. */
export function checkFloatData(data: unknown, what: string): Float32Array | Float64Array {
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    throw new FqcError("USAGE", `${what} must be a Float32Array or Float64Array, not ${kindOf(data)}`, {
      hint: ArrayBuffer.isView(data) || Array.isArray(data) ? "Convert it first, e.g. Float32Array.from(values)." : undefined,
    });
  }
  if (isDetached(data.buffer)) throw new FqcError("USAGE", `${what}'s ArrayBuffer is detached (transferred to a worker or structuredClone)`);
  return data;
}

function isDetached(buffer: ArrayBufferLike): boolean {
  // `detached` is on ArrayBuffer from V8 11.4; before it, a detached buffer reads as 0 bytes long, and slicing it throws.
  const flag = (buffer as { detached?: boolean }).detached;
  if (typeof flag === "boolean") return flag;
  if (buffer.byteLength !== 0) return false;
  try {
    buffer.slice(0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Numbers given per group (static qparams): an array or a typed array, or absent. */
export function checkNumberList(v: unknown, what: string): void {
  if (v === undefined || Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) return;
  throw new FqcError("USAGE", `${what} must be an array or a typed array of numbers, not ${kindOf(v)}`);
}

export function checkComputeDtype(v: unknown, what: string): ComputeDtype | undefined {
  return checkChoice(v, COMPUTE_DTYPES, what);
}

export function checkTorchao(v: unknown, what: string): TorchaoVersion | undefined {
  if (typeof v === "number") {
    throw new FqcError("USAGE", `${what} ${v} is not one of ${quoted(TORCHAO_VERSIONS)}`, { hint: "Give the version as a string, e.g. \"0.12\"." });
  }
  return checkChoice(v, TORCHAO_VERSIONS, what);
}

export function checkKernel(v: unknown, what: string): KernelChoice | undefined {
  return checkChoice(v, KERNEL_CHOICES, what);
}

export function checkString(v: unknown, what: string, optional = false): void {
  if (optional && v === undefined) return;
  if (typeof v !== "string") throw new FqcError("USAGE", `${what} must be a path (a string), not ${kindOf(v)}`);
}

export function checkFunction(v: unknown, what: string): void {
  if (v !== undefined && typeof v !== "function") throw new FqcError("USAGE", `${what} must be a function, not ${kindOf(v)}`);
}

/** An AbortSignal, or an object of its shape (AbortSignalLike in host-types.ts: what the declarations promise to take). */
export function checkSignal(v: unknown, what: string): void {
  if (v !== undefined && !(v instanceof AbortSignal) && !signalShaped(v)) {
    throw new FqcError("USAGE", `${what} must be an AbortSignal, not ${kindOf(v)}`, { hint: "e.g. AbortSignal.timeout(ms) or new AbortController().signal" });
  }
}

function signalShaped(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s.aborted === "boolean" && typeof s.addEventListener === "function" && typeof s.removeEventListener === "function";
}

/** A positive whole number (or absent). */
export function checkCount(v: unknown, what: string): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1)) {
    throw new FqcError("USAGE", `${what} must be a whole number ≥ 1, not ${typeof v === "number" ? String(v) : kindOf(v)}`);
  }
}

/**
 * A canonical config, as `normalize` returns it: apply's entry points take no shorthand (its defaults depend on
 * the torchao version that constructed it). Checked by shape, cheaply: the fields the engine reads.
 */
export function checkCanonicalConfig(v: unknown, what: string): CanonicalConfig {
  const c = v as Partial<CanonicalConfig> | null;
  const g = c !== null && typeof c === "object" ? (c.granularity as { type?: unknown } | undefined) : undefined;
  if (c === null || typeof c !== "object" || Array.isArray(c) || typeof c.dtype !== "string" || typeof g !== "object" || g === null || typeof g.type !== "string") {
    throw new FqcError("USAGE", `${what} must be a canonical config (what normalize returns), not ${c !== null && typeof c === "object" && !Array.isArray(c) ? "a shorthand config" : kindOf(v)}`, {
      hint: "Pass normalize(config): it checks the config as torchao would and fills in the defaults.",
    });
  }
  return c as CanonicalConfig;
}

function describe(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : typeof v === "number" ? String(v) : kindOf(v);
}

/** What a plan applies: `{ config }` (canonical) or `{ recipe }` (as validate or normalizeDocument give it), one of the two. */
export function checkPlanSource(v: unknown, what: string): { config: CanonicalConfig } | { recipe: Recipe } {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new FqcError("USAGE", `${what} must be { config } or { recipe }, not ${kindOf(v)}`);
  }
  const has = (k: string) => Object.prototype.hasOwnProperty.call(v, k) && (v as Record<string, unknown>)[k] !== undefined;
  if (has("config") === has("recipe")) {
    throw new FqcError("USAGE", `${what} must hold either config or recipe, ${has("config") ? "not both" : "and holds neither"}`);
  }
  if (has("config")) {
    checkCanonicalConfig((v as { config: unknown }).config, `${what}.config`);
    return v as { config: CanonicalConfig };
  }
  const r = (v as { recipe: unknown }).recipe as { entries?: unknown } | null;
  if (r === null || typeof r !== "object" || !Array.isArray(r.entries)) {
    throw new FqcError("USAGE", `${what}.recipe must be a parsed recipe ({ entries: [...] }), not ${r !== null && typeof r === "object" && !Array.isArray(r) ? "a recipe file's object" : kindOf(r)}`, {
      hint: "Take it from normalizeDocument(text).recipe, or validate(text).document.recipe when document.kind is \"recipe\".",
    });
  }
  return v as { recipe: Recipe };
}

/** A whole number ≥ 0 (or absent). */
export function checkWholeNumber(v: unknown, what: string): void {
  if (v !== undefined && (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)) {
    throw new FqcError("USAGE", `${what} must be a whole number ≥ 0, not ${typeof v === "number" ? String(v) : kindOf(v)}`);
  }
}

/** A finite number of dB (or absent, when optional). */
export function checkDb(v: unknown, what: string, optional: boolean): void {
  if (optional && v === undefined) return;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new FqcError("USAGE", `${what} must be a finite number of dB, not ${typeof v === "number" ? String(v) : kindOf(v)}`);
  }
}

/** One of a list of names (or absent). */
export function checkChoice<T extends string>(v: unknown, choices: readonly T[], what: string): T | undefined {
  if (v === undefined || choices.includes(v as T)) return v as T | undefined;
  throw new FqcError("USAGE", `${what} ${describe(v)} is not one of ${quoted(choices)}`);
}

function quoted(choices: readonly string[]): string {
  return choices.map((c) => `"${c}"`).join(", ");
}

/** A report, as reportCheckpoint returns it (checked by the fields every renderer reads). */
export function checkReport(v: unknown, what: string): void {
  const r = v as { tensors?: unknown; columns?: unknown; summaries?: unknown } | null;
  if (r === null || typeof r !== "object" || !Array.isArray(r.tensors) || !Array.isArray(r.columns) || !Array.isArray(r.summaries)) {
    throw new FqcError("USAGE", `${what} must be a report (what reportCheckpoint returns), not ${kindOf(v)}`);
  }
}
