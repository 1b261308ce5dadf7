/**
 * The library inside a program that outlives its calls (a training harness, a
 * server): an abort means no output whenever it comes before the call settles,
 * and calls leave nothing behind for the host (listeners, warnings).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { applyFile } from "../../src/apply.js";
import { applyCheckpoint } from "../../src/apply/checkpoint.js";
import { normalize, normalizeDocument } from "../../src/config/normalize.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights, writeSafetensors } from "../helpers/safetensors.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { configTargets } from "../../src/report/targets.js";
import { openCheckpoint } from "../../src/checkpoint/open.js";
import { craftZip, npyF32 } from "../checkpoint/npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const config = normalize({ dtype: "int4", group_size: 32 });
/** Everything in the temp directory but the inputs: outputs and temp files alike. */
const written = (inputs: string[]) => readdirSync(tmp.dir).filter((f) => !inputs.includes(f));

describe("an abort that comes right at the end", () => {
  const rows = 64;
  const cols = 64;
  writeNpyAtomic(tmp.path("w.npy"), "<f4", [rows, cols], weights(rows * cols, 1, 1));
  writeNpyAtomic(tmp.path("empty.npy"), "<f4", [0, cols], []);
  writeSafetensors(tmp.path("m.safetensors"), [
    { name: "a.weight", dtype: "F32", shape: [rows, cols], values: weights(rows * cols, 2, 1) },
    { name: "b.weight", dtype: "F32", shape: [rows, cols], values: weights(rows * cols, 3, 1) },
  ]);
  writeFileSync(tmp.path("m.npz"), craftZip([
    { name: "a.weight.npy", payload: npyF32(Array.from(weights(rows * cols, 4, 1)), [rows, cols]), method: 0 },
    { name: "b.weight.npy", payload: npyF32(Array.from(weights(rows * cols, 5, 1)), [rows, cols]), method: 8 },
  ]));
  const inputs = ["w.npy", "empty.npy", "m.safetensors", "m.npz"];

  it.each([1, 3])("applyFile aborted in its last progress callback writes nothing (%i threads)", async (threads) => {
    const abort = new AbortController();
    const run = applyFile({
      input: tmp.path("w.npy"), output: tmp.path("w_fq.npy"), scaleOut: tmp.path("w_scale.npy"), config, threads, chunkElements: 8 * cols,
      signal: abort.signal, onProgress: (done, total) => { if (done === total) abort.abort(); },
    });
    await expect(run).rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(written(inputs)).toEqual([]);
  });

  it("applyFile with an aborted signal writes nothing for a tensor of zero rows", async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(applyFile({ input: tmp.path("empty.npy"), output: tmp.path("empty_fq.npy"), config, signal: abort.signal }))
      .rejects.toMatchObject({ code: "INTERRUPTED" });
    expect(written(inputs)).toEqual([]);
  });

  it.each([["m.safetensors", 1], ["m.safetensors", 3], ["m.npz", 1], ["m.npz", 3]] as const)(
    "applyCheckpoint aborted in its last progress callback writes nothing (%s, %i threads)", async (input, threads) => {
      const abort = new AbortController();
      const output = input.replace("m.", "out.");
      const run = applyCheckpoint({
        input: tmp.path(input), output: tmp.path(output), qparamsOut: tmp.path("qp.safetensors"), select: { config }, threads, chunkElements: 8 * cols,
        signal: abort.signal, onProgress: (done, total) => { if (done === total) abort.abort(); },
      });
      await expect(run).rejects.toMatchObject({ code: "INTERRUPTED" });
      expect(written(inputs)).toEqual([]);
    },
  );

  it("a call after an aborted one writes its output", async () => {
    await applyFile({ input: tmp.path("w.npy"), output: tmp.path("after.npy"), config, threads: 3, signal: new AbortController().signal });
    expect(written(inputs).filter((f) => f === "after.npy" || f.endsWith(".tmp"))).toEqual(["after.npy"]);
  });
});

