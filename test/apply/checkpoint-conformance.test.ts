/**
 * The conformance corpus's float16 and bfloat16 cases written as F16/BF16
 * safetensors tensors and run through the checkpoint pipeline: the output
 * tensors and the --qparams-out tensors are torchao's, bit for bit; a
 * checkpoint of all of them, each under its own config, gives every tensor
 * its own case's result, with the same bytes for 1, 2 and 3 threads.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint } from "../../src/apply/checkpoint-run.js";
import { normalize } from "../../src/config/normalize.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { readNpyHeader } from "../../src/npy/header.js";
import { readNpy } from "../../src/npy/whole.js";
import { sameBits } from "../helpers/bits.js";
import { CONFORMANCE, tempDir } from "../helpers/cli.js";
import { bf16Bytes, openTestCheckpoint, readSafetensors, testWriter, writeSafetensors, type RawTensor } from "../helpers/test-checkpoint.js";
import { decodeBytes } from "../helpers/tensor-bytes.js";
import { loadManifest, type ManifestCase } from "../quant/corpus.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const fixture = (rel: string) => path.join(CONFORMANCE, rel);
const cases = loadManifest().filter((c) => c.input_dtype === "bfloat16" || c.input_dtype === "float16");

/** The case's input as a checkpoint tensor of its own dtype. */
function tensorOf(c: ManifestCase, name: string): RawTensor {
  const file = fixture(c.input);
  if (c.input_dtype === "bfloat16") {
    // Stored as float32 holding exact bfloat16 values (the corpus convention).
    return { name, dtype: "BF16", shape: c.input_shape, data: bf16Bytes(readNpy(file).data as Float32Array) };
  }
  const h = readNpyHeader(file);
  return { name, dtype: "F16", shape: c.input_shape, data: new Uint8Array(readFileSync(file).subarray(h.dataOffset)) };
}

async function run(tensors: RawTensor[], configs: Array<CanonicalConfig | null>, tag: string, threads: number) {
  const input = tmp.path(`${tag}.in.safetensors`);
  const output = tmp.path(`${tag}.t${threads}.out.safetensors`);
  const qparamsOut = tmp.path(`${tag}.t${threads}.qp.safetensors`);
  writeSafetensors(input, tensors, { format: "pt" });
  const ckpt = openTestCheckpoint(input);
  try {
    await runCheckpoint(ckpt, configs, () => testWriter(ckpt, output), { output, qparamsOut, threads, chunkElements: 64 });
  } finally {
    ckpt.close();
  }
  return { output: readSafetensors(output), qparams: readSafetensors(qparamsOut), bytes: readFileSync(output), qparamBytes: readFileSync(qparamsOut) };
}

function mismatches(c: ManifestCase, name: string, out: ReturnType<typeof readSafetensors>, qp: ReturnType<typeof readSafetensors>): string[] {
  const found: string[] = [];
  const t = out.tensors.find((x) => x.name === name)!;
  const got = decodeBytes(t.data, t.dtype);
  const m = sameBits(got, readNpy(fixture(c.expected)).data as ArrayLike<number>);
  if (m) found.push(`output: ${m}`);
  for (const [suffix, file, ignoreZeroSign] of [["scale", c.scale, c.implementation_defined], ["zero_point", c.zero_point, false]] as const) {
    if (!file) continue;
    const q = qp.tensors.find((x) => x.name === `${name}.${suffix}`);
    if (!q) { found.push(`${suffix}: missing`); continue; }
    const want = readNpy(fixture(file));
    expect(q.shape, `${c.id} ${suffix} shape`).toEqual(want.header.shape);
    const mq = sameBits(decodeBytes(q.data, q.dtype), Array.from(want.data as ArrayLike<number | bigint>, Number), { ignoreZeroSign });
    if (mq) found.push(`${suffix}: ${mq}`);
  }
  return found;
}

describe("corpus float16/bfloat16 cases as F16/BF16 safetensors tensors", () => {
  it("has both dtypes to check", () => {
    expect(cases.filter((c) => c.input_dtype === "bfloat16").length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.input_dtype === "float16").length).toBeGreaterThan(50);
  });

  it.each(cases.map((c) => [c.id, c] as const))("%s gives torchao's output and qparams", async (_id, c) => {
    const { output, qparams } = await run([tensorOf(c, "w")], [normalize(c.config)], c.id, 0);
    expect(mismatches(c, "w", output, qparams)).toEqual([]);
  });

  it("scale and zero point tensors carry the config's precisions as safetensors dtypes (bfloat16 as BF16)", async () => {
    const c = cases.find((x) => x.scale_dtype === "bfloat16")!;
    const { qparams } = await run([tensorOf(c, "w")], [normalize(c.config)], `${c.id}-dtypes`, 0);
    expect(qparams.tensors.map((t) => [t.name, t.dtype])).toEqual([["w.scale", "BF16"], ["w.zero_point", c.zero_point_dtype === "bfloat16" ? "BF16" : "I32"]]);
  });
});

describe("a checkpoint of every such case, each tensor under its own config", () => {
  // A pass-through tensor between the targeted ones, as layer norms sit between projections.
  const tensors: RawTensor[] = [];
  const configs: Array<CanonicalConfig | null> = [];
  cases.forEach((c, i) => {
    tensors.push(tensorOf(c, `layers.${i}.weight`));
    configs.push(normalize(c.config));
    tensors.push({ name: `layers.${i}.norm`, dtype: "I8", shape: [3], data: Uint8Array.of(i & 0xff, 1, 255) });
    configs.push(null);
  });

  it("gives each tensor its own case's result; 1, 2 and 3 threads write the same bytes", async () => {
    const runs = [];
    for (const threads of [1, 2, 3]) runs.push(await run(tensors, configs, "all", threads));
    const [one, two, three] = runs;
    cases.forEach((c, i) => expect(mismatches(c, `layers.${i}.weight`, one.output, one.qparams), c.id).toEqual([]));
    expect(two.bytes.equals(one.bytes)).toBe(true);
    expect(three.bytes.equals(one.bytes)).toBe(true);
    expect(two.qparamBytes.equals(one.qparamBytes)).toBe(true);
    expect(three.qparamBytes.equals(one.qparamBytes)).toBe(true);
    cases.forEach((_c, i) => expect(one.output.tensors.find((t) => t.name === `layers.${i}.norm`)!.data).toEqual(Uint8Array.of(i & 0xff, 1, 255)));
    expect(one.output.metadata).toEqual({ format: "pt" });
  });
});
