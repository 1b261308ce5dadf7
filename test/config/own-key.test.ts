/** Objects built from a file's keys keep a "__proto__" key as an entry like any other (own-key.ts). */
import { describe, expect, it } from "vitest";
import { defineKey } from "../../src/own-key.js";

describe("defineKey", () => {
  it("makes __proto__ an own entry, not the prototype, that later code can overwrite, delete and list like any key", () => {
    const o: Record<string, unknown> = {};
    defineKey(o, "__proto__", { dtype: "int4" });
    defineKey(o, "lm_head", null);
    expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
    expect(Object.keys(o)).toEqual(["__proto__", "lm_head"]);
    expect(Object.getOwnPropertyDescriptor(o, "__proto__")).toEqual({
      value: { dtype: "int4" }, writable: true, enumerable: true, configurable: true,
    });
    expect(JSON.parse(JSON.stringify(o))).toEqual(JSON.parse('{"__proto__": {"dtype": "int4"}, "lm_head": null}'));
    delete o["__proto__"];
    expect(Object.keys(o)).toEqual(["lm_head"]);
  });
});
