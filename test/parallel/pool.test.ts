import { EventEmitter } from "node:events";
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile, chunkElementsFor, NPY_CHUNK_ELEMENTS } from "../../src/apply.js";
import { CONTROL, newControl, type ChunkTask } from "../../src/apply-chunks.js";
import { FqcError } from "../../src/errors.js";
import { NpyRowReader } from "../../src/npy/reader.js";
import { AtomicNpyWriter } from "../../src/npy/writer.js";
import { WorkerPool } from "../../src/parallel/pool.js";
import { CLI_WORDS } from "../../src/caller-words.js";
import type { WorkerThread } from "../../src/host-types.js";
import { makePlan } from "../../src/quant/plan.js";
import { normalize } from "../../src/config/normalize.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { readNpy, writeNpyAtomic } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Deterministic values with the awkward cases mixed in: ties, zeros, tiny and huge magnitudes. */
function makeTensor(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const k = i % 97;
    if (k === 0) return 0;
    if (k === 1) return -0;
    if (k === 2) return 2.5;
    if (k === 3) return 1e-30;
    return (rnd() - 0.5) * (k % 5 === 0 ? 100 : 2);
  });
}

const configs = {
  "int4 per_group 32 sym": { dtype: "int4", group_size: 32 },
  "int8 per_token asym": { dtype: "int8", granularity: "per_token", is_symmetric: false },
  "uint4 per_group FLOAT bf16": { dtype: "uint4", group_size: 64, is_symmetric: false, zero_point_domain: "FLOAT", scale_precision: "bfloat16", zero_point_precision: "bfloat16" },
  "int8 per_channel sym": { dtype: "int8", granularity: "per_channel" },
};

describe("worker pool: results do not depend on threads or chunking", () => {
  const rows = 301;
  const cols = 256;
  const data = makeTensor(rows * cols, 7);
  for (const descr of ["<f4", "<f2"] as const) {
    const input = path.join(tmp.dir, `in${descr.replace(/\W/g, "")}.npy`);
    writeNpyAtomic(input, descr, [rows, cols], data);
    for (const [name, cfg] of Object.entries(configs)) {
      it(`${name}, ${descr}: inline, 1, 2 and 3 threads, with chunks of 7 rows, give identical bytes`, async () => {
        const config = normalize(cfg);
        const outputs: Buffer[] = [];
        const scales: Buffer[] = [];
        for (const threads of [0, 1, 2, 3]) {
          const out = path.join(tmp.dir, `out-${threads}.npy`);
          const scaleOut = path.join(tmp.dir, `scale-${threads}.npy`);
          const r = await applyFile({ input, output: out, config, threads, chunkElements: 7 * cols, scaleOut });
          expect(r.threads).toBe(threads);
          expect(r.chunks).toBe(Math.ceil(rows / 7));
          outputs.push(readFileSync(out));
          scales.push(readFileSync(scaleOut));
        }
        // Whole-tensor single chunk on the main thread as the reference.
        const ref = path.join(tmp.dir, "ref.npy");
        await applyFile({ input, output: ref, config, threads: 0 });
        const refBytes = readFileSync(ref);
        for (const o of outputs) expect(o.equals(refBytes)).toBe(true);
        for (const s of scales) expect(s.equals(scales[0])).toBe(true);
      });
    }
  }
});

