import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JsonMemberTooLargeError, JsonSyntaxError, jsonNonNegativeInteger, parseStrictJson, quoteName, type JsonValue } from "../../src/checkpoint/strict-json.js";

function toJs(v: JsonValue): unknown {
  switch (v.kind) {
    case "object": return Object.fromEntries(v.entries.map(([k, x]) => [k, toJs(x)]));
    case "array": return v.items.map(toJs);
    case "string": return v.value;
    case "number": return Number(v.text);
    case "bool": return v.value;
    case "null": return null;
  }
}

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseStrictJson(text);
  } catch (err) {
    expect(err).toBeInstanceOf(JsonSyntaxError);
    return err as JsonSyntaxError;
  }
  throw new Error(`accepted: ${text}`);
}

describe("parseStrictJson", () => {
  it("reads every JSON text JSON.stringify writes as JSON.parse does", () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (v, indent) => {
      const text = JSON.stringify(v, null, indent ? 2 : undefined);
      expect(toJs(parseStrictJson(text))).toEqual(JSON.parse(text));
    }), { numRuns: 500 });
  });

  it("keeps object keys in file order, integer-like keys included (JSON.parse moves them first)", () => {
    const v = parseStrictJson(`{"b":1,"10":2,"a":3,"2":4}`);
    expect(v.kind === "object" && v.entries.map(([k]) => k)).toEqual(["b", "10", "a", "2"]);
  });

  it("keeps number literals as written", () => {
    const v = parseStrictJson(`[9007199254740993, 1e3, 1E3, 2.0, -0, 0]`);
    expect(v.kind === "array" && v.items.map((x) => x.kind === "number" && x.text)).toEqual(["9007199254740993", "1e3", "1E3", "2.0", "-0", "0"]);
  });

  it("refuses duplicate keys in small and large objects, at the second key", () => {
    expect(syntaxError(`{"a":1,"a":2}`).offset).toBe(7);
    const many = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(",");
    expect(syntaxError(`{${many},"k3":0}`).message).toBe(`duplicate key "k3"`);
    expect(syntaxError(`{"x":{"a":1,"b":{"a":1},"a":2}}`).message).toBe(`duplicate key "a"`);
  });

  it("refuses what JSON refuses: leading zeros, trailing commas, raw control characters, bad escapes, junk after the value", () => {
    for (const text of [`[01]`, `[1,]`, `{"a":1,}`, `["a\u0001"]`, `["a\u001f"]`, `["\\x"]`, `["\\u12G4"]`, `{} {}`, `[1.]`, `[.5]`, `[+1]`, `[NaN]`, `["abc`, `{"a" 1}`, `tru`, ``]) {
      syntaxError(text);
    }
  });

  it("refuses lone surrogates and accepts surrogate pairs", () => {
    expect(syntaxError(`["\\udc00"]`).message).toMatch(/lone low surrogate/);
    expect(syntaxError(`["\\ud800x"]`).message).toMatch(/lone high surrogate/);
    expect(syntaxError(`["\\ud800\\u0041"]`).message).toMatch(/not followed by a low surrogate/);
    const v = parseStrictJson(`["\\ud83d\\ude00"]`);
    expect(toJs(v)).toEqual(["\u{1F600}"]);
    // The ends of both surrogate ranges.
    expect(syntaxError(`["\\udfff"]`).message).toMatch(/lone low surrogate/);
    expect(syntaxError(`["\\udbffx"]`).message).toMatch(/lone high surrogate/);
    expect(syntaxError(`["\\udbff\\ue000"]`).message).toMatch(/not followed by a low surrogate/);
    expect(syntaxError(`["\\ud800\\udbff"]`).message).toMatch(/not followed by a low surrogate/);
    expect(toJs(parseStrictJson(`["\\ud800\\udc00", "\\udbff\\udfff", "\\ud7ff", "\\ue000"]`))).toEqual(["\u{10000}", "\u{10FFFF}", "\ud7ff", "\ue000"]);
  });

  it("refuses nesting past 128 levels and accepts 128", () => {
    expect(() => parseStrictJson(`${"[".repeat(128)}${"]".repeat(128)}`)).not.toThrow();
    expect(syntaxError(`${"[".repeat(129)}${"]".repeat(129)}`).message).toMatch(/nested deeper than 128/);
  });
});

describe("parseStrictJson: values per root member (maxMemberValues)", () => {
  const parse = (text: string, max: number) => {
    const members: string[] = [];
    parseStrictJson(text, { maxMemberValues: max, onRootMember: (key) => members.push(key) });
    return members;
  };

  it("counts the values inside each root member's value, anew for each member", () => {
    // [1, 2] holds two values; the array itself is the member's value.
    expect(parse(`{"a":[1,2],"b":{"x":1,"y":2}}`, 2)).toEqual(["a", "b"]);
    let err: unknown;
    try {
      parse(`{"a":[1],"b":[1,2,3]}`, 2);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(JsonMemberTooLargeError);
    expect(err).toMatchObject({ key: "b", limit: 2, message: `member "b" holds more than 2 JSON values` });
  });
});

describe("quoteName", () => {
  it("shows a name of up to 120 characters whole, and cuts a longer one", () => {
    const name = "x".repeat(120);
    expect(quoteName(name)).toBe(`"${name}"`);
    expect(quoteName(`${name}y`)).toBe(`"${name}…"`);
  });
});

describe("jsonNonNegativeInteger at 2^53 - 1", () => {
  it("reads 9007199254740991 and refuses 9007199254740992", () => {
    expect(jsonNonNegativeInteger({ kind: "number", text: "9007199254740991" })).toEqual({ ok: true, value: 9007199254740991 });
    expect(jsonNonNegativeInteger({ kind: "number", text: "9007199254740992" })).toEqual({ ok: false, why: "9007199254740992, larger than 2^53 - 1" });
  });
});

describe("a header's syntax error quoting a line break", () => {
  it("is one line: the escaped character is shown as \\n", async () => {
    const { parseSafetensorsHeader } = await import("../../src/checkpoint/safetensors-header.js");
    const text = '{"a\\\n": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}';
    let message = "";
    try {
      parseSafetensorsHeader(new TextEncoder().encode(text), 4, "m.safetensors");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("invalid escape '\\\\n' in a string");
    expect(message).not.toContain("\n");
  });
});
