/**
 * The WebAssembly SIMD kernel (fq.wat) for the hot cases, bit-exact with the
 * JS kernel: with float32 compute, per_group/per_channel SYMMETRIC in the INT
 * domain, per_token ASYMMETRIC, and per_group/per_channel ASYMMETRIC in the
 * INT domain (float32 scales, int32 zero points) and in the FLOAT domain
 * (tinygemm, float32 scales and zero points); and, computed in bfloat16 or float16
 * (checkpoint weights, 16-bit activations), per_group/per_channel SYMMETRIC
 * and ASYMMETRIC in the INT domain and per_token, with float32 scales and an
 * int32 zero point; and per_group/per_channel ASYMMETRIC in the FLOAT domain
 * (tinygemm) with scales and zero points both float32 or both in the compute
 * dtype. All with qparams computed (not given), no range-learning init.
 * The 16-bit kernels leave a group whose input, scale or reciprocal is not
 * finite untouched, for the caller to run in JS. Also the
 * widening of BF16 checkpoint bytes to float32 values and the narrowing back.
 *
 * Each thread compiles the embedded module once, unless it adopts the module
 * another thread compiled (adoptCompiledKernel: the workers of a pool). Callers that own their data
 * (apply's chunk loop) read it straight into an instance's private memory
 * (wasmChunkViews) and the kernel runs in place; other arrays are copied
 * through a second instance in blocks of whole groups (measured: such copies
 * cost about 40% on top of the kernel itself).
 */
import type { QuantPlan } from "../plan.js";
import { qparamCtx } from "../qparams.js";
import { FQ_WASM_BASE64 } from "./fq-wasm.generated.js";

/** "auto" uses wasm where it applies; "js" forces the JS kernel (for comparisons and debugging). */
export type { KernelChoice } from "../kernel-choice.js";

export type WasmCase = "sym_groups" | "asym_tokens" | "asym_groups" | "asym_float_groups" | "sym_groups_w16" | "asym_groups_w16" | "asym_tokens_w16" | "asym_float_groups_w16";

type KernelFn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number,
) => void;

/** The float32 asymmetric INT group kernel: as KernelFn, plus the qparams' mid point 2^(b−1). */
type KernelMidFn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number, mid: number,
) => void;

/**
 * The float32 tinygemm kernel: as KernelMidFn, plus the kernel's mid point (qmin + qmax + 1)/2; returns
 * how many groups it left to the caller.
 */
type KernelFloatFn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number, mid: number, kernelMid: number,
) => number;

/** The 16-bit kernel: `half` 1 for float16, 0 for bfloat16; returns how many groups it left to the caller. */
type KernelW16Fn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number, half: number,
) => number;

/** The asymmetric 16-bit group kernel: as KernelW16Fn, plus the tinygemm mid point 2^(b−1). */
type KernelW16MidFn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number, half: number, mid: number,
) => number;

/** The 16-bit tinygemm kernel: as KernelW16MidFn, plus the kernel's mid point and 1 when S = Z = W (0: float32). */
type KernelW16FloatFn = (
  ptr: number, groups: number, groupSize: number, divisor: number, eps: number,
  qmin: number, qmax: number, scalePtr: number, zeroPointPtr: number, half: number, mid: number, kernelMid: number, inW: number,
) => number;

/** Converts n values from src to dst in wasm memory (byte addresses); see fq.wat for the overlaps allowed. */
type ConvertFn = (src: number, dst: number, n: number) => void;

interface FqExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  sym_groups: KernelFn;
  asym_tokens: KernelFn;
  asym_groups: KernelMidFn;
  asym_float_groups: KernelFloatFn;
  sym_groups_w16: KernelW16Fn;
  asym_groups_w16: KernelW16MidFn;
  asym_tokens_w16: KernelW16Fn;
  asym_float_groups_w16: KernelW16FloatFn;
  widen_bf16: ConvertFn;
  narrow_bf16: ConvertFn;
  sym_groups_io16: KernelW16Fn;
  sum_squares: (ptr: number, n: number) => number;
  widen_bf16_sum_squares: (src: number, dst: number, n: number) => number;
  err_stats: (xPtr: number, yPtr: number, n: number) => number;
  stats_max: { value: number };
  stats_zeroed: { value: number };
}

