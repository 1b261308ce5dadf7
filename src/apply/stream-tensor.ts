/**
 * One tensor on the main thread, in order: for a deflated .npz member (its
 * bytes can only be inflated from the start) or an output that can only be
 * appended to. Bytes arrive in pieces, are gathered into chunks of whole
 * rows, fake-quantized and passed on; memory stays at one chunk. A
 * fake-quantized tensor stored in Fortran order (read positionally from
 * `fd`: a deflated member is inflated into a spill file first) has its
 * chunks' rows gathered in C order by the .npy row reader instead.
 */
import { laidOutInFortranOrder } from "../npy/fortran.js";
import { readFully, writeFully } from "../npy/positional.js";
import { type FloatTensorDtype, ITEM_SIZE } from "../checkpoint/tensor-values.js";
import type { Checkpoint, CheckpointTensor, TensorSink } from "../checkpoint/types.js";
import type { KernelChoice } from "../quant/kernel.js";
import type { QuantPlan } from "../quant/plan.js";
import { SLOTS } from "../report/stats.js";
import { fakeQuantizeBytes, fakeQuantizeValues } from "./quantize-bytes.js";
import { rowReaderFor, valueWriterFor, type TensorOutput } from "./tensor-io.js";

export interface StreamOptions {
  kernel: KernelChoice;
  chunkElements: number;
  copyChunkBytes: number;
  scaleOut?: TensorOutput;
  zeroPointOut?: TensorOutput;
  /** The output, named in messages. */
  output: string;
  /** The input's descriptor when its bytes are stored at t.dataOffset (else they come from checkpoint.stream). */
  fd?: number;
  /** `apply --report`: per-chunk error statistics, as QuantItem.stats. */
  stats?: { partials: Float64Array; firstSlot: number };
  /**
   * Awaited after every chunk: lets the host's event loop run (a deflated member can take seconds) and
   * throws to stop the tensor (an abort).
   */
  between?: () => Promise<void>;
}

/** Writes `t` (fake-quantized when `plan` is given, else copied) to `sink` and ends it; resolves to the chunks processed. */
export async function streamTensor(
  checkpoint: Checkpoint, t: CheckpointTensor, sink: TensorSink, plan: QuantPlan | null, opts: StreamOptions,
): Promise<number> {
  let written = 0;
  const put = (bytes: Uint8Array) => {
    if (sink.positional) writeFully(sink.positional.fd, bytes, sink.positional.dataOffset + written, sink.positional.file ?? opts.output);
    else sink.write(bytes);
    written += bytes.length;
  };
  if (plan && opts.fd !== undefined && t.dataOffset !== null && laidOutInFortranOrder(t)) {
    const chunks = await quantizeFortranRows(t, opts.fd, t.dataOffset, plan, put, opts);
    sink.end(sink.positional ? written : undefined);
    return chunks;
  }
  const pieceBytes = plan ? Math.max(1, plan.rowLength) * ITEM_SIZE[t.dtype as FloatTensorDtype] * rowsPerChunk(plan, opts) : opts.copyChunkBytes;
  const pieces = opts.fd !== undefined && t.dataOffset !== null
    ? readPieces(opts.fd, t, t.dataOffset, Math.min(pieceBytes, Math.max(1, t.byteLength)))
    : checkpoint.stream(t, pieceBytes);
  let chunks = 0;
  if (!plan) {
    for (const piece of pieces) {
      put(piece);
      chunks++;
      await opts.between?.();
    }
  } else {
    chunks = await quantizePieces(t, plan, pieces, put, opts);
  }
  sink.end(sink.positional ? written : undefined);
  return chunks;
}

function rowsPerChunk(plan: QuantPlan, opts: StreamOptions): number {
  return Math.max(1, Math.min(plan.rows, Math.floor(opts.chunkElements / plan.rowLength)));
}

function* readPieces(fd: number, t: CheckpointTensor, dataOffset: number, size: number): Iterable<Uint8Array> {
  const buf = new Uint8Array(size);
  for (let at = 0; at < t.byteLength; at += size) {
    const piece = buf.subarray(0, Math.min(size, t.byteLength - at));
    readFully(fd, piece, dataOffset + at, t.file);
    yield piece;
  }
}

