/**
 * Spans: small tensors stored back to back are read, fake-quantized and
 * written together, one chunk for many tensors. Every output byte, every
 * qparam and every `--report` statistic must be what a chunk per tensor gives
 * (the path the conformance tests hold to torchao's bits), whatever the
 * alignment of the tensors, the thread count or the number of tasks.
 */
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint, runCheckpointWithStats, type CheckpointStatsRunResult } from "../../src/apply/checkpoint-run.js";
import { normalize } from "../../src/config/normalize.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import type { KernelChoice } from "../../src/quant/kernel.js";
import { tempDir } from "../helpers/cli.js";
import { testWriter, writeSafetensors, type RawTensor } from "../helpers/test-checkpoint.js";
import type { CheckpointWriter } from "../../src/checkpoint/types.js";
import { safetensorsBytes, writeSharded } from "../checkpoint/helpers.js";
import { halfBits } from "../helpers/safetensors.js";
import { craftZip, decodeValues, readTensor } from "../checkpoint/npz-helpers.js";
import { encodeNpyHeader } from "../../src/npy/header.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const int4 = normalize({ dtype: "int4", group_size: 32 });
const int8pc = normalize({ dtype: "int8", granularity: "per_channel" });
const uint4asym = normalize({ dtype: "uint4", group_size: 16, is_symmetric: false });

function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return ((s / 2 ** 32) - 0.5) * 0.3;
  });
}

/**
 * `count` small tensors of every float dtype, with odd-length byte tensors
 * between them so that later float tensors start at unaligned offsets, and
 * the config each gets (null: copied).
 */
function smallModel(count: number): { tensors: RawTensor[]; configs: Array<CanonicalConfig | null> } {
  const tensors: RawTensor[] = [];
  const configs: Array<CanonicalConfig | null> = [];
  for (let i = 0; i < count; i++) {
    const rows = 1 + (i % 3);
    const v = values(rows * 32, i + 1);
    switch (i % 5) {
      case 0:
        tensors.push({ name: `l.${i}.f32`, dtype: "F32", shape: [rows, 32], data: new Uint8Array(v.buffer) });
        configs.push(int4);
        break;
      case 1:
        tensors.push({ name: `l.${i}.bf16`, dtype: "BF16", shape: [rows, 32], data: new Uint8Array(Uint16Array.from(new Uint32Array(v.buffer), (u) => u >>> 16).buffer) });
        configs.push(i % 2 ? int8pc : uint4asym);
        break;
      case 2:
        tensors.push({ name: `l.${i}.f16`, dtype: "F16", shape: [rows, 32], data: new Uint8Array(Uint16Array.from(v, (x, k) => 0x2000 + ((k * 37 + i) % 0x3000) + (x < 0 ? 0x8000 : 0)).buffer) });
        configs.push(uint4asym);
        break;
      case 3:
        tensors.push({ name: `l.${i}.odd`, dtype: "U8", shape: [1 + (i % 4)], data: Uint8Array.from({ length: 1 + (i % 4) }, (_, k) => k * 31 + i) });
        configs.push(null);
        break;
      default:
        tensors.push({ name: `l.${i}.kept`, dtype: "F32", shape: [rows, 32], data: new Uint8Array(v.buffer) });
        configs.push(null);
    }
  }
  return { tensors, configs };
}

let n = 0;
async function run(tensors: RawTensor[], configs: Array<CanonicalConfig | null>, opts: { threads: number; copyChunkBytes: number; stats?: boolean; input?: string; kernel?: KernelChoice }) {
  const tag = `s${n++}`;
  const input = opts.input ?? tmp.path(`${tag}.safetensors`);
  if (!opts.input) writeSafetensors(input, tensors);
  const output = tmp.path(`${tag}.out.safetensors`);
  const qparams = tmp.path(`${tag}.qp.safetensors`);
  const ckpt = openCheckpoint(input);
  let result: CheckpointStatsRunResult;
  try {
    result = await runCheckpointWithStats(ckpt, configs, () => createCheckpointWriter(ckpt, output, {}), {
      output, threads: opts.threads, copyChunkBytes: opts.copyChunkBytes, qparamsOut: opts.stats ? undefined : qparams, stats: opts.stats, kernel: opts.kernel,
    });
  } finally {
    ckpt.close();
  }
  return { input, result, out: readFileSync(output), qp: opts.stats ? undefined : readFileSync(qparams) };
}

