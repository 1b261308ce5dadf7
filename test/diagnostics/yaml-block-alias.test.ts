/**
 * Anchors and aliases in the large-YAML reader (yaml-block.ts): the JS value the yaml package's toJS gives (an alias
 * to a collection is the same object), its alias-count guard (the same error, from the reader, on an alias bomb),
 * and validate's diagnostics for a node reached through an alias (placed at the alias) in a small file and a large one.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { validate } from "../../src/config/validate.js";
import { parseYamlDocument, parseYamlText } from "../../src/diagnostics/source.js";
import { MAX_ALIAS_COUNT, parseBlockYaml } from "../../src/diagnostics/yaml-block.js";
import { diagnosticsUnpadded, expectAgrees, PAD } from "../helpers/yaml-block-docs.js";

const EXCESSIVE = "YAML error: Excessive alias count indicates a resource exhaustion attack";

/** validate's diagnostics as [rule, line, column, endLine, endColumn, message]. */
const brief = (text: string) => validate(text, { filename: "c.yaml" }).diagnostics.map((d) => [d.ruleId, d.line, d.column, d.endLine, d.endColumn, d.message]);

/** The reader took the padded text, and validate says the same of it as of the small text (which the yaml package reads). */
function expectSameDiagnosticsLarge(text: string): void {
  expect(parseBlockYaml(PAD + text), JSON.stringify(text)).toBeDefined();
  expect(diagnosticsUnpadded(text), JSON.stringify(text)).toStrictEqual(validate(text, { filename: "c.yaml" }).diagnostics);
}

