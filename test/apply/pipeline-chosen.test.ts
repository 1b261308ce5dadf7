/** apply takes the pipeline (src/apply/pipeline.ts) for one tensor on two threads, and the chunk loop otherwise. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { applyFile } from "../../src/apply.js";
import { applyCheckpoint } from "../../src/apply/checkpoint.js";
import { normalize } from "../../src/config/normalize.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";
import { writeSafetensors } from "../helpers/safetensors.js";

const runs = vi.hoisted(() => ({ pipelines: 0 }));
vi.mock("../../src/apply/pipeline.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/apply/pipeline.js")>();
  return {
    ...real,
    runPipelineMain: async (...args: Parameters<typeof real.runPipelineMain>) => {
      runs.pipelines++;
      return real.runPipelineMain(...args);
    },
  };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeEach(() => {
  runs.pipelines = 0;
});

describe("apply's choice of the pipeline", () => {
  const input = path.join(tmp.dir, "in.npy");
  writeNpyAtomic(input, "<f4", [64, 256], Array.from({ length: 64 * 256 }, (_, i) => Math.sin(i)));
  const config = normalize({ dtype: "int4", group_size: 32 });
  const apply = (tag: string, extra: object) => applyFile({ input, output: path.join(tmp.dir, `${tag}.npy`), config, chunkElements: 4 * 256, ...extra });

  it("two threads: the pipeline, with the bytes of one thread", async () => {
    await apply("one", { threads: 1 });
    expect(runs.pipelines).toBe(0);
    await apply("two", { threads: 2 });
    expect(runs.pipelines).toBe(1);
    expect(readFileSync(path.join(tmp.dir, "two.npy")).equals(readFileSync(path.join(tmp.dir, "one.npy")))).toBe(true);
  });

  it("three threads, the JS kernel, or a single chunk: the chunk loop", async () => {
    await apply("three", { threads: 3 });
    await apply("js", { threads: 2, kernel: "js" });
    await apply("whole", { threads: 2, chunkElements: 64 * 256 });
    expect(runs.pipelines).toBe(0);
  });

  it("a checkpoint of one tensor on two threads: the chunk loop (checkpoints keep it)", async () => {
    const model = path.join(tmp.dir, "one.safetensors");
    writeSafetensors(model, [{ name: "w.weight", dtype: "F32", shape: [64, 256], values: Array.from({ length: 64 * 256 }, (_, i) => Math.cos(i)) }]);
    const r = await applyCheckpoint({ input: model, output: path.join(tmp.dir, "one.fq.safetensors"), select: { config }, threads: 2, chunkElements: 4 * 256 });
    expect(r.quantized).toBe(1);
    expect(runs.pipelines).toBe(0);
  });
});
