import { describe, expect, it } from "vitest";
import { compileRecipe, keyMatchesAny, recipeKeyKind, resolveTensor, splitTensorName } from "../../src/config/recipe.js";
import { normalize } from "../../src/config/normalize.js";
import type { Recipe, RecipeValue } from "../../src/config/types.js";

const int4 = normalize({ dtype: "int4", group_size: 32 });
const int8 = normalize({ dtype: "int8", granularity: "per_channel" });
const uint4 = normalize({ dtype: "uint4", group_size: 32 });
const cfg = (c = int4): RecipeValue => ({ kind: "config", config: c });

function recipe(entries: Array<[string, RecipeValue]>): Recipe {
  return { entries: entries.map(([key, value]) => ({ key, value })) };
}
function keyFor(r: Recipe, name: string, siblings?: string[]): string | undefined {
  const res = resolveTensor(compileRecipe(r), name, siblings);
  return res.matched ? res.key : undefined;
}

describe("recipe keys", () => {
  it("classifies re: keys, _default and names", () => {
    expect(recipeKeyKind("re:.*")).toBe("regex");
    expect(recipeKeyKind("_default")).toBe("default");
    expect(recipeKeyKind("model.layers.0.mlp")).toBe("name");
  });
  it("splits a tensor name into its module and parameter; a dotless name belongs to the root module", () => {
    expect(splitTensorName("model.layers.0.mlp.up_proj.weight")).toEqual({ module: "model.layers.0.mlp.up_proj", parameter: "weight" });
    expect(splitTensorName("weight")).toEqual({ module: "", parameter: "weight" });
    expect(splitTensorName(".weight")).toEqual({ module: "", parameter: "weight" });
  });
});

describe("torchao's FqnToConfig precedence", () => {
  const name = "model.layers.0.mlp.up_proj.weight";
  const all = recipe([
    ["_default", cfg()],
    ["re:model\\.layers\\.\\d+\\.mlp\\.up_proj", cfg()],
    ["re:.*up_proj\\.weight", cfg()],
    ["model.layers.0.mlp.up_proj", cfg()],
    [name, cfg()],
  ]);
  const without = (r: Recipe, key: string) => ({ entries: r.entries.filter((e) => e.key !== key) });

  it("takes the exact parameter name first, whatever the file order", () => {
    expect(resolveTensor(compileRecipe(all), name)).toMatchObject({ matched: true, tier: "parameter", key: name });
  });
  it("then the exact module name", () => {
    expect(resolveTensor(compileRecipe(without(all, name)), name)).toMatchObject({ tier: "module", key: "model.layers.0.mlp.up_proj" });
  });
  it("then the first re: key matching the parameter name", () => {
    const r = without(without(all, name), "model.layers.0.mlp.up_proj");
    expect(resolveTensor(compileRecipe(r), name)).toMatchObject({ tier: "parameter-regex", key: "re:.*up_proj\\.weight" });
  });
  it("then the first re: key matching the module name", () => {
    const r = without(without(without(all, name), "model.layers.0.mlp.up_proj"), "re:.*up_proj\\.weight");
    expect(resolveTensor(compileRecipe(r), name)).toMatchObject({ tier: "module-regex", key: "re:model\\.layers\\.\\d+\\.mlp\\.up_proj" });
  });
  it("then _default", () => {
    expect(resolveTensor(compileRecipe(recipe([["_default", cfg()], ["re:nothing", cfg()]])), name)).toMatchObject({ tier: "default", key: "_default" });
  });
  it("matches nothing when no key applies", () => {
    expect(resolveTensor(compileRecipe(recipe([["re:nothing", cfg()]])), name)).toEqual({ matched: false });
  });

  it("takes the first matching re: key in file order among parameter patterns", () => {
    const r = recipe([["re:.*\\.weight", cfg(int8)], ["re:.*up_proj\\.weight", cfg(int4)]]);
    expect(keyFor(r, name)).toBe("re:.*\\.weight");
    expect(keyFor({ entries: [...r.entries].reverse() }, name)).toBe("re:.*up_proj\\.weight");
  });
  it("prefers a later re: key on the parameter name over an earlier one on the module name", () => {
    const r = recipe([["re:.*up_proj", cfg(int8)], ["re:.*up_proj\\.weight", cfg(int4)]]);
    expect(resolveTensor(compileRecipe(r), name)).toMatchObject({ tier: "parameter-regex", key: "re:.*up_proj\\.weight" });
  });
  it("applies module-level keys (module name, module pattern, _default) to a module's weight only", () => {
    const r = recipe([["model.l", cfg()], ["re:model\\.m", cfg()], ["_default", cfg()]]);
    expect(keyFor(r, "model.l.weight")).toBe("model.l");
    expect(keyFor(r, "model.m.weight")).toBe("re:model\\.m");
    expect(keyFor(r, "model.n.weight")).toBe("_default");
    expect(keyFor(r, "model.m.bias")).toBeUndefined();
    expect(keyFor(r, "model.n.bias")).toBeUndefined();
  });
  it("applies parameter keys to any parameter, bias included", () => {
    expect(keyFor(recipe([["model.l.bias", cfg()]]), "model.l.bias")).toBe("model.l.bias");
    expect(keyFor(recipe([["re:.*\\.bias", cfg()]]), "model.l.bias")).toBe("re:.*\\.bias");
  });
  it("returns a null value as the match (the tensor is left alone, and lower tiers are not consulted)", () => {
    const r = recipe([["model.l.weight", null], ["_default", cfg()]]);
    expect(resolveTensor(compileRecipe(r), "model.l.weight")).toEqual({ matched: true, tier: "parameter", key: "model.l.weight", value: null });
  });

  it("skips module-level keys for a whole module when a parameter key matches a sibling, as torchao does", () => {
    const r = recipe([["re:.*\\.bias", null], ["_default", cfg()]]);
    const res = resolveTensor(compileRecipe(r), "model.l.weight", ["model.l.weight", "model.l.bias"]);
    expect(res).toEqual({ matched: false, blocked: { by: "sibling-parameter-key", sibling: "model.l.bias", key: "re:.*\\.bias" } });
    // Without the sibling in the list, _default applies.
    expect(keyFor(r, "model.l.weight")).toBe("_default");
  });
  it("keeps module-level keys for a module whose other parameters no key matches", () => {
    const r = recipe([["re:.*\\.bias", null], ["_default", cfg()]]);
    expect(resolveTensor(compileRecipe(r), "model.l.weight", ["model.l.weight", "model.l.scale", "model.l.shift"])).toMatchObject({ matched: true, tier: "default" });
  });
  it("skips the exact module key when a sibling has an exact parameter key", () => {
    const r = recipe([["model.l", cfg(int8)], ["model.l.bias", null]]);
    const res = resolveTensor(compileRecipe(r), "model.l.weight", ["model.l.weight", "model.l.bias"]);
    expect(res).toMatchObject({ matched: false, blocked: { by: "sibling-parameter-key", sibling: "model.l.bias" } });
  });
  it("tries no parameter pattern on a module's other parameters once its module key took it", () => {
    const r = recipe([["model.l", cfg(int8)], ["re:.*\\.bias", cfg(uint4)]]);
    const c = compileRecipe(r);
    expect(resolveTensor(c, "model.l.bias", ["model.l.weight", "model.l.bias"])).toEqual({ matched: false, blocked: { by: "module-key", key: "model.l" } });
    expect(resolveTensor(c, "model.l.weight", ["model.l.weight", "model.l.bias"])).toMatchObject({ tier: "module", key: "model.l" });
  });

  it("does not read an re: key or _default as an exact name", () => {
    expect(keyFor(recipe([["re:x", cfg()]]), "re:x")).toBeUndefined();
  });
});

