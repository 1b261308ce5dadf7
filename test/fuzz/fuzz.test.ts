/**
 * The fuzz suite (issue 13, "Keep it fixed"): FQC_FUZZ_RUNS mutated inputs per
 * target through the CLI, in-process. Every case is replayable: a failure
 * names its seed (FQC_FUZZ_SEED=<seed> FQC_FUZZ_RUNS=1 reruns it alone).
 */
import { describe, expect, it } from "vitest";
import { FUZZ_RUNS, FUZZ_SEED, runCase, runSeed, type FuzzFailure } from "./harness.js";
import { TARGETS } from "./targets.js";

describe("fuzzing the CLI with mutated inputs", () => {
  for (const [t, target] of TARGETS.entries()) {
    it(`${target.name}: ${FUZZ_RUNS} mutated files give exit 0/1/2, no trace, no changed input, no stray file`, { timeout: 60_000 + FUZZ_RUNS * 3_000 }, async () => {
      const failures: FuzzFailure[] = [];
      for (let i = 0; i < FUZZ_RUNS && failures.length < 5; i++) {
        const failure = await runCase(target, FUZZ_SEED + t * 1_000_003 + i);
        if (failure) failures.push(failure);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("the fuzz suite's seed files", () => {
  for (const target of TARGETS) {
    it(`${target.name}: every command reads every seed as it is (exit 0 or 1)`, { timeout: 60_000 }, async () => {
      const failures: FuzzFailure[] = [];
      for (let i = 0; i < target.seeds.length; i++) {
        const failure = await runSeed(target, i);
        if (failure) failures.push(failure);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("the fuzz harness", () => {
  it("reports a broken invariant with its seed and command (a command that rewrites its input)", async () => {
    const target = { ...TARGETS[1], seeds: [new TextEncoder().encode('{"group_size":32,"dtype":"int4"}')], mutators: [{ name: "none", mutate: (b: Uint8Array) => b }], commands: [["normalize", "--write", "c.json"]] };
    expect(await runCase(target, 7)).toMatchObject({ seed: 7, command: "normalize --write c.json", problem: "input c.json changed or vanished" });
  });

  it("replays a case from its seed: the same seed gives the same mutations", async () => {
    const { mutateSome, Rng } = await import("./mutators.js");
    const seed = TARGETS[0].seeds[0];
    const a = mutateSome(seed, TARGETS[0].mutators, new Rng(99));
    const b = mutateSome(seed, TARGETS[0].mutators, new Rng(99));
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.applied).toEqual(b.applied);
  });
});
