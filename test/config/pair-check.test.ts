/** A QAT pair's own findings: its keys and members that are not configs. */
import { describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";

const W = '{"dtype": "int4", "group_size": 32}';
const first = (v: unknown) => validate(v, { filename: "p.json" }).diagnostics[0];

describe("QAT pair files", () => {
  it("names an unknown key at the key, suggesting a role only when one is close", () => {
    const text = `{"weight": ${W}, "bogus": 1}`;
    const d = first(text);
    expect(d).toMatchObject({
      ruleId: "fqc/unknown-key", pointer: "/bogus", message: "unknown key `bogus` in a QAT pair",
      hint: "A QAT pair holds only `activation` and `weight` configs; a single config has no such keys.",
    });
    expect([d.line, d.column, d.endColumn]).toEqual([1, text.indexOf('"bogus"') + 1, text.indexOf('"bogus"') + 8]);
    expect(first(`{"weight": ${W}, "activatoin": null}`).message).toBe("unknown key `activatoin` in a QAT pair; did you mean `activation`?");
  });

  it("describes a member that is not a config", () => {
    const cases: Array<[unknown, string]> = [
      ['{"weight": "x"}', 'the string "x"'],
      ['{"weight": [1]}', "an array"],
      ['{"weight": true}', "the boolean true"],
      ['{"weight": 5}', "the number 5"],
      // Only a JavaScript caller can pass these.
      [{ weight: undefined }, "undefined"],
      [{ weight: 10n }, "10n (a BigInt)"],
      [{ weight: Symbol("s") }, "Symbol(s)"],
      [{ weight: () => 1 }, "a function"],
    ];
    for (const [v, what] of cases) {
      expect(first(v), String(what)).toMatchObject({ ruleId: "fqc/type", pointer: "/weight", message: `\`weight\` must be a config object or null, not ${what}` });
    }
  });
});
