/**
 * The checkpoint pipeline's behaviour through the checkpoint interface
 * (hand-written safetensors files): pass-through is byte for byte, every
 * planning problem is refused before the output is created, failures and
 * interruptions leave nothing behind, and the streamed paths (deflated
 * members, append-only outputs) give the same bytes as positional ones.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint, runCheckpointWithStats, type CheckpointStatsRunResult } from "../../src/apply/checkpoint-run.js";
import { normalize } from "../../src/config/normalize.js";
import { fakeQuantize } from "../../src/fake-quantize.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import type { CheckpointWriter } from "../../src/checkpoint/types.js";
import { openCheckpoint } from "../../src/checkpoint/open.js";
import { FqcError } from "../../src/errors.js";
import { SLOT } from "../../src/report/stats.js";
import type { KernelChoice } from "../../src/quant/kernel.js";
import { tempDir } from "../helpers/cli.js";
import { bf16Bytes, fromBf16, openTestCheckpoint, readSafetensors, testWriter, writeSafetensors, type RawTensor, type TestCheckpointOptions, type TestWriterOptions } from "../helpers/test-checkpoint.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const int4 = normalize({ dtype: "int4", group_size: 32 });
const int8pc = normalize({ dtype: "int8", granularity: "per_channel" });

/** Deterministic values that are exact bfloat16 numbers. */
function bf16Values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const v = ((s / 2 ** 32) - 0.5) * 0.2;
    const u = new Uint32Array(Float32Array.of(v).buffer)[0] & 0xffff0000;
    out[i] = new Float32Array(Uint32Array.of(u).buffer)[0];
  }
  return out;
}

function model(): RawTensor[] {
  const f32 = Float32Array.from({ length: 48 * 64 }, (_, i) => Math.sin(i) * 0.1);
  return [
    { name: "embed.weight", dtype: "BF16", shape: [40, 64], data: bf16Bytes(bf16Values(40 * 64, 1)) },
    { name: "layers.0.proj.weight", dtype: "BF16", shape: [96, 64], data: bf16Bytes(bf16Values(96 * 64, 2)) },
    { name: "layers.0.norm.weight", dtype: "F32", shape: [64], data: new Uint8Array(Float32Array.from({ length: 64 }, (_, i) => 1 + i / 100).buffer) },
    { name: "layers.0.mlp.weight", dtype: "F32", shape: [48, 64], data: new Uint8Array(f32.buffer) },
    { name: "layers.0.count", dtype: "I64", shape: [2], data: new Uint8Array(new BigInt64Array([5n, -7n]).buffer) },
    { name: "layers.0.odd", dtype: "U8", shape: [3, 5], data: Uint8Array.from({ length: 15 }, (_, i) => i * 7) },
    { name: "lm_head.weight", dtype: "F16", shape: [32, 64], data: new Uint8Array(Uint16Array.from({ length: 32 * 64 }, (_, i) => 0x2000 + (i % 4000)).buffer) },
  ];
}

let n = 0;
function setUp(tensors: RawTensor[], opts: TestCheckpointOptions = {}) {
  const tag = `m${n++}`;
  const input = tmp.path(`${tag}.safetensors`);
  writeSafetensors(input, tensors, { format: "pt", note: "kept" });
  return { input, output: tmp.path(`${tag}.out.safetensors`), qparams: tmp.path(`${tag}.qp.safetensors`), ckpt: openTestCheckpoint(input, opts) };
}

