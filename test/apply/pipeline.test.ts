/**
 * apply's pipeline (src/apply/pipeline.ts): one tensor on one worker, the
 * main thread reading and writing, the worker computing in shared memory.
 * Its bytes must be the chunk loop's, whoever computes which chunk.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { CONTROL, newControl, type ChunkTask, type QuantItem } from "../../src/apply-chunks.js";
import { PIPE, pipelineFor, runPipelineMain, type PipelineTask } from "../../src/apply/pipeline.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { NpyRowReader } from "../../src/npy/reader.js";
import { AtomicNpyWriter } from "../../src/npy/writer.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { WorkerPool } from "../../src/parallel/pool.js";
import { makePlan } from "../../src/quant/plan.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Values with the awkward cases mixed in: ties, signed zeros, NaN and ±inf (groups the 16-bit and tinygemm kernels leave to JS). */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const k = i % 211;
    if (k === 0) return 0;
    if (k === 1) return -0;
    if (k === 2) return 2.5;
    if (k === 3 && i % 3 === 0) return Number.NaN;
    if (k === 4 && i % 5 === 0) return Number.POSITIVE_INFINITY;
    return (rnd() - 0.5) * (k % 7 === 0 ? 1000 : 2);
  });
}

const ROWS = 97;
const COLS = 128;
const input = path.join(tmp.dir, "in.npy");
writeNpyAtomic(input, "<f4", [ROWS, COLS], values(ROWS * COLS, 3));

const CONFIGS: Record<string, object> = {
  "int4 per_group 32 symmetric": { dtype: "int4", group_size: 32 },
  "int8 per_token asymmetric": { dtype: "int8", granularity: "per_token", is_symmetric: false },
  "uint4 per_group 64 asymmetric INT": { dtype: "uint4", group_size: 64, is_symmetric: false },
  "uint4 per_group 32 tinygemm (FLOAT domain)": { dtype: "uint4", group_size: 32, is_symmetric: false, zero_point_domain: "FLOAT" },
  "int8 per_channel symmetric": { dtype: "int8", granularity: "per_channel" },
};

/** One applyFile run's output, scales and zero points. */
async function run(config: CanonicalConfig, tag: string, opts: { threads: number; kernel?: "js"; computeDtype?: "bfloat16" }): Promise<Buffer[]> {
  const out = (what: string) => path.join(tmp.dir, `${tag}-${what}.npy`);
  await applyFile({
    input, output: out("y"), config, scaleOut: out("s"), zeroPointOut: out("z"), chunkElements: 7 * COLS, ...opts,
  });
  return ["y", "s", "z"].map((w) => readFileSync(out(w)));
}

