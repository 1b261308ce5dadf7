import { describe, expect, it } from "vitest";
import { compilePythonRegex, MAX_PATTERN_LENGTH, translatePythonRegex } from "../../src/config/recipe-regex.js";
import golden from "../fixtures/recipe/python-fullmatch.json" with { type: "json" };

function fullmatch(pattern: string, name: string): boolean {
  const r = compilePythonRegex(pattern);
  if (!r.ok) throw new Error(`${pattern}: ${r.message}`);
  return r.regex.test(name);
}

describe("Python regex translation", () => {
  it("matches exactly the names Python's re.fullmatch matches, for every golden case", () => {
    for (const c of golden.cases) {
      for (const [name, expected] of c.names as Array<[string, boolean]>) expect(fullmatch(c.pattern, name), `${c.pattern} on ${JSON.stringify(name)}`).toBe(expected);
    }
  });

  // Recorded by hand from python3 3.11 `re.fullmatch(pattern, name) is not None`. Before 3.14, Python's \B never matches
  // in an empty string, where JavaScript's "no word character on either side" would.
  const nonBoundary: Array<[string, Array<[string, boolean]>]> = [
    ["\\B", [["", false], ["a", false], ["..", false]]],
    ["(?a)\\B", [["", false], ["a", false]]],
    ["\\A\\B", [["", false]]],
    ["(?=\\B)", [["", false]]],
    ["x*\\B", [["", false], ["x", false]]],
    ["\\B|a", [["", false], ["a", true]]],
    ["(?:\\B|x)y?", [["", false], ["x", true], ["xy", true], ["y", false]]],
    ["(?:|\\B)", [["", true], ["a", false]]],
    [".\\B.", [["xy", true], ["..", true], ["a.", false], [".", false]]],
    ["[a]*\\B[b]*", [["", false], ["ab", true], ["a", false]]],
    ["\\b", [["", false], ["a", false]]],
  ];
  it("\\B never matches in an empty name, as in Python's re before 3.14; elsewhere it matches where Python's does", () => {
    for (const [pattern, names] of nonBoundary) {
      for (const [name, expected] of names) expect(fullmatch(pattern, name), `${pattern} on ${JSON.stringify(name)}`).toBe(expected);
    }
  });

  it("matches in full: an alternation is grouped, a prefix or suffix is not enough", () => {
    expect(fullmatch("a|b", "ab")).toBe(false);
    expect(fullmatch("model", "model.layers")).toBe(false);
    expect(fullmatch("layers", "model.layers")).toBe(false);
  });

  it("translates named groups, anchors and Python's $ to their JavaScript spelling", () => {
    expect(translatePythonRegex("(?P<n>x)")).toMatchObject({ ok: true, source: "(?<n>x)" });
    expect(translatePythonRegex("\\Ax\\Z")).toMatchObject({ ok: true, source: "^x$" });
    expect(translatePythonRegex("x$")).toMatchObject({ ok: true, source: "x(?=\\n?$)" });
    expect(translatePythonRegex("x{,3}")).toMatchObject({ ok: true, source: "x{0,3}" });
  });

  it("escapes every / it writes, so a translated source also stands in a regular expression literal", () => {
    for (const p of ["a/b", "a\\/b", "[/]", "[\\/]"]) {
      const t = translatePythonRegex(p);
      expect(t.ok && t.source.replace(/\\./g, ""), p).not.toContain("/");
    }
  });

  it("compiles with the u flag, and takes leading (?i) and (?s) as flags", () => {
    expect(translatePythonRegex("x")).toMatchObject({ flags: "u" });
    expect(translatePythonRegex("(?is)x")).toMatchObject({ flags: "isu" });
    expect(translatePythonRegex("(?u)x")).toMatchObject({ flags: "u" });
    // Comments may stand between leading flags, as in Python.
    expect(translatePythonRegex("(?#c)(?i)(?#d)(?s)x")).toMatchObject({ ok: true, source: "x", flags: "isu" });
  });

  it("folds case as Python's sre does: (?i) joins I, i, İ and ı; (?ai) folds ASCII letters only, so no JavaScript i flag", () => {
    expect(translatePythonRegex("(?i)xi")).toMatchObject({ ok: true, source: "x[Ii\u0130\u0131]", flags: "iu" });
    expect(translatePythonRegex("(?ai)x\u00e9")).toMatchObject({ ok: true, source: "[xX]\u00e9", flags: "u" });
    // A class takes in the rest of a case class it holds in part; its own `-` is escaped, so what is appended forms no range.
    expect(translatePythonRegex("(?i)[h-]")).toMatchObject({ ok: true, source: "[h\\-]" });
    expect(translatePythonRegex("(?i)[^i-]")).toMatchObject({ ok: true, source: "[^i\\-\u0130\u0131]" });
    expect(translatePythonRegex("(?ai)[a-c]")).toMatchObject({ ok: true, source: "[a-cABC]", flags: "u" });
  });

  it("takes what Python's re takes: a group name of any identifier characters, ranges beside a class escape's own `-`", () => {
    // Lookbehinds of one fixed width, by Python's getwidth(): branches of equal width, counted repeats, assertions, a repeat of nothing.
    for (const p of ["(?<=ab|cd)x", "(?<=(ab){2}|cdef)x", "(?<=a{2})x", "(?<=\\b[ab](?=c)\\d)x", "(?<=(?:)*)x", "(?<=a(?<!bc|de))x", "(?<=$)x"]) {
      expect(compilePythonRegex(p), p).toMatchObject({ ok: true });
    }
    for (const p of ["(?P<a·b>x)", "(?P<ℕ>x)", "[a-z-0]", "[\\w-]", "[-\\w]", "[\\b-a]", "a{4294967294}"]) expect(compilePythonRegex(p), p).toMatchObject({ ok: true });
    // Every atom counts its width as Python's getwidth() does (each compiles in python3 3.11): . { } ] / an escape, a class,
    // a counted repeat, three branches; a lookahead inside a lookbehind has none.
    for (const p of ["(?<=.|a)x", "(?<={|a)x", "(?<=}|a)x", "(?<=]|a)x", "(?<=/|a)x", "(?<=\\d|a)x", "(?<=[ab]|c)x", "(?<=(?=a)b|c)x", "(?<=a(?!b)|c)x", "(?<=a{3}|bcd)x", "(?<=a|b|c)x"]) {
      expect(compilePythonRegex(p), p).toMatchObject({ ok: true });
    }
  });

  const refusals: Array<[string, RegExp, number]> = [
    ["x(?<=a|bc)", /^look-behind requires fixed-width pattern$/, 1],
    ["(?<=_+)x", /^look-behind requires fixed-width pattern$/, 0],
    ["(?<=a(?<!b{1,2}))x", /^look-behind requires fixed-width pattern$/, 5],
    ["(?P=n)", /backreferences/, 0],
    ["(a)\\1", /backreferences/, 3],
    ["\\0", /octal/, 0],
    ["a(?>b)", /atomic groups/, 1],
    ["a*+", /possessive/, 1],
    ["a{1,2}+", /possessive/, 1],
    ["(?i:a)", /scoped inline flags/, 0],
    ["a(?i)", /global flags not at the start/, 1],
    ["(?m)a", /MULTILINE/, 0],
    ["(?x)a b", /VERBOSE/, 0],
    ["(?L)a", /LOCALE/, 0],
    ["(?(1)a|b)", /conditional/, 0],
    ["\\N{DIGIT ONE}", /named characters/, 0],
    ["(?<n>a)", /\(\?P<name>/, 0],
    ["[\\W]", /inside a character class/, 1],
    ["\\q", /bad escape \\q/, 0],
    ["ab\\", /lone backslash/, 2],
    ["(ab", /unterminated subpattern/, 3],
    ["ab)", /unbalanced parenthesis/, 2],
    ["*a", /nothing to repeat/, 0],
    ["[ab", /unterminated character set/, 0],
    // What Python's re refuses is refused, with its words, not translated into something JavaScript accepts.
    ["[\\w-a]", /^bad character range \\w-a$/, 1],
    ["x[a-\\d]", /^bad character range a-\\d$/, 2],
    ["(?a)[0-\\s]", /^bad character range 0-\\s$/, 5],
    ["a\\b*", /^nothing to repeat$/, 3],
    ["\\B+", /^nothing to repeat$/, 2],
    ["\\A{2}", /^nothing to repeat$/, 2],
    ["a$*", /^nothing to repeat$/, 2],
    ["a**", /^multiple repeat$/, 2],
    ["a*??", /^multiple repeat$/, 3],
    ["a{2}*", /^multiple repeat$/, 4],
    ["a{4294967295}", /^the repetition number is too large$/, 1],
    ["a{1,4294967295}", /^the repetition number is too large$/, 1],
    ["a{2,1}", /^min repeat greater than max repeat$/, 1],
    ["(?au)a", /^bad inline flags: flags 'a', 'u' and 'L' are incompatible$/, 0],
    ["[\\B]", /^bad escape \\B inside a character class$/, 1],
    ["[\\A]", /^bad escape \\A inside a character class$/, 1],
    ["[\\Z]", /^bad escape \\Z inside a character class$/, 1],
    ["\\xg41", /^incomplete escape \\x /, 0],
    ["\\u12g45", /^incomplete escape \\u /, 0],
    ["\\U0001F60g0", /^incomplete escape \\U /, 0],
    ["\\U00110000", /^bad escape \\U00110000: not a code point$/, 0],
    ["a(?#x", /^missing \), unterminated comment$/, 1],
    ["(?P<1a>x)", /^bad character in group name '1a'$/, 0],
    ["(?P<a", /^missing >, unterminated name$/, 0],
    ["(*a)", /^nothing to repeat$/, 1],
    ["a{4294967295,}", /^the repetition number is too large$/, 1],
    ["(?<=a*)x", /^look-behind requires fixed-width pattern$/, 0],
    ["(?<=ab|c|d)x", /^look-behind requires fixed-width pattern$/, 0],
    ["(?<=^|a)x", /^look-behind requires fixed-width pattern$/, 0],
    // Malformed inline flags and unknown extensions, in Python's words (each checked against Python 3.11's re).
    ["(?Q)x", /^unknown extension \?Q$/, 0],
    ["(?Qi)x", /^unknown extension \?Q$/, 0],
    ["a(?Q)", /^unknown extension \?Q$/, 1],
    ["(?i)(?Q)x", /^unknown extension \?Q$/, 4],
    ["(?1)x", /^unknown extension \?1$/, 0],
    ["(?é)x", /^unknown extension \?é$/, 0],
    ["(?Px)", /^unknown extension \?Px$/, 0],
    ["a(?Px)", /^unknown extension \?Px$/, 1],
    ["(?P", /^unexpected end of pattern$/, 0],
    ["(?", /^unexpected end of pattern$/, 0],
    ["(?iQ)x", /^unknown flag$/, 0],
    ["a(?iQ)", /^unknown flag$/, 1],
    ["(?iÀ)x", /^unknown flag$/, 0],
    ["(?-Q)x", /^unknown flag$/, 0],
    ["(?i-Q:x)", /^unknown flag$/, 0],
    ["(?i", /^missing -, : or \)$/, 0],
    ["(?i%)x", /^missing -, : or \)$/, 0],
    ["(?-)x", /^missing flag$/, 0],
    ["(?i-:x)", /^missing flag$/, 0],
    ["(?-i)x", /^missing :$/, 0],
    ["(?i-i)x", /^missing :$/, 0],
    ["(?-i:x)", /^scoped inline flags/, 0],
    // Python 3.11 still reads the TEMPLATE flag (with a DeprecationWarning); 3.13 refuses it as unknown.
    ["(?t)x", /^the TEMPLATE flag \(\?t\) is not supported/, 0],
  ];
  for (const [pattern, message, offset] of refusals) {
    it(`refuses ${pattern} at offset ${offset}`, () => {
      const r = translatePythonRegex(pattern);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.message).toMatch(message);
        expect(r.offset).toBe(offset);
      }
    });
  }

  it("reports what JavaScript refuses to compile (a reversed range) as a refusal", () => {
    for (const p of ["[z-a]", "(?i)[z-a]"]) {
      // JavaScript's own words, without its "Invalid regular expression: /…/u: " prefix.
      expect(compilePythonRegex(p), p).toEqual({ ok: false, message: "Range out of order in character class", offset: 0 });
    }
  });

  it("refuses patterns longer than the cap", () => {
    expect(translatePythonRegex("a".repeat(MAX_PATTERN_LENGTH))).toMatchObject({ ok: true });
    expect(translatePythonRegex("a".repeat(MAX_PATTERN_LENGTH + 1))).toMatchObject({ ok: false, message: expect.stringMatching(/at most 1000/) });
  });

  it("flags a repeated group that contains an unbounded repeat, at the group", () => {
    expect(translatePythonRegex("x(a+)+")).toMatchObject({ ok: true, backtrackingAt: 1 });
    expect(translatePythonRegex("(.*)*")).toMatchObject({ ok: true, backtrackingAt: 0 });
    expect(translatePythonRegex("(?:a|b{2,})*")).toMatchObject({ ok: true, backtrackingAt: 0 });
    expect(translatePythonRegex("(a+)?")).not.toHaveProperty("backtrackingAt");
    expect(translatePythonRegex("((a+))+")).toMatchObject({ ok: true, backtrackingAt: 0 });
    expect(translatePythonRegex("(a+)+(b+)+")).toMatchObject({ ok: true, backtrackingAt: 0 });
    expect(translatePythonRegex("(a+){1,17}")).toMatchObject({ ok: true, backtrackingAt: 0 });
    expect(translatePythonRegex("(a+){1,16}")).not.toHaveProperty("backtrackingAt");
    expect(translatePythonRegex("[ab]+")).not.toHaveProperty("backtrackingAt");
    expect(translatePythonRegex("(ab)+c+")).not.toHaveProperty("backtrackingAt");
    expect(translatePythonRegex("model\\.layers\\.\\d+\\..*")).not.toHaveProperty("backtrackingAt");
  });
});