describe("worker pool: files in other layouts (big-endian, Fortran order, float64 cast) give the bytes of the main thread alone", () => {
  const rows = 97;
  const cols = 64;
  const data = makeTensor(rows * cols, 11);
  const config = normalize({ dtype: "int4", group_size: 32 });
  /** A Fortran-order file of `data` (C-order values) with the given descr. */
  function fortranFile(name: string, descr: "<f4" | ">f4"): string {
    const file = path.join(tmp.dir, name);
    const header = encodeNpyHeader({ descr, fortranOrder: true, shape: [rows, cols] });
    const body = Buffer.alloc(rows * cols * 4);
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) {
        const at = (j * rows + i) * 4;
        if (descr === ">f4") body.writeFloatBE(data[i * cols + j], at);
        else body.writeFloatLE(data[i * cols + j], at);
      }
    }
    writeFileSync(file, Buffer.concat([header, body]));
    return file;
  }
  const inputs: Array<[string, () => string, Partial<Parameters<typeof applyFile>[0]>]> = [
    [">f4 C order", () => { const f = path.join(tmp.dir, "be.npy"); writeNpyAtomic(f, ">f4", [rows, cols], data); return f; }, {}],
    ["<f4 Fortran order", () => fortranFile("fortran-le.npy", "<f4"), {}],
    [">f4 Fortran order", () => fortranFile("fortran-be.npy", ">f4"), {}],
    ["<f8 cast to float32", () => { const f = path.join(tmp.dir, "f8.npy"); writeNpyAtomic(f, "<f8", [rows, cols], data); return f; }, { computeDtype: "float32" }],
  ];
  for (const [name, make, extra] of inputs) {
    it(name, async () => {
      const input = make();
      const outs: Buffer[] = [];
      for (const threads of [0, 3]) {
        const output = path.join(tmp.dir, `layout-${threads}.npy`);
        await applyFile({ input, output, config, threads, chunkElements: 5 * cols, ...extra });
        outs.push(readFileSync(output));
      }
      expect(outs[1].equals(outs[0])).toBe(true);
      // And the same values as the plain little-endian C-order file.
      const plain = path.join(tmp.dir, "plain.npy");
      writeNpyAtomic(plain, "<f4", [rows, cols], data);
      const ref = path.join(tmp.dir, "plain-out.npy");
      await applyFile({ input: plain, output: ref, config, threads: 0 });
      const values = (file: string) => Array.from(readNpy(file).data as Float32Array | Float64Array);
      expect(values(path.join(tmp.dir, "layout-3.npy"))).toEqual(values(ref));
    });
  }
});