describe("spans of small tensors", () => {
  it("give the bytes and qparams of a chunk per tensor, unaligned tensors included, on any thread count", async () => {
    const { tensors, configs } = smallModel(120);
    // copyChunkBytes 1: no tensor is small enough to share a chunk (the reference).
    const ref = await run(tensors, configs, { threads: 1, copyChunkBytes: 1 });
    expect(ref.result.chunks).toBeGreaterThan(tensors.length);
    for (const threads of [1, 2, 3]) {
      for (const copyChunkBytes of [700, 4096, 4 << 20]) {
        const r = await run(tensors, configs, { threads, copyChunkBytes, input: ref.input });
        expect(r.out.equals(ref.out), `${threads} threads, spans of ${copyChunkBytes} bytes`).toBe(true);
        expect(r.qp!.equals(ref.qp!)).toBe(true);
        expect(r.result.tensors).toEqual(ref.result.tensors);
        // Coalesced: far fewer chunks than tensors.
        expect(r.result.chunks).toBeLessThanOrEqual(Math.ceil(ref.out.length / Math.min(copyChunkBytes, 700)) + 2);
      }
    }
    // The JS kernel (--kernel js) inside spans: the same bits.
    const js = await run(tensors, configs, { threads: 2, copyChunkBytes: 4 << 20, input: ref.input, kernel: "js" });
    expect(js.out.equals(ref.out)).toBe(true);
    expect(js.qp!.equals(ref.qp!)).toBe(true);
    // Some float tensors do start at offsets that are not a multiple of their item size.
    const header = Number(new DataView(ref.out.buffer, ref.out.byteOffset).getBigUint64(0, true)) + 8;
    let at = header;
    const starts = tensors.map((t) => { const s = at; at += t.data.length; return [t.dtype, s] as const; });
    expect(starts.some(([d, s]) => d === "F32" && s % 4 !== 0)).toBe(true);
    expect(starts.some(([d, s]) => d !== "F32" && d !== "U8" && s % 2 !== 0)).toBe(true);
  });

  it("give `apply --report`'s statistics of a chunk per tensor", async () => {
    const { tensors, configs } = smallModel(40);
    const ref = await run(tensors, configs, { threads: 1, copyChunkBytes: 1, stats: true });
    const r = await run(tensors, configs, { threads: 2, copyChunkBytes: 4 << 20, stats: true, input: ref.input });
    expect(r.out.equals(ref.out)).toBe(true);
    expect(r.result.stats!.map((s) => (s ? [...s] : null))).toEqual(ref.result.stats!.map((s) => (s ? [...s] : null)));
    expect(r.result.stats!.filter((s) => s !== null).length).toBe(configs.filter((c) => c !== null).length);
  });

  it("stay exact over several tasks (more tensors than one task gathers)", async () => {
    const { tensors, configs } = smallModel(2600);
    const ref = await run(tensors, configs, { threads: 1, copyChunkBytes: 1 });
    const r = await run(tensors, configs, { threads: 2, copyChunkBytes: 4 << 20, input: ref.input });
    expect(r.out.equals(ref.out)).toBe(true);
    expect(r.qp!.equals(ref.qp!)).toBe(true);
    expect(r.result.chunks).toBeLessThan(20);
  });
});

describe("big-endian .npz members", () => {
  /** An .npy of `values` as `descr` (<f4, >f4, <f2, >f2). */
  function npy(descr: string, values: Float32Array, shape: number[]): Uint8Array {
    const header = encodeNpyHeader({ descr, shape });
    const size = descr.endsWith("4") ? 4 : 2;
    const body = new Uint8Array(values.length * size);
    const view = new DataView(body.buffer);
    const little = descr.startsWith("<");
    values.forEach((v, i) => (size === 4 ? view.setFloat32(i * 4, v, little) : view.setUint16(i * 2, halfBits(v), little)));
    const out = new Uint8Array(header.length + body.length);
    out.set(header);
    out.set(body, header.length);
    return out;
  }

  it("are fake-quantized as their little-endian twins are, stay big-endian, whether read in spans, chunks or streamed", async () => {
    const v = values(3 * 64, 7);
    const members = ["<f4", ">f4", "<f2", ">f2"].map((descr, i) => ({ descr, name: `m${i}.npy` }));
    for (const method of [0, 8] as const) {
      for (const copyChunkBytes of [1, 4 << 20]) {
        const input = tmp.path(`be-${method}-${copyChunkBytes}.npz`);
        const output = tmp.path(`be-${method}-${copyChunkBytes}.out.npz`);
        writeFileSync(input, craftZip(members.map((m) => ({ name: m.name, payload: npy(m.descr, v, [3, 64]), method }))));
        const ckpt = openCheckpoint(input);
        try {
          expect(ckpt.tensors.map((t) => t.byteOrder)).toEqual(["little", "big", "little", "big"]);
          await runCheckpoint(ckpt, members.map(() => uint4asym), () => createCheckpointWriter(ckpt, output), { output, threads: 2, copyChunkBytes });
        } finally {
          ckpt.close();
        }
        const out = openCheckpoint(output);
        try {
          const got = out.tensors.map((t) => decodeValues(readTensor(out, t, 1 << 20), members[t.index].descr));
          expect(out.tensors.map((t) => t.byteOrder)).toEqual(["little", "big", "little", "big"]);
          expect(got[1]).toEqual(got[0]);
          expect(got[3]).toEqual(got[2]);
          // Fake-quantized indeed: few distinct values per group of 16.
          expect(new Set(got[0].slice(0, 16)).size).toBeLessThanOrEqual(16);
          expect(got[0]).not.toEqual(Array.from(v));
        } finally {
          out.close();
        }
      }
    }
  });
});

