/**
 * `--qparams-out`: one safetensors file holding the scale and zero point of
 * every fake-quantized tensor, named `<tensor>.scale` and
 * `<tensor>.zero_point`, in the checkpoint's order. Every size is known
 * before any value is computed, so the header is written first and the
 * threads write their chunks' qparams at their positions, like the values.
 * Dtypes are the config's scale/zero-point precisions (bfloat16 as BF16:
 * safetensors has it, unlike .npy). Written atomically (temp + rename).
 */
import { AtomicFile, type AtomicOptions } from "../npy/atomic.js";
import type { ScalePrecision, ZeroPointPrecision } from "../config/types.js";
import { ITEM_BYTES, type OutputDtype, type TensorOutput } from "./tensor-io.js";

const SAFETENSORS_DTYPE: Record<ScalePrecision | ZeroPointPrecision, OutputDtype> = {
  float32: "F32", bfloat16: "BF16", float16: "F16", float64: "F64",
  int32: "I32", int8: "I8", int16: "I16", int64: "I64", uint8: "U8",
};

export function qparamTensorDtype(precision: ScalePrecision | ZeroPointPrecision): OutputDtype {
  const d = SAFETENSORS_DTYPE[precision];
  if (!d) throw new RangeError(`no safetensors dtype for ${precision}`);
  return d;
}

export interface QparamsEntry {
  /** The fake-quantized tensor's name. */
  tensor: string;
  shape: readonly number[];
  scalePrecision: ScalePrecision;
  zeroPointPrecision: ZeroPointPrecision;
}

/** A TensorOutput's fields but the descriptor's and the path's: one per tensor, as flat arrays. */
interface Layout {
  scaleAt: Float64Array;
  zeroPointAt: Float64Array;
  scale: OutputDtype[];
  zeroPoint: OutputDtype[];
}

/** Characters of header text written at once. */
const HEADER_PIECE = 1 << 20;

export class QparamsFile {
  readonly path: string;
  readonly #file: AtomicFile;
  readonly #index: ReadonlyMap<string, number>;
  readonly #layout: Layout;
  /** Where the data starts (after the length field and the header). */
  readonly #base: number;

  private constructor(path: string, file: AtomicFile, index: Map<string, number>, layout: Layout, base: number) {
    this.path = path;
    this.#file = file;
    this.#index = index;
    this.#layout = layout;
    this.#base = base;
  }

  /** Where a tensor's scale and zero point go (by tensor name), or undefined for a tensor not listed. Made on each call. */
  target(tensor: string): { scale: TensorOutput; zeroPoint: TensorOutput } | undefined {
    const i = this.#index.get(tensor);
    if (i === undefined) return undefined;
    const l = this.#layout;
    const fd = this.#file.fd;
    return {
      scale: { file: this.path, fd, dataOffset: this.#base + l.scaleAt[i], dtype: l.scale[i], byteOrder: "little" },
      zeroPoint: { file: this.path, fd, dataOffset: this.#base + l.zeroPointAt[i], dtype: l.zeroPoint[i], byteOrder: "little" },
    };
  }

  /** Create the temp file with the whole header; data is written by the threads, then commit(). */
  static create(path: string, entries: readonly QparamsEntry[], opts: AtomicOptions = {}): QparamsFile {
    // The header's JSON member by member (the text JSON.stringify gives for the object: an object of 600,000 keys, for
    // 300,000 tensors, took 2.6 s to build and stringify), made twice: once to measure it, once to write it ~1 MiB at a
    // time, so that neither its members nor the whole text (~60 MB each for 300,000 tensors) are held at once.
    const n = entries.length;
    const layout: Layout = { scaleAt: new Float64Array(n), zeroPointAt: new Float64Array(n), scale: new Array(n), zeroPoint: new Array(n) };
    const index = new Map<string, number>();
    let offset = 0;
    entries.forEach((e, i) => {
      const count = e.shape.reduce((a, b) => a * b, 1);
      layout.scale[i] = qparamTensorDtype(e.scalePrecision);
      layout.zeroPoint[i] = qparamTensorDtype(e.zeroPointPrecision);
      layout.scaleAt[i] = offset;
      offset += count * ITEM_BYTES[layout.scale[i]];
      layout.zeroPointAt[i] = offset;
      offset += count * ITEM_BYTES[layout.zeroPoint[i]];
      index.set(e.tensor, i);
    });
    const pieces = function* (): Generator<string> {
      yield '{"__metadata__":{"format":"pt"}';
      for (let i = 0; i < n; i++) {
        const e = entries[i];
        const shape = JSON.stringify(e.shape);
        const scaleEnd = layout.zeroPointAt[i];
        const end = i + 1 < n ? layout.scaleAt[i + 1] : offset;
        yield `,${JSON.stringify(`${e.tensor}.scale`)}:{"dtype":"${layout.scale[i]}","shape":${shape},"data_offsets":[${layout.scaleAt[i]},${scaleEnd}]}`;
        yield `,${JSON.stringify(`${e.tensor}.zero_point`)}:{"dtype":"${layout.zeroPoint[i]}","shape":${shape},"data_offsets":[${scaleEnd},${end}]}`;
      }
      yield "}";
    };
    let length = 0;
    for (const piece of pieces()) length += Buffer.byteLength(piece, "utf8");
    // safetensors pads the header with spaces so that the data starts 8-byte aligned.
    const padding = (8 - (length % 8)) % 8;
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(length + padding));
    const file = AtomicFile.create(path, opts);
    try {
      file.write(prefix);
      let text = "";
      for (const piece of pieces()) {
        text += piece;
        if (text.length >= HEADER_PIECE) {
          file.write(Buffer.from(text, "utf8"));
          text = "";
        }
      }
      file.write(Buffer.from(text + " ".repeat(padding), "utf8"));
      const base = 8 + length + padding;
      if (offset > 0) file.writeAt(new Uint8Array(1), base + offset - 1); // the full size now: a short file is never committed
      return new QparamsFile(path, file, index, layout, base);
    } catch (err) {
      file.abort();
      throw err;
    }
  }

  /** Everything but the rename (AtomicFile.prepare), so that it commits together with the checkpoint. */
  prepare(): void {
    this.#file.prepare();
  }

  commit(): void {
    this.#file.commit();
  }

  abort(): void {
    this.#file.abort();
  }
}
