/**
 * Runs fqc's CLI (in-process) on mutated inputs and checks what must hold
 * for any input: an exit status of 0, 1 or 2; no stack trace and no
 * "internal error"; every input unchanged; after a failure, no output and no
 * temp file; after a success, only the outputs named on the command line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runMain } from "../helpers/in-process.js";
import { mutateSome, Rng } from "./mutators.js";
import { SUPPORT_FILES, type FuzzTarget } from "./targets.js";

/** Cases per target: small by default (the suite's budget), more with FQC_FUZZ_RUNS=5000 for a local hunt. */
export const FUZZ_RUNS = Number(process.env.FQC_FUZZ_RUNS ?? 40);
/** The first case's seed; FQC_FUZZ_SEED replays a reported case. */
export const FUZZ_SEED = Number(process.env.FQC_FUZZ_SEED ?? 13);

export interface FuzzFailure {
  seed: number;
  mutations: string[];
  command: string;
  problem: string;
  output: string;
}

const TRACE = /\n\s+at .+[:(]\d+:\d+\)?|internal error|Please report this/;

function snapshot(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
}

/** One case: the seed picks the input and the mutations; returns the first broken invariant. */
export async function runCase(target: FuzzTarget, seed: number): Promise<FuzzFailure | undefined> {
  const rng = new Rng(seed);
  const { bytes, applied } = mutateSome(rng.pick(target.seeds), target.mutators, rng);
  const dir = mkdtempSync(path.join(tmpdir(), "fqc-fuzz-"));
  try {
    for (const [name, content] of Object.entries(SUPPORT_FILES)) writeFileSync(path.join(dir, name), content);
    writeFileSync(path.join(dir, target.file), bytes);
    const before = snapshot(dir);
    for (const command of target.commands) {
      const args = command.map((a) => (a.endsWith(".npy") || a.endsWith(".json") || a.endsWith(".yaml") ? path.join(dir, a) : a));
      const r = await runMain(args, { cwd: dir });
      const output = r.stdout + r.stderr;
      const fail = (problem: string): FuzzFailure => ({ seed, mutations: applied, command: command.join(" "), problem, output: output.slice(0, 2000) });
      if (![0, 1, 2].includes(r.code)) return fail(`exit status ${r.code}`);
      if (TRACE.test(output)) return fail("a stack trace or internal error in the output");
      const after = snapshot(dir);
      for (const [name, content] of before) {
        if (!after.get(name)?.equals(content)) return fail(`input ${name} changed or vanished`);
      }
      const outputs = command.filter((a) => a.startsWith("out"));
      for (const name of after.keys()) {
        if (before.has(name)) continue;
        if (r.code !== 0 || !outputs.includes(name)) return fail(`left ${name} behind (exit ${r.code})`);
        rmSync(path.join(dir, name));
      }
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
