/**
 * Checks of what a JavaScript caller passes to the library's entry points. TypeScript callers get these
 * from the types; plain-JavaScript callers would otherwise meet a TypeError from deep inside (or, for a
 * fractional shape, a silently unchanged output). Each check throws FqcError "USAGE" naming the argument.
 */
import { FqcError } from "./errors.js";
import { didYouMean } from "./config/suggest.js";
import { TORCHAO_VERSIONS, type TorchaoVersion } from "./config/types.js";
import { COMPUTE_DTYPES } from "./input-dtype.js";
import type { ComputeDtype } from "./quant/plan.js";
import { KERNEL_CHOICES, type KernelChoice } from "./quant/kernel-choice.js";

/** How a value is spoken of in a message: "null", "an array", "a string", "a Uint8Array". */
export function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (Array.isArray(v)) return "an array";
  if (ArrayBuffer.isView(v)) return withArticle(v.constructor.name);
  const t = typeof v;
  return t === "object" ? "an object" : withArticle(t);
}

function withArticle(noun: string): string {
  // "an Int8Array", "a Uint8Array" (said "you-int"), "an object".
  return `${/^[aeiouAEIO]/.test(noun) ? "an" : "a"} ${noun}`;
}

/** The kind of typed array `v` is ("Float32Array"), from any realm; undefined for anything else, a Proxy of one included. */
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get! as (this: unknown) => string | undefined;

/**
 * The option names of T, listed once for the run-time check of optionsObject; the compiler
 * refuses a list that misses one of T's keys or names one T does not have.
 */
export function optionNames<T>() {
  return <const K extends readonly (keyof T & string)[]>(names: K & ([keyof T] extends [K[number]] ? unknown : never)): readonly string[] => names;
}

/**
 * An options object (required, or absent for an optional one: then `{}`). A key outside `names` is refused:
 * from JavaScript a misspelt option (`trheads: 2`) would otherwise be ignored without a word. What is returned
 * is a copy, each option read once: a getter or a Proxy trap that throws is named here (not met deep inside),
 * and one that answers differently on a second read cannot change what was checked.
 */
export function optionsObject<T extends object>(opts: unknown, fn: string, required: boolean, names: readonly string[]): T {
  if (opts === undefined && !required) return {} as T;
  const keys = readArg(`${fn}: the options object`, () => (opts === null || typeof opts !== "object" || Array.isArray(opts) ? undefined : Object.keys(opts)));
  if (keys === undefined) {
    throw new FqcError("USAGE", `${fn}: the options must be an object, not ${kindOf(opts)}`);
  }
  for (const key of keys) {
    if (names.includes(key)) continue;
    const near = didYouMean(key, names);
    throw new FqcError("USAGE", `${fn}: unknown option ${JSON.stringify(key)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}`, {
      hint: `${fn} takes ${names.map((n) => JSON.stringify(n)).join(", ")}.`,
    });
  }
  const copy: Record<string, unknown> = {};
  for (const name of names) {
    const v = readArg(`${fn}: options.${name}`, () => (opts as Record<string, unknown>)[name]);
    if (v !== undefined) copy[name] = v;
  }
  return copy as T;
}

/**
 * `read()`, with what it throws (a getter's error, a revoked Proxy's TypeError) as an FqcError naming what was
 * read. `read` may be a whole check of a large value (a plan, a report): reading what it reads anyway costs nothing more.
 */
export function readArg<V>(what: string | (() => string), read: () => V, hint = "Pass plain values: a getter or Proxy trap that throws, or a revoked Proxy, cannot be read."): V {
  try {
    return read();
  } catch (e) {
    if (e instanceof FqcError) throw e; // a check's own refusal, made inside `read`
    const why = e instanceof Error ? e.message : typeof e === "string" ? e : kindOf(e);
    throw new FqcError("USAGE", `${typeof what === "string" ? what : what()} could not be read: ${why}`, { hint, cause: e });
  }
}

const OPENED = "Pass the checkpoint openCheckpoint(path) returned.";

/** Deeper than any config fqc accepts (nesting beyond 100 levels is refused): objects 128 levels below the top are the last read. */
const ALL_LEVELS = 129;

