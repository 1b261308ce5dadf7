import { writeFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { PatternSet, REGEX_BUDGET_MS } from "../../src/config/bounded-regex.js";
import { compileRecipe, primeRecipe, resolveTensor } from "../../src/config/recipe.js";
import { normalizeDocument } from "../../src/config/normalize.js";
import type { Recipe } from "../../src/config/types.js";
import { FqcError } from "../../src/errors.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { writeSafetensors, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function recipeOf(table: Record<string, unknown>): Recipe {
  const d = normalizeDocument({ fqn_to_config: table });
  if (d.kind !== "recipe") throw new Error("not a recipe");
  return d.recipe;
}

describe("recipe patterns are matched within a time budget", () => {
  it("gives the regexes' own answers: first pattern per name, first name per pattern, one pattern and name", () => {
    const all = ["^(?:model\\.layers\\.\\d+\\..*_proj)$", "^(?:a|ab)$", "^(?:lm_head)$", "^(?:[^\\n]*norm[^\\n]*)$", "^(?:a[^\\n]*)$"];
    const names = fc.constantFrom("model.layers.0.mlp.up_proj", "model.layers.x.up_proj", "a", "ab", "abc", "lm_head", "model.norm.weight", "", "é.norm", "model.layers.12.self_attn.q_proj");
    fc.assert(fc.property(fc.subarray(all, { minLength: 1 }), fc.array(names, { maxLength: 12 }), fc.boolean(), (sources, list, primed) => {
      const regexes = sources.map((s) => new RegExp(s, "u"));
      const set = new PatternSet(sources.map((s) => `re:${s}`), regexes);
      if (primed) set.prime(list);
      for (const n of list) {
        expect(set.firstMatch(n)).toBe(regexes.findIndex((r) => r.test(n)));
        regexes.forEach((r, j) => expect(set.matches(j, n)).toBe(r.test(n)));
      }
      regexes.forEach((r, j) => expect(set.firstName(j, list)).toBe(list.findIndex((n) => r.test(n))));
    }), { numRuns: 300 });
  });

  it("stops a pattern that backtracks exponentially on a hostile name, with an error naming the key", () => {
    const set = new PatternSet(["re:lm_.*", "re:(a|a)*b"], [/^(?:lm_[^\n]*)$/u, /^(?:(a|a)*b)$/u], 150);
    const started = performance.now();
    let error: unknown;
    try {
      set.prime(["short", "a".repeat(60)]);
    } catch (e) {
      error = e;
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(FqcError);
    expect((error as FqcError).code).toBe("CONFIG");
    expect((error as FqcError).message).toBe('recipe key "re:(a|a)*b": matching it against the tensor names took more than 0.15 s');
  });

  it("stops a key that is slow on every name, though on no single one for long, and names that key", () => {
    const set = new PatternSet(["re:x", "re:(a+)+b"], [/^(?:x)$/u, /^(?:(a+)+b)$/u], 200);
    // ~2^20 steps each (a few ms): 1,000 of them in one call are over the budget.
    let error: unknown;
    try {
      set.prime(Array.from({ length: 1000 }, (_, k) => `${"a".repeat(20)}${"c".repeat(k + 1)}`));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FqcError);
    expect((error as FqcError).message).toContain('"re:(a+)+b"');
  });

  it("keeps one answer per name, not one per name and key (3,000 keys × 20,000 names)", () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `re:l\\.${i}\\..*`);
    const set = new PatternSet(keys, keys.map((_, i) => new RegExp(`^(?:l\\.${i}\\.[^\\n]*)$`, "u")));
    const names = Array.from({ length: 20_000 }, (_, i) => `l.${i % 3000}.w${i}`);
    set.prime(names.slice(0, 2000));
    expect(set.firstMatch("l.2999.w2999")).toBe(2999);
    expect(set.firstMatch("l.x")).toBe(-1);
  });

  it("primes a compiled recipe so that resolving tensors matches the same keys", () => {
    const c = compileRecipe(recipeOf({ "re:model\\.layers\\.\\d+\\.mlp\\..*": { dtype: "int4", group_size: 32 }, "re:lm_.*": null }));
    const names = ["model.layers.3.mlp.up_proj.weight", "lm_head.weight", "model.norm.weight"];
    primeRecipe(c, names);
    expect(names.map((n) => { const r = resolveTensor(c, n); return r.matched ? `${r.tier} ${r.key}` : "none"; })).toEqual([
      "parameter-regex re:model\\.layers\\.\\d+\\.mlp\\..*", "parameter-regex re:lm_.*", "none",
    ]);
  });
});

describe("a backtracking recipe key on a checkpoint's names ends the run, it does not hang it", () => {
  it(`apply --dry-run, report and validate --tensor stop after the ${REGEX_BUDGET_MS / 1000} s budget with exit 1 naming the key`, () => {
    const model = tmp.path("hostile-names.safetensors");
    writeSafetensors(model, [{ name: `${"a".repeat(40)}.weight`, dtype: "F32", shape: [2, 32], values: weights(64, 1) }]);
    const recipe = tmp.path("redos.json");
    writeFileSync(recipe, JSON.stringify({ fqn_to_config: { "re:(a|a)*b": { dtype: "int4", group_size: 32 } } }));
    for (const args of [["apply", model, tmp.path("out.safetensors"), "--recipe", recipe, "--dry-run"], ["report", model, "--recipe", recipe], ["validate", recipe, "--tensor", model]]) {
      const started = Date.now();
      const r = runFqc(args);
      expect(Date.now() - started, args[0]).toBeLessThan(REGEX_BUDGET_MS + 5000);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('fqc: recipe key "re:(a|a)*b": matching it against the tensor names took more than 3 s');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 40_000);
});
