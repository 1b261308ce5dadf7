/** Workers started before the CLI loads: the guess from the arguments, the supply apply takes from, and the pool adopting them. */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { earlyWorkerCount, startEarlyWorkers, supplyOf } from "../../src/parallel/early-workers.js";
import { spawnWorker } from "../../src/parallel/spawn-worker.js";
import { INLINE_LIMIT, resolveThreads } from "../../src/parallel/thread-count.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// The guess is made before the config is read: it goes by the SIMD kernel's limit.
const LIMIT = INLINE_LIMIT.wasm;
const tensors: Record<string, { elements: number; rows: number }> = {
  "big.npy": { elements: LIMIT, rows: 1024 },
  "small.npy": { elements: LIMIT - 1, rows: 1023 },
  "three-rows.npy": { elements: 3 * LIMIT, rows: 3 },
  "vector.npy": { elements: 4 * LIMIT, rows: 1 },
  "model.safetensors": { elements: 2 * LIMIT, rows: 2 * LIMIT },
  "tiny.safetensors": { elements: 100, rows: 100 },
  "model.npz": { elements: 2 * LIMIT, rows: 2 * LIMIT },
};
const tensorOf = (f: string) => tensors[f];
const count = (args: string, cores = 4) => earlyWorkerCount(args.split(" "), cores, tensorOf);

describe("earlyWorkerCount: what the arguments say apply will use", () => {
  it("one per extra core for apply on a tensor apply would thread (threads auto), the largest .npy deciding", () => {
    expect(count("apply big.npy out.npy -c cfg.json")).toBe(3);
    expect(count("apply -c cfg.json --force big.npy out.npy", 8)).toBe(7);
    expect(count("apply big.npy out.npy --threads auto")).toBe(3);
    expect(count("apply small.npy big.npy")).toBe(3);
    expect(count("apply big.npy small.npy")).toBe(3);
  });

  it("none for a tensor apply runs on the main thread, a missing or unreadable file, or no .npy at all", () => {
    expect(count("apply small.npy out.npy -c cfg.json")).toBe(0);
    expect(count("apply missing.npy out.npy -c cfg.json")).toBe(0);
    expect(count("apply -c cfg.json")).toBe(0);
    expect(count("apply missing.npy out.npy --threads 4")).toBe(0);
  });

  it("never more than the rows apply can split the tensor into", () => {
    expect(count("apply three-rows.npy out.npy", 8)).toBe(2);
    expect(count("apply vector.npy out.npy", 8)).toBe(0);
    expect(count("apply three-rows.npy out.npy --threads 8", 8)).toBe(2);
  });

  it("--threads N (every spelling yargs takes, the last one winning) gives N − 1, capped at the extra cores", () => {
    for (const t of ["--threads 3", "--threads=3", "-j 3", "-j3", "-j=3", "--threads 9 -j 3"]) expect(count(`apply small.npy out.npy ${t}`), t).toBe(2);
    for (const t of ["--threads 12", "--threads=12", "-j12", "-j=12"]) expect(count(`apply small.npy out.npy ${t}`, 16), t).toBe(11);
    expect(count("apply big.npy out.npy --threads 1")).toBe(0);
    expect(count("apply big.npy out.npy -j 0")).toBe(0);
    expect(count("apply small.npy out.npy --threads 64")).toBe(3);
    expect(count("apply big.npy out.npy --threads nonsense")).toBe(3); // apply rejects it; the guess falls back to auto
  });

  it("reads no file when one thread is asked for", () => {
    const read: string[] = [];
    const recording = (f: string) => { read.push(f); return tensorOf(f); };
    for (const t of ["--threads 1", "-j1", "-j=1", "--threads 4 -j 1", "-j 0"]) expect(earlyWorkerCount(`apply big.npy out.npy ${t}`.split(" "), 4, recording), t).toBe(0);
    expect(read).toEqual([]);
    expect(earlyWorkerCount("apply big.npy out.npy -j 2".split(" "), 4, recording)).toBe(1);
    expect(read).toEqual(["big.npy", "out.npy"]);
    // Only names that end in a tensor file's extension are looked at.
    read.length = 0;
    earlyWorkerCount("apply big.npy.json out.npy -j 2".split(" "), 4, recording);
    expect(read).toEqual(["out.npy"]);
  });

  it("goes by the size of a checkpoint file (.safetensors, .npz); none for a small one or a --dry-run", () => {
    expect(count("apply model.safetensors out.safetensors --recipe r.json")).toBe(3);
    expect(count("apply model.npz out.npz -c cfg.json")).toBe(3);
    expect(count("apply tiny.safetensors out.safetensors -c cfg.json")).toBe(0);
    expect(count("apply model.safetensors out.safetensors --recipe r.json --dry-run")).toBe(0);
  });

  it("none for other commands, help, version, or a single core", () => {
    expect(count("validate big.npy")).toBe(0);
    expect(count("normalize big.npy")).toBe(0);
    expect(count("apply big.npy out.npy --help")).toBe(0);
    expect(count("apply big.npy out.npy -h")).toBe(0);
    expect(count("apply big.npy out.npy -v")).toBe(0);
    expect(count("apply -h")).toBe(0);
    expect(count("apply big.npy out.npy --version")).toBe(0);
    expect(count("apply big.npy out.npy", 1)).toBe(0);
    expect(count("apply big.npy out.npy --threads 4", 1)).toBe(0);
    // Two cores: the main thread and one worker.
    expect(count("apply big.npy out.npy", 2)).toBe(1);
  });
});

