/**
 * A host that calls the library again and again starts worker threads on
 * every call. Each worker used to compile the wasm kernel itself, which left
 * the process's memory a few KiB larger per worker started (bench/host-memory.mjs
 * measures it); a pool now hands its workers the module the calling thread
 * compiled. RSS growth of a few KiB per call is lost in the noise of a loaded
 * machine over the calls a test can afford, so these tests count compiles
 * instead: a preload wraps WebAssembly.Module in every thread (Node runs
 * `-r` modules in worker threads too) and logs each compile with its thread.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FQC, ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { weights, writeSafetensors } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const counter = tmp.write("count-compiles.cjs", `
  const fs = require("node:fs");
  const { isMainThread } = require("node:worker_threads");
  // A Proxy, not a subclass: a module compiled elsewhere stays an instance of the wrapped constructor.
  WebAssembly.Module = new Proxy(WebAssembly.Module, {
    construct(target, args) {
      fs.appendFileSync(process.env.FQC_COMPILE_LOG, (isMainThread ? "main" : "worker") + "\\n");
      return Reflect.construct(target, args);
    },
  });
`);

/** The threads that compiled a wasm module while `node -r counter` ran `args`, in order. */
function compilesOf(args: string[], env: Record<string, string> = {}): string[] {
  const log = tmp.path(`compiles-${Math.random().toString(36).slice(2)}.log`);
  tmp.write(path.basename(log), "");
  const r = runFqc(args, { exe: [process.execPath, "-r", counter], env: { FQC_COMPILE_LOG: log, ...env }, timeoutMs: 120_000 });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

const rows = 64;
const cols = 256;
writeNpyAtomic(tmp.path("w.npy"), "<f4", [rows, cols], weights(rows * cols, 1, 1));
writeSafetensors(tmp.path("m.safetensors"), [
  { name: "a.weight", dtype: "F32", shape: [rows, cols], values: weights(rows * cols, 2, 1) },
  { name: "b.weight", dtype: "BF16", shape: [rows, cols], values: weights(rows * cols, 3, 1) },
]);

describe("the wasm kernel is compiled once per process, not once per worker thread", () => {
  it("applyFile, applyCheckpoint and reportCheckpoint, called again and again with 3 threads, compile it once, on the calling thread", () => {
    const host = tmp.write("host.mjs", `
      const fqc = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/index.js")).href)});
      const dir = ${JSON.stringify(tmp.dir)};
      const config = fqc.normalize({ dtype: "int4", group_size: 32 });
      for (let i = 0; i < 4; i++) {
        const r = await fqc.applyFile({ input: dir + "/w.npy", output: dir + "/w_fq.npy", config, threads: 3, chunkElements: 8 * ${cols}, force: true });
        if (r.threads !== 3) throw new Error("expected 3 threads, got " + r.threads);
      }
      await fqc.applyCheckpoint({ input: dir + "/m.safetensors", output: dir + "/out.safetensors", select: { config }, threads: 3, chunkElements: 8 * ${cols}, force: true });
      const ckpt = fqc.openCheckpoint(dir + "/m.safetensors");
      try {
        await fqc.reportCheckpoint(ckpt, [{ name: "c", source: "c.json", kind: "config", targets: fqc.configTargets(ckpt, config) }], { threads: 3 });
      } finally {
        ckpt.close();
      }
    `);
    // Before: one compile on the main thread and one in each of the 12 workers started.
    expect(compilesOf([host])).toEqual(["main"]);
  });

  it("with the JS kernel asked for, the workers still compile nothing of their own", () => {
    const host = tmp.write("host-js.mjs", `
      const fqc = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/index.js")).href)});
      const dir = ${JSON.stringify(tmp.dir)};
      const config = fqc.normalize({ dtype: "int4", group_size: 32 });
      for (let i = 0; i < 3; i++) {
        await fqc.applyFile({ input: dir + "/w.npy", output: dir + "/w_js.npy", config, threads: 3, kernel: "js", chunkElements: 8 * ${cols}, force: true });
      }
    `);
    expect(compilesOf([host])).toEqual(["main"]);
  });

  it("the CLI's early workers still compile their own while the CLI loads (the main thread compiles its own too)", () => {
    // FQC is passed as the script: `node -r counter bin/fqc.js apply …`.
    const log = compilesOf([FQC, "apply", tmp.path("w.npy"), tmp.path("cli_fq.npy"), "-c", path.join(ROOT, "examples/int4-weight-per-group.json"), "--threads", "2", "--quiet"]);
    expect(log.filter((t) => t === "main")).toEqual(["main"]);
    expect(log.filter((t) => t === "worker")).toEqual(["worker"]);
  });
});
