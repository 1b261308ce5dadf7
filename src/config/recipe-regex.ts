/**
 * A recipe's `re:` keys are Python `re` patterns (torchao matches them with
 * `re.fullmatch`). This translates one into a JavaScript RegExp source that
 * matches the same strings, compiled with the `u` flag (so `.` and classes
 * see code points, as Python's str patterns do), or refuses it with the
 * offset of the construct whose meaning cannot be carried over.
 *
 * Translated: `(?P<name>…)` → `(?<name>…)`, `\A` → `^`, `\Z` → `$`, Python's
 * `$` (end, or before a final newline) → `(?=\n?$)`, `.` (anything but \n) →
 * `[^\n]`, `\d` `\w` `\s` `\b` to their Unicode meanings, `\B` also failing in an
 * empty string (as before Python 3.14), `{,n}` → `{0,n}`,
 * a `{` that is no quantifier → a literal, `(?#…)` comments dropped, leading
 * global flags `(?i)` `(?s)` `(?a)` `(?u)`. Case-insensitive matching is
 * Python's: under `(?i)` the letters I, i, İ (U+0130) and ı (U+0131) are one
 * case class, which JavaScript's `i` flag splits in three; under `(?ai)` only
 * ASCII letters fold, so there the folding is spelled out and no `i` flag set.
 * Refused: backreferences (Python fails where JS matches empty), octal
 * escapes, `\N{…}`, scoped flags `(?i:…)`, the flags m, x, L, atomic groups
 * and possessive quantifiers (JS has neither), conditionals `(?(1)…)`.
 * Also refused, as Python's compiler refuses it: a lookbehind whose content has no one fixed width
 * (Python's getwidth(); JavaScript matches any lookbehind).
 */
import { FqcError } from "../errors.js";
import { kindOf } from "../library-args.js";

export interface TranslatedRegex {
  ok: true;
  /** JavaScript source, to be compiled with `flags`. */
  source: string;
  /** Always contains "u"; "i"/"s" from Python's leading inline flags. */
  flags: string;
  /** Offset (in the pattern) of a nested unbounded quantifier, which can backtrack exponentially. */
  backtrackingAt?: number;
}

export interface RegexRefusal {
  ok: false;
  message: string;
  /** Offset of the offending construct in the pattern (UTF-16 units). */
  offset: number;
}

/** Longer patterns are refused: a recipe key is a name pattern, and the cap bounds compile and match time. */
export const MAX_PATTERN_LENGTH = 1000;

const WORD = "\\p{L}\\p{N}_";
/** Python's str.isspace(): bidi classes WS/B/S and category Zs. */
const SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
/** RegExp syntax characters: escaped when Python means them literally. */
const SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);

interface Group {
  /** Offset of the group's `(`. */
  start: number;
  /** Contains an unbounded quantifier somewhere inside. */
  unbounded: boolean;
  /** `(?=` `(?!` `(?<=` `(?<!`: no width of its own; a lookbehind's content must have one fixed width, as Python requires. */
  look?: "ahead" | "behind";
  /** Python's getwidth() of the branch being read, and over the branches before it (`|`). */
  lo: number;
  hi: number;
  done?: { lo: number; hi: number };
}

function group(start: number, look?: "ahead" | "behind"): Group {
  return look ? { start, unbounded: false, look, lo: 0, hi: 0 } : { start, unbounded: false, lo: 0, hi: 0 };
}

