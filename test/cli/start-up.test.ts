/**
 * What a run loads. Start-up is a large share of a typical `fqc apply`, and a
 * stray import (node:crypto, node:assert, a stdio stream, worker_threads for a
 * run that needs no workers) costs milliseconds on every run. Each listed
 * module was measured and taken off the path; this keeps it off.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FQC, ROOT, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const preload = tmp.write("record.cjs", `
  const fs = require("node:fs");
  process.on("exit", () => fs.writeFileSync(process.env.FQC_TEST_MODULES, process.moduleLoadList.join("\\n")));
`);

/** Node's built-in modules loaded by the end of `fqc args`. */
function builtinsLoadedBy(args: string[], cwd = ROOT): { code: number; stdout: string; stderr: string; modules: Set<string> } {
  const list = tmp.path(`modules-${Math.random().toString(36).slice(2)}.txt`);
  const r = runFqc(args, { exe: [process.execPath, "-r", preload, FQC], env: { FQC_TEST_MODULES: list }, cwd });
  const modules = new Set(readFileSync(list, "utf8").split("\n").filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length)));
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, modules };
}

const HEAVY = ["crypto", "assert", "readline", "net", "tty", "stream", "perf_hooks"];
const example = (f: string) => path.join(ROOT, "examples", f);

describe("start-up: the bundles", () => {
  it("import Node's built-ins by name: a default or namespace import is wrapped by esbuild in a copy of every export at load", () => {
    // `import * as fs from "node:fs"` became __toESM(require("node:fs")): ~100 getters defined per import, ~0.3 ms each, 11 of them.
    for (const bundle of ["dist/fqc.cjs", "dist/fqc-early.cjs"]) {
      const wrapped = readFileSync(path.join(ROOT, bundle), "utf8").match(/__toESM\(require\("node:[\w/]+"\)/g) ?? [];
      expect(wrapped, bundle).toEqual([]);
    }
  });

  it("carry no whitespace or comments: every run reads the CLI bundle whole, and each fresh page of it costs", () => {
    // Minified, the CLI bundle is a few hundred lines (template literals keep theirs); as written, ~44,000.
    for (const bundle of ["dist/fqc.cjs", "dist/fqc-early.cjs"]) {
      expect(readFileSync(path.join(ROOT, bundle), "latin1").split("\n").length, bundle).toBeLessThan(2000);
    }
  });

  it("never call toLocaleString: its first call starts ICU's number formatting, ~25 ms of a run (src/thousands.ts writes the commas)", () => {
    for (const bundle of ["dist/fqc.cjs", "dist/fqc-early.cjs"]) {
      expect(readFileSync(path.join(ROOT, bundle), "latin1").match(/\.toLocaleString\(|Intl\.NumberFormat/g) ?? [], bundle).toEqual([]);
    }
  });
});

describe("start-up: modules a run does not need stay unloaded", () => {
  it("a quiet apply on a small tensor (no workers) loads none of the heavy built-ins, nor worker_threads", () => {
    const r = builtinsLoadedBy(["apply", example("weight.npy"), tmp.path("w.npy"), "-c", example("int4-weight-per-group.json"), "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect([...HEAVY, "worker_threads"].filter((m) => r.modules.has(m))).toEqual([]);
  });

  it("an apply that prints its summary, over pipes, loads none of them either: the line is one write(2), and stderr is no terminal by fstat", () => {
    const r = builtinsLoadedBy(["apply", example("weight.npy"), tmp.path("w-summary.npy"), "-c", example("int4-weight-per-group.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\S+weight\.npy \(256×512 float32\) → .*w-summary\.npy: int4 per_group 128 symmetric, .* elements in [\d.]+ s, main thread\n$/);
    expect(HEAVY.filter((m) => r.modules.has(m))).toEqual([]);
  });

  it("the same through yargs, from a directory with no package.json above it (yargs looks for one and fails an assertion)", () => {
    // --quiet=true is not the plain form (src/cli/plain-args.ts), so yargs parses this line.
    const r = builtinsLoadedBy(["apply", example("weight.npy"), tmp.path("w2.npy"), "-c", example("int4-weight-per-group.json"), "--quiet=true"], "/");
    expect(r.code, r.stderr).toBe(0);
    expect(HEAVY.filter((m) => r.modules.has(m))).toEqual([]);
  });

  it("apply with helper threads loads worker_threads, and only then", () => {
    const r = builtinsLoadedBy(["apply", example("weight.npy"), tmp.path("w3.npy"), "-c", example("int4-weight-per-group.json"), "--quiet", "--threads", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.modules.has("worker_threads")).toBe(true);
    expect(["crypto", "assert", "readline", "perf_hooks"].filter((m) => r.modules.has(m))).toEqual([]);
  });

  it("validate loads neither node:assert nor readline (the progress bar's)", () => {
    const r = builtinsLoadedBy(["validate", example("8da4w.json"), "-o", tmp.path("report.txt")], "/");
    expect(r.code, r.stderr).toBe(0);
    expect(["assert", "readline"].filter((m) => r.modules.has(m))).toEqual([]);
  });
});
