/**
 * A small parser for the Python literal subset that .npy headers use:
 * dicts, tuples, lists, single/double-quoted strings, ints (optionally with
 * Python 2's `L` suffix), floats, True/False/None, trailing commas.
 * It never evaluates anything; unknown syntax is an error with a position.
 */

export type PyValue =
  | { kind: "str"; value: string }
  | { kind: "int"; value: bigint }
  | { kind: "float"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "none" }
  | { kind: "tuple"; items: PyValue[] }
  | { kind: "list"; items: PyValue[] }
  | { kind: "dict"; entries: Array<[PyValue, PyValue]> };

export class LiteralSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "LiteralSyntaxError";
  }
}

/** Nesting deeper than this is not a header any numpy writes. */
const MAX_DEPTH = 32;

const ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', n: "\n", t: "\t", r: "\r", "0": "\0" };

export interface LiteralOptions {
  /** Accept Python 2's `L` suffix on ints (numpy does in format 1.0 and 2.0 headers only). Default true. */
  longSuffix?: boolean;
}

/** Parse exactly one literal; only whitespace may follow it. */
export function parsePyLiteral(text: string, opts: LiteralOptions = {}): PyValue {
  const longSuffix = opts.longSuffix ?? true;
  let pos = 0;

  const fail = (what: string): never => {
    const found = pos < text.length ? `'${text[pos]}'` : "end of header";
    throw new LiteralSyntaxError(`${what}, found ${found} at offset ${pos}`, pos);
  };
  const skipSpace = (): void => {
    while (pos < text.length && " \t\n\r\f".includes(text[pos])) pos++;
  };
  const expect = (ch: string): void => {
    skipSpace();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };

  const parseString = (): PyValue => {
    const quote = text[pos++];
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const ch = text[pos++];
      if (ch === quote) return { kind: "str", value: out };
      if (ch === "\n") { pos--; fail("newline in string"); }
      if (ch === "\\") {
        const esc = ESCAPES[text[pos]];
        // `\0` followed by an octal digit is a longer octal escape to Python ('\012' is '\n'), not NUL and digits.
        if (esc === undefined || (text[pos] === "0" && /[0-7]/.test(text[pos + 1] ?? ""))) fail("unsupported escape in string");
        out += esc;
        pos++;
      } else {
        out += ch;
      }
    }
  };

  const parseNumber = (): PyValue => {
    const m = /^[+-]?(\d+)(\.\d*)?([eE][+-]?\d+)?(L)?/.exec(text.slice(pos));
    if (!m) return fail("expected a number");
    pos += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) {
      if (m[4]) { pos--; fail("unexpected 'L' after a float"); }
      return { kind: "float", text: m[0] };
    }
    if (m[4] && !longSuffix) { pos--; fail("Python 2's 'L' suffix on an int (NumPy reads it in format 1.0 and 2.0 headers only)"); }
    const digits = m[4] ? m[0].slice(0, -1) : m[0];
    // Python 3 refuses leading zeros in a decimal integer ("leading zeros in decimal integer literals are not permitted"), so NumPy refuses the header.
    if (/^0+[1-9]/.test(m[1])) {
      pos -= m[0].length;
      return fail(`leading zeros in the integer ${m[0]} (Python, and so NumPy, refuses them)`);
    }
    return { kind: "int", value: BigInt(digits) };
  };

  const parseSeq = (close: string, depth: number): { items: PyValue[]; sawComma: boolean } => {
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      skipSpace();
      if (text[pos] === close) { pos++; return { items, sawComma }; }
      items.push(parseValue(depth + 1));
      skipSpace();
      if (text[pos] === ",") { pos++; sawComma = true; continue; }
      if (text[pos] === close) { pos++; return { items, sawComma }; }
      fail(`expected ',' or '${close}'`);
    }
  };

  const parseValue = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    skipSpace();
    const ch = text[pos];
    if (ch === "{") {
      pos++;
      const entries: Array<[PyValue, PyValue]> = [];
      for (;;) {
        skipSpace();
        if (text[pos] === "}") { pos++; return { kind: "dict", entries }; }
        const key = parseValue(depth + 1);
        expect(":");
        entries.push([key, parseValue(depth + 1)]);
        skipSpace();
        if (text[pos] === ",") { pos++; continue; }
        if (text[pos] === "}") { pos++; return { kind: "dict", entries }; }
        fail("expected ',' or '}'");
      }
    }
    if (ch === "(") {
      pos++;
      const { items, sawComma } = parseSeq(")", depth);
      // `(5)` is the int 5 in Python, not a tuple; `()` and `(5,)` are tuples.
      if (items.length === 1 && !sawComma) return items[0];
      return { kind: "tuple", items };
    }
    if (ch === "[") {
      pos++;
      return { kind: "list", items: parseSeq("]", depth).items };
    }
    if (ch === "'" || ch === '"') return parseString();
    if (ch !== undefined && /[0-9+-]/.test(ch)) return parseNumber();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos))?.[0];
    if (word === "True" || word === "False") { pos += word.length; return { kind: "bool", value: word === "True" }; }
    if (word === "None") { pos += 4; return { kind: "none" }; }
    return fail("expected a Python literal");
  };

  const value = parseValue(0);
  skipSpace();
  if (pos !== text.length) fail("unexpected text after the literal");
  return value;
}

/** A short Python-like rendering of a value, for error messages. */
export function showPy(v: PyValue): string {
  switch (v.kind) {
    case "str": return `'${v.value}'`;
    case "int": return v.value.toString();
    case "float": return v.text;
    case "bool": return v.value ? "True" : "False";
    case "none": return "None";
    case "tuple": return `(${v.items.map(showPy).join(", ")}${v.items.length === 1 ? "," : ""})`;
    case "list": return `[${v.items.map(showPy).join(", ")}]`;
    case "dict": return `{${v.entries.map(([k, x]) => `${showPy(k)}: ${showPy(x)}`).join(", ")}}`;
  }
}
