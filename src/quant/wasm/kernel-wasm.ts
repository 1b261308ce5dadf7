/**
 * The WebAssembly SIMD kernel (fq.wat) for the two hot float32 cases, bit-exact
 * with the JS kernel: per_group/per_channel SYMMETRIC in the INT domain, and
 * per_token ASYMMETRIC; both with float32 compute and scale and an int32 zero
 * point, qparams computed (not given), no range-learning init.
 *
 * Each thread compiles the embedded module once and keeps one instance with a
 * private (non-shared) memory. Callers that own their data (apply's chunk
 * loop) read it straight into that memory (wasmChunkViews) and the kernel runs
 * in place; other arrays are copied through it in blocks of whole groups
 * (measured: the copies cost about 40% on top of the kernel itself).
 */
import type { QuantPlan } from "../plan.js";
import { qparamCtx } from "../qparams.js";
import { FQ_WASM_BASE64 } from "./fq-wasm.generated.js";

/** "auto" uses wasm where it applies; "js" forces the JS kernel (for comparisons and debugging). */
export type KernelChoice = "auto" | "js";

export type WasmCase = "sym_groups" | "asym_tokens";

type KernelFn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number,
) => void;

interface FqExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  sym_groups: KernelFn;
  asym_tokens: KernelFn;
}

/** The part of the WebAssembly global used here (the project's TS lib has no DOM/wasm types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** Elements per block: 256 KiB of data stays in L2 while it is reduced and then quantized. */
const BLOCK_ELEMENTS = 1 << 16;
const PAGE = 65536;
/**
 * Largest group (or token) the wasm path takes: one block holds at least one
 * whole group, and the per-thread memory never shrinks, so bigger groups use JS.
 */
export const MAX_WASM_GROUP_ELEMENTS = 1 << 24;

// Per-thread cache: undefined = not tried yet, null = wasm SIMD unavailable here.
let cached: FqExports | null | undefined;

function instance(): FqExports | null {
  if (cached !== undefined) return cached;
  cached = null;
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || typeof atob !== "function") return cached;
  const bin = atob(FQ_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  // validate() is false on engines without SIMD: the JS kernel then runs everywhere.
  if (!wasm.validate(bytes)) return cached;
  cached = new wasm.Instance(new wasm.Module(bytes), {}).exports as FqExports;
  return cached;
}

/** Bytes at the start of this thread's wasm memory held by chunk views (wasmChunkViews). */
let reservedBytes = 0;

function inMemory(e: FqExports, a: Float32Array | Float64Array, length: number): boolean {
  return a.buffer === e.memory.buffer && a.length >= length;
}

/** Chunk buffers inside this thread's wasm memory: the kernel then runs on them in place. */
export interface WasmChunkViews {
  values: Float32Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
}

/**
 * Views of this thread's wasm memory for `elements` float32 values and
 * `groups` qparams, for callers that read data straight into it (no copy in
 * or out of the kernel). null when wasm is unavailable or the memory cannot
 * grow. The views stay valid until releaseWasmChunkViews or the next call.
 */
export function wasmChunkViews(elements: number, groups: number): WasmChunkViews | null {
  const e = instance();
  if (e === null) return null;
  const scaleAt = Math.ceil((elements * 4) / 8) * 8;
  const zeroPointAt = scaleAt + groups * 8;
  const need = zeroPointAt + groups * 8;
  const have = e.memory.buffer.byteLength;
  if (need > have) {
    try {
      e.memory.grow(Math.ceil((need - have) / PAGE));
    } catch {
      return null;
    }
  }
  reservedBytes = need;
  const mem = e.memory.buffer;
  return {
    values: new Float32Array(mem, 0, elements),
    scale: new Float64Array(mem, scaleAt, groups),
    zeroPoint: new Float64Array(mem, zeroPointAt, groups),
  };
}