const PLAIN_DATA = "Pass plain data (e.g. JSON.parse(JSON.stringify(value))): a getter or Proxy trap that throws, or a revoked Proxy, cannot be read.";

/**
 * A caller's value is read by many checks and rules, key by key: a getter or Proxy trap in it that throws (or a
 * revoked Proxy) would surface from whichever read came first, as the caller's own error or a TypeError. Read it
 * up front instead, `levels` deep (1: its own keys and values; 2: theirs too), naming where it failed:
 * "normalize: the config at /eps could not be read: …". Typed arrays are not entered.
 */
export function checkReadableValue(value: unknown, what: string, levels = ALL_LEVELS, hint = PLAIN_DATA): void {
  // A cycle or shared object is entered once on a full walk; a walk a few levels deep is bounded without the set.
  const seen = levels === ALL_LEVELS ? new Set<object>() : undefined;
  // The way down, made into a pointer only if a read throws (a plan of 300,000 tensors is read here on every render).
  const path: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (v === null || (typeof v !== "object" && typeof v !== "function") || depth >= levels || seen?.has(v)) return;
    seen?.add(v);
    // Own keys, so a sparse array (`Array(1e9)`) is its few elements, not a billion reads.
    const keys = ArrayBuffer.isView(v) ? [] : Object.keys(v);
    for (const k of keys) {
      path.push(k);
      walk((v as Record<string, unknown>)[k], depth + 1);
      path.pop();
    }
  };
  const pointer = () => path.map((k) => `/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
  readArg(() => `${what}${path.length === 0 ? "" : ` at ${pointer()}`}`, () => walk(value, 0), hint);
}

export function checkShape(shape: unknown, what: string): readonly number[] {
  if (!readArg(what, () => Array.isArray(shape))) {
    throw new FqcError("USAGE", `${what} must be an array of dimensions, not ${kindOf(shape)}`, { hint: "e.g. shape: [rows, columns]" });
  }
  // Each index read once, holes included (forEach skips them), into a copy: what was checked is what is used.
  const dims: number[] = [];
  let count = 1;
  const list = shape as readonly unknown[];
  const length = readArg(`${what}.length`, () => list.length);
  for (let i = 0; i < length; i++) {
    const d: unknown = readArg(`${what}[${i}]`, () => list[i]);
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      const shown = !(i in list) ? HOLE : typeof d === "number" ? String(d) : kindOf(d);
      throw new FqcError("USAGE", `${what}[${i}] is ${shown}: a dimension must be a whole number ≥ 0`);
    }
    dims.push(d);
    count *= d;
  }
  if (!Number.isSafeInteger(count)) throw new FqcError("USAGE", `${what} (${dims.join(", ")}) has more elements than a typed array can hold`);
  return dims;
}

/** Tensor values: a Float32Array or Float64Array whose buffer is still usable. */
export function checkFloatData(data: unknown, what: string): Float32Array | Float64Array {
  const tag = typedArrayTag.call(data);
  if (tag !== "Float32Array" && tag !== "Float64Array") {
    // A Proxy of a Float32Array passes instanceof but is no typed array: its elements would be read through the traps.
    const proxied = readArg(what, () => data instanceof Float32Array || data instanceof Float64Array);
    throw new FqcError("USAGE", `${what} must be a Float32Array or Float64Array, not ${proxied ? "a Proxy or other object wrapping one" : kindOf(data)}`, {
      hint: proxied ? "Pass the typed array itself." : ArrayBuffer.isView(data) || Array.isArray(data) ? "Convert it first, e.g. Float32Array.from(values)." : undefined,
    });
  }
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    throw new FqcError("USAGE", `${what} is a ${tag} from another realm (a vm context or another frame)`, {
      hint: `Copy it into this realm first: ${tag}.from(data).`,
    });
  }
  checkAttached(data.buffer, what);
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

/**
 * A config given as bytes (`readFileSync(path)` without an encoding): as a value it would be read as an object of
 * keys "0", "1", … and reported key by key.
 */
export function checkNotBytes(input: unknown, fn: string): void {
  if (ArrayBuffer.isView(input) || input instanceof ArrayBuffer) {
    throw new FqcError("USAGE", `${fn}: the config is ${kindOf(input)}, not text or a parsed value`, {
      hint: 'Pass the file\'s text, e.g. readFileSync(path, "utf8"), with { filename } so YAML is read as YAML.',
    });
  }
}

/** What an index of a sparse array holds. */
const HOLE = "missing (a hole in a sparse array)";

function checkAttached(buffer: ArrayBufferLike, what: string): void {
  if (isDetached(buffer)) throw new FqcError("USAGE", `${what}'s ArrayBuffer is detached (transferred to a worker or structuredClone)`);
}