/** A tensor's chunk buffers and the step that fake-quantizes the next `count` rows of them and passes them on. */
interface ChunkQuantizer {
  /** Room for one chunk's raw bytes, and for its values. */
  raw: Uint8Array;
  values: Float32Array;
  rows: number;
  /** Fake-quantize `count` rows held in `raw` (or, `decoded`, already in `values`) and put them; returns the chunks so far. */
  process(count: number, decoded: boolean): number;
}

function chunkQuantizer(t: CheckpointTensor, plan: QuantPlan, put: (bytes: Uint8Array) => void, opts: StreamOptions): ChunkQuantizer {
  const dtype = t.dtype as FloatTensorDtype;
  const item = ITEM_SIZE[dtype];
  const rows = rowsPerChunk(plan, opts);
  const n = plan.rowLength;
  const g = plan.groupsPerRow;
  const raw = new Uint8Array(rows * n * item);
  const values = new Float32Array(rows * n);
  const scale = new Float64Array(rows * g);
  const zeroPoint = new Float64Array(rows * g);
  const scaleOut = opts.scaleOut && valueWriterFor(opts.scaleOut, rows * g);
  const zeroPointOut = opts.zeroPointOut && valueWriterFor(opts.zeroPointOut, rows * g);
  const statsX = opts.stats ? new Float32Array(rows * n) : undefined;
  let row = 0;
  let chunks = 0;
  return {
    raw, values, rows,
    process(count, decoded) {
      const bytes = raw.subarray(0, count * n * item);
      const chunk = {
        bytes, dtype, byteOrder: t.byteOrder, rows: count, plan, kernel: opts.kernel, values, scale, zeroPoint,
        stats: statsX && opts.stats ? { x: statsX, partials: opts.stats.partials, slot: (opts.stats.firstSlot + chunks) * SLOTS } : undefined,
      };
      if (decoded) fakeQuantizeValues(chunk);
      else fakeQuantizeBytes(chunk);
      scaleOut?.writeAt(row * g, scale, count * g);
      zeroPointOut?.writeAt(row * g, zeroPoint, count * g);
      put(bytes);
      row += count;
      return ++chunks;
    },
  };
}

async function quantizePieces(
  t: CheckpointTensor, plan: QuantPlan, pieces: Iterable<Uint8Array>, put: (bytes: Uint8Array) => void, opts: StreamOptions,
): Promise<number> {
  const q = chunkQuantizer(t, plan, put, opts);
  const rowBytes = plan.rowLength * ITEM_SIZE[t.dtype as FloatTensorDtype];
  let filled = 0;
  let chunks = 0;
  for (const piece of pieces) {
    let at = 0;
    while (at < piece.length) {
      const take = Math.min(q.raw.length - filled, piece.length - at);
      q.raw.set(piece.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === q.raw.length) {
        chunks = q.process(q.rows, false);
        filled = 0;
        await opts.between?.();
      }
    }
  }
  if (filled > 0) {
    // The reader checked the total size, so what is left is whole rows.
    chunks = q.process(filled / rowBytes, false);
  }
  return chunks;
}

/** A Fortran-order tensor at `dataOffset` of `fd`: each chunk's rows gathered in C order (bounded scratch), then as any chunk. */
async function quantizeFortranRows(
  t: CheckpointTensor, fd: number, dataOffset: number, plan: QuantPlan, put: (bytes: Uint8Array) => void, opts: StreamOptions,
): Promise<number> {
  const q = chunkQuantizer(t, plan, put, opts);
  const reader = rowReaderFor({
    file: t.file, fd, dataOffset, dtype: t.dtype as FloatTensorDtype, byteOrder: t.byteOrder, shape: t.shape, fortranOrder: true,
  });
  let chunks = 0;
  try {
    for (let row = 0; row < plan.rows; row += q.rows) {
      const count = Math.min(q.rows, plan.rows - row);
      reader.readRows(row, count, q.values.subarray(0, count * plan.rowLength));
      chunks = q.process(count, true);
      await opts.between?.();
    }
  } finally {
    reader.close();
  }
  return chunks;
}