describe("pipeline: the bytes of one thread and of the JS kernel", () => {
  for (const [name, cfg] of Object.entries(CONFIGS)) {
    it(`${name}: two threads (the pipeline) give the bytes, scales and zero points of one thread and of the JS kernel`, async () => {
      const config = normalize(cfg);
      const slug = name.replace(/\W+/g, "-");
      const want = await run(config, `${slug}-js`, { threads: 1, kernel: "js" });
      const one = await run(config, `${slug}-1`, { threads: 1 });
      const two = await run(config, `${slug}-2`, { threads: 2 });
      for (let i = 0; i < 3; i++) {
        expect(one[i].equals(want[i]), `one thread, file ${i}`).toBe(true);
        expect(two[i].equals(want[i]), `two threads, file ${i}`).toBe(true);
      }
    });
  }

  it("a float32 file computed in bfloat16 (values rounded first) gives the bytes of one thread", async () => {
    const config = normalize({ dtype: "int4", group_size: 32 });
    const one = await run(config, "bf16-1", { threads: 1, computeDtype: "bfloat16" });
    const two = await run(config, "bf16-2", { threads: 2, computeDtype: "bfloat16" });
    for (let i = 0; i < 3; i++) expect(two[i].equals(one[i]), `file ${i}`).toBe(true);
  });

  it("two runs at once on the main thread, each with its own worker and shared memory, give the bytes of runs alone", async () => {
    const a = normalize({ dtype: "int4", group_size: 32 });
    const b = normalize({ dtype: "int8", granularity: "per_token", is_symmetric: false });
    const wantA = await run(a, "alone-a", { threads: 1 });
    const wantB = await run(b, "alone-b", { threads: 1 });
    const [gotA, gotB] = await Promise.all([run(a, "both-a", { threads: 2 }), run(b, "both-b", { threads: 2 })]);
    for (let i = 0; i < 3; i++) {
      expect(gotA[i].equals(wantA[i]), `a, file ${i}`).toBe(true);
      expect(gotB[i].equals(wantB[i]), `b, file ${i}`).toBe(true);
    }
  });

  it("an abort mid-run ends it as interrupted, with no output and no temp file left", async () => {
    const dir = path.join(tmp.dir, "abort");
    mkdirSync(dir);
    const output = path.join(dir, "out.npy");
    const ac = new AbortController();
    const err = await applyFile({
      input, output, config: normalize({ dtype: "int4", group_size: 32 }), threads: 2, chunkElements: COLS, signal: ac.signal,
      onProgress: (done) => { if (done >= 3) ac.abort(); },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("INTERRUPTED");
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

/** A chunk task over `input` as apply builds one, its output in a new temp file; `close` frees both. */
function taskFor(config: CanonicalConfig, rowsPerChunk: number, tag: string) {
  const reader = NpyRowReader.open(input);
  const out = AtomicNpyWriter.create(path.join(tmp.dir, `${tag}.npy`), { descr: "<f4", shape: [ROWS, COLS] });
  const target = out.shareWithThreads();
  const task: ChunkTask = {
    kernel: "auto",
    items: [{
      kind: "quantize",
      plan: makePlan(config, [ROWS, COLS], { compute: "float32", torchao: "0.12" }),
      mode: "compute",
      input: { file: input, fd: reader.fd, dataOffset: reader.header.dataOffset, dtype: "F32", byteOrder: "little", shape: [ROWS, COLS], fortranOrder: false },
      output: { file: target.file, fd: target.fd, dataOffset: target.dataOffset, dtype: "F32", byteOrder: "little" },
      rowsPerChunk,
    }],
    control: newControl(),
  };
  /** The output's bytes once complete. */
  const finish = () => {
    out.recordSharedWrites(out.elementCount);
    out.prepare();
    out.commit();
    reader.close();
    return readFileSync(path.join(tmp.dir, `${tag}.npy`));
  };
  return { task, item: task.items[0] as QuantItem, finish, abort: () => { out.abort(); reader.close(); } };
}

const oneThread = async (config: CanonicalConfig, rowsPerChunk: number, tag: string) => {
  const output = path.join(tmp.dir, `${tag}.npy`);
  await applyFile({ input, output, config, threads: 1, chunkElements: rowsPerChunk * COLS });
  return readFileSync(output);
};
const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Until the worker has taken the task (a new thread takes ~50 ms to start), so that the main thread hands it chunks. */
async function workerReady(pipe: PipelineTask): Promise<void> {
  while (Atomics.load(pipe.control, PIPE.READY) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("pipeline: who computes which chunk", () => {
  const config = normalize({ dtype: "int4", group_size: 32 });

  it("is chosen for one tensor on the wasm kernel with one worker, and not for more workers, the JS kernel, given qparams or one chunk", () => {
    const { task, abort } = taskFor(config, 4, "choice");
    try {
      expect(pipelineFor(task, 1)?.chunkCount).toBe(Math.ceil(ROWS / 4));
      expect(pipelineFor(task, 2)).toBeNull();
      expect(pipelineFor({ ...task, kernel: "js" }, 1)).toBeNull();
      const item = task.items[0] as QuantItem;
      const groups = new Float64Array(ROWS * item.plan.groupsPerRow).fill(1);
      expect(pipelineFor({ ...task, items: [{ ...item, mode: "given", given: { scale: groups, zeroPoint: groups } }] }, 1)).toBeNull();
      expect(pipelineFor({ ...task, items: [{ ...item, rowsPerChunk: ROWS }] }, 1)).toBeNull();
    } finally {
      abort();
    }
  });

  it("with its worker: the worker computes every chunk from the first it is given; the bytes are one thread's", async () => {
    const want = await oneThread(config, 4, "with-worker-want");
    const { task, item, finish } = taskFor(config, 4, "with-worker");
    const pipe = pipelineFor(task, 1)!;
    const pool = new WorkerPool(1);
    try {
      const counts = pool.runOnAll(pipe, () => Atomics.store(pipe.control, PIPE.STOP, 1));
      await workerReady(pipe);
      await runPipelineMain(task, item, pipe, { pause: yieldNow, workerEnded: () => false });
      const [byWorker] = await counts;
      const byMain = Atomics.load(pipe.control, PIPE.FIRST) - 1;
      expect(byWorker).toBeGreaterThan(0);
      expect(byMain + byWorker).toBe(pipe.chunkCount);
      expect(Atomics.load(task.control, CONTROL.DONE)).toBe(pipe.chunkCount);
      expect(finish().equals(want)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("without a worker: the main thread computes every chunk, and a worker that starts late then takes none", async () => {
    const want = await oneThread(config, 4, "alone-want");
    const { task, item, finish } = taskFor(config, 4, "alone");
    const pipe = pipelineFor(task, 1)!;
    await runPipelineMain(task, item, pipe, { pause: yieldNow, workerEnded: () => false });
    expect(Atomics.load(pipe.control, PIPE.FIRST)).toBe(pipe.chunkCount + 1);
    expect(finish().equals(want)).toBe(true);
    const pool = new WorkerPool(1);
    try {
      expect(await pool.runOnAll(pipe, () => {})).toEqual([0]);
    } finally {
      await pool.close();
    }
  });

  it("a worker that cannot bind the shared memory takes nothing: the main thread computes every chunk", async () => {
    const want = await oneThread(config, 4, "unbound-want");
    const { task, item, finish } = taskFor(config, 4, "unbound");
    const pipe = pipelineFor(task, 1)!;
    const pool = new WorkerPool(1);
    try {
      // Not a compiled module: the worker cannot instantiate the kernel over the memory.
      const counts = pool.runOnAll({ ...pipe, shared: { ...pipe.shared, module: {} } }, () => {});
      expect(await counts).toEqual([0]);
      await runPipelineMain(task, item, pipe, { pause: yieldNow, workerEnded: () => false });
      expect(Atomics.load(pipe.control, PIPE.READY)).toBe(0);
      expect(finish().equals(want)).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it("a worker that fails stops the main thread at once (it waits for nothing), and the worker's error reaches the caller", async () => {
    const { task, item, abort } = taskFor(config, 4, "failing");
    const pipe = pipelineFor(task, 1)!;
    const pool = new WorkerPool(1);
    try {
      // The worker's copy places its scales past the end of the memory: its first chunk throws.
      const broken: PipelineTask = { ...pipe, layout: { ...pipe.layout, scaleAt: 1 << 30 } };
      let stops = 0;
      const counts = pool.runOnAll(broken, () => stops++).catch((e: unknown) => e);
      await workerReady(pipe);
      await runPipelineMain(task, item, pipe, { pause: yieldNow, workerEnded: () => false });
      expect(Atomics.load(pipe.control, PIPE.FAILED)).toBe(1);
      expect(Atomics.load(task.control, CONTROL.DONE)).toBeLessThan(pipe.chunkCount);
      const err = await counts;
      expect(err).toBeInstanceOf(Error);
      expect(stops).toBe(1);
    } finally {
      await pool.close();
      abort();
    }
  });

  it("a stop request ends both sides: the worker returns, the main thread leaves the rest unwritten", async () => {
    const { task, item, abort } = taskFor(config, 1, "stopped");
    const pipe = pipelineFor(task, 1)!;
    const pool = new WorkerPool(1);
    try {
      const counts = pool.runOnAll(pipe, () => {});
      await workerReady(pipe);
      let pauses = 0;
      await runPipelineMain(task, item, pipe, {
        pause: async () => {
          if (++pauses === 5) Atomics.store(pipe.control, PIPE.STOP, 1);
          await yieldNow();
        },
        workerEnded: () => false,
      });
      const [byWorker] = await counts;
      expect(byWorker).toBeLessThan(pipe.chunkCount);
      expect(Atomics.load(task.control, CONTROL.DONE)).toBeLessThan(pipe.chunkCount);
    } finally {
      await pool.close();
      abort();
    }
  });
});