describe("keys matching no tensor", () => {
  const c = compileRecipe(recipe([["model.l", cfg()], ["model.l.bias", cfg()], ["re:.*norm", null], ["_default", cfg()], ["model.zz", cfg()]]));
  it("knows a module key matches its weight, a pattern matches a parameter or a module, _default any weight", () => {
    const names = ["model.l.weight", "model.l.bias", "model.norm.weight"];
    expect(keyMatchesAny(c, "model.l", names)).toBe(true);
    expect(keyMatchesAny(c, "model.l.bias", names)).toBe(true);
    expect(keyMatchesAny(c, "re:.*norm", names)).toBe(true);
    expect(keyMatchesAny(c, "_default", names)).toBe(true);
    expect(keyMatchesAny(c, "model.zz", names)).toBe(false);
    expect(keyMatchesAny(c, "_default", ["model.l.bias"])).toBe(false);
  });
  it("matches a module key or a pattern on the module name to the module's weight only, and a key not in the recipe to nothing", () => {
    expect(keyMatchesAny(c, "model.l", ["model.l.bias"])).toBe(false);
    expect(keyMatchesAny(c, "re:.*norm", ["model.norm.bias"])).toBe(false);
    expect(keyMatchesAny(c, "re:.*norm", ["model.norm.weight"])).toBe(true);
    expect(keyMatchesAny(c, "re:.*", ["model.norm", "model.norm.weight"])).toBe(false);
  });
});

describe("compileRecipe", () => {
  it("throws a CONFIG error naming the key when a pattern does not translate", () => {
    expect(() => compileRecipe(recipe([["re:(?P=x)", null]]))).toThrow(/re:\(\?P=x\).*backreferences/);
  });
});
