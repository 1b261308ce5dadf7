/**
 * The library's declarations (dist/*.d.ts, as published) type-check in a consumer project that has no
 * @types/node and checks libraries (skipLibCheck off), and Node's own AbortSignal and Worker fit the
 * options that take them when a consumer does have @types/node. Needs the build (npm test builds first).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../helpers/cli.js";

const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A consumer project whose node_modules/fqc is this package; returns the tsc outcome for `use.ts`. */
function typeCheck(name: string, source: string, compilerOptions: Record<string, unknown>) {
  const dir = path.join(tmp.dir, name);
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(ROOT, path.join(dir, "node_modules/fqc"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, type: "module" }));
  writeFileSync(path.join(dir, "use.ts"), source);
  const tsconfig = {
    compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2022"], strict: true, noEmit: true, skipLibCheck: false, ...compilerOptions },
    files: ["use.ts"],
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  const r = spawnSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8" });
  return { code: r.status, output: r.stdout + r.stderr };
}

// Each source has one expected error: if "fqc" resolved to `any`, the unused @ts-expect-error would fail the check.
const EXPECT_TYPED = "// @ts-expect-error VERSION is a string\nexport const wrong: number = fqc.VERSION;\n";

describe("the published declarations", () => {
  it("type-check the README's Library API example as a consumer writes it (strict, no @types/node)", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.split("\n## Library API\n")[1]?.split("\n## ")[0] ?? "";
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    expect(block).toContain('from "fqc"');
    const r = typeCheck("readme-example", `${block}\n${EXPECT_TYPED}`, { types: [] });
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);

  it("type-check without @types/node and with skipLibCheck off (no node:worker_threads, no Node AbortSignal)", () => {
    const source = [
      'import * as fqc from "fqc";',
      'import type { ApplyOptions, ApplyCheckpointOptions, CheckpointRunOptions, ReportOptions } from "fqc";',
      // A signal of the consumer's own making fits, so does a supply of no workers.
      "const signal = { aborted: false, addEventListener(_t: \"abort\", _l: () => void) {}, removeEventListener(_t: \"abort\", _l: () => void) {} };",
      'export const apply: ApplyOptions = { input: "in.npy", output: "out.npy", config: fqc.normalize({ dtype: "int4", group_size: 32 }), signal, startedWorkers: { take: () => [] } };',
      "export type Rest = [ApplyCheckpointOptions, CheckpointRunOptions, ReportOptions];",
      // The CLI's own options (its flags' paths, --report's raw statistics) stay out of the public type and result.
      'type CliOnly = Extract<keyof ApplyCheckpointOptions | keyof fqc.ApplyCheckpointResult | keyof CheckpointRunOptions | keyof fqc.CheckpointRunResult, "reads" | "writes" | "stats" | "statsOutput">;',
      "export const cliOnly: [CliOnly] extends [never] ? true : CliOnly = true;",
      "export const n: number = fqc.validate(\"{}\").diagnostics.length;",
      // formatDiagnostics' input type is named, so a caller can build one before the call.
      'import type { FormatInput } from "fqc";',
      'export const input: FormatInput = { diagnostics: [], sources: new Map(), filesChecked: [], rules: fqc.RULES, toolVersion: fqc.VERSION, cwd: "." };',
      'export const text: string = fqc.formatDiagnostics("json", input, { color: false });',
      EXPECT_TYPED,
    ].join("\n");
    const r = typeCheck("no-node-types", source, { types: [] });
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);

  it("accept Node's AbortSignal and worker_threads Worker where the options take a signal or started workers", () => {
    const source = [
      'import * as fqc from "fqc";',
      'import { Worker } from "node:worker_threads";',
      'import type { ApplyOptions, ReportOptions } from "fqc";',
      'const config = fqc.normalize({ dtype: "int4", group_size: 32 });',
      "const workers: Worker[] = [];",
      'export const apply: ApplyOptions = { input: "in.npy", output: "out.npy", config, signal: AbortSignal.timeout(10), startedWorkers: { take: (n: number) => workers.slice(0, n) } };',
      "export const report: ReportOptions = { signal: new AbortController().signal };",
      EXPECT_TYPED,
    ].join("\n");
    const r = typeCheck("node-types", source, { types: ["node"], typeRoots: [path.join(ROOT, "node_modules/@types")] });
    expect(r.output).toBe("");
    expect(r.code).toBe(0);
  }, 60_000);
});