async function apply(tensors: RawTensor[], configs: Array<CanonicalConfig | null>, o: {
  threads?: number; kernel?: KernelChoice; ckpt?: TestCheckpointOptions; writer?: TestWriterOptions; signal?: AbortSignal; qparams?: boolean; onProgress?: (a: number, b: number) => void;
  /** `apply --report`'s statistics (runCheckpointWithStats). */
  stats?: boolean;
  /** Changes the writer's sinks (a library caller's own writer). */
  wrapWriter?: (w: CheckpointWriter) => CheckpointWriter;
} = {}): Promise<ReturnType<typeof setUp> & { result?: CheckpointStatsRunResult; error?: unknown; writer?: ReturnType<typeof testWriter> }> {
  const s = setUp(tensors, o.ckpt);
  let writer: ReturnType<typeof testWriter> | undefined;
  try {
    const openWriter = () => {
      writer = testWriter(s.ckpt, s.output, o.writer);
      return o.wrapWriter ? o.wrapWriter(writer) : writer;
    };
    const opts = {
      output: s.output, threads: o.threads ?? 2, kernel: o.kernel, chunkElements: 256, copyChunkBytes: 100, signal: o.signal,
      qparamsOut: o.qparams === false ? undefined : s.qparams, onProgress: o.onProgress,
    };
    const result = o.stats ? await runCheckpointWithStats(s.ckpt, configs, openWriter, { ...opts, stats: true }) : await runCheckpoint(s.ckpt, configs, openWriter, opts);
    return { ...s, result, writer };
  } catch (error) {
    return { ...s, error, writer };
  } finally {
    s.ckpt.close();
  }
}

const noTemps = () => readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"));

describe("pass-through", () => {
  it("a plan that targets nothing gives a byte-identical checkpoint", async () => {
    const t = model();
    for (const threads of [0, 2, 3]) {
      const r = await apply(t, t.map(() => null), { threads, qparams: false });
      expect(r.error).toBeUndefined();
      expect(readFileSync(r.output).equals(readFileSync(r.input))).toBe(true);
      expect(r.result!.copied).toBe(t.length);
    }
  });

  it("tensors not targeted keep their bytes while the others are fake-quantized", async () => {
    const t = model();
    const configs = t.map((x) => (x.name.endsWith("proj.weight") || x.name.endsWith("mlp.weight") ? int4 : x.name === "lm_head.weight" ? int8pc : null));
    const r = await apply(t, configs);
    expect(r.error).toBeUndefined();
    const out = readSafetensors(r.output);
    expect(out.metadata).toEqual({ format: "pt", note: "kept" });
    expect(out.tensors.map((x) => [x.name, x.dtype, x.shape])).toEqual(t.map((x) => [x.name, x.dtype, x.shape]));
    t.forEach((x, i) => {
      const same = Buffer.from(out.tensors[i].data).equals(Buffer.from(x.data));
      expect(same, x.name).toBe(configs[i] === null);
    });
    expect(r.result!.tensors.map((x) => x.action)).toEqual(configs.map((c) => (c ? "fake-quantized" : "copied")));
    expect(r.result!.tensors[1]).toMatchObject({ computeDtype: "bfloat16", qparamShape: [96, 2] });
    expect(r.result!.tensors[6]).toMatchObject({ computeDtype: "float16", qparamShape: [32, 1] });
    // A valid safetensors file by the strict reader's checks (header aligned, offsets tiling the data exactly).
    const opened = openCheckpoint(r.qparams);
    expect(opened.format).toBe("safetensors");
    expect(opened.metadata).toEqual({ format: "pt" });
    opened.close();
    expect(readSafetensors(r.qparams).tensors.map((x) => x.name)).toEqual([
      "layers.0.proj.weight.scale", "layers.0.proj.weight.zero_point", "layers.0.mlp.weight.scale", "layers.0.mlp.weight.zero_point",
      "lm_head.weight.scale", "lm_head.weight.zero_point",
    ]);
  });

  it("reports progress in bytes up to the checkpoint's total", async () => {
    const t = model();
    const seen: Array<[number, number]> = [];
    const r = await apply(t, t.map((x) => (x.dtype === "BF16" ? int4 : null)), { threads: 0, onProgress: (a, b) => seen.push([a, b]) });
    expect(r.error).toBeUndefined();
    const total = t.reduce((a, x) => a + x.data.length, 0);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[seen.length - 1]).toEqual([total, total]);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
  });
});