describe("resolveThreads: threads auto by the kernel that will run", () => {
  it("keeps a tensor on the main thread below the kernel's limit, one thread per core from it on; a number is taken as given", () => {
    const cores = Math.max(1, availableParallelism());
    expect(resolveThreads("auto", INLINE_LIMIT.wasm - 1, "wasm")).toBe(0);
    expect(resolveThreads("auto", INLINE_LIMIT.wasm, "wasm")).toBe(cores);
    expect(resolveThreads("auto", INLINE_LIMIT.js - 1, "js")).toBe(0);
    expect(resolveThreads(undefined, INLINE_LIMIT.js, "js")).toBe(cores);
    // The JS kernel is far slower per element: its threads pay off on much smaller tensors.
    expect(INLINE_LIMIT.js).toBeLessThan(INLINE_LIMIT.wasm);
    expect(resolveThreads(3, 10, "wasm")).toBe(3);
    expect(() => resolveThreads(-1, 10)).toThrow(/threads must be a whole number ≥ 0 or "auto", not -1/);
  });
});

const exited = (w: Worker) => new Promise<number>((resolve) => w.once("exit", resolve));

describe("the supply of started workers", () => {
  it("hands out at most what it has, each worker once, and stops the rest on release", async () => {
    const ws = [spawnWorker(), spawnWorker(), spawnWorker()];
    const ends = ws.map(exited);
    const supply = supplyOf(ws);
    expect(supply.take(-1)).toEqual([]);
    const first = supply.take(2);
    expect(first).toEqual(ws.slice(0, 2));
    expect(supply.take(0)).toEqual([]);
    await supply.release();
    expect(supply.take(5)).toEqual([]);
    await ends[2]; // released
    await Promise.all(first.map((w) => w.terminate()));
    await Promise.all(ends);
  });

  it("hands each worker out once, over several takes", async () => {
    const ws = [spawnWorker(), spawnWorker()];
    const supply = supplyOf(ws);
    expect(supply.take(1)).toEqual([ws[0]]);
    expect(supply.take(1)).toEqual([ws[1]]);
    expect(supply.take(1)).toEqual([]);
    await Promise.all(ws.map((w) => w.terminate()));
  });

  it("never hands out a worker that has exited", async () => {
    const [dead, live] = [spawnWorker(), spawnWorker()];
    const supply = supplyOf([dead, live]);
    await dead.terminate();
    expect(supply.take(2)).toEqual([live]);
    await live.terminate();
  });
});

describe("startEarlyWorkers", () => {
  const file = path.join(tmp.dir, "rows.npy");
  writeNpyAtomic(file, "<f4", [8, 4], Array.from({ length: 32 }, (_, i) => i));

  it("reads the tensor's header for the guess, and never throws: a failing start leaves apply to start (and report) its own", async () => {
    const failing = (): Worker => {
      throw new Error("out of threads");
    };
    const supply = startEarlyWorkers(["apply", file, "out.npy", "--threads", "2"], failing);
    expect(supply.take(3)).toEqual([]);
    await supply.release();
    const ok = startEarlyWorkers(["apply", file, "out.npy", "--threads", "2"]);
    const got = ok.take(2);
    expect(got.length).toBe(Math.min(2, availableParallelism()) - 1);
    await Promise.all(got.map((w) => w.terminate()));
    await ok.release();
  });

  it("caps the workers at the .npy's rows (every dimension but the last), read from its header", async () => {
    const oneRow = path.join(tmp.dir, "one-row.npy");
    writeNpyAtomic(oneRow, "<f4", [1, 32], Array.from({ length: 32 }, (_, i) => i));
    const supply = startEarlyWorkers(["apply", oneRow, "out.npy", "--threads", "2"]);
    expect(supply.take(2)).toEqual([]);
    await supply.release();
    // [1, 2, 32]: two rows, so a second thread when the machine has a second core.
    const twoRows = path.join(tmp.dir, "two-rows.npy");
    writeNpyAtomic(twoRows, "<f4", [1, 2, 32], Array.from({ length: 64 }, (_, i) => i));
    const two = startEarlyWorkers(["apply", twoRows, "out.npy", "--threads", "2"]);
    const got = two.take(2);
    expect(got).toHaveLength(Math.min(2, availableParallelism()) - 1);
    await Promise.all(got.map((w) => w.terminate()));
    await two.release();
  });

  it("goes by a checkpoint file's size (as 2-byte values), without reading it", async () => {
    // 4 bytes: 2 values, so up to 2 threads; 2 bytes: 1 value, the main thread alone.
    const [four, two] = [tmp.write("four.safetensors", "abcd"), tmp.write("two.npz", "ab")];
    const supply = startEarlyWorkers(["apply", four, "out.safetensors", "--threads", "2"]);
    const got = supply.take(2);
    expect(got).toHaveLength(Math.min(2, availableParallelism()) - 1);
    await Promise.all(got.map((w) => w.terminate()));
    await supply.release();
    const none = startEarlyWorkers(["apply", two, "out.npz", "--threads", "2"]);
    expect(none.take(2)).toEqual([]);
    await none.release();
  });
});

