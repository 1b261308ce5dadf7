/**
 * WorkerPool's side of the protocol, with stand-in threads that reply when the test says: every worker gets the job
 * once, the replies are matched to their jobs, and a failure (a reply, a thread's error or exit) fails that worker's
 * job alone, stops the rest once, and is thrown only when every worker has settled.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { ChunkTask } from "../../src/apply-chunks.js";
import { FqcError } from "../../src/errors.js";
import type { WorkerThread } from "../../src/host-types.js";
import { WorkerPool } from "../../src/parallel/pool.js";
import { CLI_WORDS, LIBRARY_WORDS } from "../../src/caller-words.js";
import type { Job, WorkerFailure } from "../../src/parallel/protocol.js";

/** A worker's reply without its job id (the stand-in adds it). */
type Reply = { ok: true; chunks: number } | ({ ok: false } & WorkerFailure);
type StandIn = EventEmitter & WorkerThread & { jobs: Job[]; terminated: number; reply(r: Reply, job?: Job): void };

/** A thread that records the jobs posted to it and replies when told to. */
function standIn(): StandIn {
  const w = new EventEmitter() as StandIn;
  w.jobs = [];
  w.terminated = 0;
  w.postMessage = (value: unknown) => void w.jobs.push(value as Job);
  w.terminate = async () => (w.terminated++, 1);
  w.reply = (r, job = w.jobs[w.jobs.length - 1]) => void w.emit("message", { ...r, id: job.id });
  return w;
}

const TASK = { items: [] } as unknown as ChunkTask;

