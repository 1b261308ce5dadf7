/** Build safetensors files and sharded checkpoints from a JS description, as the safetensors library lays them out. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DTYPE_BITS } from "../../src/checkpoint/dtypes.js";
import type { TensorDtype } from "../../src/checkpoint/types.js";

export interface TensorSpec {
  name: string;
  dtype: TensorDtype;
  shape: number[];
  /** Raw bytes; default: deterministic bytes of the right length. */
  data?: Uint8Array;
}

export function byteLengthOf(dtype: TensorDtype, shape: readonly number[]): number {
  return (shape.reduce((a, b) => a * b, 1) * DTYPE_BITS[dtype]) / 8;
}

/** Deterministic bytes (a small LCG), different per seed. */
export function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The header JSON text safetensors would write (metadata first, tensors in the given order, consecutive offsets). */
export function headerText(tensors: readonly TensorSpec[], metadata?: Record<string, string>): string {
  let at = 0;
  const parts: string[] = [];
  if (metadata) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  for (const t of tensors) {
    const n = byteLengthOf(t.dtype, t.shape);
    parts.push(`${JSON.stringify(t.name)}:${JSON.stringify({ dtype: t.dtype, shape: t.shape, data_offsets: [at, at + n] })}`);
    at += n;
  }
  return `{${parts.join(",")}}`;
}

/** A whole file from raw header text and data; the header is padded with spaces to a multiple of 8 unless `pad` is false. */
export function rawSafetensors(text: string, data: Uint8Array, opts: { pad?: boolean; declaredLength?: bigint } = {}): Uint8Array {
  let header = Buffer.from(text, "utf8");
  if (opts.pad !== false && header.length % 8 !== 0) header = Buffer.concat([header, Buffer.alloc(8 - (header.length % 8), 0x20)]);
  const out = new Uint8Array(8 + header.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.declaredLength ?? BigInt(header.length), true);
  out.set(header, 8);
  out.set(data, 8 + header.length);
  return out;
}

export function tensorData(tensors: readonly TensorSpec[]): Uint8Array {
  const parts = tensors.map((t, i) => t.data ?? patternBytes(byteLengthOf(t.dtype, t.shape), i + 1));
  return Buffer.concat(parts);
}

/** A valid safetensors file. */
export function safetensorsBytes(tensors: readonly TensorSpec[], metadata?: Record<string, string>): Uint8Array {
  return rawSafetensors(headerText(tensors, metadata), tensorData(tensors));
}

export interface ShardSpec { file: string; tensors: TensorSpec[]; metadata?: Record<string, string> }

/** Write shards and a model.safetensors.index.json (weight_map sorted by name, as transformers writes it); returns the index path. */
export function writeSharded(dir: string, shards: readonly ShardSpec[], opts: { indexName?: string; weightMap?: Record<string, string>; indexText?: string } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (const s of shards) {
    fs.writeFileSync(path.join(dir, s.file), safetensorsBytes(s.tensors, s.metadata ?? { format: "pt" }));
    for (const t of s.tensors) {
      weightMap[t.name] = s.file;
      total += byteLengthOf(t.dtype, t.shape);
    }
  }
  const sorted = Object.fromEntries(Object.entries(opts.weightMap ?? weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const indexPath = path.join(dir, opts.indexName ?? "model.safetensors.index.json");
  fs.writeFileSync(indexPath, opts.indexText ?? `${JSON.stringify({ metadata: { total_size: total }, weight_map: sorted }, null, 2)}\n`);
  return indexPath;
}

export function tempDir(prefix = "fqc-ckpt-"): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, file: (n) => path.join(dir, n), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Concatenate every piece a stream yields (copying: pieces share one buffer). */
export function collect(pieces: Iterable<Uint8Array>): Uint8Array {
  const out: number[] = [];
  for (const p of pieces) out.push(...p);
  return Uint8Array.from(out);
}