describe("apply adopts started workers", () => {
  const rows = 64;
  const cols = 512;
  const input = path.join(tmp.dir, "in.npy");
  writeNpyAtomic(input, "<f4", [rows, cols], Array.from({ length: rows * cols }, (_, i) => Math.sin(i) * (i % 7)));
  const config = normalize({ dtype: "int4", group_size: 32 });

  it("uses them for its threads (fewer than it needs, exactly, or more: the surplus stays with the supply), with identical bytes", async () => {
    const ref = path.join(tmp.dir, "ref.npy");
    await applyFile({ input, output: ref, config, threads: 0 });
    for (const [started, threads] of [[1, 3], [2, 3], [3, 2]] as const) {
      const ws = Array.from({ length: started }, () => spawnWorker());
      const ends = ws.map(exited);
      const supply = supplyOf(ws);
      const out = path.join(tmp.dir, `out-${started}-${threads}.npy`);
      const r = await applyFile({ input, output: out, config, threads, chunkElements: 4 * cols, startedWorkers: supply });
      expect(r.threads).toBe(threads);
      expect(readFileSync(out).equals(readFileSync(ref))).toBe(true);
      // The pool closed the ones it took; the surplus is still the supply's to stop.
      const taken = Math.min(started, threads - 1);
      await Promise.all(ends.slice(0, taken));
      expect(supply.take(started)).toEqual(ws.slice(taken));
      await supply.release();
      await Promise.all(ws.slice(taken).map((w) => w.terminate()));
    }
  });
});

describe("fqc apply starts its workers early", () => {
  const big = path.join(tmp.dir, "big.npy");
  writeNpyAtomic(big, "<f4", [1024, 1024], Array.from({ length: 1 << 20 }, (_, i) => Math.cos(i) * (i % 13)));
  const cfg = tmp.write("cfg.json", JSON.stringify({ dtype: "int4", group_size: 32 }));

  it("threads auto by the kernel: 1 Mi values stay on the main thread with the SIMD kernel and get workers (started by apply) with the JS one; the same bytes as one thread", () => {
    // bfloat16 scales with float32 compute: the JS kernel.
    const jsOnly = tmp.write("bf16-scale.json", JSON.stringify({ dtype: "int4", group_size: 32, scale_precision: "bfloat16" }));
    for (const [c, threads] of [[cfg, 0], [jsOnly, Math.max(1, availableParallelism())]] as const) {
      const one = runFqc(["apply", big, tmp.path("one.npy"), "-c", c, "--threads", "1", "--quiet"]);
      const auto = runFqc(["apply", big, tmp.path("auto.npy"), "-c", c, "--json"]);
      expect(one.code, one.stderr).toBe(0);
      expect(auto.code, auto.stderr).toBe(0);
      expect(JSON.parse(auto.stdout).threads, c).toBe(threads);
      expect(readFileSync(tmp.path("auto.npy")).equals(readFileSync(tmp.path("one.npy")))).toBe(true);
    }
  });

  it("and apply adopts them: a run starts exactly the workers it uses", () => {
    // Counts Worker constructions in the fqc process, whoever makes them (the launcher or the pool).
    const preload = tmp.write("count-workers.cjs", `
      const wt = require("node:worker_threads");
      const fs = require("node:fs");
      let made = 0;
      const Real = wt.Worker;
      wt.Worker = class extends Real { constructor(...a) { super(...a); made++; } };
      process.on("exit", () => fs.writeFileSync(process.env.FQC_TEST_COUNT, String(made)));
    `);
    for (const threads of ["2", "3"]) {
      const counted = tmp.path(`count-${threads}.txt`);
      const r = runFqc(["apply", big, tmp.path(`adopted-${threads}.npy`), "-c", cfg, "--threads", threads, "--quiet"], {
        exe: [process.execPath, "-r", preload, path.join(ROOT, "bin/fqc.js")], env: { FQC_TEST_COUNT: counted },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(counted, "utf8"), `--threads ${threads}`).toBe(String(Number(threads) - 1));
    }
  });

  it("and stops them, exiting as usual, when apply never gets to use them", () => {
    const bad = tmp.write("bad.json", JSON.stringify({ dtype: "int4", group_size: 0 }));
    const r = runFqc(["apply", big, tmp.path("never.npy"), "-c", bad, "--threads", "2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("group_size");
    const shape = runFqc(["apply", big, tmp.path("never.npy"), "-c", tmp.write("g3.json", JSON.stringify({ dtype: "int4", group_size: 3 }))]);
    expect(shape.code).toBe(1);
    expect(shape.stderr).not.toMatch(/at .*\.(c?js|ts):\d+/); // one message, no stack trace
  });
});
