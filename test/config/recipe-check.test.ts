/** A recipe file's own findings: its top-level keys, its table, its re: keys and values that are not configs. */
import { describe, expect, it } from "vitest";
import { normalizeDocument } from "../../src/config/normalize.js";
import { validate } from "../../src/config/validate.js";
import type { Diagnostic } from "../../src/diagnostics/types.js";

const W = { dtype: "int4", group_size: 32 };
const A = { dtype: "int8", granularity: "per_token", is_symmetric: false };
const check = (v: unknown) => validate(JSON.stringify(v), { filename: "r.json" });
const shown = (d: Diagnostic) => ({ ruleId: d.ruleId, pointer: d.pointer, message: d.message, hint: d.hint });
const spans = (text: string, d: Diagnostic) => text.slice(d.column - 1, d.endColumn - 1);

describe("recipe files", () => {
  it("names an unknown top-level key at the key, suggesting fqn_to_config only when close", () => {
    const HINT = "A recipe file holds `fqn_to_config` (and optionally `$schema`); the configs go inside it.";
    const text = JSON.stringify({ fqn_to_config: { a: null }, bogus: 1 });
    const d = validate(text).diagnostics;
    expect(d.map(shown)).toEqual([{ ruleId: "fqc/unknown-key", pointer: "/bogus", message: "unknown key `bogus` in a recipe", hint: HINT }]);
    expect(spans(text, d[0])).toBe('"bogus"');
    expect(shown(check({ fqn_to_config: { a: null }, fqn_to_confg: 1 }).diagnostics[0])).toEqual({
      ruleId: "fqc/unknown-key", pointer: "/fqn_to_confg", message: "unknown key `fqn_to_confg` in a recipe; did you mean `fqn_to_config`?", hint: HINT,
    });
  });

  it("requires fqn_to_config to be an object", () => {
    expect(check({ fqn_to_config: 5 }).diagnostics.map(shown)).toEqual([{
      ruleId: "fqc/type", pointer: "/fqn_to_config",
      message: "`fqn_to_config` must be an object mapping tensor names, re:<pattern> keys and _default to configs, not the number 5",
      hint: 'Write e.g. {"fqn_to_config": {"re:.*_proj": {"dtype": "int4", "group_size": 32}}}.',
    }]);
  });

  it("warns that an empty table leaves every tensor alone, and takes a table of nulls and configs as it is", () => {
    expect(check({ fqn_to_config: {} }).diagnostics.map(shown)).toEqual([{
      ruleId: "lint/recipe-empty", pointer: "/fqn_to_config", message: "`fqn_to_config` is empty: the recipe leaves every tensor alone",
      hint: "Add keys, or use --config to fake-quantize every Linear weight.",
    }]);
    const clean = check({ fqn_to_config: { a: null, "re:x": W } });
    expect(clean.diagnostics).toEqual([]);
    expect(clean.document?.kind).toBe("recipe");
  });

  it("reports a re: key that does not compile at the key, with the position in the pattern when past its start", () => {
    const HINT = "re: keys are Python regular expressions matched in full (re.fullmatch) against the tensor name, then the module name.";
    const text = JSON.stringify({ fqn_to_config: { "re:model\\.(\\d+": null } });
    const d = validate(text).diagnostics;
    expect(d.map(shown)).toEqual([{
      ruleId: "fqc/recipe-regex", pointer: "/fqn_to_config/re:model\\.(\\d+", message: "`re:model\\.(\\d+`: missing ), unterminated subpattern (at position 11 of the pattern)", hint: HINT,
    }]);
    expect(spans(text, d[0])).toBe('"re:model\\\\.(\\\\d+"');
    expect(check({ fqn_to_config: { "re:*a": null } }).diagnostics.map(shown)).toEqual([
      { ruleId: "fqc/recipe-regex", pointer: "/fqn_to_config/re:*a", message: "`re:*a`: nothing to repeat", hint: HINT },
    ]);
  });

  it("compiles only re: keys: a tensor name may hold what would be a broken pattern", () => {
    expect(check({ fqn_to_config: { "blocks.0(x": W, "a[b.weight": null } }).diagnostics).toEqual([]);
  });

  it("warns at the key about a nested repeat, with its position and the fix", () => {
    const text = JSON.stringify({ fqn_to_config: { "re:x(a+)+": null } });
    const d = validate(text).diagnostics;
    expect(d.map(shown)).toEqual([{
      ruleId: "lint/recipe-regex-backtracking", pointer: "/fqn_to_config/re:x(a+)+",
      message: "`re:x(a+)+`: a repeated group that itself repeats (at position 1 of the pattern) can take exponential time on names it almost matches",
      hint: "Remove the nesting, e.g. (a+)+ → a+, (.*)* → .*",
    }]);
    expect(spans(text, d[0])).toBe('"re:x(a+)+"');
  });

  it("refuses a value that is neither a config, a QAT pair nor null", () => {
    expect(check({ fqn_to_config: { a: "x" } }).diagnostics.map(shown)).toEqual([{
      ruleId: "fqc/type", pointer: "/fqn_to_config/a", message: 'a recipe value must be a config object, a QAT pair or null, not the string "x"', hint: "null leaves the matching tensors alone.",
    }]);
  });

  it("refuses a QAT pair value with no weight config, once, whatever the activation side holds", () => {
    const ACTIVATION_ONLY = {
      ruleId: "fqc/recipe-activation-only", pointer: "/fqn_to_config/a",
      message: "this QAT pair has only an `activation` config: a checkpoint holds weights, not activations, so nothing would apply",
      hint: 'Add a "weight" config, or use null to leave these tensors alone.',
    };
    for (const value of [{ activation: A }, { activation: A, weight: null }]) {
      expect(check({ fqn_to_config: { a: value } }).diagnostics.map(shown), JSON.stringify(value)).toEqual([ACTIVATION_ONLY]);
    }
    // Both sides null is an empty pair, not an activation-only one.
    expect(check({ fqn_to_config: { a: { activation: null, weight: null } } }).diagnostics.map((d) => d.ruleId)).toEqual(["fqc/document"]);
  });

  it("leads with what Python raises first inside a config value, not with the first finding listed", () => {
    // PerAxis() is built before the call that gets the unexpected keyword.
    const value = { dtype: "int16", granularity: { type: "PerAxis" }, group_sise: 32 };
    expect(() => normalizeDocument({ fqn_to_config: { a: value } })).toThrow(/^a PerAxis granularity needs `axis`$/);
    expect(() => normalizeDocument({ fqn_to_config: { a: { weight: value } } })).toThrow(/^a PerAxis granularity needs `axis`$/);
  });
});
