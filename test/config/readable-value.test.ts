/** checkReadableValue: a config given as a JavaScript value is read whole, once, up front, naming where a read failed. */
import { describe, expect, it } from "vitest";
import { checkReadableValue } from "../../src/library-args.js";
import { thrownFqcError } from "../helpers/js-callers.js";

const throwing = () => Object.defineProperty({}, "bad", { enumerable: true, get: () => { throw new Error("boom"); } });

/** `leaf` nested `levels` objects deep: { a: { a: ... leaf } }. */
function nestedAt(levels: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe("checkReadableValue", () => {
  it("names the failed read by its JSON pointer, keys with ~ and / escaped, with a hint to pass plain data", () => {
    const e = thrownFqcError(() => checkReadableValue({ fqn_to_config: { "re:a/b~c": throwing() } }, "normalize: the config"));
    expect(e.code).toBe("USAGE");
    expect(e.message).toBe("normalize: the config at /fqn_to_config/re:a~1b~0c/bad could not be read: boom");
    expect(e.hint).toMatch(/^Pass plain data \(e\.g\. JSON\.parse\(JSON\.stringify\(value\)\)\)/);
    expect(thrownFqcError(() => checkReadableValue(new Proxy({}, { ownKeys: () => { throw new Error("no keys"); } }), "x")).message)
      .toBe("x could not be read: no keys");
  });

  it("reads the members of a function too (a class or function given as a config)", () => {
    const f = Object.assign(() => undefined, { inner: throwing() });
    expect(thrownFqcError(() => checkReadableValue({ f }, "x")).message).toBe("x at /f/inner/bad could not be read: boom");
  });

  it("reads down to 128 levels below the top and no deeper (past what any accepted config nests)", () => {
    expect(thrownFqcError(() => checkReadableValue(nestedAt(128, throwing()), "x")).message).toMatch(/could not be read: boom$/);
    expect(() => checkReadableValue(nestedAt(129, throwing()), "x")).not.toThrow();
  });

  it("reads only as many levels as asked (the first levels of a recipe, a column list), and a sparse array by its elements", () => {
    expect(() => checkReadableValue(nestedAt(2, throwing()), "x", 2)).not.toThrow();
    expect(thrownFqcError(() => checkReadableValue(nestedAt(2, throwing()), "x", 3)).message).toBe("x at /a/a/bad could not be read: boom");
    const sparse: unknown[] = new Array(1e9);
    sparse[5e8] = throwing();
    expect(thrownFqcError(() => checkReadableValue({ list: sparse }, "x")).message).toBe("x at /list/500000000/bad could not be read: boom");
  });

  it("reads a value shared by several keys once", () => {
    let reads = 0;
    const shared = Object.defineProperty({}, "n", { enumerable: true, get: () => ++reads });
    checkReadableValue({ a: shared, b: shared, c: [shared, shared] }, "x");
    expect(reads).toBe(1);
  });
});
