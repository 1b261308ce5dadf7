/** The thread count a run computes with: which requests are refused (in the caller's words), and what "auto" picks. */
import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";
import { tempDir } from "../helpers/cli.js";
import { checkThreads, INLINE_LIMIT, resolveThreads } from "../../src/parallel/thread-count.js";

/** The cap checkThreads names when it refuses a count. */
function cap(): number {
  try {
    checkThreads(Number.MAX_SAFE_INTEGER, "threads");
  } catch (e) {
    const m = /at most (\d+)\)$/.exec((e as Error).message);
    if (m) return Number(m[1]);
  }
  throw new Error("no cap named");
}

describe("checkThreads", () => {
  it("takes nothing, auto, and whole numbers from 0 up to the cap it names", () => {
    const max = cap();
    for (const t of [undefined, "auto", 0, 1, availableParallelism(), max]) expect(() => checkThreads(t, "--threads"), String(t)).not.toThrow();
    // One thread per core is always allowed, and more: a machine's cores are no limit a user must know.
    expect(max).toBeGreaterThan(availableParallelism());
    // The README's figure: 64, or 4 per core where that is more.
    expect(max).toBe(Math.max(64, 4 * availableParallelism()));
  });

  it("refuses one more than the cap, naming the option, the count and the cap, with the cores in the hint", () => {
    const max = cap();
    let err: unknown;
    try {
      checkThreads(max + 1, "applyFile: options.threads");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("USAGE");
    expect((err as FqcError).message).toBe(`applyFile: options.threads is ${max + 1}, more than fqc allows on this machine (at most ${max})`);
    expect((err as FqcError).hint).toBe(`This machine has ${availableParallelism()} cores; "auto" picks a good number.`);
  });

  it("refuses a negative or fractional count, a numeric string and other values, saying what it got", () => {
    const cases: Array<[unknown, string]> = [
      [-1, "-1"], [1.5, "1.5"], [Number.NaN, "NaN"], [Number.POSITIVE_INFINITY, "Infinity"], ["2", '"2"'], ["Auto", '"Auto"'],
    ];
    for (const [t, got] of cases) {
      expect(() => checkThreads(t, "--threads"), String(t)).toThrow(expect.objectContaining({
        code: "USAGE",
        message: `--threads must be a whole number ≥ 0 or "auto", not ${got}`,
        hint: `0 or 1 computes on the calling thread alone; "auto" picks one thread per core for large tensors.`,
      }));
    }
    for (const [t, kind] of [[null, "null"], [true, "a boolean"], [[2], "an array"], [{ n: 2 }, "an object"]] as const) {
      expect(() => checkThreads(t, "reportCheckpoint: options.threads"), kind).toThrow(`reportCheckpoint: options.threads must be a whole number ≥ 0 or "auto", not ${kind}`);
    }
  });
});

describe("resolveThreads", () => {
  const cores = Math.max(1, availableParallelism());

  it("goes by the JS kernel's limit when no kernel is named", () => {
    expect(resolveThreads("auto", INLINE_LIMIT.js - 1)).toBe(0);
    expect(resolveThreads("auto", INLINE_LIMIT.js)).toBe(cores);
    expect(resolveThreads(undefined, INLINE_LIMIT.js - 1)).toBe(0);
  });

  it("takes a given count as it is, whatever the size, and refuses one it would not check", () => {
    expect(resolveThreads(0, INLINE_LIMIT.wasm * 4, "wasm")).toBe(0);
    expect(resolveThreads(2, 1, "js")).toBe(2);
    expect(() => resolveThreads(cap() + 1, 1)).toThrow(/more than fqc allows/);
  });
});

describe("applyFile's threads \"auto\"", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it("goes by the kernel that will run when none is named: the SIMD kernel's larger limit keeps 1 Mi values on the main thread", async () => {
    const rows = 1024;
    const cols = INLINE_LIMIT.js / rows;
    const input = tmp.path("w.npy");
    writeNpyAtomic(input, "<f4", [rows, cols], Array.from({ length: rows * cols }, (_, i) => Math.sin(i)));
    const config = normalize({ dtype: "int4", group_size: 32 });
    const unnamed = await applyFile({ input, output: tmp.path("unnamed.npy"), config, threads: "auto" });
    expect(unnamed.threads).toBe(0);
    const js = await applyFile({ input, output: tmp.path("js.npy"), config, threads: "auto", kernel: "js" });
    expect(js.threads).toBe(Math.min(Math.max(1, availableParallelism()), rows));
  });
});
