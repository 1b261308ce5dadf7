/**
 * Runs fqc's CLI (in-process) on mutated inputs and checks what must hold
 * for any input: an exit status of 0, 1 or 2; no stack trace and no
 * "internal error"; every input unchanged; after a failure, no output and no
 * temp file (a report, named `report*`, is also written when it finds problems:
 * exit 1); after a success, only the outputs named on the command line.
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
  return runInput(target, bytes, { seed, mutations: applied, exits: [0, 1, 2] });
}

/**
 * A seed file as it is: every command reads it (exit 0, or 1 for the problems some seeds carry on purpose: a float64
 * tensor, a config not in canonical form); a seed refused as malformed (exit 2) would start the fuzzing from a refusal.
 */
export async function runSeed(target: FuzzTarget, index: number): Promise<FuzzFailure | undefined> {
  return runInput(target, target.seeds[index], { seed: -1, mutations: [`seed ${index}, unmutated`], exits: [0, 1] });
}

async function runInput(target: FuzzTarget, bytes: Uint8Array, run: { seed: number; mutations: string[]; exits: number[] }): Promise<FuzzFailure | undefined> {
  const { seed, mutations: applied } = run;
  const dir = mkdtempSync(path.join(tmpdir(), "fqc-fuzz-"));
  try {
    for (const [name, content] of Object.entries(SUPPORT_FILES)) writeFileSync(path.join(dir, name), content);
    writeFileSync(path.join(dir, target.file), bytes);
    const before = snapshot(dir);
    for (const command of target.commands) {
      const args = command.map((a) => (/\.(npy|npz|safetensors|json|yaml|md)$/.test(a) ? path.join(dir, a) : a));
      const r = await runMain(args, { cwd: dir });
      const output = r.stdout + r.stderr;
      const fail = (problem: string): FuzzFailure => ({ seed, mutations: applied, command: command.join(" "), problem, output: output.slice(0, 2000) });
      if (!run.exits.includes(r.code)) return fail(`exit status ${r.code}`);
      if (TRACE.test(output)) return fail("a stack trace or internal error in the output");
      const after = snapshot(dir);
      for (const [name, content] of before) {
        if (!after.get(name)?.equals(content)) return fail(`input ${name} changed or vanished`);
      }
      const outputs = command.filter((a) => a.startsWith("out") || a.startsWith("report"));
      for (const name of after.keys()) {
        if (before.has(name)) continue;
        // A report (`report*`) is written when it finds problems too (exit 1); other outputs only on success.
        const written = r.code === 0 || (r.code === 1 && name.startsWith("report"));
        if (!written || !outputs.includes(name)) return fail(`left ${name} behind (exit ${r.code})`);
        rmSync(path.join(dir, name));
      }
    }
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
