/**
 * Small safetensors files written and read by hand in tests (8-byte LE header
 * length, JSON header {name: {dtype, shape, data_offsets}}, data), and a
 * minimal Checkpoint / CheckpointWriter over them: enough to drive the apply
 * pipeline through the checkpoint interface. No hostile-input checks: tests
 * only open files they wrote.
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import type { Checkpoint, CheckpointTensor, CheckpointWriter, TensorDtype, TensorSink } from "../../src/checkpoint/types.js";

export interface RawTensor {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  data: Uint8Array;
}

const SIZE: Partial<Record<TensorDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8, I8: 1, U8: 1, I16: 2, I32: 4, I64: 8, BOOL: 1 };

export function itemSize(d: TensorDtype): number {
  const s = SIZE[d];
  if (!s) throw new Error(`no item size for ${d}`);
  return s;
}

function headerBytes(tensors: readonly { name: string; dtype: TensorDtype; shape: readonly number[]; byteLength: number }[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.byteLength] };
    off += t.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, Buffer.from(json)]);
}

export function writeSafetensors(path: string, tensors: readonly RawTensor[], metadata?: Record<string, string>): void {
  const head = headerBytes(tensors.map((t) => ({ ...t, byteLength: t.data.length })), metadata);
  writeFileSync(path, Buffer.concat([head, ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.length))]));
}

export interface ReadSafetensors {
  metadata: Record<string, string> | null;
  tensors: RawTensor[];
}

/** Tensors in data order. */
export function readSafetensors(path: string): ReadSafetensors {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: TensorDtype; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const metadata = (header.__metadata__ as unknown as Record<string, string> | undefined) ?? null;
  const tensors = Object.entries(header)
    .filter(([k]) => k !== "__metadata__")
    .sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])
    .map(([name, h]) => ({ name, dtype: h.dtype, shape: h.shape, data: new Uint8Array(buf.subarray(base + h.data_offsets[0], base + h.data_offsets[1])) }));
  return { metadata, tensors };
}

/** Options of the test checkpoint: tensors to present as deflated (no dataOffset: streamed only), or as stored big-endian. */
export interface TestCheckpointOptions {
  streamedOnly?: ReadonlySet<string>;
  bigEndian?: ReadonlySet<string>;
}

export function openTestCheckpoint(path: string, opts: TestCheckpointOptions = {}): Checkpoint {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { dtype: TensorDtype; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__").sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  const tensors: CheckpointTensor[] = entries.map(([name, h], index) => ({
    name, dtype: h.dtype, shape: h.shape, byteLength: h.data_offsets[1] - h.data_offsets[0], index, file: path,
    dataOffset: opts.streamedOnly?.has(name) ? null : base + h.data_offsets[0], byteOrder: opts.bigEndian?.has(name) ? "big" : "little", fortranOrder: false,
  }));
  const starts = new Map(entries.map(([name, h]) => [name, base + h.data_offsets[0]]));
  const fd = openSync(path, "r");
  return {
    path,
    format: "safetensors",
    tensors,
    metadata: (header.__metadata__ as unknown as Record<string, string> | undefined) ?? null,
    *stream(t, maxBytes) {
      // Odd piece sizes on purpose: consumers must not rely on pieces holding whole rows.
      const size = Math.max(1, Math.min(maxBytes, 1000));
      const piece = new Uint8Array(size);
      const start = starts.get(t.name)!;
      for (let at = 0; at < t.byteLength; at += size) {
        const k = Math.min(size, t.byteLength - at);
        readSync(fd, piece, 0, k, start + at);
        yield piece.subarray(0, k);
      }
    },
    close() {
      closeSync(fd);
    },
  };
}

export interface TestWriterOptions {
  /** Sinks without positional access: bytes go through write(), in order. */
  appendOnly?: boolean;
  /** Called on begin (tests inject failures). */
  onBegin?: (t: CheckpointTensor) => void;
}

/** A writer of the source's layout into `out` (temp file + rename), recording what happened for tests. */
export function testWriter(source: Checkpoint, out: string, opts: TestWriterOptions = {}): CheckpointWriter & { state: () => string; temp: string } {
  const head = headerBytes(source.tensors, source.metadata ?? undefined);
  const temp = `${out}.test-writer.tmp`;
  const fd = openSync(temp, "wx");
  writeSync(fd, head, 0, head.length, 0);
  let state = "open";
  let offset = head.length;
  let next = 0;
  return {
    path: out,
    temp,
    state: () => state,
    begin(t) {
      if (state !== "open") throw new Error(`begin after ${state}`);
      if (t.index !== next) throw new Error(`tensor ${t.name} begun out of order`);
      next++;
      opts.onBegin?.(t);
      const dataOffset = offset;
      offset += t.byteLength;
      let appended = 0;
      const sink: TensorSink = {
        positional: opts.appendOnly ? null : { fd, dataOffset },
        write(bytes) {
          writeSync(fd, bytes, 0, bytes.length, dataOffset + appended);
          appended += bytes.length;
        },
        end(writtenPositionally) {
          const total = appended + (writtenPositionally ?? 0);
          if (total !== t.byteLength) throw new Error(`${t.name}: ${total} bytes written of ${t.byteLength}`);
        },
      };
      return sink;
    },
    commit() {
      if (next !== source.tensors.length) throw new Error(`commit after ${next} of ${source.tensors.length} tensors`);
      closeSync(fd);
      renameSync(temp, out);
      state = "committed";
    },
    abort() {
      if (state !== "open") return;
      state = "aborted";
      closeSync(fd);
      unlinkSync(temp);
    },
  };
}

/** float32 values as BF16 bytes (the values must be exact bfloat16 values). */
export function bf16Bytes(values: ArrayLike<number>): Uint8Array {
  const f = Float32Array.from(values);
  const u = new Uint32Array(f.buffer);
  const out = new Uint16Array(f.length);
  for (let i = 0; i < f.length; i++) {
    if ((u[i] & 0xffff) !== 0) throw new Error(`value ${f[i]} at ${i} is not a bfloat16 value`);
    out[i] = u[i] >>> 16;
  }
  return new Uint8Array(out.buffer);
}

/** BF16 bytes as float32 values. */
export function fromBf16(bytes: Uint8Array): Float32Array {
  const src = new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return new Float32Array(out.buffer);
}
