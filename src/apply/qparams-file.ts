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

export class QparamsFile {
  readonly path: string;
  readonly #file: AtomicFile;
  /** Where each tensor's scale and zero point go (by tensor name). */
  readonly targets: ReadonlyMap<string, { scale: TensorOutput; zeroPoint: TensorOutput }>;

  private constructor(path: string, file: AtomicFile, targets: Map<string, { scale: TensorOutput; zeroPoint: TensorOutput }>) {
    this.path = path;
    this.#file = file;
    this.targets = targets;
  }

  /** Create the temp file with the whole header; data is written by the threads, then commit(). */
  static create(path: string, entries: readonly QparamsEntry[], opts: AtomicOptions = {}): QparamsFile {
    // The header's JSON member by member (the text JSON.stringify gives for the object): an object of
    // 600,000 keys (300,000 tensors) took 2.6 s to build and stringify.
    const members = ['"__metadata__":{"format":"pt"}'];
    const layout: Array<{ tensor: string; scaleAt: number; zeroPointAt: number; scale: OutputDtype; zeroPoint: OutputDtype }> = [];
    let offset = 0;
    for (const e of entries) {
      const count = e.shape.reduce((a, b) => a * b, 1);
      const scale = qparamTensorDtype(e.scalePrecision);
      const zeroPoint = qparamTensorDtype(e.zeroPointPrecision);
      const scaleBytes = count * ITEM_BYTES[scale];
      const zpBytes = count * ITEM_BYTES[zeroPoint];
      const shape = JSON.stringify(e.shape);
      members.push(`${JSON.stringify(`${e.tensor}.scale`)}:{"dtype":"${scale}","shape":${shape},"data_offsets":[${offset},${offset + scaleBytes}]}`);
      members.push(`${JSON.stringify(`${e.tensor}.zero_point`)}:{"dtype":"${zeroPoint}","shape":${shape},"data_offsets":[${offset + scaleBytes},${offset + scaleBytes + zpBytes}]}`);
      layout.push({ tensor: e.tensor, scaleAt: offset, zeroPointAt: offset + scaleBytes, scale, zeroPoint });
      offset += scaleBytes + zpBytes;
    }
    let json = `{${members.join(",")}}`;
    // safetensors pads the header with spaces so that the data starts 8-byte aligned.
    json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
    const headerBytes = Buffer.from(json, "utf8");
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(headerBytes.length));
    const file = AtomicFile.create(path, opts);
    file.write(prefix);
    file.write(headerBytes);
    const base = 8 + headerBytes.length;
    if (offset > 0) file.writeAt(new Uint8Array(1), base + offset - 1); // the full size now: a short file is never committed
    const targets = new Map<string, { scale: TensorOutput; zeroPoint: TensorOutput }>();
    for (const l of layout) {
      targets.set(l.tensor, {
        scale: { file: path, fd: file.fd, dataOffset: base + l.scaleAt, dtype: l.scale, byteOrder: "little" },
        zeroPoint: { file: path, fd: file.fd, dataOffset: base + l.zeroPointAt, dtype: l.zeroPoint, byteOrder: "little" },
      });
    }
    return new QparamsFile(path, file, targets);
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