export function translatePythonRegex(pattern: string): TranslatedRegex | RegexRefusal {
  if (typeof pattern !== "string") throw new FqcError("USAGE", `translatePythonRegex: pattern must be a string, not ${kindOf(pattern)}`);
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, message: `pattern is ${pattern.length} characters long; fqc accepts at most ${MAX_PATTERN_LENGTH}`, offset: MAX_PATTERN_LENGTH };
  }
  const flags = { i: false, s: false, ascii: false, unicode: false };
  let i = 0;
  // Global flags: Python 3.11+ only allows them at the very start (comments may come between them).
  const LEADING = /^\(\?(?:([a-zA-Z]+)|#[^)]*)\)/;
  for (let m = LEADING.exec(pattern.slice(i)); m; m = LEADING.exec(pattern.slice(i))) {
    const malformed = m[1] === undefined ? undefined : flagGroup(m[0]).problem;
    if (malformed) return refuse(malformed, i);
    for (const f of m[1] ?? "") {
      if (f === "i") flags.i = true;
      else if (f === "s") flags.s = true;
      else if (f === "a") flags.ascii = true;
      else if (f === "u") flags.unicode = true;
      else if (f === "m") return refuse("the MULTILINE flag (?m) is not supported (tensor names have no lines)", i);
      else if (f === "x") return refuse("the VERBOSE flag (?x) is not supported; write the pattern without spaces and comments", i);
      else if (f === "L") return refuse("the LOCALE flag (?L) is not valid for str patterns", i);
      else return refuse("the TEMPLATE flag (?t) is not supported (deprecated in Python 3.11, removed in 3.13)", i);
    }
    if (flags.ascii && flags.unicode) return refuse("bad inline flags: flags 'a', 'u' and 'L' are incompatible", i);
    i += m[0].length;
  }
  const fold: Fold = !flags.i ? "none" : flags.ascii ? "ascii" : "unicode";
  const jsFlags = `${fold === "unicode" ? "i" : ""}${flags.s ? "s" : ""}u`;
  const word = flags.ascii ? "A-Za-z0-9_" : WORD;
  const digit = flags.ascii ? "0-9" : "\\p{Nd}";
  const space = flags.ascii ? "\\t-\\r " : SPACE;

  let out = "";
  const groups: Group[] = [group(0)];
  /** The width of the last atom, which a quantifier multiplies. */
  let lastWidth = { lo: 0, hi: 0 };
  const atom = (lo: number, hi: number): void => {
    const g = groups[groups.length - 1];
    g.lo += lo;
    g.hi = Math.min(g.hi + hi, MAXREPEAT);
    lastWidth = { lo, hi };
  };
  /** What the last atom was, for quantifier checks: an unbounded-containing group, or a plain atom. */
  let lastAtomUnbounded = false;
  let lastAtomStart = -1;
  /** Where the last quantifier ended: a quantifier right there is Python's "multiple repeat". */
  let lastRepeatEnd = -1;
  let backtrackingAt: number | undefined;

  /**
   * One escape (at pattern[i] === "\\"), inside a class or not. Returns [translation, length, code point] or a refusal;
   * the code point when the escape stands for one character (it may be a letter, which case folding concerns).
   */
  const escape = (at: number, inClass: boolean): [string, number, number?] | RegexRefusal => {
    const c = pattern[at + 1];
    if (c === undefined) return refuse("pattern ends with a lone backslash", at);
    const cp = pattern.codePointAt(at + 1)!;
    const ch = String.fromCodePoint(cp);
    const len = 1 + ch.length;
    switch (c) {
      case "d": return [inClass ? digit : `[${digit}]`, len];
      case "w": return [inClass ? word : `[${word}]`, len];
      case "s": return [inClass ? space : `[${space}]`, len];
      case "D": case "W": case "S":
        if (inClass) return refuse(`\\${c} inside a character class is not supported; write the class as a negated class or an alternation`, at);
        return [`[^${c === "D" ? digit : c === "W" ? word : space}]`, len];
      case "b": {
        if (inClass) return ["\\x08", len];
        const w = `[${word}]`;
        return [`(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`, len];
      }
      case "B": {
        if (inClass) return refuse("bad escape \\B inside a character class", at);
        // Python before 3.14 (the Pythons torchao runs on) never matches \B in an empty string; JavaScript's
        // "no word character either side" would. So the second branch also needs a character on some side.
        const w = `[${word}]`;
        return [`(?:(?<=${w})(?=${w})|(?<!${w})(?!${w})(?:(?<=[\\s\\S])|(?=[\\s\\S])))`, len];
      }
      case "A": return inClass ? refuse("bad escape \\A inside a character class", at) : ["^", len];
      case "Z": return inClass ? refuse("bad escape \\Z inside a character class", at) : ["$", len];
      case "a": return ["\\x07", len];
      case "n": case "t": case "r": case "f": case "v": return [`\\${c}`, len];
      case "x": {
        const m = /^[0-9a-fA-F]{2}/.exec(pattern.slice(at + 2));
        return m ? [`\\x${m[0]}`, 4, parseInt(m[0], 16)] : refuse("incomplete escape \\x (Python needs two hex digits)", at);
      }
      case "u": {
        const m = /^[0-9a-fA-F]{4}/.exec(pattern.slice(at + 2));
        return m ? [`\\u{${m[0]}}`, 6, parseInt(m[0], 16)] : refuse("incomplete escape \\u (Python needs four hex digits)", at);
      }
      case "U": {
        const m = /^[0-9a-fA-F]{8}/.exec(pattern.slice(at + 2));
        if (!m) return refuse("incomplete escape \\U (Python needs eight hex digits)", at);
        const v = parseInt(m[0], 16);
        return v > 0x10ffff ? refuse(`bad escape \\U${m[0]}: not a code point`, at) : [`\\u{${v.toString(16)}}`, 10, v];
      }
      case "N": return refuse("named characters \\N{...} are not supported; write the character itself or \\uXXXX", at);
      default:
        break;
    }
    if (/[0-9]/.test(c)) {
      return refuse(inClass || c === "0"
        ? "octal escapes are not supported; write \\xHH"
        : "backreferences are not supported (Python fails a reference to an unmatched group where JavaScript matches the empty string)", at);
    }
    if (/[A-Za-z]/.test(c)) return refuse(`bad escape \\${c}`, at);
    // Any other character escaped means itself.
    if (SYNTAX.has(ch) || (inClass && ch === "-")) return [`\\${ch}`, len];
    return [ch, len, cp];
  };

  while (i < pattern.length) {
    const c = pattern[i];
    const atomStart = i;
    if (c === "\\") {
      const r = escape(i, false);
      if (!Array.isArray(r)) return r;
      out += r[2] === undefined ? r[0] : foldChar(fold, r[2], r[0]);
      i += r[1];
      lastAtomUnbounded = false;
      // \A \Z \b \B are positions, which Python does not repeat ("nothing to repeat"); JS would repeat \b's group.
      const position = "AZbB".includes(pattern[atomStart + 1]);
      lastAtomStart = position ? -1 : atomStart;
      atom(position ? 0 : 1, position ? 0 : 1);
      continue;
    }
    if (c === "[") {
      const r = translateClass(pattern, i, escape);
      if ("ok" in r) return r;
      out += foldClass(fold, r.source, jsFlags);
      atom(1, 1);
      i = r.end;
      lastAtomUnbounded = false;
      lastAtomStart = atomStart;
      continue;
    }
    if (c === "(") {
      const rest = pattern.slice(i);
      if (rest.startsWith("(?#")) {
        const end = pattern.indexOf(")", i);
        if (end < 0) return refuse("missing ), unterminated comment", i);
        i = end + 1;
        continue;
      }
      let open: string;
      if (rest.startsWith("(?P<")) {
        const m = /^\(\?P<([^>]*)>/.exec(rest);
        if (!m) return refuse("missing >, unterminated name", i);
        // Python's str.isidentifier(); every such name is also a JavaScript group name.
        if (!/^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(m[1])) return refuse(`bad character in group name '${m[1]}'`, i);
        open = `(?<${m[1]}>`;
        i += m[0].length;
      } else if (rest.startsWith("(?P=")) {
        return refuse("backreferences (?P=name) are not supported", i);
      } else if (rest.startsWith("(?:") || rest.startsWith("(?=") || rest.startsWith("(?!")) {
        open = rest.slice(0, 3);
        i += 3;
      } else if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
        open = rest.slice(0, 4);
        i += 4;
      } else if (rest.startsWith("(?>")) {
        return refuse("atomic groups (?>...) are not supported (JavaScript has none)", i);
      } else if (rest.startsWith("(?(")) {
        return refuse("conditional groups (?(...)...) are not supported", i);
      } else if (rest.startsWith("(?<")) {
        return refuse("unknown extension ?<: Python names a group (?P<name>...)", i);
      } else if (/^\(\?[-\p{L}]/u.test(rest)) {
        const flags = flagGroup(rest);
        if (flags.problem) return refuse(flags.problem, i);
        return refuse(flags.scoped
          ? "scoped inline flags (?flags:...) are not supported; put global flags such as (?i) at the start"
          : "global flags not at the start of the expression", i);
      } else if (rest.startsWith("(?")) {
        return refuse(unknownExtension(rest), i);
      } else {
        open = "(";
        i += 1;
      }
      groups.push(group(atomStart, open === "(?=" || open === "(?!" ? "ahead" : open === "(?<=" || open === "(?<!" ? "behind" : undefined));
      out += open;
      lastAtomStart = -1;
      continue;
    }
    if (c === ")") {
      if (groups.length === 1) return refuse("unbalanced parenthesis", i);
      const g = groups.pop()!;
      if (g.unbounded) groups[groups.length - 1].unbounded = true;
      const lo = g.done ? Math.min(g.done.lo, g.lo) : g.lo;
      const hi = g.done ? Math.max(g.done.hi, g.hi) : g.hi;
      // Python's sre_compile: "look-behind requires fixed-width pattern" (JavaScript takes any width).
      if (g.look === "behind" && lo !== hi) return refuse("look-behind requires fixed-width pattern", g.start);
      if (g.look) atom(0, 0);
      else atom(lo, hi);
      out += ")";
      i += 1;
      lastAtomUnbounded = g.unbounded;
      lastAtomStart = g.start;
      continue;
    }
    const q = quantifierAt(pattern, i);
    if (q) {
      if (q.possessive) return refuse("possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported (JavaScript has none)", i);
      if (lastAtomStart < 0) return refuse(i === lastRepeatEnd ? "multiple repeat" : "nothing to repeat", i);
      if (q.min >= MAXREPEAT || (q.max !== undefined && q.max >= MAXREPEAT)) return refuse("the repetition number is too large", i);
      if (q.max !== undefined && q.max < q.min) return refuse("min repeat greater than max repeat", i);
      if (q.unbounded) {
        if (lastAtomUnbounded && backtrackingAt === undefined) backtrackingAt = lastAtomStart;
        groups[groups.length - 1].unbounded = true;
      }
      // Python's getwidth(): the atom's width times the repeat count (an unbounded repeat of a zero width stays zero).
      const g = groups[groups.length - 1];
      g.lo += lastWidth.lo * (q.min - 1);
      g.hi = Math.min(g.hi - lastWidth.hi + (q.max === undefined ? (lastWidth.hi === 0 ? 0 : MAXREPEAT) : lastWidth.hi * q.max), MAXREPEAT);
      out += q.source;
      i = q.end;
      lastAtomStart = -1; // a quantifier cannot follow a quantifier (beyond the lazy "?")
      lastRepeatEnd = q.end;
      continue;
    }
    lastAtomUnbounded = false;
    lastAtomStart = atomStart;
    if (c === "." || c === "{" || c === "}" || c === "]" || c === "/") atom(1, 1);
    else if (c === "$" || c === "^") atom(0, 0);
    if (c === ".") out += flags.s ? "[\\s\\S]" : "[^\\n]";
    else if (c === "$") {
      out += "(?=\\n?$)";
      lastAtomStart = -1; // a position, which Python does not repeat ("nothing to repeat"), as ^
    } else if (c === "{" || c === "}" || c === "]" || c === "/") out += `\\${c}`;
    else if (c === "^" || c === "|") {
      out += c;
      lastAtomStart = -1;
      if (c === "|") {
        const g = groups[groups.length - 1];
        g.done = g.done ? { lo: Math.min(g.done.lo, g.lo), hi: Math.max(g.done.hi, g.hi) } : { lo: g.lo, hi: g.hi };
        g.lo = g.hi = 0;
      }
    } else {
      atom(1, 1);
      const cp = pattern.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      out += foldChar(fold, cp, ch);
      i += ch.length;
      continue;
    }
    i += 1;
  }
  if (groups.length > 1) return refuse("missing ), unterminated subpattern", pattern.length);
  return backtrackingAt === undefined ? { ok: true, source: out, flags: jsFlags } : { ok: true, source: out, flags: jsFlags, backtrackingAt };
}

/**
 * How `(?i)` folds case. "unicode": JavaScript's `i` flag (Unicode simple case folding), which agrees with Python's
 * except that Python's sre makes I, i, İ (U+0130, whose lowercase is i) and ı (U+0131, a listed equivalent of i)
 * one class. "ascii" (`(?ai)`): Python folds ASCII letters only, where JavaScript's `i` would also fold é/É, ſ/s,
 * K (Kelvin)/k, so no `i` flag is set and each letter's other case is written out.
 */
type Fold = "none" | "unicode" | "ascii";

const DOTTED_I = ["I", "i", "\u0130", "\u0131"];
const ASCII_LETTERS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"];

function swapAsciiCase(c: string): string {
  return c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
}

/** One character outside a class, as `text` (its translation), with Python's case class spelled out where JavaScript's differs. */
function foldChar(fold: Fold, cp: number, text: string): string {
  const c = String.fromCodePoint(cp);
  if (fold === "unicode" && DOTTED_I.includes(c)) return `[${DOTTED_I.join("")}]`;
  if (fold === "ascii" && /^[A-Za-z]$/.test(c)) return `[${c.toLowerCase()}${c.toUpperCase()}]`;
  return text;
}

/**
 * A translated class (`[...]` or `[^...]`) closed under Python's case folding: the characters of a case class that the
 * class holds in part are added (a negated class then excludes them all, as Python's does). Which ones it holds is
 * asked of the class itself, so ranges and escapes count as Python counts them.
 */
function foldClass(fold: Fold, source: string, jsFlags: string): string {
  if (fold === "none") return source;
  const negated = source.startsWith("[^");
  const body = source.slice(negated ? 2 : 1, -1);
  let test: RegExp;
  try {
    test = new RegExp(`^[${body}]$`, jsFlags);
  } catch {
    return source; // compilePythonRegex reports the class as JavaScript's compile error
  }
  const extra: string[] = [];
  if (fold === "unicode") {
    const held = DOTTED_I.map((c) => test.test(c));
    if (held.some(Boolean)) DOTTED_I.forEach((c, k) => { if (!held[k]) extra.push(c); });
  } else {
    for (const c of ASCII_LETTERS) if (test.test(c) && !test.test(swapAsciiCase(c))) extra.push(swapAsciiCase(c));
  }
  // Appending is safe: a class's own `-` is always written escaped (translateClass), so no range forms across the seam.
  return extra.length === 0 ? source : `[${negated ? "^" : ""}${body}${extra.join("")}]`;
}

function refuse(message: string, offset: number): RegexRefusal {
  return { ok: false, message, offset };
}

interface Quantifier {
  source: string;
  end: number;
  unbounded: boolean;
  possessive: boolean;
  min: number;
  /** undefined: no upper bound. */
  max?: number;
}

/** Python's sre MAXREPEAT (2^32 - 1): a repeat count from it on is an OverflowError. */
const MAXREPEAT = 2 ** 32 - 1;

/** A Python quantifier at `i` (`*`, `+`, `?`, `{m}`, `{m,}`, `{,n}`, `{m,n}`, each maybe lazy or possessive). */
function quantifierAt(p: string, i: number): Quantifier | undefined {
  let source: string;
  let end: number;
  let unbounded: boolean;
  let min: number;
  let max: number | undefined;
  const c = p[i];
  if (c === "*" || c === "+" || c === "?") {
    source = c;
    end = i + 1;
    unbounded = c !== "?";
    min = c === "+" ? 1 : 0;
    max = c === "?" ? 1 : undefined;
  } else if (c === "{") {
    const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(p.slice(i));
    if (!m || (m[1] === "" && m[2] === undefined)) return undefined; // `{` that is no quantifier: a literal in Python
    const lo = m[1] === "" ? "0" : m[1];
    source = m[2] === undefined ? `{${lo}}` : `{${lo},${m[3]}}`;
    end = i + m[0].length;
    unbounded = m[2] !== undefined && (m[3] === "" || Number(m[3]) > 16);
    min = Number(lo);
    max = m[2] === undefined ? min : m[3] === "" ? undefined : Number(m[3]);
  } else {
    return undefined;
  }
  if (p[end] === "?") return { source: `${source}?`, end: end + 1, unbounded, possessive: false, min, max };
  if (p[end] === "+") return { source, end: end + 1, unbounded, possessive: true, min, max };
  return { source, end, unbounded, possessive: false, min, max };
}

/** A character class at `start` (pattern[start] === "["): Python's rules (a leading `]` is literal) in u-mode syntax. */
function translateClass(
  p: string,
  start: number,
  escape: (at: number, inClass: boolean) => [string, number, number?] | RegexRefusal,
): { source: string; end: number } | RegexRefusal {
  let i = start + 1;
  let out = "[";
  if (p[i] === "^") {
    out += "^";
    i++;
  }
  let first = true;
  /** The item before a `-` that may start a range: its text, offset, and whether it is a set (\d \w \s), which no range may have at either end. */
  let last: { text: string; at: number; set: boolean } | undefined;
  let rangeFrom: { text: string; at: number; set: boolean } | undefined;
  for (;;) {
    if (i >= p.length) return refuse("unterminated character set", start);
    const c = p[i];
    if (c === "]" && !first) return { source: `${out}]`, end: i + 1 };
    first = false;
    const itemAt = i;
    if (c === "-" && last && p[i + 1] !== "]" && i + 1 < p.length) {
      rangeFrom = last;
      last = undefined;
      out += "-";
      i++;
      continue;
    }
    if (c === "\\") {
      const r = escape(i, true);
      if (!Array.isArray(r)) return r;
      const item = { text: p.slice(itemAt, itemAt + r[1]), at: itemAt, set: "dws".includes(p[i + 1]) };
      // Python: "bad character range \w-a"; the translation of \w ends in `_`, which would make `_-a` a range in JS.
      if (rangeFrom && (rangeFrom.set || item.set)) return refuse(`bad character range ${rangeFrom.text}-${item.text}`, rangeFrom.at);
      last = rangeFrom ? undefined : item;
      rangeFrom = undefined;
      out += r[0];
      i += r[1];
      continue;
    }
    const ch = String.fromCodePoint(p.codePointAt(i)!);
    if (rangeFrom?.set) return refuse(`bad character range ${rangeFrom.text}-${ch}`, rangeFrom.at);
    last = rangeFrom ? undefined : { text: ch, at: itemAt, set: false };
    rangeFrom = undefined;
    if (c === "[" || c === "]" || c === "/" || c === "-") out += `\\${c}`;
    else {
      const ch = String.fromCodePoint(p.codePointAt(i)!);
      out += ch;
      i += ch.length;
      continue;
    }
    i++;
  }
}

/** Translate and compile, or refuse; a JS compile error (e.g. a bad range) is reported at the pattern's start. */
export function compilePythonRegex(pattern: string): { ok: true; regex: RegExp; backtrackingAt?: number } | RegexRefusal {
  if (typeof pattern !== "string") throw new FqcError("USAGE", `compilePythonRegex: pattern must be a string, not ${kindOf(pattern)}`);
  const t = translatePythonRegex(pattern);
  if (!t.ok) return t;
  try {
    // Full match, as re.fullmatch: the alternation is grouped so `a|b` means ^(?:a|b)$.
    const regex = new RegExp(`^(?:${t.source})$`, t.flags);
    return t.backtrackingAt === undefined ? { ok: true, regex } : { ok: true, regex, backtrackingAt: t.backtrackingAt };
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, "") : String(e);
    return { ok: false, message: msg, offset: 0 };
  }
}

/** Python's refusal of a `(?` group it has no extension for (`text` starts at the "("). */
function unknownExtension(text: string): string {
  const [c, next] = [...text.slice(2)];
  if (c === undefined || (c === "P" && next === undefined)) return "unexpected end of pattern";
  return `unknown extension ?${c === "P" ? `P${next}` : c}`;
}

/** Python's inline flag letters (sre_parse's FLAGS); `t` is TEMPLATE, removed in Python 3.13. */
const PYTHON_FLAGS = new Set("aiLmstux");

/**
 * A group `(?` + letters or `-` read as Python's _parse_flags reads it (`text` starts at the "("): what Python
 * refuses in its syntax, in its words, and whether it is scoped (`(?flags:...)`) or global (`(?flags)`).
 */
function flagGroup(text: string): { problem?: string; scoped: boolean } {
  const chars = [...text.slice(2)];
  const isFlag = (c: string | undefined) => c !== undefined && PYTHON_FLAGS.has(c);
  const letter = (c: string) => /\p{L}/u.test(c);
  let k = 0;
  if (chars[0] !== "-") {
    if (!isFlag(chars[0])) return { problem: unknownExtension(text), scoped: false };
    while (isFlag(chars[k])) k++;
    const c = chars[k];
    if (c === undefined) return { problem: "missing -, : or )", scoped: false };
    if (c === ")" || c === ":") return { scoped: c === ":" };
    if (c !== "-") return { problem: letter(c) ? "unknown flag" : "missing -, : or )", scoped: false };
  }
  k++;
  if (!isFlag(chars[k])) return { problem: chars[k] !== undefined && letter(chars[k]) ? "unknown flag" : "missing flag", scoped: true };
  while (isFlag(chars[k])) k++;
  const c = chars[k];
  if (c === ":") return { scoped: true };
  return { problem: c !== undefined && letter(c) ? "unknown flag" : "missing :", scoped: true };
}