/** Give the chunk views' memory back to the copying path (the views must no longer be used). */
export function releaseWasmChunkViews(): void {
  reservedBytes = 0;
}

/** True when this thread can run the wasm kernel. */
export function wasmAvailable(): boolean {
  return instance() !== null;
}

/** Which wasm kernel covers this plan, by its numerics alone (null → JS only). */
export function wasmCaseFor(plan: QuantPlan): WasmCase | null {
  if (plan.compute !== "float32" || plan.scalePrecision !== "float32" || plan.zeroPointPrecision !== "int32") return null;
  if (plan.rangeLearningInit || plan.groupSize > MAX_WASM_GROUP_ELEMENTS) return null;
  // qmin/qmax must be exact float32 constants (every dtype in the table is ≤ 8 bits).
  if (plan.bits > 8) return null;
  if (plan.kind === "per_token") return "asym_tokens"; // per_token is always asymmetric and INT
  if (plan.symmetric && plan.domain === "INT") return "sym_groups";
  return null;
}

/**
 * Runs the wasm kernel when it applies and is available; returns false (having
 * touched nothing) otherwise, so the caller runs the JS kernel.
 * `x` and `out` may be the same array.
 */
export function fakeQuantizeRowsWasm(
  plan: QuantPlan,
  x: Float32Array,
  out: Float32Array,
  rowCount: number,
  scale: Float64Array,
  zeroPoint: Float64Array,
): boolean {
  const which = wasmCaseFor(plan);
  if (which === null) return false;
  const e = instance();
  if (e === null) return false;
  const c = qparamCtx(plan);
  const g = plan.groupSize;
  const groups = rowCount * plan.groupsPerRow;
  if (groups === 0) return true;
  if (inMemory(e, x, groups * g) && out.buffer === x.buffer && out.byteOffset === x.byteOffset
    && inMemory(e, scale, groups) && inMemory(e, zeroPoint, groups)) {
    // Everything already lives in this thread's wasm memory (wasmChunkViews): run in place, no copies.
    e[which](x.byteOffset, groups, g, c.divisor, c.eps, c.qmin, c.qmax, scale.byteOffset, zeroPoint.byteOffset);
    return true;
  }
  const perBlock = Math.max(1, Math.min(groups, Math.floor(BLOCK_ELEMENTS / g)));
  // Blocks go after the chunk views, which must stay valid (and must not move: no grow while they are in use).
  const base = Math.ceil(reservedBytes / 8) * 8;
  const dataBytes = perBlock * g * 4;
  const scaleAt = base + Math.ceil(dataBytes / 8) * 8;
  const zeroPointAt = scaleAt + perBlock * 8;
  const need = zeroPointAt + perBlock * 8;
  const have = e.memory.buffer.byteLength;
  if (need > have) {
    if (reservedBytes > 0) return false; // growing would detach the chunk views
    try {
      e.memory.grow(Math.ceil((need - have) / PAGE));
    } catch {
      return false; // out of memory for this block size: the JS kernel needs none
    }
  }
  // Views after any grow (growing detaches the old buffer).
  const mem = e.memory.buffer;
  const data = new Float32Array(mem, base, perBlock * g);
  const sv = new Float64Array(mem, scaleAt, perBlock);
  const zv = new Float64Array(mem, zeroPointAt, perBlock);
  const fn = e[which];
  for (let k0 = 0; k0 < groups; k0 += perBlock) {
    const kn = Math.min(perBlock, groups - k0);
    const from = k0 * g;
    const n = kn * g;
    data.set(x.subarray(from, from + n));
    fn(base, kn, g, c.divisor, c.eps, c.qmin, c.qmax, scaleAt, zeroPointAt);
    out.set(n === data.length ? data : data.subarray(0, n), from);
    scale.set(kn === perBlock ? sv : sv.subarray(0, kn), k0);
    zeroPoint.set(kn === perBlock ? zv : zv.subarray(0, kn), k0);
  }
  return true;
}