describe("16-bit tensors computed in their own dtype (the fused kernel on raw bytes)", () => {
  /** BF16/F16 bits with NaNs (payloads), infinities, zero groups and subnormals among plain weights. */
  function specials16(n: number, half: boolean, seed: number): Uint8Array {
    const bits = new Uint16Array(n);
    let s = seed;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const v = ((s / 2 ** 32) - 0.5) * 0.2;
      bits[i] = half ? (Math.abs(v) < 2 ** -14 ? 0 : (v < 0 ? 0x8000 : 0) | (Math.round(Math.log2(Math.abs(v)) + 15) << 10) | (s >>> 22))
        : new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16;
    }
    const nan = half ? 0x7e01 : 0x7fc1;
    const inf = half ? 0xfc00 : 0xff80;
    bits[37] = nan; bits[300] = inf; bits[777] = half ? 0x0003 : 0x0003;
    bits.fill(0, 64 * 5, 64 * 5 + 64);
    bits.fill(0x8000, 64 * 9 + 32, 64 * 9 + 64);
    return new Uint8Array(bits.buffer);
  }

  it("gives the JS kernel's bytes and qparams, NaN, infinity and zero groups included, on any thread count", async () => {
    const t: RawTensor[] = [
      { name: "a.weight", dtype: "BF16", shape: [24, 64], data: specials16(24 * 64, false, 3) },
      { name: "b.weight", dtype: "F16", shape: [24, 64], data: specials16(24 * 64, true, 5) },
      { name: "c.weight", dtype: "BF16", shape: [16, 64], data: specials16(16 * 64, false, 7) },
      { name: "d.weight", dtype: "F16", shape: [16, 48], data: specials16(16 * 48, true, 9) },
    ];
    // int4 groups of 32 and per-channel int8 take the fused kernel; groups of 12 (not whole 8-value vectors) do not.
    const configs = [int4, int4, int8pc, normalize({ dtype: "int4", group_size: 12 })];
    const want = await apply(t, configs, { threads: 0, kernel: "js" });
    expect(want.error).toBeUndefined();
    for (const threads of [0, 2]) {
      const got = await apply(t, configs, { threads });
      expect(got.error).toBeUndefined();
      expect(readFileSync(got.output).equals(readFileSync(want.output)), `threads ${threads}`).toBe(true);
      expect(readFileSync(got.qparams).equals(readFileSync(want.qparams)), `threads ${threads}`).toBe(true);
    }
    t.forEach((x, i) => expect(Buffer.from(readSafetensors(want.output).tensors[i].data).equals(Buffer.from(x.data)), x.name).toBe(false));
  });
});

describe("refusals before any output exists", () => {
  const cases: Array<[string, (t: RawTensor[]) => Array<CanonicalConfig | null>, RegExp, string]> = [
    ["a targeted integer tensor", (t) => t.map((x) => (x.name === "layers.0.count" ? int4 : null)), /tensor layers\.0\.count \(2 I64\): fqc fake-quantizes F32, F16 and BF16 tensors only/, "FORWARD"],
    ["a group size that does not divide the last dimension", (t) => t.map((x) => (x.name === "layers.0.mlp.weight" ? normalize({ dtype: "int4", group_size: 48 }) : null)), /tensor layers\.0\.mlp\.weight \(48×64 F32\): .*48/, "FORWARD"],
    ["a 1-D tensor under a per_group config", (t) => t.map((x) => (x.name === "layers.0.norm.weight" ? int4 : null)), /tensor layers\.0\.norm\.weight \(64 F32\)/, "FORWARD"],
  ];
  it.each(cases)("refuses %s, naming the checkpoint and the tensor, and creates no output", async (_what, configsOf, message, code) => {
    const t = model();
    const r = await apply(t, configsOf(t));
    expect(r.error).toBeInstanceOf(FqcError);
    expect((r.error as FqcError).code).toBe(code);
    expect((r.error as FqcError).message).toMatch(message);
    expect((r.error as FqcError).message.startsWith(r.input)).toBe(true);
    expect(r.writer).toBeUndefined();
    expect(existsSync(r.output)).toBe(false);
    expect(existsSync(r.qparams)).toBe(false);
  });

  it("refuses a big-endian bfloat16 tensor (a checkpoint not opened by openCheckpoint may present one) before any output exists", async () => {
    const t = model();
    const r = await apply(t, t.map((x) => (x.name === "layers.0.proj.weight" ? int4 : null)), { ckpt: { bigEndian: new Set(["layers.0.proj.weight", "embed.weight"]) } });
    expect(r.error).toBeInstanceOf(FqcError);
    expect(r.error).toMatchObject({ code: "NPY", file: r.input, message: `${r.input}: tensor layers.0.proj.weight (96×64 BF16): is big-endian bfloat16, which fqc does not fake-quantize` });
    expect(r.writer).toBeUndefined();
    expect(existsSync(r.output)).toBe(false);
    expect(noTemps()).toEqual([]);
  });

  it("names how many other tensors have problems", async () => {
    const t = model();
    const r = await apply(t, t.map((x) => (x.dtype === "I64" || x.dtype === "U8" ? int4 : null)));
    expect((r.error as FqcError).message).toMatch(/layers\.0\.count.*\(and 1 more tensor with problems\)/);
  });
});

