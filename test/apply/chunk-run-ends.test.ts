/**
 * How a run of chunks (apply/run-task.ts) starts and ends, seen through applyFile: an abort
 * before the call runs no chunk, one during the run stops it early, progress rises once per value to the total,
 * also when worker threads did the last chunks, and a worker thread's failure fails the call even when the main
 * thread did every chunk.
 */
import { readdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const perToken = normalize({ dtype: "int8", granularity: "per_token", is_symmetric: false });
const cols = 8;
/** One row per chunk: many chunks of little work each. */
function tensor(name: string, rows: number): string {
  const file = tmp.path(name);
  writeNpyAtomic(file, "<f4", [rows, cols], Array.from({ length: rows * cols }, (_, i) => Math.sin(i)));
  return file;
}
/** The output and any temp file of it. */
const written = (name: string) => readdirSync(tmp.dir).filter((f) => f.includes(name));

describe("a run of chunks", () => {
  it("does not start when the signal was aborted before the call: no chunk runs, nothing is written", async () => {
    const progress: number[] = [];
    const output = tmp.path("out-before.npy");
    const run = applyFile({
      input: tensor("before.npy", 64), output, config: perToken, threads: 1, chunkElements: cols,
      scaleOut: tmp.path("out-before-scale.npy"), zeroPointOut: tmp.path("out-before-zp.npy"),
      signal: AbortSignal.abort(), onProgress: (done) => progress.push(done),
    });
    // No output, no qparams file, no temp file of any.
    await expect(run).rejects.toMatchObject({ code: "INTERRUPTED", message: `interrupted; ${output} was not written` });
    expect(progress).toEqual([]);
    expect(written("out-before")).toEqual([]);
  });

  it("stops soon after an abort during the run, with chunks left undone", async () => {
    const rows = 16384;
    const abort = new AbortController();
    let last = 0;
    const run = applyFile({
      input: tensor("during.npy", rows), output: tmp.path("out-during.npy"), config: perToken, threads: 1, chunkElements: cols,
      signal: abort.signal, onProgress: (done) => { last = done; abort.abort(); },
    });
    await expect(run).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(last).toBeLessThan(rows);
    expect(written("out-during")).toEqual([]);
  });

  it("reports progress once per value, rising to the total", async () => {
    const rows = 40;
    const progress: Array<[number, number]> = [];
    await applyFile({
      input: tensor("progress.npy", rows), output: tmp.path("out-progress.npy"), config: perToken, threads: 1, chunkElements: 4 * cols,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress).toEqual(Array.from({ length: 10 }, (_, i) => [4 * (i + 1), rows]));
  });

  it("ends its progress at the total when worker threads did chunks too", async () => {
    const rows = 4096;
    const progress: number[] = [];
    const r = await applyFile({
      input: tensor("threads.npy", rows), output: tmp.path("out-threads.npy"), config: perToken, threads: 3, chunkElements: 4 * cols,
      // A slow callback keeps the main thread to few chunks: the workers do the rest, the last ones after its last report.
      onProgress: (done) => {
        progress.push(done);
        const until = Date.now() + 20;
        while (Date.now() < until) { /* busy */ }
      },
    });
    expect(r.threads).toBe(3);
    expect(progress.at(-1)).toBe(rows);
  });

  it("fails with a worker thread's error, even when the main thread did every chunk, and writes nothing", async () => {
    // A started worker that fails as soon as it is given its share: the few chunks are the main thread's by then.
    const broken = new Worker("require('node:worker_threads').parentPort.on('message', () => { throw new Error('the worker broke'); });", { eval: true });
    const run = applyFile({
      input: tensor("worker.npy", 4), output: tmp.path("out-worker.npy"), config: perToken, threads: 2,
      startedWorkers: { take: (n) => (n > 0 ? [broken] : []) },
    });
    const error = await run.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe("the worker broke");
    expect(written("out-worker")).toEqual([]);
  });
});