describe("apply with workers: progress, interruption, failures", () => {
  const rows = 400;
  const cols = 64;
  const input = path.join(tmp.dir, "progress-in.npy");
  writeNpyAtomic(input, "<f4", [rows, cols], makeTensor(rows * cols, 3));
  const config = normalize({ dtype: "int4", group_size: 32 });
  const temps = () => readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"));

  it("reports progress in rows, never backwards, ending at all rows", async () => {
    const seen: Array<[number, number]> = [];
    const out = path.join(tmp.dir, "progress-out.npy");
    await applyFile({ input, output: out, config, threads: 3, chunkElements: 5 * cols, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([, total]) => total === rows)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
    expect(seen[seen.length - 1]).toEqual([rows, rows]);
  });

  it("an abort mid-run stops every thread, writes nothing and removes the temp files", async () => {
    for (const threads of [1, 3]) {
      const out = path.join(tmp.dir, `aborted-${threads}.npy`);
      const abort = new AbortController();
      const run = applyFile({
        input, output: out, config, threads, chunkElements: cols, scaleOut: path.join(tmp.dir, "aborted-scale.npy"),
        signal: abort.signal, onProgress: () => abort.abort(),
      });
      await expect(run).rejects.toMatchObject({ code: "INTERRUPTED" });
      expect(existsSync(out)).toBe(false);
      expect(existsSync(path.join(tmp.dir, "aborted-scale.npy"))).toBe(false);
      expect(temps()).toEqual([]);
    }
  });

  it("a worker's failure keeps its code, hint and file; the other threads stop", async () => {
    // A task over a file that shrinks after the header was checked: every read of the lost rows fails.
    const shrinking = path.join(tmp.dir, "shrinking.npy");
    writeNpyAtomic(shrinking, "<f4", [rows, cols], makeTensor(rows * cols, 5));
    const reader = NpyRowReader.open(shrinking);
    const out = AtomicNpyWriter.create(path.join(tmp.dir, "shrink-out.npy"), { descr: "<f4", shape: [rows, cols] });
    const pool = new WorkerPool(2, [], CLI_WORDS);
    try {
      truncateSync(shrinking, reader.header.dataOffset + 10 * cols * 4);
      const target = out.shareWithThreads();
      const task: ChunkTask = {
        kernel: "auto",
        items: [{
          kind: "quantize",
          plan: makePlan(config, [rows, cols], { compute: "float32", torchao: "0.12" }),
          mode: "compute",
          input: { file: shrinking, fd: reader.fd, dataOffset: reader.header.dataOffset, dtype: "F32", byteOrder: "little", shape: [rows, cols], fortranOrder: false },
          output: { file: target.file, fd: target.fd, dataOffset: target.dataOffset, dtype: "F32", byteOrder: "little" },
          rowsPerChunk: 20,
        }],
        control: newControl(),
      };
      let stops = 0;
      const err = await pool.runOnAll(task, () => { stops++; Atomics.store(task.control, CONTROL.STOP, 1); }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FqcError);
      expect((err as FqcError).code).toBe("IO");
      expect((err as FqcError).file).toBe(shrinking);
      expect((err as FqcError).message).toContain("file ended early");
      expect(stops).toBe(1);
      // Every worker has stopped before the promise settled: no chunk is claimed after the stop.
      expect(Atomics.load(task.control, CONTROL.DONE)).toBeLessThan(rows / 20);
    } finally {
      await pool.close();
      out.abort();
      reader.close();
    }
  });

  it("a last job ends each worker's thread by itself after its reply; the pool then takes no job, and close() finds them gone", async () => {
    const input = path.join(tmp.dir, "last-job.npy");
    writeNpyAtomic(input, "<f4", [rows, cols], makeTensor(rows * cols, 13));
    const reader = NpyRowReader.open(input);
    const out = AtomicNpyWriter.create(path.join(tmp.dir, "last-job-out.npy"), { descr: "<f4", shape: [rows, cols] });
    const pool = new WorkerPool(2, [], CLI_WORDS);
    const exits: number[] = [];
    for (const w of (pool as unknown as { workers: Array<{ once(e: "exit", f: (code: number) => void): void }> }).workers) w.once("exit", (code) => exits.push(code));
    try {
      const target = out.shareWithThreads();
      const task = (): ChunkTask => ({
        kernel: "auto",
        items: [{
          kind: "quantize",
          plan: makePlan(config, [rows, cols], { compute: "float32", torchao: "0.12" }),
          mode: "compute",
          input: { file: input, fd: reader.fd, dataOffset: reader.header.dataOffset, dtype: "F32", byteOrder: "little", shape: [rows, cols], fortranOrder: false },
          output: { file: target.file, fd: target.fd, dataOffset: target.dataOffset, dtype: "F32", byteOrder: "little" },
          rowsPerChunk: 4,
        }],
        control: newControl(),
      });
      // An ordinary job leaves the workers running for the next.
      const first = task();
      const counts = await pool.runOnAll(first, () => {});
      expect(counts.reduce((a, b) => a + b, 0)).toBe(Math.ceil(rows / 4));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exits).toEqual([]);
      const last = task();
      const lastCounts = await pool.runOnAll(last, () => {}, true);
      expect(lastCounts.reduce((a, b) => a + b, 0)).toBe(Math.ceil(rows / 4));
      // Both threads end on their own, cleanly, and that is no failure of the pool.
      for (let i = 0; i < 100 && exits.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(exits).toEqual([0, 0]);
      await expect(pool.runOnAll(task(), () => {})).rejects.toThrow(/worker pool is closed/);
    } finally {
      await pool.close();
      out.abort();
      reader.close();
    }
  });

  it("two runs at once on the main thread (sharing its wasm memory, which the larger one grows) match runs alone", async () => {
    const small = path.join(tmp.dir, "together-small.npy");
    const large = path.join(tmp.dir, "together-large.npy");
    writeNpyAtomic(small, "<f4", [64, 32], makeTensor(64 * 32, 8));
    writeNpyAtomic(large, "<f4", [512, 1024], makeTensor(512 * 1024, 9));
    const alone = async (input: string, tag: string) => {
      const output = path.join(tmp.dir, `${tag}.npy`);
      await applyFile({ input, output, config, threads: 1, chunkElements: 4 * 1024 });
      return readFileSync(output);
    };
    const wantSmall = await alone(small, "alone-small");
    const wantLarge = await alone(large, "alone-large");
    const [a, b] = await Promise.all([
      applyFile({ input: small, output: path.join(tmp.dir, "both-small.npy"), config, threads: 1, chunkElements: 2 * 32 }),
      // One 2 MiB chunk: more wasm memory than this thread used so far, taken while the small run is mid-way.
      applyFile({ input: large, output: path.join(tmp.dir, "both-large.npy"), config, threads: 1, chunkElements: 512 * 1024 }),
    ]);
    expect(a.chunks).toBe(32);
    expect(b.chunks).toBe(1);
    expect(readFileSync(path.join(tmp.dir, "both-small.npy")).equals(wantSmall)).toBe(true);
    expect(readFileSync(path.join(tmp.dir, "both-large.npy")).equals(wantLarge)).toBe(true);
  });

  it("a .npy tensor is cut into chunks of 256 Ki values, whatever the thread count", async () => {
    const input = path.join(tmp.dir, "chunked.npy");
    writeNpyAtomic(input, "<f4", [1024, 640], makeTensor(1024 * 640, 11));
    expect(NPY_CHUNK_ELEMENTS).toBe(1 << 18);
    const want = Math.ceil(1024 / Math.floor(NPY_CHUNK_ELEMENTS / 640));
    for (const threads of [1, 2]) {
      const r = await applyFile({ input, output: path.join(tmp.dir, `chunked-${threads}.npy`), config, threads });
      expect(r.chunks).toBe(want);
    }
  });

  it("checkpoint chunk buffers: 1 Mi values per thread, smaller with many threads, never below 256 Ki", () => {
    expect(chunkElementsFor(0)).toBe(1 << 20);
    expect(chunkElementsFor(2)).toBe(1 << 20);
    expect(chunkElementsFor(16)).toBe(1 << 20);
    expect(chunkElementsFor(32)).toBe(1 << 19);
    expect(chunkElementsFor(256)).toBe(1 << 18);
    for (const t of [1, 3, 17, 40, 64]) expect(t * chunkElementsFor(t)).toBeLessThanOrEqual(Math.max(16 << 20, t << 18));
  });
});

describe("a worker thread that could not start", () => {
  /** A thread as Node reports one it could not start: it never replies, then says why ("error") and ends ("exit"). */
  function unstartedThread(): EventEmitter & WorkerThread {
    return Object.assign(new EventEmitter(), { postMessage: () => {}, terminate: async () => 1 });
  }
  const initFailure = (errno: string) => Object.assign(new Error(`Worker initialization failure: ${errno}`), { code: "ERR_WORKER_INIT_FAILED" });
  const noHang = <T>(p: Promise<T>): Promise<T | "hung"> => Promise.race([p, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 2000))]);

  it("before its first job (out of file descriptors): the job fails at once, saying so with the fix, instead of waiting for ever", async () => {
    const w = unstartedThread();
    const pool = new WorkerPool(1, [w], CLI_WORDS);
    w.emit("error", initFailure("EMFILE"));
    w.emit("exit", 1);
    let stops = 0;
    const err = await noHang(pool.runOnAll({} as ChunkTask, () => { stops++; }).catch((e: unknown) => e));
    await pool.close();
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("IO");
    expect((err as FqcError).message).toBe("cannot start a worker thread: too many open files");
    expect((err as FqcError).hint).toBe("Raise the open-file limit (ulimit -n), or pass --threads 1 to compute on the main thread alone.");
    expect(stops).toBe(1);
  });

  it("while its job is posted: the same error, not an internal one", async () => {
    const w = unstartedThread();
    const pool = new WorkerPool(1, [w], CLI_WORDS);
    const run = pool.runOnAll({} as ChunkTask, () => {}).catch((e: unknown) => e);
    w.emit("error", initFailure("EAGAIN"));
    w.emit("exit", 1);
    const err = await noHang(run);
    await pool.close();
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).message).toBe("cannot start a worker thread: EAGAIN");
    expect((err as FqcError).hint).toBe("Pass --threads 1 to compute on the main thread alone.");
  });
});
