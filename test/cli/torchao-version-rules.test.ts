/**
 * `--torchao 0.18` and range learning with an integer zero point: from v0.13 a symmetric config's zero point is
 * zeroed and stays a plain tensor, so only asymmetric ones fail (README, Compatibility with torchao). The config
 * rule follows the version every command is given, as the forward checks already did.
 */
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { FqcError } from "../../src/errors.js";
import { runFqc, tempDir } from "../helpers/cli.js";

const RULE = "forward/range-learning-integer-zero-point";
const SYMMETRIC = '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "range_learning": true}';
const ASYMMETRIC = '{"dtype": "int8", "granularity": "per_channel", "is_symmetric": false, "is_dynamic": false, "range_learning": true}';
const rules = (text: string, torchao?: "0.12" | "0.18") => validate(text, { filename: "c.json", torchao }).diagnostics.map((d) => d.ruleId);

describe("validate's torchao option", () => {
  it("refuses symmetric range learning with an integer zero point under v0.12 (the default) only", () => {
    expect(rules(SYMMETRIC)).toEqual([RULE]);
    expect(rules(SYMMETRIC, "0.12")).toEqual([RULE]);
    expect(rules(SYMMETRIC, "0.18")).toEqual([]);
    expect(validate(SYMMETRIC, { torchao: "0.18" }).document?.kind).toBe("single");
  });

  it("refuses asymmetric range learning with an integer zero point under both versions", () => {
    expect(rules(ASYMMETRIC, "0.12")).toContain(RULE);
    expect(rules(ASYMMETRIC, "0.18")).toContain(RULE);
  });

  it("applies inside QAT pairs and recipes too", () => {
    expect(rules(`{"weight": ${SYMMETRIC}}`, "0.18")).toEqual([]);
    expect(rules(`{"fqn_to_config": {"lm_head": ${SYMMETRIC}}}`, "0.18")).toEqual([]);
    expect(rules(`{"fqn_to_config": {"lm_head": ${SYMMETRIC}}}`)).toEqual([RULE]);
  });

  it("refuses a version it does not know, naming the option", () => {
    const err = (() => { try { validate(SYMMETRIC, { torchao: "0.19" as "0.18" }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("USAGE");
    expect((err as FqcError).message).toContain("validate: options.torchao");
  });
});

describe("the CLI under --torchao 0.18", () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const cfg = tmp.write("rl.json", SYMMETRIC);

  it("apply fake-quantizes with a symmetric range-learning config holding an integer zero point, and refuses it under 0.12", () => {
    const refused = runFqc(["apply", "examples/weight.npy", tmp.path("v012.npy"), "-c", cfg, "-q"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(RULE);
    expect(existsSync(tmp.path("v012.npy"))).toBe(false);
    const r = runFqc(["apply", "examples/weight.npy", tmp.path("v018.npy"), "-c", cfg, "--torchao", "0.18", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(tmp.path("v018.npy"))).toBe(true);
  });

  it("validate, with and without --tensor, and report follow the version", () => {
    expect(runFqc(["validate", cfg]).code).toBe(1);
    expect(runFqc(["validate", cfg, "--torchao", "0.18"]).code).toBe(0);
    expect(runFqc(["validate", cfg, "--tensor", "examples/weight.npy", "--torchao", "0.18"]).code).toBe(0);
    expect(runFqc(["report", "examples/weight.npy", "-c", cfg]).code).toBe(1);
    const r = runFqc(["report", "examples/weight.npy", "-c", cfg, "--torchao", "0.18"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("fake-quantized, overall SQNR");
  });
});
