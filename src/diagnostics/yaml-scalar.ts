/**
 * YAML 1.2 scalars as the yaml package reads them, for yaml-block.ts: a plain scalar's value in the core schema,
 * a double-quoted scalar's escapes, and which characters may start or fill a scalar. Pure functions.
 */

export const NULL_WORDS: ReadonlySet<string> = new Set(["null", "Null", "NULL"]);
export const BOOL_WORDS: ReadonlyMap<string, boolean> = new Map([["true", true], ["True", true], ["TRUE", true], ["false", false], ["False", false], ["FALSE", false]]);

/** A plain scalar's value in YAML 1.2's core schema, tested in the yaml package's order (null, bool, int, float). */
export function plainScalarValue(s: string): string | number | boolean | null {
  if (s === "" || s === "~" || NULL_WORDS.has(s)) return null;
  const bool = BOOL_WORDS.get(s);
  if (bool !== undefined) return bool;
  const c = s.charCodeAt(0);
  // Every number starts with a digit, a sign or a dot: anything else is a string without testing further.
  if (!((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return s;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.endsWith("nan") || s.endsWith("NaN") || s.endsWith("NAN") ? NaN : s[0] === "-" ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

/** Double-quoted escapes (YAML 1.2) of one character. */
const ESCAPES: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", e: "\x1b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v",
  N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029", " ": " ", '"': '"', "/": "/", "\\": "\\",
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of a double-quoted scalar's text between its quotes, or undefined where the yaml package reports an error (an unknown escape, a bad code point). */
export function doubleQuotedValue(body: string): string | undefined {
  if (!body.includes("\\")) return body;
  let value = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const e = body[++i];
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      continue;
    }
    const n = HEX_ESCAPE_LENGTH[e];
    const hex = n === undefined ? "" : body.slice(i + 1, i + 1 + n);
    if (n === undefined || hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return undefined;
    value += String.fromCodePoint(code);
    i += n;
  }
  return value;
}

/** A character a scalar may hold: printable ASCII, or beyond Latin-1's controls (not a BOM or a Unicode line break). */
export function isContentChar(c: number): boolean {
  return (c >= 0x20 && c < 0x7f) || (c >= 0xa0 && c !== 0xfeff && c !== 0x2028 && c !== 0x2029);
}

/** Characters that cannot start a plain scalar here: YAML's indicators (and `-`, `?`, `:` followed by a space). */
export function isPlainStart(text: string, p: number, end: number): boolean {
  const c = text.charCodeAt(p);
  if (!isContentChar(c) || c === 0x20) return false;
  switch (c) {
    case 0x2d: /* - */ {
      // `-,` or `-]` is an (empty) sequence entry in a flow collection: only `-` before other text starts a scalar.
      const n = p + 1 < end ? text.charCodeAt(p + 1) : 0x20;
      return n !== 0x20 && isContentChar(n) && !isFlowIndicator(n);
    }
    case 0x3f: /* ? */ case 0x3a: /* : */ case 0x2c: /* , */ case 0x5b: /* [ */ case 0x5d: /* ] */ case 0x7b: /* { */
    case 0x7d: /* } */ case 0x23: /* # */ case 0x26: /* & */ case 0x2a: /* * */ case 0x21: /* ! */ case 0x7c: /* | */
    case 0x3e: /* > */ case 0x27: /* ' */ case 0x22: /* " */ case 0x25: /* % */ case 0x40: /* @ */ case 0x60: /* ` */
      return false;
    default:
      return true;
  }
}

export function isFlowIndicator(c: number): boolean {
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d;
}