describe("failures and interruptions leave nothing", () => {
  it("an interruption removes the output's and the qparams' temp files", async () => {
    const t = model();
    const abort = new AbortController();
    const r = await apply(t, t.map((x) => (x.dtype === "BF16" ? int4 : null)), { threads: 2, signal: abort.signal, onProgress: () => abort.abort() });
    expect((r.error as FqcError).code).toBe("INTERRUPTED");
    expect(r.writer!.state()).toBe("aborted");
    expect(existsSync(r.output)).toBe(false);
    expect(existsSync(r.qparams)).toBe(false);
    expect(noTemps()).toEqual([]);
  });

  it("a writer failure mid-way aborts every output", async () => {
    const t = model();
    const r = await apply(t, t.map((x) => (x.dtype === "BF16" ? int4 : null)), {
      writer: { onBegin: (x) => { if (x.name === "layers.0.odd") throw new FqcError("IO", "disk full"); } },
    });
    expect((r.error as FqcError).message).toBe("disk full");
    expect(r.writer!.state()).toBe("aborted");
    expect(existsSync(r.qparams)).toBe(false);
    expect(noTemps()).toEqual([]);
  });
});

describe("an abort while the report is made", () => {
  it("(synchronous work, no handler runs meanwhile) stops the run before any output is renamed", async () => {
    const t = model();
    const s = setUp(t);
    const report = tmp.path("aborted-report.txt");
    const abort = new AbortController();
    let writer: ReturnType<typeof testWriter> | undefined;
    let filled = false;
    const run = runCheckpointWithStats(s.ckpt, t.map((x) => (x.dtype === "BF16" ? int4 : null)), () => (writer = testWriter(s.ckpt, s.output)), {
      output: s.output, threads: 0, qparamsOut: s.qparams, signal: abort.signal,
      statsOutput: {
        path: report,
        fill: (file) => {
          file.write(Buffer.from("report\n"));
          filled = true;
          // What a signal handler does on the next turn of the event loop, done here while the report is filled.
          abort.abort();
        },
      },
    });
    await expect(run).rejects.toMatchObject({ code: "INTERRUPTED" });
    s.ckpt.close();
    expect(filled).toBe(true);
    expect(writer!.state()).toBe("aborted");
    for (const f of [s.output, s.qparams, report]) expect(existsSync(f), f).toBe(false);
    expect(noTemps()).toEqual([]);
  });
});

