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

describe("matching in steps (a step per batch of tests), so that a caller can let signals in between", () => {
  // 50,000 keys: two names per batch of 100,000 tests.
  const KEYS = 50_000;
  const keys = Array.from({ length: KEYS }, (_, j) => `re:n${j}`);
  const regexes = keys.map((_, j) => new RegExp(`^(?:n${j})$`, "u"));
  const names = ["n49999", "x", "n3", "n3", "n17", "y", "n0", "n49998", "z"];

  it("primeSteps runs one batch per step, with the answers of prime", () => {
    const set = new PatternSet(keys, regexes);
    let steps = 0;
    const run = set.primeSteps(names);
    while (!run.next().done) steps++;
    // 8 distinct names, 2 per batch: 4 batches, a step before each.
    expect(steps).toBe(4);
    expect(names.map((n) => set.firstMatch(n))).toEqual([49999, -1, 3, 3, 17, -1, 0, 49998, -1]);
  });

  it("a run left between two steps has recorded only the names it tested: the rest are tested when asked, not taken as unmatched", () => {
    const set = new PatternSet(keys, regexes);
    const run = set.primeSteps(names);
    run.next();
    run.next(); // the first batch: n49999 and x
    expect(set.firstMatch("n17")).toBe(17);
    expect(set.firstMatch("n49998")).toBe(49998);
    expect(set.firstMatch("n49999")).toBe(49999);
  });

  it("firstNameSteps steps before each batch of up to 100,000 names, with firstName's answer", () => {
    const set = new PatternSet(["re:a", "re:w7"], [/^(?:a)$/u, /^(?:w7)$/u]);
    const many = Array.from({ length: 250_000 }, (_, i) => `w${i}`);
    const count = (j: number, list: readonly string[]): { steps: number; found: number } => {
      const run = set.firstNameSteps(j, list);
      let steps = 0;
      for (;;) {
        const r = run.next();
        if (r.done) return { steps, found: r.value };
        steps++;
      }
    };
    expect(count(0, many)).toEqual({ steps: 3, found: -1 });
    expect(count(1, many)).toEqual({ steps: 1, found: 7 });
    expect(count(0, [])).toEqual({ steps: 0, found: -1 });
    expect(set.firstName(0, many)).toBe(-1);
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