/** Numbers given per group (static qparams): an array or a typed array, or absent. */
export function checkNumberList(v: unknown, what: string): void {
  if (v === undefined) return;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) {
    throw new FqcError("USAGE", `${what} must be an array or a typed array of numbers, not ${kindOf(v)}`, { hint: "Convert it first, e.g. Float64Array.from(values, Number)." });
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    checkAttached(v.buffer, what);
    return;
  }
  if (!Array.isArray(v)) throw new FqcError("USAGE", `${what} must be an array or a typed array of numbers, not ${kindOf(v)}`);
  // Every element: a string ("0.5") would be read as a number, or reported as a value it is not.
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== "number") throw new FqcError("USAGE", `${what}[${i}] is ${i in v ? kindOf(x) : HOLE}, not a number`);
  }
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
  // Node refuses both deep inside, with a message about a temp file the caller never named.
  if (v === "") throw new FqcError("USAGE", `${what} is an empty string, not a path`);
  if (v.includes("\0")) throw new FqcError("USAGE", `${what} ${JSON.stringify(v)} holds a NUL character, which no path can`);
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

function describe(v: unknown): string {
  return typeof v === "string" ? `"${v}"` : typeof v === "number" ? String(v) : kindOf(v);
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
  const shaped = readArg(what, () => r !== null && typeof r === "object" && Array.isArray(r.tensors) && Array.isArray(r.columns) && Array.isArray(r.summaries), "Pass the report reportCheckpoint returned.");
  if (!shaped) throw new FqcError("USAGE", `${what} must be a report (what reportCheckpoint returns), not ${kindOf(v)}`);
}

/** A string that is not a path (a tensor name, a recipe key). */
export function checkText(v: unknown, what: string): void {
  if (typeof v !== "string") throw new FqcError("USAGE", `${what} must be a string, not ${kindOf(v)}`);
}

/**
 * An array argument, each element given to `check` in turn: a read that throws (a revoked Proxy, a getter) is a USAGE
 * error naming the array or the element's index; the checks' own refusals pass as they are. The elements are read
 * once, by the check itself: a list of 300,000 tensors is not walked a second time.
 */
export function checkEach(v: unknown, what: string, arrayOf: string, check: (x: unknown, i: number, list: readonly unknown[]) => void, hint?: string): void {
  let i = -1;
  readArg(() => (i < 0 ? what : `${what}[${i}]`), () => {
    if (!Array.isArray(v)) throw new FqcError("USAGE", `${what} must be an array${arrayOf}, not ${kindOf(v)}`);
    const n = v.length;
    for (i = 0; i < n; i++) check(v[i], i, v);
  }, hint);
}

/** An array of strings (tensor names), every element checked. */
export function checkTextList(v: unknown, what: string): void {
  checkEach(v, what, " of strings", (x, i, list) => {
    if (typeof x !== "string") throw new FqcError("USAGE", `${what}[${i}] is ${i in list ? kindOf(x) : HOLE}, not a string`);
  });
}

/** A checkpoint as openCheckpoint returns it, checked by the fields the callers read (`path` where they name it). */
export function checkCheckpoint(v: unknown, what: string, withPath = true): void {
  const c = v as { path?: unknown; format?: unknown; tensors?: unknown } | null;
  const shaped = readArg(what, () => c !== null && typeof c === "object" && Array.isArray(c.tensors) && typeof c.format === "string" && (!withPath || typeof c.path === "string"), OPENED);
  if (!shaped) {
    throw new FqcError("USAGE", `${what} must be a checkpoint (what openCheckpoint returns), not ${kindOf(v)}`);
  }
}