describe("streamed tensors", () => {
  const configsOf = (t: RawTensor[]) => t.map((x) => (x.name.endsWith(".weight") && x.shape.length === 2 ? int4 : null));

  it("tensors readable only as a stream (deflated members) give the same bytes as positional ones", async () => {
    const t = model();
    const positional = await apply(t, configsOf(t));
    const streamed = await apply(t, configsOf(t), { ckpt: { streamedOnly: new Set(["embed.weight", "layers.0.mlp.weight", "layers.0.count"]) } });
    expect(streamed.error).toBeUndefined();
    expect(readFileSync(streamed.output).equals(readFileSync(positional.output))).toBe(true);
    expect(readFileSync(streamed.qparams).equals(readFileSync(positional.qparams))).toBe(true);
  });

  it("an output that can only be appended to gets the same bytes", async () => {
    const t = model();
    const positional = await apply(t, configsOf(t));
    const appended = await apply(t, configsOf(t), { writer: { appendOnly: true } });
    expect(appended.error).toBeUndefined();
    expect(readFileSync(appended.output).equals(readFileSync(positional.output))).toBe(true);
    expect(readFileSync(appended.qparams).equals(readFileSync(positional.qparams))).toBe(true);
  });
  /**
   * A tensor's float values made non-negative and larger (×32, F16 ×128; exact in their dtype still), other dtypes as
   * they are: asymmetric groups of such values have zero points (min + scale × 8, held as int32) of 1 or more.
   */
  const magnitudes = (x: RawTensor): Uint8Array => {
    if (x.dtype === "BF16") return bf16Bytes(fromBf16(x.data).map((v) => Math.abs(v) * 32));
    if (x.dtype === "F32") return new Uint8Array(new Float32Array(x.data.slice().buffer).map((v) => Math.abs(v) * 32).buffer);
    if (x.dtype === "F16") return new Uint8Array(new Uint16Array(x.data.slice().buffer).map((h) => (h & 0x7fff) + (7 << 10)).buffer);
    return x.data;
  };

  const streamedWays: Array<[string, { ckpt?: TestCheckpointOptions; writer?: TestWriterOptions }]> = [
    ["deflated members", { ckpt: { streamedOnly: new Set(["embed.weight", "layers.0.proj.weight", "layers.0.mlp.weight", "lm_head.weight"]) } }],
    ["an append-only output", { writer: { appendOnly: true } }],
  ];

  it.each(streamedWays)("%s: asymmetric zero points and --report's statistics are the positional run's", async (_way, how) => {
    // Zero points far from 0: one written short or at the wrong place changes the qparams file.
    const asym = normalize({ dtype: "int4", group_size: 32, mapping_type: "ASYMMETRIC" });
    const t = model().map((x) => ({ ...x, data: magnitudes(x) }));
    const configs = t.map((x) => (x.name.endsWith(".weight") && x.shape.length === 2 ? asym : null));
    const positional = await apply(t, configs, { stats: true });
    const streamed = await apply(t, configs, { ...how, stats: true });
    expect(streamed.error).toBeUndefined();
    expect(readFileSync(streamed.output).equals(readFileSync(positional.output))).toBe(true);
    expect(readFileSync(streamed.qparams).equals(readFileSync(positional.qparams))).toBe(true);
    const zeroPoints = readSafetensors(streamed.qparams).tensors.filter((x) => x.name.endsWith(".zero_point"));
    expect(zeroPoints.every((x) => x.data.some((b) => b !== 0))).toBe(true);
    const stats = streamed.result!.stats!;
    expect(stats.map((x) => x !== null)).toEqual(configs.map((c) => c !== null));
    // Statistics of every element, in the slots of each tensor's own chunks (count, sums...), as the positional run has them.
    expect(stats).toEqual(positional.result!.stats);
    // Every chunk's counted: all elements of each tensor (10 chunks of 256 and more).
    stats.forEach((x, i) => x && expect(x[SLOT.COUNTED], t[i].name).toBe(t[i].shape.reduce((a, b) => a * b, 1)));
  });

  it.each(streamedWays)("%s: the chunks counted are the positional run's (whole-row chunks, copy-sized pieces)", async (_way, how) => {
    const t: RawTensor[] = [
      // 256-element chunks of 4 rows: 10 of them, the last one full.
      { name: "embed.weight", dtype: "BF16", shape: [40, 64], data: bf16Bytes(bf16Values(40 * 64, 4)) },
      // 100-byte copy chunks: 10 of them, the last one full.
      { name: "layers.0.proj.weight", dtype: "U8", shape: [1000], data: Uint8Array.from({ length: 1000 }, (_, i) => (i * 13) & 0xff) },
    ];
    const configs = [int4, null];
    const positional = await apply(t, configs);
    expect(positional.result!.chunks).toBe(20);
    const streamed = await apply(t, configs, { ...how, ckpt: how.ckpt && { streamedOnly: new Set(t.map((x) => x.name)) } });
    expect(streamed.error).toBeUndefined();
    expect(readFileSync(streamed.output).equals(readFileSync(positional.output))).toBe(true);
    expect(streamed.result!.chunks).toBe(20);
  });

  it("a failed write through a positional sink names the sink's file, else the output", async () => {
    const t = model();
    const streamedOnly = new Set(["embed.weight"]);
    const readOnly = openSync(tmp.path("read-only.bin"), "w");
    closeSync(readOnly);
    for (const file of ["shard-2.bin", undefined]) {
      const fd = openSync(tmp.path("read-only.bin"), "r");
      try {
        // A streamed tensor written positionally into a descriptor that refuses writes.
        const r = await apply(t, configsOf(t), {
          ckpt: { streamedOnly },
          wrapWriter: (w) => ({ ...w, begin: (x) => ({ ...w.begin(x), ...(streamedOnly.has(x.name) ? { positional: { fd, dataOffset: 0, file } } : {}) }) }),
        });
        expect(r.error).toBeInstanceOf(FqcError);
        expect((r.error as FqcError).message.startsWith(`${file ?? r.output}: cannot write`), (r.error as Error).message).toBe(true);
        expect(existsSync(r.output)).toBe(false);
        expect(noTemps()).toEqual([]);
      } finally {
        closeSync(fd);
      }
    }
  });
});

