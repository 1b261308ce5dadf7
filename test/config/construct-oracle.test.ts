/**
 * torchao's constructor replayed from its source (scripts/torchao-construct/oracle.py, which reproduces every
 * entry of the corpus's invalid.json and normalize.json): random configs, several errors at once, wrong types
 * and shorthand combinations, with the first error torchao raises or the config it stores.
 */
import { describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { normalize } from "../../src/config/normalize.js";
import { RULES, ruleInfo } from "../../src/config/rules.js";
import fixture from "../fixtures/construct-oracle.json" with { type: "json" };

interface OracleCase { config: string; error?: string; normalized?: Record<string, unknown> }
const CASES = (fixture as { cases: OracleCase[] }).cases;
const ERRORS = CASES.filter((c) => c.error !== undefined);
const NORMALIZED = CASES.filter((c) => c.normalized !== undefined);

describe("torchao's constructor, replayed from its source", () => {
  it("reports the error torchao raises first, with its text, in validate and normalize", () => {
    const raised = new Set<string>();
    for (const c of ERRORS) {
      const [first] = validate(c.config, { filename: "cfg.json" }).diagnostics;
      expect(first?.message, c.config).toBe(c.error);
      expect(first?.ruleId, c.config).toMatch(/^torchao\//);
      expect(() => normalize(c.config), c.config).toThrow(c.error);
      raised.add(first.ruleId);
    }
    // Every ValueError of the constructor is among them.
    expect([...raised].sort()).toEqual(RULES.filter((r) => r.id.startsWith("torchao/")).map((r) => r.id).sort());
  });

  it("normalizes to the config torchao stores", () => {
    for (const c of NORMALIZED) {
      expect(JSON.stringify(normalize(c.config)), c.config).toBe(JSON.stringify(c.normalized));
      const construct = validate(c.config, { filename: "cfg.json" }).diagnostics.filter((d) => ruleInfo(d.ruleId).stage === "construct");
      expect(construct, c.config).toEqual([]);
    }
  });
});