describe("spans join only tensors that follow on in one file, in the input and in the output", () => {
  const a = { name: "a.weight", dtype: "F32" as const, shape: [1, 32], data: new Uint8Array(values(32, 1).buffer) };
  const b = { name: "b.weight", dtype: "F32" as const, shape: [1, 32], data: new Uint8Array(values(32, 2).buffer) };

  it("input shards whose offsets line up (a ends in shard 1 where b starts in shard 2) are read each from its own file", async () => {
    // Shard 2's header is longer by a's length, padded through its metadata.
    const headerEnd = (tensors: RawTensor[], metadata: Record<string, string>) => safetensorsBytes(tensors, metadata).length - tensors.reduce((n, t) => n + t.data.length, 0);
    const pad = Array.from({ length: 400 }, (_, k) => "x".repeat(k)).find((p) => headerEnd([b], { format: "pt", pad: p }) === headerEnd([a], { format: "pt" }) + a.data.length)!;
    expect(pad).toBeDefined();
    const index = writeSharded(tmp.path("aligned-shards"), [
      { file: "model-00001-of-00002.safetensors", tensors: [a] },
      { file: "model-00002-of-00002.safetensors", tensors: [b], metadata: { format: "pt", pad } },
    ]);
    const runOnce = async (name: string, copyChunkBytes: number): Promise<Buffer> => {
      const ckpt = openCheckpoint(index);
      const output = tmp.path(name);
      try {
        expect(ckpt.tensors.map((t) => [t.name, t.dataOffset])).toEqual([["a.weight", headerEnd([a], { format: "pt" })], ["b.weight", headerEnd([a], { format: "pt" }) + a.data.length]]);
        // One output file: the tensors are back to back there.
        await runCheckpoint(ckpt, [int4, null], () => testWriter(ckpt, output), { output, threads: 0, copyChunkBytes });
      } finally {
        ckpt.close();
      }
      return readFileSync(output);
    };
    const spans = await runOnce("aligned-shards.out", 4 << 20);
    expect(spans.equals(await runOnce("aligned-shards.ref", 1))).toBe(true);
    expect(spans.subarray(spans.length - b.data.length).equals(Buffer.from(b.data))).toBe(true);
  });

  it("an input with bytes between two tensors (.npz members) gives each its own bytes", async () => {
    const member = (t: RawTensor) => {
      const header = encodeNpyHeader({ descr: "<f4", shape: t.shape });
      const payload = new Uint8Array(header.length + t.data.length);
      payload.set(header);
      payload.set(t.data, header.length);
      return { name: `${t.name}.npy`, payload };
    };
    const input = tmp.path("gap-in.npz");
    writeFileSync(input, craftZip([member(a), member(b)]));
    const ckpt = openCheckpoint(input);
    const output = tmp.path("gap-in.out");
    try {
      // Into one file where they are back to back.
      await runCheckpoint(ckpt, [null, int4], () => testWriter(ckpt, output), { output, threads: 0 });
    } finally {
      ckpt.close();
    }
    const out = readFileSync(output);
    const bAt = out.length - b.data.length;
    expect(out.subarray(bAt - a.data.length, bAt).equals(Buffer.from(a.data))).toBe(true);
    const ref = await run([a, b], [null, int4], { threads: 1, copyChunkBytes: 1 });
    expect(out.subarray(bAt).equals(ref.out.subarray(ref.out.length - b.data.length))).toBe(true);
  });

  /** A writer putting tensor k at `places[k]`: a file (one of `files`) and an offset in it. */
  const placedWriter = (files: string[], places: Array<[number, number]>) => (): CheckpointWriter => {
    const fds = files.map((f) => openSync(f, "w"));
    const close = () => fds.forEach((fd) => closeSync(fd));
    return {
      path: files[0],
      begin: (t) => ({
        positional: { fd: fds[places[t.index][0]], dataOffset: places[t.index][1], file: files[places[t.index][0]] },
        write: () => { throw new Error("positional sinks only"); },
        end: () => undefined,
      }),
      commit: close,
      abort: close,
    };
  };

  it.each([
    // a at [0, 128) of file 0, b at [128, 256) of file 1: the offsets follow on, the files do not.
    ["split over two files whose offsets line up", 2, [[0, 0], [1, 128]]],
    // a at [0, 128), b at [200, 328) of one file.
    ["with bytes between the two tensors", 1, [[0, 0], [0, 200]]],
  ] as const)("an output %s gets each tensor at its place", async (_what, fileCount, places) => {
    const input = tmp.path("placed.safetensors");
    writeSafetensors(input, [a, b]);
    const files = Array.from({ length: fileCount }, (_, k) => tmp.path(`placed-${fileCount}.${k}`));
    const ckpt = openCheckpoint(input);
    try {
      await runCheckpoint(ckpt, [null, null], placedWriter(files, places.map(([f, o]) => [f, o])), { output: files[0], threads: 0 });
    } finally {
      ckpt.close();
    }
    const [[fa, oa], [fb, ob]] = places;
    expect(readFileSync(files[fa]).subarray(oa, oa + a.data.length).equals(Buffer.from(a.data))).toBe(true);
    expect(readFileSync(files[fb]).subarray(ob, ob + b.data.length).equals(Buffer.from(b.data))).toBe(true);
  });
});