describe("--qparams-out in bfloat16", () => {
  it("holds every group's scale when a chunk has more groups than one narrowing block (65,536), and nothing beyond them", async () => {
    // One chunk of 65,539 groups of 8: two blocks, the second of 3 groups; then another tensor's qparams.
    const n = 8 * (65536 + 3);
    const big = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.37) * (1 + (i % 11))));
    const small = Float32Array.from({ length: 64 }, (_, i) => Math.fround(Math.cos(i)));
    const t: RawTensor[] = [
      { name: "big.weight", dtype: "F32", shape: [1, n], data: new Uint8Array(big.buffer) },
      { name: "small.weight", dtype: "F32", shape: [1, 64], data: new Uint8Array(small.buffer) },
    ];
    // int8 zero points take less room than a block of scales: a block written too long would run past the file's end.
    const config = normalize({ dtype: "int4", group_size: 8, scale_precision: "bfloat16", zero_point_precision: "int8" });
    const s = setUp(t);
    try {
      await runCheckpoint(s.ckpt, [config, config], () => testWriter(s.ckpt, s.output), { output: s.output, threads: 0, qparamsOut: s.qparams });
    } finally {
      s.ckpt.close();
    }
    const q = readSafetensors(s.qparams).tensors;
    expect(q.map((x) => [x.name, x.dtype])).toEqual([
      ["big.weight.scale", "BF16"], ["big.weight.zero_point", "I8"], ["small.weight.scale", "BF16"], ["small.weight.zero_point", "I8"],
    ]);
    const file = readFileSync(s.qparams);
    expect(file.length).toBe(8 + Number(file.readBigUInt64LE(0)) + q.reduce((a, x) => a + x.data.length, 0));
    const bf16Of = (scale: ArrayLike<number>) => Array.from(scale, (v) => new Uint32Array(Float32Array.of(v).buffer)[0] >>> 16);
    const u16 = (b: Uint8Array) => Array.from(new Uint16Array(b.slice().buffer));
    expect(u16(q[0].data)).toEqual(bf16Of(fakeQuantize(config, big, { shape: [1, n] }).scale));
    expect(u16(q[2].data)).toEqual(bf16Of(fakeQuantize(config, small, { shape: [1, 64] }).scale));
    expect(q[1].data.every((b) => b === 0) && q[3].data.every((b) => b === 0)).toBe(true);
  });
});
