import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

describe("fast-check's seed", () => {
  it("is FQC_FC_SEED's when that is set (test/setup/fast-check-seed.ts, wired in vitest.config.ts), drawn anew otherwise", () => {
    const seed = process.env.FQC_FC_SEED;
    expect(fc.readConfigureGlobal().seed).toBe(seed === undefined || seed === "" ? undefined : Number(seed));
  });

  it("is set by .ci/run from the commit's first 7 hexadecimal digits, which bash reads as a number below 10^9", () => {
    const script = readFileSync(".ci/run", "utf8");
    expect(script).toContain("export FQC_FC_SEED=$((16#${head:0:7}))");
    // A longer abbreviation (git lengthens it when 7 digits are ambiguous) is cut to 7.
    for (const head of ["0000000", "91e8620", "ffffffff1"]) {
      const seed = execFileSync("bash", ["-c", 'head="$1"; echo $((16#${head:0:7}))', "bash", head], { encoding: "utf8" }).trim();
      expect(Number(seed)).toBe(parseInt(head.slice(0, 7), 16));
      expect(Number(seed)).toBeLessThan(10 ** 9);
    }
  });
});