/** The part of the WebAssembly global used here (the project's TS lib has no DOM/wasm types). */
interface WasmApi {
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

/** The part of WebAssembly this file uses, once compiled; null = wasm SIMD unavailable here. */
interface Compiled {
  api: WasmApi;
  module: object;
}

// Per-thread caches (undefined = not tried yet). Two instances, each with its own memory: one copies
// callers' arrays through it in blocks, the other holds chunk views that callers read data into, so
// neither use can overwrite or detach (by growing) the other's memory.
let compiled: Compiled | null | undefined;
let copying: FqExports | null | undefined;
let inPlace: FqExports | null | undefined;

function compile(): Compiled | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const bytes = moduleBytes();
  if (api === undefined || bytes === null) return compiled;
  // Compiling fails (CompileError) on engines without SIMD: the JS kernel then runs everywhere.
  // No validate() first: it decodes and checks the whole module again (~0.7 ms of each thread's start, measured).
  try {
    compiled = { api, module: new api.Module(bytes) };
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * This thread's compiled kernel module (compiled now if not yet), to hand to
 * worker threads (workerData): a module is shared between threads, so a worker
 * that adopts it compiles nothing. null when wasm SIMD is unavailable here.
 */
export function compiledKernel(): object | null {
  return compile()?.module ?? null;
}

/**
 * Use `module` (compiledKernel() of another thread) as this thread's kernel
 * instead of compiling the embedded bytes; ignored when this thread has
 * compiled already or `module` is not a WebAssembly.Module.
 */
export function adoptCompiledKernel(module: unknown): void {
  if (compiled !== undefined) return;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api !== undefined && module instanceof api.Module) compiled = { api, module };
}

/**
 * The module's bytes. Node's Buffer decodes base64 natively; atob and a
 * charCodeAt loop (other engines) took 4-7 ms of every thread's start (measured).
 */
export function moduleBytes(): Uint8Array | null {
  const buffer = (globalThis as { Buffer?: { from(text: string, encoding: "base64"): Uint8Array } }).Buffer;
  if (buffer !== undefined) return buffer.from(FQ_WASM_BASE64, "base64");
  if (typeof atob !== "function") return null;
  const bin = atob(FQ_WASM_BASE64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * A new instance, or null when its memory cannot be had: V8 reserves ~10 GiB
 * of address space per wasm memory, which a virtual-memory limit (`ulimit -v`,
 * common on shared clusters) refuses with a RangeError. Every caller then runs
 * the JS kernel, which gives the same bytes.
 */
function instantiate(): FqExports | null {
  const c = compile();
  if (!c) return null;
  try {
    return new c.api.Instance(c.module, {}).exports as FqExports;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

function instance(): FqExports | null {
  if (copying === undefined) copying = instantiate();
  return copying;
}

/**
 * Place `elements` float32 values at 0, then `groups` f64 scales and zero
 * points, growing the instance's memory if needed (which detaches views of
 * the old buffer). null when it cannot grow.
 */
function layOut(e: FqExports, elements: number, groups: number): { mem: ArrayBuffer; scaleAt: number; zeroPointAt: number } | null {
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
  return { mem: e.memory.buffer, scaleAt, zeroPointAt };
}

/** Chunk buffers inside the in-place instance's memory: the kernel runs on them without copies. */
export interface WasmChunkViews {
  values: Float32Array;
  scale: Float64Array;
  zeroPoint: Float64Array;
}

/**
 * Views for `elements` float32 values and `groups` qparams in this thread's
 * in-place wasm memory, for callers that read data straight into it (no copy
 * in or out of the kernel). null when wasm is unavailable or the memory cannot
 * grow. The next call may grow the memory, which detaches earlier views: take
 * them anew for each synchronous unit of work.
 */
export function wasmChunkViews(elements: number, groups: number): WasmChunkViews | null {
  if (inPlace === undefined) inPlace = instantiate();
  const lay = inPlace && layOut(inPlace, elements, groups);
  if (!lay) return null;
  const { mem, scaleAt, zeroPointAt } = lay;
  return {
    values: new Float32Array(mem, 0, elements),
    scale: new Float64Array(mem, scaleAt, groups),
    zeroPoint: new Float64Array(mem, zeroPointAt, groups),
  };
}

/** The in-place instance when all four arrays are views of its memory, as wasmChunkViews gives them. */
function inPlaceFor(x: Float32Array, out: Float32Array, scale: Float64Array, zeroPoint: Float64Array, groups: number, g: number): FqExports | null {
  const e = inPlace;
  if (!e) return null;
  const mem = e.memory.buffer;
  return x.buffer === mem && out.buffer === mem && out.byteOffset === x.byteOffset && x.length >= groups * g
    && scale.buffer === mem && scale.length >= groups && zeroPoint.buffer === mem && zeroPoint.length >= groups ? e : null;
}

/**
 * True when this thread can run the wasm kernel: the module compiled. It does
 * not instantiate the copying instance, which apply's chunk loop never uses
 * (an instance reserves its own memory: one more to set up and free per thread).
 */
export function wasmAvailable(): boolean {
  return compile() !== null;
}

/** Which wasm kernel covers this plan, by its numerics alone (null → JS only). */
export function wasmCaseFor(plan: QuantPlan): WasmCase | null {
  if (plan.rangeLearningInit || plan.groupSize > MAX_WASM_GROUP_ELEMENTS) return null;
  // qmin/qmax must be exact float32 constants, and q exact in 16 bits (every dtype in the table is ≤ 8 bits).
  if (plan.bits > 8) return null;
  const w16 = plan.compute === "bfloat16" || plan.compute === "float16";
  if (w16 && plan.kind === "per_group" && !plan.symmetric && plan.domain === "FLOAT") {
    // tinygemm groups: float qparams, both float32 or both in the compute dtype (the legacy int4 weight-only scheme).
    const sp = plan.scalePrecision;
    return sp === plan.zeroPointPrecision && (sp === "float32" || sp === plan.compute) ? "asym_float_groups_w16" : null;
  }
  if (plan.compute === "float32" && plan.kind !== "per_token" && !plan.symmetric && plan.domain === "FLOAT") {
    // tinygemm groups computed in float32: float32 scales and zero points.
    return plan.scalePrecision === "float32" && plan.zeroPointPrecision === "float32" ? "asym_float_groups" : null;
  }
  if (plan.scalePrecision !== "float32" || plan.zeroPointPrecision !== "int32") return null;
  if (plan.compute === "bfloat16" || plan.compute === "float16") {
    // per_token is always asymmetric and INT; the FLOAT zero-point domain of groups stays in JS.
    if (plan.kind === "per_token") return "asym_tokens_w16";
    if (plan.domain !== "INT") return null;
    return plan.symmetric ? "sym_groups_w16" : "asym_groups_w16";
  }
  if (plan.compute !== "float32") return null;
  if (plan.kind === "per_token") return "asym_tokens"; // per_token is always asymmetric and INT
  if (plan.domain === "INT") return plan.symmetric ? "sym_groups" : "asym_groups";
  return null;
}

/**
 * Runs the wasm kernel when it applies and is available. Returns -1 (having
 * touched nothing) when it does not, so the caller runs the JS kernel;
 * otherwise the number of groups the kernel left untouched in `out` (their
 * input values, for the caller to run in JS: only the 16-bit kernels and
 * float32 tinygemm leave any, those whose scale or its reciprocal, or for
 * tinygemm its zero point, is not finite). `x` and `out` may
 * be the same array.
 */
export function fakeQuantizeRowsWasm(
  plan: QuantPlan,
  x: Float32Array,
  out: Float32Array,
  rowCount: number,
  scale: Float64Array,
  zeroPoint: Float64Array,
): number {
  const which = wasmCaseFor(plan);
  if (which === null) return -1;
  const c = qparamCtx(plan);
  const g = plan.groupSize;
  const groups = rowCount * plan.groupsPerRow;
  const half = plan.compute === "float16" ? 1 : 0;
  const run = (e: FqExports, ptr: number, n: number, sp: number, zp: number): number => {
    if (which === "sym_groups_w16") return e.sym_groups_w16(ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp, half);
    if (which === "asym_groups_w16") return e.asym_groups_w16(ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp, half, c.mid);
    if (which === "asym_tokens_w16") return e.asym_tokens_w16(ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp, half);
    if (which === "asym_groups") {
      e.asym_groups(ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp, c.mid);
      return 0;
    }
    if (which === "asym_float_groups") return e.asym_float_groups(ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp, c.mid, (c.qmax + c.qmin + 1) / 2);
    if (which === "asym_float_groups_w16") {
      const inW = plan.scalePrecision === plan.compute ? 1 : 0;
      return e.asym_float_groups_w16(ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp, half, c.mid, (c.qmax + c.qmin + 1) / 2, inW);
    }
    e[which](ptr, n, g, c.divisor, c.eps, c.qmin, c.qmax, sp, zp);
    return 0;
  };
  const direct = inPlaceFor(x, out, scale, zeroPoint, groups, g);
  if (direct) {
    // The data already lives in wasm memory (wasmChunkViews): run in place, no copies.
    return groups > 0 ? run(direct, x.byteOffset, groups, scale.byteOffset, zeroPoint.byteOffset) : 0;
  }
  const e = instance();
  if (e === null) return -1;
  if (groups === 0) return 0;
  const perBlock = Math.max(1, Math.min(groups, Math.floor(BLOCK_ELEMENTS / g)));
  const lay = layOut(e, perBlock * g, perBlock);
  if (!lay) return -1; // out of memory for this block size: the JS kernel needs none
  const { mem, scaleAt, zeroPointAt } = lay;
  const data = new Float32Array(mem, 0, perBlock * g);
  const sv = new Float64Array(mem, scaleAt, perBlock);
  const zv = new Float64Array(mem, zeroPointAt, perBlock);
  let left = 0;
  for (let k0 = 0; k0 < groups; k0 += perBlock) {
    const kn = Math.min(perBlock, groups - k0);
    const from = k0 * g;
    const n = kn * g;
    data.set(x.subarray(from, from + n));
    left += run(e, 0, kn, scaleAt, zeroPointAt);
    out.set(n === data.length ? data : data.subarray(0, n), from);
    scale.set(kn === perBlock ? sv : sv.subarray(0, kn), k0);
    zeroPoint.set(kn === perBlock ? zv : zv.subarray(0, kn), k0);
  }
  return left;
}

/** Host-order bytes are wasm memory's order (little-endian) on this host. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The in-place instance when `a` is a view of its memory. */
function inPlaceHolding(a: ArrayBufferView): FqExports | null {
  return inPlace && a.buffer === inPlace.memory.buffer ? inPlace : null;
}

/**
 * bfloat16 bits (`count` u16, host order, in `raw`) to float32 values in
 * dest[0..count), by wasm SIMD (~4x the JS loop, measured). In place when
 * `dest` is a view of this thread's chunk memory (wasmChunkViews): the raw
 * bytes are moved into the upper half of dest's room first unless they are
 * there already (as a reader that reads straight into it puts them); other
 * arrays go through the copying instance in L2-sized blocks. false, having
 * done nothing, when wasm cannot run here (the caller's JS loop then does it).
 */
export function widenBf16Wasm(raw: Uint8Array, count: number, dest: Float32Array): boolean {
  if (!LITTLE_ENDIAN || dest.length < count || raw.length < 2 * count) return false;
  if (count === 0) return true;
  const direct = inPlaceHolding(dest);
  if (direct) {
    const upper = dest.byteOffset + 2 * count;
    // set() copies through a clone when raw shares the buffer, so any overlap is safe.
    if (raw.buffer !== dest.buffer || raw.byteOffset !== upper) new Uint8Array(direct.memory.buffer, upper, 2 * count).set(raw.subarray(0, 2 * count));
    direct.widen_bf16(upper, dest.byteOffset, count);
    return true;
  }
  const e = compile() && instance();
  const block = Math.min(count, BLOCK_ELEMENTS);
  const lay = e && layOut(e, block, 0);
  if (!e || !lay) return false;
  const values = new Float32Array(lay.mem, 0, block);
  const bytes = new Uint8Array(lay.mem, 2 * block, 2 * block);
  for (let done = 0; done < count; done += block) {
    const k = Math.min(block, count - done);
    bytes.set(raw.subarray(2 * done, 2 * (done + k)));
    e.widen_bf16(2 * block, 0, k);
    dest.set(k === block ? values : values.subarray(0, k), done);
  }
  return true;
}

/**
 * float32 values src[0..count) to their upper halves (bfloat16 bits, host
 * order) in out[0..2·count), by wasm SIMD. In place when `out` is the bytes
 * of `src` itself in this thread's chunk memory (src is then consumed, as the
 * JS loop consumes it); otherwise src is left as it was, the values going
 * through the copying instance in blocks. false when wasm cannot run here or
 * `out` overlaps `src` any other way.
 */
export function narrowBf16Wasm(src: Float32Array, count: number, out: Uint8Array): boolean {
  if (!LITTLE_ENDIAN || src.length < count || out.length < 2 * count) return false;
  if (count === 0) return true;
  if (out.buffer === src.buffer) {
    const direct = out.byteOffset === src.byteOffset ? inPlaceHolding(src) : null;
    if (!direct) return false;
    direct.narrow_bf16(src.byteOffset, src.byteOffset, count);
    return true;
  }
  const e = compile() && instance();
  const block = Math.min(count, BLOCK_ELEMENTS);
  const lay = e && layOut(e, block, 0);
  if (!e || !lay) return false;
  const values = new Float32Array(lay.mem, 0, block);
  const bytes = new Uint8Array(lay.mem, 0, 2 * block);
  for (let done = 0; done < count; done += block) {
    const k = Math.min(block, count - done);
    values.set(src.subarray(done, done + k));
    e.narrow_bf16(0, 0, k);
    out.set(k === block ? bytes : bytes.subarray(0, 2 * k), 2 * done);
  }
  return true;
}

/**
 * Whether fakeQuantizeRaw16Wasm takes this plan: sym_groups_w16's numerics,
 * groups of whole 8-value vectors, a little-endian host.
 */
export function raw16Applies(plan: QuantPlan): boolean {
  return LITTLE_ENDIAN && wasmCaseFor(plan) === "sym_groups_w16" && plan.groupSize % 8 === 0;
}

/**
 * sym_groups_w16 fused with the widening and narrowing: `raw` holds
 * rowCount × rowLength bfloat16 (plan.compute "bfloat16") or float16
 * ("float16") values, little-endian, in this thread's chunk memory (a view of
 * wasmChunkViews' buffer, as are scale and zeroPoint); they are
 * fake-quantized in place and stay 16-bit (no float32 copy). Returns -1,
 * having touched nothing, when the plan or the arrays do not fit
 * (raw16Applies, same memory); else how many groups it left untouched, raw,
 * for the caller to run in JS (a non-finite input, scale or reciprocal).
 */
export function fakeQuantizeRaw16Wasm(plan: QuantPlan, raw: Uint8Array, rowCount: number, scale: Float64Array, zeroPoint: Float64Array): number {
  const e = inPlace;
  const groups = rowCount * plan.groupsPerRow;
  const g = plan.groupSize;
  if (!e || !raw16Applies(plan)) return -1;
  const mem = e.memory.buffer;
  if (raw.buffer !== mem || raw.length < 2 * groups * g || scale.buffer !== mem || scale.length < groups
    || zeroPoint.buffer !== mem || zeroPoint.length < groups) return -1;
  if (groups === 0) return 0;
  const c = qparamCtx(plan);
  return e.sym_groups_io16(raw.byteOffset, groups, g, c.divisor, c.eps, c.qmin, c.qmax, scale.byteOffset, zeroPoint.byteOffset,
    plan.compute === "float16" ? 1 : 0);
}

/**
 * Elements per block of the report statistics below. Block sums are added in
 * block order on every path (arrays in the chunk memory, or copied through
 * the copying instance), so a chunk's sums have the same bits either way.
 */
const STATS_BLOCK = BLOCK_ELEMENTS;

/** The copying instance with room for two blocks of statistics input; null when wasm cannot run here. */
function statsCopier(): { e: FqExports; mem: ArrayBuffer } | null {
  const e = compile() && instance();
  const lay = e && layOut(e, 2 * STATS_BLOCK, 0);
  return e && lay ? { e, mem: lay.mem } : null;
}

/**
 * Σx² in float64 of x[0..n), by wasm SIMD (in place when x is a view of this
 * thread's chunk memory, else copied through in blocks); null when wasm
 * cannot run here. Not finite when some x is NaN or ±inf.
 */
export function sumSquaresWasm(x: Float32Array, n: number): number | null {
  if (n > x.length) return null;
  let sum = 0;
  const direct = inPlaceHolding(x);
  if (direct) {
    for (let k = 0; k < n; k += STATS_BLOCK) sum += direct.sum_squares(x.byteOffset + 4 * k, Math.min(STATS_BLOCK, n - k));
    return sum;
  }
  const copier = statsCopier();
  if (!copier) return null;
  const block = new Float32Array(copier.mem, 0, STATS_BLOCK);
  for (let k = 0; k < n; k += STATS_BLOCK) {
    const m = Math.min(STATS_BLOCK, n - k);
    block.set(x.subarray(k, k + m));
    sum += copier.e.sum_squares(0, m);
  }
  return sum;
}

/** What errorStatsWasm returns. */
export interface WasmErrorStats {
  /** Σ(x − y)², each difference taken in float64; not finite when some x or y is NaN or ±inf. */
  sumE2: number;
  maxAbsError: number;
  /** Elements with y = 0 and x ≠ 0. */
  zeroed: number;
}

/**
 * The error sums of y against x over [0..n), by wasm SIMD: in place when both
 * are views of this thread's chunk memory, else copied through in blocks.
 * null when wasm cannot run here.
 */
export function errorStatsWasm(x: Float32Array, y: Float32Array, n: number): WasmErrorStats | null {
  if (n > x.length || n > y.length) return null;
  const r: WasmErrorStats = { sumE2: 0, maxAbsError: 0, zeroed: 0 };
  const add = (e: FqExports, xp: number, yp: number, m: number): void => {
    r.sumE2 += e.err_stats(xp, yp, m);
    r.maxAbsError = Math.max(r.maxAbsError, e.stats_max.value);
    r.zeroed += e.stats_zeroed.value;
  };
  const direct = inPlaceHolding(x);
  if (direct && y.buffer === x.buffer) {
    for (let k = 0; k < n; k += STATS_BLOCK) add(direct, x.byteOffset + 4 * k, y.byteOffset + 4 * k, Math.min(STATS_BLOCK, n - k));
    return r;
  }
  const copier = statsCopier();
  if (!copier) return null;
  const xb = new Float32Array(copier.mem, 0, STATS_BLOCK);
  const yb = new Float32Array(copier.mem, 4 * STATS_BLOCK, STATS_BLOCK);
  for (let k = 0; k < n; k += STATS_BLOCK) {
    const m = Math.min(STATS_BLOCK, n - k);
    xb.set(x.subarray(k, k + m));
    yb.set(y.subarray(k, k + m));
    add(copier.e, 0, 4 * STATS_BLOCK, m);
  }
  return r;
}

/**
 * widenBf16Wasm in place and sumSquaresWasm of the values it writes, in one
 * pass (the same bits as the two calls): `raw` must be the upper half of
 * dest's room in this thread's chunk memory, where a reader put them (as
 * widenBf16Wasm's in-place path places them). null, having done nothing,
 * otherwise.
 */
export function widenBf16SumSquaresWasm(raw: Uint8Array, count: number, dest: Float32Array): number | null {
  const direct = inPlaceHolding(dest);
  if (!LITTLE_ENDIAN || !direct || dest.length < count || raw.buffer !== dest.buffer || raw.byteOffset !== dest.byteOffset + 2 * count) return null;
  let sum = 0;
  for (let k = 0; k < count; k += STATS_BLOCK) {
    sum += direct.widen_bf16_sum_squares(raw.byteOffset + 2 * k, dest.byteOffset + 4 * k, Math.min(STATS_BLOCK, count - k));
  }
  return sum;
}