describe("one signal shared by many concurrent calls", () => {
  const own = tempDir();
  afterAll(() => own.cleanup());
  const rows = 256;
  const cols = 256;
  writeNpyAtomic(own.path("shared.npy"), "<f4", [rows, cols], weights(rows * cols, 6, 1));

  it("prints no MaxListenersExceededWarning in the host for 16 calls at once, and every call still stops on abort", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    try {
      const shared = new AbortController();
      const ckpt = testCheckpoint(own.path("shared.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [rows, cols], values: weights(rows * cols, 7, 1) }]);
      try {
        const targets = configTargets(ckpt, config);
        await Promise.all(Array.from({ length: 16 }, (_, i) => i % 4 !== 3
          ? applyFile({ input: own.path("shared.npy"), output: own.path(`shared-${i}.npy`), config, threads: 2, signal: shared.signal })
          : reportCheckpoint(ckpt, [{ name: "c", source: "c.json", kind: "config", targets }], { threads: 2, signal: shared.signal })));
        // The warning is emitted on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).toEqual([]);
        const runs = Array.from({ length: 4 }, (_, i) => applyFile({
          input: own.path("shared.npy"), output: own.path(`stopped-${i}.npy`), config, threads: 2, chunkElements: 16 * cols, signal: shared.signal,
          onProgress: () => shared.abort(),
        }));
        for (const r of await Promise.allSettled(runs)) expect(r).toMatchObject({ status: "rejected", reason: { code: "INTERRUPTED" } });
        expect(readdirSync(own.dir).filter((f) => f.startsWith("stopped-") || f.startsWith(".stopped-"))).toEqual([]);
      } finally {
        ckpt.close();
      }
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("a deflated .npz member, streamed on the main thread", () => {
  const own = tempDir();
  afterAll(() => own.cleanup());
  // 1 Mi float32 values, a short pattern repeated: quick to deflate here, tens of milliseconds to inflate and fake-quantize.
  const rows = 1024;
  const cols = 1024;
  const pattern = Array.from(weights(4 * cols, 8, 1));
  const values = Array.from({ length: rows * cols }, (_, i) => pattern[i % pattern.length]);
  writeFileSync(own.path("big.npz"), craftZip([
    { name: "big.weight.npy", payload: npyF32(values, [rows, cols]), method: 8 },
    { name: "small.weight.npy", payload: npyF32(Array.from(weights(8 * cols, 9, 1)), [8, cols]), method: 0 },
  ]));

  /** Event-loop turns counted by a setImmediate chain running beside the call. */
  function turnCounter() {
    let turns = 0;
    let handle = setImmediate(function tick() { turns++; handle = setImmediate(tick); });
    return { get turns() { return turns; }, stop: () => clearImmediate(handle) };
  }

  it("applyCheckpoint lets the host's event loop turn while the member is inflated, and an abort then stops it before its end", async () => {
    const loop = turnCounter();
    const abort = new AbortController();
    const progress: number[] = [];
    try {
      // Abort at the first turn of the loop after the call started: before the fix, that was after the whole member.
      setImmediate(() => abort.abort());
      const run = applyCheckpoint({
        input: own.path("big.npz"), output: own.path("big.out.npz"), select: { config }, threads: 1, chunkElements: 16 * cols,
        signal: abort.signal, onProgress: (done) => progress.push(done),
      });
      await expect(run).rejects.toMatchObject({ code: "INTERRUPTED" });
    } finally {
      loop.stop();
    }
    expect(progress).toEqual([]);
    expect(readdirSync(own.dir)).toEqual(["big.npz"]);
  });

  it("reportCheckpoint lets the host's event loop turn while the member is inflated", async () => {
    const ckpt = openCheckpoint(own.path("big.npz"));
    const loop = turnCounter();
    let turnsAtFirstTensor = -1;
    try {
      await reportCheckpoint(ckpt, [{ name: "c", source: "c.json", kind: "config", targets: configTargets(ckpt, config) }], {
        threads: 1, onProgress: () => { if (turnsAtFirstTensor < 0) turnsAtFirstTensor = loop.turns; },
      });
    } finally {
      loop.stop();
      ckpt.close();
    }
    expect(turnsAtFirstTensor).toBeGreaterThan(0);
  });
});

describe("calls again and again: nothing kept, nothing left running", () => {
  const own = tempDir();
  afterAll(() => own.cleanup());
  const rows = 64;
  const cols = 128;
  writeNpyAtomic(own.path("w.npy"), "<f4", [rows, cols], weights(rows * cols, 10, 1));
  // A header that promises more data than the file holds.
  writeFileSync(own.path("short.npy"), readFileSync(own.path("w.npy")).subarray(0, 300));
  writeSafetensors(own.path("m.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [rows, cols], values: weights(rows * cols, 11, 1) }]);
  writeFileSync(own.path("bad.safetensors"), Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x31, 0x7d, 0x20]));
  const openFds = () => readdirSync("/proc/self/fd").length;

  /** One call of each outcome: written, refused input, aborted before it starts, aborted during its chunks. */
  async function round(threads: number): Promise<string[]> {
    const outcomes: string[] = [];
    const code = (run: Promise<unknown>) => run.then(() => "ok", (e: { code?: string }) => e.code ?? String(e)).then((c) => { outcomes.push(c); });
    const stopped = new AbortController();
    stopped.abort();
    const midway = new AbortController();
    const base = { config, threads, chunkElements: 8 * cols, force: true, scaleOut: own.path("s.npy") };
    await code(applyFile({ ...base, input: own.path("w.npy"), output: own.path("o.npy") }));
    await code(applyFile({ ...base, input: own.path("short.npy"), output: own.path("o.npy") }));
    await code(applyFile({ ...base, input: own.path("missing.npy"), output: own.path("o.npy") }));
    await code(applyFile({ ...base, input: own.path("w.npy"), output: own.path("o.npy"), signal: stopped.signal }));
    await code(applyFile({ ...base, input: own.path("w.npy"), output: own.path("o.npy"), signal: midway.signal, onProgress: () => midway.abort() }));
    const ckpt = { select: { config }, threads, chunkElements: 8 * cols, force: true };
    await code(applyCheckpoint({ ...ckpt, input: own.path("m.safetensors"), output: own.path("o.safetensors") }));
    await code(applyCheckpoint({ ...ckpt, input: own.path("bad.safetensors"), output: own.path("o2.safetensors") }));
    const late = new AbortController();
    await code(applyCheckpoint({ ...ckpt, input: own.path("m.safetensors"), output: own.path("o3.safetensors"), signal: late.signal, onProgress: () => late.abort() }));
    const opened = openCheckpoint(own.path("m.safetensors"));
    try {
      const columns = [{ name: "c", source: "c.json", kind: "config" as const, targets: configTargets(opened, config) }];
      await code(reportCheckpoint(opened, columns, { threads }));
      const cut = new AbortController();
      await code(reportCheckpoint(opened, columns, { threads, signal: cut.signal, onProgress: () => cut.abort() }));
    } finally {
      opened.close();
    }
    return outcomes;
  }

  it.skipIf(process.platform !== "linux")("leave no file descriptor open, whether they write, fail on a bad input or are aborted (1 and 2 threads)", async () => {
    const expected = ["ok", "NPY", "IO", "INTERRUPTED", "INTERRUPTED", "ok", "CHECKPOINT", "INTERRUPTED", "ok", "INTERRUPTED"];
    await round(1);
    const before = openFds();
    for (let i = 0; i < 20; i++) expect(await round(1)).toEqual(expected);
    for (let i = 0; i < 3; i++) expect(await round(2)).toEqual(expected);
    expect(openFds()).toBe(before);
    expect(readdirSync(own.dir).filter((f) => f.includes(".tmp") || f.startsWith("."))).toEqual([]);
  }, 120_000);

  it("ten calls at once, two threads each, each write the bytes the call alone writes", async () => {
    const inputs = Array.from({ length: 10 }, (_, i) => {
      const file = own.path(`c${i}.npy`);
      writeNpyAtomic(file, "<f4", [rows, cols], weights(rows * cols, 20 + i, 1 + i));
      return file;
    });
    await Promise.all(inputs.map((input, i) => applyFile({ input, output: own.path(`c${i}_par.npy`), config, threads: 2, chunkElements: 4 * cols })));
    for (const [i, input] of inputs.entries()) {
      await applyFile({ input, output: own.path(`c${i}_ref.npy`), config, threads: 0 });
      expect(readFileSync(own.path(`c${i}_par.npy`)).equals(readFileSync(own.path(`c${i}_ref.npy`))), `call ${i}`).toBe(true);
    }
  }, 120_000);

  it.skipIf(process.platform !== "linux")("a call aborted in the middle leaves no worker thread: the host's thread count is back, and it exits by itself", () => {
    const host = own.write("host.mjs", `
      import { readFileSync } from "node:fs";
      const fqc = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/index.js")).href)});
      const threads = () => Number(/^Threads:\\s+(\\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))[1]);
      const config = fqc.normalize({ dtype: "int4", group_size: 32 });
      const opts = { input: ${JSON.stringify(own.path("w.npy"))}, output: ${JSON.stringify(own.path("h.npy"))}, config, threads: 3, chunkElements: ${4 * cols}, force: true };
      await fqc.applyFile(opts);
      const before = threads();
      const abort = new AbortController();
      const outcome = await fqc.applyFile({ ...opts, signal: abort.signal, onProgress: () => abort.abort() }).then(() => "ok", (e) => e.code);
      console.log(JSON.stringify({ outcome, before, after: threads() }));
    `);
    // No process.exit in the host: a worker left running would keep it alive until the timeout kills it.
    const r = runFqc([host], { exe: [process.execPath], timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const { outcome, before, after } = JSON.parse(r.stdout) as { outcome: string; before: number; after: number };
    expect(outcome).toBe("INTERRUPTED");
    expect(after).toBeLessThanOrEqual(before);
  });
});

describe("an abort while a large recipe's re: keys are matched (before any tensor is read)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("rejects INTERRUPTED within a few batches of regex tests, not when the matching is done, and writes nothing", async () => {
    const dir = tmp.path("matching");
    mkdirSync(dir);
    const model = path.join(dir, "m.safetensors");
    writeSafetensors(model, Array.from({ length: 3000 }, (_, i) => ({ name: `model.layers.${i}.mlp.up_proj.weight`, dtype: "F32" as const, shape: [1, 32], values: weights(32, i + 1) })));
    const table: Record<string, unknown> = {};
    for (let k = 0; k < 200; k++) table[`re:.*\\.nomatch_${k}\\..*`] = { dtype: "int4", group_size: 32 };
    const doc = normalizeDocument({ fqn_to_config: table });
    if (doc.kind !== "recipe") throw new Error("not a recipe");
    const abort = new AbortController();
    let batches = 0;
    const run = vm.Script.prototype.runInContext;
    vi.spyOn(vm.Script.prototype, "runInContext").mockImplementation(function (this: vm.Script, ...a: Parameters<typeof run>) {
      if (batches++ === 0) abort.abort();
      return run.apply(this, a);
    });
    const output = path.join(dir, "out.safetensors");
    await expect(applyCheckpoint({ input: model, output, select: { recipe: doc.recipe }, threads: 1, signal: abort.signal }))
      .rejects.toMatchObject({ code: "INTERRUPTED", message: `interrupted; ${output} was not written` });
    // The same recipe needs more than 400 batches (a plan, then each unmatched key on every name and module).
    expect(batches).toBeLessThan(100);
    expect(readdirSync(dir)).toEqual(["m.safetensors"]);
  });
});
