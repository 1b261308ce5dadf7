/**
 * Corpus cases as .npz members (the members are the corpus's own .npy
 * files), stored as np.savez writes them and deflated as np.savez_compressed
 * does, through the real npz reader and writer: every fake-quantized member
 * is torchao's output; deflated members stream on the main thread and give
 * the same values as stored ones read by the threads.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint } from "../../src/apply/checkpoint-run.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import { normalize } from "../../src/config/normalize.js";
import { readNpy } from "../../src/npy/whole.js";
import { sameBits } from "../helpers/bits.js";
import { CONFORMANCE, tempDir } from "../helpers/cli.js";
import { decodeBytes } from "../helpers/tensor-bytes.js";
import { craftZip, npyF32, readTensor } from "../checkpoint/npz-helpers.js";
import { crc32 } from "node:zlib";
import { FqcError } from "../../src/errors.js";
import { loadManifest } from "../quant/corpus.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const fixture = (rel: string) => path.join(CONFORMANCE, rel);
// float16 cases compute in float16 (an .npz has no bfloat16); a sample of float32 ones too.
const all = loadManifest();
const cases = [...all.filter((c) => c.input_dtype === "float16"), ...all.filter((c) => c.input_dtype === "float32" && c.mode === "dynamic").filter((_, i) => i % 20 === 0)];

async function applyNpz(method: 0 | 8, threads: number) {
  const input = tmp.path(`corpus-m${method}-t${threads}.npz`);
  const output = tmp.path(`corpus-m${method}-t${threads}.out.npz`);
  const members = cases.map((c, i) => ({ name: `layers.${i}.weight.npy`, payload: new Uint8Array(readFileSync(fixture(c.input))), method }));
  writeFileSync(input, craftZip(members));
  const ckpt = openCheckpoint(input);
  try {
    expect(ckpt.format).toBe("npz");
    expect(ckpt.tensors.every((t) => (t.dataOffset === null) === (method === 8))).toBe(true);
    const r = await runCheckpoint(ckpt, cases.map((c) => normalize(c.config)), () => createCheckpointWriter(ckpt, output), { output, threads, chunkElements: 64 });
    expect(r.quantized).toBe(cases.length);
  } finally {
    ckpt.close();
  }
  const out = openCheckpoint(output);
  try {
    return out.tensors.map((t) => ({ name: t.name, dtype: t.dtype, values: decodeBytes(readTensor(out, t, 1 << 16), t.dtype) }));
  } finally {
    out.close();
  }
}

describe("corpus cases as .npz members", () => {
  it("has float16 and float32 cases", () => {
    expect(cases.filter((c) => c.input_dtype === "float16").length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.input_dtype === "float32").length).toBeGreaterThan(10);
  });

  it.each([[0, "stored (np.savez)", 2], [8, "deflated (np.savez_compressed)", 2], [0, "stored, main thread", 0]] as const)(
    "method %i, %s, %i threads: every member is torchao's output", async (method, _what, threads) => {
      const got = await applyNpz(method, threads);
      const bad: string[] = [];
      cases.forEach((c, i) => {
        expect(got[i].name).toBe(`layers.${i}.weight`);
        const m = sameBits(got[i].values, readNpy(fixture(c.expected)).data as ArrayLike<number>);
        if (m) bad.push(`${c.id}: ${m}`);
      });
      expect(bad).toEqual([]);
    },
  );
});

describe("a stored member whose bytes do not give its CRC-32", () => {
  // Threads read stored members positionally, past Checkpoint.stream's CRC check: the writer checks the source instead,
  // so a corrupt member never comes out under a fresh, valid CRC (np.load refuses the source: "Bad CRC-32").
  const weight = npyF32(Array.from({ length: 8 * 64 }, (_, i) => Math.sin(i)), [8, 64]);
  const bias = npyF32(Array.from({ length: 64 }, (_, i) => i / 7));
  const cfg = normalize({ dtype: "int4", group_size: 32 });

  it.each([
    ["a fake-quantized member, 2 threads", "a.weight.npy", 2],
    ["a copied member, 2 threads", "b.bias.npy", 2],
    ["a fake-quantized member, main thread", "a.weight.npy", 0],
  ] as const)("is refused as corrupt, naming the member, with no output: %s", async (_what, bad, threads) => {
    const input = tmp.path(`crc-${bad}-${threads}.npz`);
    const output = tmp.path(`crc-${bad}-${threads}.out.npz`);
    const member = (name: string, payload: Uint8Array) => ({ name, payload, crc: name === bad ? (crc32(payload) ^ 1) >>> 0 : undefined });
    writeFileSync(input, craftZip([member("a.weight.npy", weight), member("b.bias.npy", bias)]));
    const ckpt = openCheckpoint(input);
    try {
      const run = runCheckpoint(ckpt, [cfg, null], () => createCheckpointWriter(ckpt, output), { output, threads, chunkElements: 64 });
      await expect(run).rejects.toThrow(FqcError);
      await expect(run).rejects.toThrow(`member '${bad}': CRC-32 mismatch`);
    } finally {
      ckpt.close();
    }
    expect(existsSync(output)).toBe(false);
  });
});
