/**
 * The library inside a program that outlives its calls (a training harness, a
 * server): an abort means no output whenever it comes before the call settles,
 * and calls leave nothing behind for the host (listeners, warnings).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { applyCheckpoint } from "../../src/apply/checkpoint.js";
import { normalize } from "../../src/config/normalize.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";
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