/** Whether `p` has settled once pending callbacks have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 10));
  return done;
}

function pool(n: number): { pool: WorkerPool; ws: StandIn[] } {
  const ws = Array.from({ length: n }, standIn);
  return { pool: new WorkerPool(n, ws, CLI_WORDS), ws };
}

describe("WorkerPool with stand-in threads", () => {
  it("posts the task to every worker once, with its own id, and resolves to each worker's chunks in worker order", async () => {
    const { pool: p, ws } = pool(3);
    const run = p.runOnAll(TASK, () => { throw new Error("no failure expected"); });
    expect(ws.map((w) => w.jobs.length)).toEqual([1, 1, 1]);
    expect(ws.every((w) => w.jobs[0].task === TASK && w.jobs[0].last === false)).toBe(true);
    expect(new Set(ws.map((w) => w.jobs[0].id)).size).toBe(3);
    // Replies come in any order; a reply to no job of this pool is ignored.
    ws[0].emit("message", { id: 999, ok: true, chunks: 50 });
    ws[2].reply({ ok: true, chunks: 7 });
    ws[0].reply({ ok: true, chunks: 5 });
    expect(await settled(run)).toBe(false);
    ws[1].reply({ ok: true, chunks: 0 });
    await expect(run).resolves.toEqual([5, 0, 7]);
    // A second job gets new ids: a late reply to the first cannot settle it.
    const again = p.runOnAll(TASK, () => {});
    ws[0].reply({ ok: true, chunks: 1 }, ws[0].jobs[0]);
    for (const w of ws) w.reply({ ok: true, chunks: 2 });
    await expect(again).resolves.toEqual([2, 2, 2]);
    await p.close();
  });

  it("a worker's failure reply fails the run, keeping the code, hint and file; onFailure runs once; the run settles after every worker", async () => {
    const { pool: p, ws } = pool(3);
    let stops = 0;
    const run = p.runOnAll(TASK, () => stops++);
    ws[1].reply({ ok: false, message: "file ended early", code: "IO", hint: "check the file", file: "/x.npy" });
    ws[2].reply({ ok: false, message: "also failed" });
    expect(await settled(run)).toBe(false);
    expect(stops).toBe(1);
    ws[0].reply({ ok: true, chunks: 3 });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FqcError);
    expect(err).toMatchObject({ code: "IO", message: "file ended early", hint: "check the file", file: "/x.npy" });
    await p.close();
  });

  it("a failure without a code is a plain Error with the worker's message", async () => {
    const { pool: p, ws } = pool(1);
    const run = p.runOnAll(TASK, () => {});
    ws[0].reply({ ok: false, message: "boom" });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(FqcError);
    expect((err as Error).message).toBe("boom");
    await p.close();
  });

  it("a thread's error fails its job alone (the first reason kept through its exit) and every later job at once", async () => {
    const { pool: p, ws } = pool(2);
    let stops = 0;
    const run = p.runOnAll(TASK, () => stops++);
    const oom = Object.assign(new Error("Worker terminated due to reaching memory limit"), { code: "ERR_WORKER_OUT_OF_MEMORY" });
    ws[0].emit("error", oom);
    ws[0].emit("exit", 1);
    expect(await settled(run)).toBe(false);
    ws[1].reply({ ok: true, chunks: 4 });
    const err = await run.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "IO", message: "a worker thread ran out of memory", cause: oom, hint: "Pass --threads 1 to compute on the main thread alone, or free memory." });
    expect(stops).toBe(1);
    // The lost worker gets no job; the run fails with its reason without waiting on the live one.
    const next = p.runOnAll(TASK, () => {});
    expect(ws[0].jobs).toHaveLength(1);
    expect(await settled(next)).toBe(false);
    ws[1].reply({ ok: true, chunks: 1 });
    await expect(next).rejects.toMatchObject({ message: "a worker thread ran out of memory" });
    await p.close();
  });

  it("words a thread that could not start by Node's message when it names no errno", async () => {
    const { pool: p, ws } = pool(1);
    const run = p.runOnAll(TASK, () => {});
    ws[0].emit("error", Object.assign(new Error("Worker initialization failure"), { code: "ERR_WORKER_INIT_FAILED" }));
    await expect(run).rejects.toMatchObject({ code: "IO", message: "cannot start a worker thread: Worker initialization failure", hint: "Pass --threads 1 to compute on the main thread alone." });
    await p.close();
  });

  it("tells a library caller to set its threads option, where the CLI says --threads", async () => {
    const ws = [standIn()];
    const p = new WorkerPool(1, ws, LIBRARY_WORDS);
    const run = p.runOnAll(TASK, () => {});
    ws[0].emit("error", Object.assign(new Error("Worker initialization failure: EMFILE"), { code: "ERR_WORKER_INIT_FAILED" }));
    await expect(run).rejects.toMatchObject({
      code: "IO", message: "cannot start a worker thread: too many open files",
      hint: "Raise the open-file limit (ulimit -n), or set options.threads to 1 to compute on the main thread alone.",
    });
    await p.close();
    const oomWs = [standIn()];
    const oomPool = new WorkerPool(1, oomWs, LIBRARY_WORDS);
    const oomRun = oomPool.runOnAll(TASK, () => {});
    oomWs[0].emit("error", Object.assign(new Error("out of memory"), { code: "ERR_WORKER_OUT_OF_MEMORY" }));
    await expect(oomRun).rejects.toMatchObject({ hint: "Set options.threads to 1 to compute on the main thread alone, or free memory." });
    await oomPool.close();
  });

  it("passes on a thread's other errors as they are", async () => {
    const { pool: p, ws } = pool(1);
    const run = p.runOnAll(TASK, () => {});
    const odd = new Error("something else");
    ws[0].emit("error", odd);
    await expect(run).rejects.toBe(odd);
    await p.close();
  });

  it("a thread that exits while the pool is open fails its job with the exit code", async () => {
    const { pool: p, ws } = pool(2);
    const run = p.runOnAll(TASK, () => {});
    ws[1].emit("exit", 0);
    ws[0].reply({ ok: true, chunks: 1 });
    await expect(run).rejects.toThrow("worker thread exited unexpectedly (code 0)");
    await p.close();
  });

  it("after the last job, a clean exit of a worker that replied is no failure; one with its job still out, or not clean, is", async () => {
    const { pool: p, ws } = pool(2);
    const run = p.runOnAll(TASK, () => {}, true);
    expect(ws.map((w) => w.jobs[0].last)).toEqual([true, true]);
    ws[0].reply({ ok: true, chunks: 2 });
    ws[0].emit("exit", 0);
    ws[1].reply({ ok: true, chunks: 3 });
    ws[1].emit("exit", 0);
    await expect(run).resolves.toEqual([2, 3]);
    await expect(p.runOnAll(TASK, () => {})).rejects.toThrow("worker pool is closed");
    await p.close();

    const early = pool(1);
    const cut = early.pool.runOnAll(TASK, () => {}, true);
    early.ws[0].emit("exit", 0); // gone before its reply
    await expect(cut).rejects.toThrow("worker thread exited unexpectedly (code 0)");
    await early.pool.close();

    const crashed = pool(2);
    const after = crashed.pool.runOnAll(TASK, () => {}, true);
    crashed.ws[1].emit("exit", 3); // not clean, its job out
    crashed.ws[0].reply({ ok: true, chunks: 1 });
    await expect(after).rejects.toThrow("worker thread exited unexpectedly (code 3)");
    await crashed.pool.close();
  });

  it("close() fails the jobs still out, terminates each worker once (a second close does nothing), and takes no job after", async () => {
    const { pool: p, ws } = pool(2);
    const run = p.runOnAll(TASK, () => {});
    ws[0].reply({ ok: true, chunks: 1 });
    await p.close();
    await expect(run).rejects.toThrow("worker pool closed");
    await p.close();
    expect(ws.map((w) => w.terminated)).toEqual([1, 1]);
    await expect(p.runOnAll(TASK, () => {})).rejects.toThrow("worker pool is closed");
  });

  it("refuses a size that is no positive integer, and more started workers than its size", () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => new WorkerPool(size, [], CLI_WORDS), String(size)).toThrow(RangeError);
    expect(() => new WorkerPool(1, [standIn(), standIn()], CLI_WORDS)).toThrow("2 started workers for a pool of 1");
    // As many started workers as its size: it starts none of its own.
    const ws = [standIn(), standIn()];
    const p = new WorkerPool(2, ws, CLI_WORDS);
    expect(p.size).toBe(2);
    void p.close();
    expect(ws.map((w) => w.terminated)).toEqual([1, 1]);
  });
});
