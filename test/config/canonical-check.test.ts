/** What a JavaScript caller passes the entry points that apply configs: canonical configs, plans and recipe values. */
import { describe, expect, it } from "vitest";
import { checkCanonicalConfig, checkConfigObject, checkPlanSource, checkRecipeValue } from "../../src/config/canonical-check.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { caught } from "../helpers/js-callers.js";

const C = normalize({ dtype: "int4", group_size: 32 });

function usage(f: () => unknown): string {
  const e = caught(f);
  expect(e).toBeInstanceOf(FqcError);
  expect((e as FqcError).code).toBe("USAGE");
  return (e as Error).message;
}

describe("checkCanonicalConfig", () => {
  it("says a value of another shape is no canonical config before normalizing it", () => {
    expect(usage(() => checkCanonicalConfig(null, "config"))).toBe("config must be a canonical config (what normalize returns), not null");
    expect(usage(() => checkCanonicalConfig([C], "config"))).toBe("config must be a canonical config (what normalize returns), not an array");
    for (const shorthand of [{ dtype: "int4", group_size: 32 }, { ...C, dtype: 4 }, { ...C, granularity: null }, { ...C, granularity: { group_size: 32 } }]) {
      expect(usage(() => checkCanonicalConfig(shorthand, "config"))).toBe("config must be a canonical config (what normalize returns), not a shorthand config");
    }
    expect(caught(() => checkCanonicalConfig({ dtype: "int4" }, "config"))).toMatchObject({ hint: "Pass normalize(config): it checks the config as torchao would and fills in the defaults." });
  });

  it("names the key whose getter threw, with the caller's own error as the cause", () => {
    const boom = new RangeError("getter");
    const c = { ...C };
    Object.defineProperty(c, "eps", { enumerable: true, get: () => { throw boom; } });
    const e = caught(() => checkCanonicalConfig(c, "config"));
    expect(e).toMatchObject({ code: "USAGE", message: "config at /eps could not be read: getter", cause: boom });
  });
});

describe("checkPlanSource", () => {
  const recipe = { entries: [{ key: "a", value: null }, { key: "b", value: { kind: "config", config: C } }] };
  it("takes a key set to undefined as absent", () => {
    expect(checkPlanSource({ config: undefined, recipe }, "plan")).toEqual({ config: undefined, recipe });
    expect(checkPlanSource({ config: C, recipe: undefined }, "plan")).toEqual({ config: C, recipe: undefined });
    expect(usage(() => checkPlanSource({ config: undefined, recipe: undefined }, "plan"))).toBe("plan must hold either config or recipe, and holds neither");
  });
});

describe("checkRecipeValue", () => {
  it("takes null, a config and a pair whose activation side may be absent; refuses any other value by name", () => {
    expect(() => checkRecipeValue(null, "v")).not.toThrow();
    expect(() => checkRecipeValue({ kind: "pair", pair: { weight: C } }, "v")).not.toThrow();
    expect(usage(() => checkRecipeValue({ kind: "pair", pair: { weight: C, activation: { dtype: "int8" } } }, "v"))).toMatch(/^v\.pair\.activation must be a canonical config/);
    for (const bad of [{ kind: "pair", pair: null }, { kind: "pair", pair: 5 }, { kind: "table" }, 5]) {
      expect(usage(() => checkRecipeValue(bad, "v"))).toMatch(/^v must be null, \{ kind: "config", config \} or \{ kind: "pair", pair \}, not /);
    }
  });
});

describe("checkConfigObject", () => {
  it("takes any object, and names what else it was given", () => {
    expect(() => checkConfigObject({}, "c")).not.toThrow();
    expect(usage(() => checkConfigObject([], "c"))).toBe("c must be a config object, not an array");
    expect(usage(() => checkConfigObject(null, "c"))).toBe("c must be a config object, not null");
  });
});
