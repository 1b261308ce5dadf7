import { afterAll, describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { configTargets } from "../../src/report/targets.js";
import type { ColumnInput, TensorTarget } from "../../src/report/types.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { openCheckpoint } from "../../src/checkpoint/open.js";
import { tempDir } from "../helpers/cli.js";
import { halfBits, storedValues, testCheckpoint, weights, type TestTensor } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INT4_G32 = normalize({ dtype: "int4", granularity: "per_group", group_size: 32 });
const INT8_CH_ASYM = normalize({ dtype: "int8", granularity: "per_channel", mapping_type: "ASYMMETRIC" });
const UINT4_FLOAT = normalize({ dtype: "uint4", granularity: "per_group", group_size: 16, mapping_type: "ASYMMETRIC", zero_point_domain: "FLOAT", scale_precision: "bfloat16", zero_point_precision: "bfloat16" });

const INT8_TOKEN = normalize({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" });

const COMPUTE = { F32: "float32", F16: "float16", BF16: "bfloat16" } as const;

function mixed(): TestTensor[] {
  return [
    { name: "model.embed_tokens.weight", dtype: "BF16", shape: [40, 64], values: weights(40 * 64, 1) },
    { name: "model.layers.0.self_attn.q_proj.weight", dtype: "F32", shape: [48, 64], values: weights(48 * 64, 2) },
    { name: "model.layers.0.mlp.up_proj.weight", dtype: "F16", shape: [96, 64], values: weights(96 * 64, 3, 0.5) },
    { name: "model.layers.0.input_layernorm.weight", dtype: "BF16", shape: [64], values: weights(64, 4, 1) },
    { name: "model.layers.0.codebook.weight", dtype: "I64", shape: [2, 8], values: Array.from({ length: 16 }, (_, i) => i) },
    { name: "lm_head.weight", dtype: "BF16", shape: [40, 64], values: weights(40 * 64, 5) },
  ];
}

function column(name: string, targets: TensorTarget[]): ColumnInput {
  return { name, source: `${name}.json`, kind: "config", targets };
}

/** Figures recomputed here from the stored input and the library's fakeQuantize output, in float64. */
function expected(t: TestTensor, config: CanonicalConfig) {
  const x = storedValues(t);
  const y = fakeQuantize(config, x, { shape: t.shape, computeDtype: COMPUTE[t.dtype as "F32"] }).output;
  let sx = 0, se = 0, max = 0, zeroed = 0;
  for (let i = 0; i < x.length; i++) {
    const e = x[i] - y[i];
    sx += x[i] * x[i];
    se += e * e;
    max = Math.max(max, Math.abs(e));
    if (y[i] === 0 && x[i] !== 0) zeroed++;
  }
  return { sqnr: 10 * Math.log10(sx / se), rmse: Math.sqrt(se / x.length), max, zeroedShare: zeroed / x.length };
}

describe("reportCheckpoint", () => {
  it("gives each tensor SQNR, RMSE, max error and zeroed share as recomputed from fakeQuantize's output, for every dtype and column", async () => {
    const tensors = mixed();
    const ckpt = testCheckpoint(tmp.path("mixed.safetensors"), tensors);
    const recipe: TensorTarget[] = tensors.map((t) =>
      t.name === "lm_head.weight" ? { action: "quantize", key: "lm_head", config: INT8_CH_ASYM }
        : t.name.includes("layers") && t.name.endsWith("proj.weight") ? { action: "quantize", key: "re:.*proj", config: UINT4_FLOAT }
          : t.name.includes("layernorm") ? { action: "quantize", key: "re:.*norm.*", config: INT8_TOKEN }
            : { action: "skip", key: null, reason: "no key matched" });
    const report = await reportCheckpoint(ckpt, [column("int4", configTargets(ckpt, INT4_G32)), { ...column("recipe", recipe), kind: "recipe" }], { threads: 1, chunkElements: 500 });
    const configs = [configTargets(ckpt, INT4_G32), recipe];
    let checked = 0;
    report.tensors.forEach((rt, i) => {
      rt.cells.forEach((cell, c) => {
        const target = configs[c][i];
        if (target.action !== "quantize") {
          expect(cell.status, rt.name).toBe("skipped");
          return;
        }
        expect(cell.status, `${rt.name} ${c}`).toBe("quantized");
        expect(cell.key).toBe(target.key);
        const want = expected(tensors[i], target.config);
        expect(cell.figures!.sqnrDb).toBeCloseTo(want.sqnr, 9);
        expect(cell.figures!.rmse! / want.rmse).toBeCloseTo(1, 12);
        expect(cell.figures!.maxAbsError).toBe(want.max);
        expect(cell.figures!.zeroedShare).toBe(want.zeroedShare);
        checked++;
      });
    });
    // int4 column: 4 2-D weights; recipe: q, up, layernorm, lm_head.
    expect(checked).toBe(8);
    expect(report.tensors.map((t) => t.dtype)).toEqual(["BF16", "F32", "F16", "BF16", "I64", "BF16"]);
    expect(report.tensors[4].elements).toBe(16);
  });

  it("leaves tensors no column targets without figures, and says why", async () => {
    const tensors = mixed();
    const ckpt = testCheckpoint(tmp.path("alone.safetensors"), tensors);
    const report = await reportCheckpoint(ckpt, [column("int4", configTargets(ckpt, INT4_G32))], { threads: 1 });
    const norm = report.tensors[3].cells[0];
    expect(norm).toMatchObject({ status: "skipped", figures: null, sums: null, reason: expect.stringContaining("this tensor is 1-D") });
    expect(norm.bytes).toBe(64 * 2);
    expect(report.tensors[4].cells[0]).toMatchObject({ status: "skipped", figures: null, reason: expect.stringContaining("dtype I64") });
  });

  it("gives the identical report for 1, 2 and 3 threads", async () => {
    const tensors: TestTensor[] = Array.from({ length: 6 }, (_, i) => ({
      name: `model.layers.${i}.mlp.down_proj.weight`, dtype: i % 2 ? "BF16" : "F32", shape: [64 + 8 * i, 256], values: weights((64 + 8 * i) * 256, 10 + i),
    }));
    const ckpt = testCheckpoint(tmp.path("threads.safetensors"), tensors);
    const columns = [column("int4", configTargets(ckpt, INT4_G32)), column("int8", configTargets(ckpt, INT8_CH_ASYM))];
    const runs = [];
    for (const threads of [1, 2, 3]) runs.push(JSON.stringify(await reportCheckpoint(ckpt, columns, { threads, chunkElements: 1024 })));
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
  }, 30_000);

  it("gives the same figures with its wasm statistics as with --kernel js (JS throughout), for every dtype, column and NaN/inf chunk", async () => {
    const tensors = mixed();
    const withNaN = weights(48 * 64, 9);
    withNaN[70] = NaN;
    withNaN[2000] = -Infinity;
    const halfInf = weights(96 * 64, 10, 0.5);
    halfInf[300] = Infinity;
    tensors.push(
      { name: "model.layers.1.self_attn.k_proj.weight", dtype: "F32", shape: [48, 64], values: withNaN },
      { name: "model.layers.1.mlp.gate_proj.weight", dtype: "F16", shape: [96, 64], values: halfInf },
    );
    const ckpt = testCheckpoint(tmp.path("wasm-js.safetensors"), tensors);
    const columns = [INT4_G32, INT8_CH_ASYM, UINT4_FLOAT].map((c, i) => column(`c${i}`, configTargets(ckpt, c)));
    const tokens: TensorTarget[] = tensors.map((t) => t.dtype === "I64" ? { action: "skip", key: null, reason: "integer" } : { action: "quantize", key: "*", config: INT8_TOKEN });
    columns.push({ ...column("tokens", tokens), kind: "recipe" });
    const opts = { threads: 1, chunkElements: 1000 };
    const auto = await reportCheckpoint(ckpt, columns, opts);
    const js = await reportCheckpoint(ckpt, columns, { ...opts, kernel: "js" });
    let compared = 0;
    auto.tensors.forEach((t, i) => t.cells.forEach((cell, c) => {
      const want = js.tensors[i].cells[c];
      expect(cell.status).toBe(want.status);
      if (!cell.sums) return expect(want.sums).toBeNull();
      const { sumX2, sumE2, ...exact } = cell.sums;
      const { sumX2: wantX2, sumE2: wantE2, ...wantExact } = want.sums!;
      expect(exact, `${t.name} ${c}`).toEqual(wantExact);
      expect(Math.abs(sumX2 - wantX2) / wantX2).toBeLessThan(1e-12);
      expect(sumE2 === wantE2 || Math.abs(sumE2 - wantE2) / wantE2 < 1e-12).toBe(true);
      compared++;
    }));
    // Six 2-D float tensors in all four columns, the 1-D norm in the per_token one.
    expect(compared).toBe(6 * 4 + 1);
    expect(auto.tensors[6].cells[0].sums).toMatchObject({ nanInputs: 1, infInputs: 1 });
    expect(auto.tensors[7].cells[3].sums).toMatchObject({ infInputs: 1, nonFiniteOutputs: 63 });
  });

  it("gives a big-endian .npy (float32 and float16) the figures of the same values stored little-endian", async () => {
    const values = weights(48 * 64, 12);
    const npy = (name: string, descr: string, shape: number[]) => {
      const size = descr[2] === "2" ? 2 : 4;
      const data = new Uint8Array(values.length * size);
      const view = new DataView(data.buffer);
      values.forEach((v, i) => (size === 4 ? view.setFloat32(i * size, v, descr[0] === "<") : view.setUint16(i * size, halfBits(v), descr[0] === "<")));
      const header = encodeNpyHeader({ descr, fortranOrder: false, shape });
      const bytes = new Uint8Array(header.length + data.length);
      bytes.set(header);
      bytes.set(data, header.length);
      return tmp.write(name, bytes);
    };
    for (const d of ["f4", "f2"]) {
      const [le, be] = ["<", ">"].map((o) => openCheckpoint(npy(`${o === "<" ? "le" : "be"}-${d}.npy`, `${o}${d}`, [48, 64])));
      const cols = (c: typeof le) => [column("int4", configTargets(c, INT4_G32)), column("int8", configTargets(c, INT8_CH_ASYM))];
      const a = await reportCheckpoint(le, cols(le), { threads: 1, chunkElements: 1000 });
      const b = await reportCheckpoint(be, cols(be), { threads: 1, chunkElements: 1000 });
      expect(b.tensors.map((t) => t.cells.map((c) => c.sums)), d).toEqual(a.tensors.map((t) => t.cells.map((c) => c.sums)));
      expect(a.tensors[0].cells[0].sums!.counted).toBe(48 * 64);
    }
  });

  it("gives a tensor that can only be streamed the same figures as a positional one", async () => {
    const tensors = mixed();
    const a = testCheckpoint(tmp.path("pos.safetensors"), tensors);
    const b = testCheckpoint(tmp.path("streamed.safetensors"), tensors, { streamOnly: ["model.layers.0.mlp.up_proj.weight", "lm_head.weight"], pieceBytes: 333 });
    const cols = (c: typeof a) => [column("int4", configTargets(c, INT4_G32))];
    const ra = await reportCheckpoint(a, cols(a), { threads: 1, chunkElements: 700 });
    const rb = await reportCheckpoint(b, cols(b), { threads: 2, chunkElements: 700 });
    expect(rb.tensors).toEqual(ra.tensors);
  });

  it("counts NaN and inf inputs and keeps them out of every figure, the column's included", async () => {
    const v = weights(4 * 64, 7);
    v[3] = NaN;
    v[100] = Infinity;
    const tensors: TestTensor[] = [
      { name: "a.weight", dtype: "F32", shape: [4, 64], values: v },
      { name: "b.weight", dtype: "F32", shape: [4, 64], values: weights(4 * 64, 8) },
    ];
    const ckpt = testCheckpoint(tmp.path("nan.safetensors"), tensors);
    const report = await reportCheckpoint(ckpt, [column("int4", configTargets(ckpt, INT4_G32))], { threads: 1 });
    const s = report.tensors[0].cells[0].sums!;
    expect(s.nanInputs).toBe(1);
    expect(s.infInputs).toBe(1);
    // The other 62 elements of the two groups got a non-finite scale, hence non-finite outputs.
    expect(s.nonFiniteOutputs).toBe(62);
    expect(s.counted).toBe(256 - 64);
    expect(Number.isFinite(report.tensors[0].cells[0].figures!.sqnrDb)).toBe(true);
    expect(Number.isFinite(report.summaries[0].overallSqnrDb)).toBe(true);
    expect(report.summaries[0]).toMatchObject({ nanInputs: 1, infInputs: 1, nonFiniteOutputs: 62 });
  });

  it("marks a tensor torchao would refuse with torchao's message, and still reports the others", async () => {
    const tensors: TestTensor[] = [
      { name: "odd.weight", dtype: "F32", shape: [4, 40], values: weights(160, 1) },
      { name: "ok.weight", dtype: "F32", shape: [4, 64], values: weights(256, 2) },
    ];
    const ckpt = testCheckpoint(tmp.path("refuse.safetensors"), tensors);
    const report = await reportCheckpoint(ckpt, [column("int4", configTargets(ckpt, INT4_G32))], { threads: 1 });
    expect(report.tensors[0].cells[0].status).toBe("refused");
    // The planner's first error, as apply and validate give it: torchao's Linear swap refuses in_features 40 first.
    expect(report.tensors[0].cells[0].reason).toBe("in_features (40) % group_size (32) must be == 0");
    expect(report.tensors[1].cells[0].status).toBe("quantized");
    expect(report.summaries[0]).toMatchObject({ tensorsQuantized: 1, tensorsRefused: 1 });
    // A hand-made target (no planner error) is refused by the plan itself, with the forward check's message.
    const bare: TensorTarget[] = tensors.map(() => ({ action: "quantize", key: null, config: INT4_G32 }));
    const own = await reportCheckpoint(ckpt, [column("int4", bare)], { threads: 1 });
    expect(own.tensors[0].cells[0]).toMatchObject({ status: "refused", reason: expect.stringMatching(/^group_size 32 does not divide the last dimension \(40\)/) });
  });

  it("sums overall SQNR over the quantized tensors' squares (parameter-weighted), not as a mean of dB", async () => {
    const tensors: TestTensor[] = [
      { name: "small.weight", dtype: "F32", shape: [2, 32], values: weights(64, 1, 1) },
      { name: "big.weight", dtype: "F32", shape: [64, 32], values: weights(2048, 2, 0.01) },
    ];
    const ckpt = testCheckpoint(tmp.path("overall.safetensors"), tensors);
    const r = await reportCheckpoint(ckpt, [column("int4", configTargets(ckpt, INT4_G32))], { threads: 1 });
    const [a, b] = r.tensors.map((t) => t.cells[0].sums!);
    expect(r.summaries[0].overallSqnrDb).toBe(10 * Math.log10((a.sumX2 + b.sumX2) / (a.sumE2 + b.sumE2)));
    expect(r.summaries[0].worst.map((w) => w.name)).toHaveLength(2);
  });

  it("counts quantized bytes as packed bits plus scales (and zero points where stored)", async () => {
    const tensors: TestTensor[] = [
      { name: "w.weight", dtype: "BF16", shape: [8, 64], values: weights(512, 1) },
      { name: "n.weight", dtype: "BF16", shape: [64], values: weights(64, 2) },
    ];
    const ckpt = testCheckpoint(tmp.path("bytes.safetensors"), tensors);
    const r = await reportCheckpoint(ckpt, [column("int4", configTargets(ckpt, INT4_G32)), column("int8", configTargets(ckpt, INT8_CH_ASYM))], { threads: 1 });
    // int4 symmetric: 512 × 4 bits + 16 float32 scales, no zero points.
    expect(r.tensors[0].cells[0].bytes).toBe(256 + 16 * 4);
    // int8 asymmetric per channel: 512 bytes + 8 × (float32 scale + int32 zero point).
    expect(r.tensors[0].cells[1].bytes).toBe(512 + 8 * 8);
    expect(r.summaries[0]).toMatchObject({ originalBytes: 1024 + 128, quantizedBytes: 320 + 128 });
  });
});