describe("anchors and aliases in large YAML", () => {
  it("places a problem reached through an alias at the alias, in a small file (yaml package) and a large one (reader) alike", () => {
    const pair = "weight: &w\n  dtype: int4\n  group_size: 32\n  bogus: 1\nactivation: *w\n";
    const unknown = "FakeQuantizeConfig.__init__() got an unexpected keyword argument 'bogus'";
    expect(brief(pair).map((d) => d.slice(0, 5))).toStrictEqual([["fqc/unknown-key", 5, 13, 5, 15], ["fqc/unknown-key", 4, 3, 4, 8]]);
    expect(brief(pair).every((d) => String(d[5]).startsWith(unknown))).toBe(true);
    const scalars = "dtype: &t int4\ngroup_size: &g 32.0\nscale_precision: *t\n";
    // 32.0 is a Python float (forward/group-size), anchored or not.
    expect(brief(scalars).map((d) => d.slice(0, 5))).toStrictEqual([["forward/group-size", 2, 16, 2, 20], ["fqc/precision", 3, 18, 3, 20]]);
    const flow = "weight: &w {dtype: int4, group_size: 0}\nactivation: *w\n";
    expect(brief(flow).map((d) => d.slice(0, 5))).toStrictEqual([["forward/group-size", 1, 38, 1, 39], ["forward/group-size", 2, 13, 2, 15]]);
    for (const text of [pair, scalars, flow, "weight: &w\n  dtype: int4\n  group_size: 0\nactivation: *w  # the same\n", "dtype: &d int4\ngroup_size: 32\nx:\n  - *d\n  - &n 0.5\n  - *n\n"]) {
      expectSameDiagnosticsLarge(text);
    }
  });

  it("gives an alias to a collection the anchored object itself, and an alias to a scalar its value, as toJS does", () => {
    const text = "a: &m\n  b: [1, 2]\nc: *m\nd: &s |\n  text\ne: *s\nf: &q [x]\ng:\n  - *q\n  - *m\n";
    expect(expectAgrees(text)).toBe(true);
    const block = parseBlockYaml(text)!;
    const v = block.value as Record<string, unknown>;
    expect(v.c).toBe(v.a);
    expect((v.g as unknown[])[0]).toBe(v.f);
    expect(v.e).toBe("text\n");
  });

  it(`reads an anchor reached through ${MAX_ALIAS_COUNT - 1} aliases; at ${MAX_ALIAS_COUNT}, gives the yaml package's error without it`, () => {
    const aliases = (n: number, anchored = "int4") => `dtype: &d ${anchored}\n${Array.from({ length: n }, (_, i) => `k${i}: *d\n`).join("")}`;
    expect(expectAgrees(aliases(MAX_ALIAS_COUNT - 1))).toBe(true);
    expect(parseBlockYaml(aliases(MAX_ALIAS_COUNT - 1))!.aliasOverflow).toBe(false);
    expect(parseBlockYaml(aliases(MAX_ALIAS_COUNT))!.aliasOverflow).toBe(true);
    for (const n of [MAX_ALIAS_COUNT, 5000]) {
      const text = PAD + aliases(n);
      const fast = parseYamlText(text);
      const lib = parseYamlDocument(text);
      expect(fast.ok ? "ok" : fast.error).toStrictEqual(lib.ok ? "ok" : lib.error);
      expect(fast.ok ? "ok" : fast.error.message).toBe(EXCESSIVE);
    }
    // The package counts an empty collection (or sequences of empty ones) as weighing nothing: never too many aliases.
    for (const anchored of ["[]", "{}", "[[], []]", "[[], 1]", "{a: []}"]) expect(expectAgrees(aliases(300, anchored)), anchored).toBe(true);
    // A syntax error after the bomb is still the error reported (the yaml package reports it first).
    const broken = `${PAD}${aliases(200)}bad: [1, 2\n`;
    expect(parseYamlText(broken)).toStrictEqual(parseYamlDocument(broken));
    expect(parseBlockYaml(broken)).toBeUndefined();
  });

  it("leaves to the yaml package an alias bomb of nested aliases, a recursive alias, an unknown anchor, anchors on keys and aliases in flow collections", () => {
    const laughs = `a: &a [lol, lol]\nb: &b\n${"  - *a\n".repeat(9)}c: &c\n${"  - *b\n".repeat(9)}d: &d\n${"  - *c\n".repeat(9)}`;
    for (const text of [
      laughs, "a: &a\n  b: *a\n", "a: &a\n  - *a\n", "a: *nowhere\n", "a: &x 1\nb: *y\n", "&a k: 1\n", "a: [*x]\n", "a: &x 1\nb: [*x]\n", "a: &x 1\nb: {c: *x}\n",
      "a: &x: 1\n", "a: &x 1\nb: *x:\n", "a: &x *y\n", "- &a\n  - 1\n", "a: &a # c\n  b: 1\n", "a: &a\nb: 1\n", "a: &a\n  x\n", "- &a b: 1\n", "*a: 1\n", "a: &\n", "a: &x[1]\n",
    ]) {
      expect(parseBlockYaml(text), JSON.stringify(text)).toBeUndefined();
      expect(diagnosticsUnpadded(text), JSON.stringify(text)).toStrictEqual(validate(text, { filename: "c.yaml" }).diagnostics);
    }
    expect(brief(laughs)).toStrictEqual([["fqc/syntax", 1, 1, 1, 2, EXCESSIVE]]);
  });

  it("reads generated documents of anchors on scalars and collections and aliases to them as the yaml package does, the alias guard included", () => {
    // Entries of a root map: an anchored value (scalar, flow or block collection), an alias to an earlier anchor, or a plain value.
    const entry = fc.oneof(
      fc.record({ t: fc.constant("anchor" as const), name: fc.constantFrom("a", "b", "c.d", "x-1"), value: fc.constantFrom("int4", "0.5", "|\n  text\n", "[1, 2]", "{k: v}", "[]", "\n  k: 1\n  j: [2]\n", "\n  - 1\n  - x\n", "\n- y\n") }),
      fc.record({ t: fc.constant("alias" as const), name: fc.constantFrom("a", "b", "c.d", "x-1", "zz"), times: fc.constantFrom(1, 1, 2, 40, 60, 100, 120), comment: fc.boolean() }),
      fc.record({ t: fc.constant("plain" as const), value: fc.constantFrom("int4", "32", "[1]", "'q'") }),
    );
    let read = 0;
    let overflow = 0;
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 8 }), fc.boolean(), (entries, inSeq) => {
        let text = "";
        let k = 0;
        for (const e of entries) {
          const lead = inSeq ? "- " : `k${k++}: `;
          if (e.t === "anchor") text += e.value.startsWith("\n") ? `${lead}&${e.name}${inSeq ? " [0]\n" : e.value}` : `${lead}&${e.name} ${e.value}${e.value.endsWith("\n") ? "" : "\n"}`;
          else if (e.t === "alias") for (let i = 0; i < e.times; i++) text += `${inSeq ? "- " : `k${k++}: `}*${e.name}${e.comment ? "  # c" : ""}\n`;
          else text += `${lead}${e.value}\n`;
        }
        if (expectAgrees(text)) {
          read++;
          if (parseBlockYaml(text)!.aliasOverflow) overflow++;
        }
        const padded = PAD + text;
        const fast = parseYamlText(padded);
        const lib = parseYamlDocument(padded);
        expect(fast.ok ? "ok" : fast.error, JSON.stringify(text)).toStrictEqual(lib.ok ? "ok" : lib.error);
      }),
      { numRuns: 400 },
    );
    expect(read).toBeGreaterThan(80);
    expect(overflow).toBeGreaterThan(0);
  });
});
