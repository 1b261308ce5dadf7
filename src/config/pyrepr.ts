/**
 * Python `str()`/`repr()` of JSON values, so that torchao's `%s`-formatted
 * messages come out byte-identical. A JSON number is a Python int or float
 * depending on how it was written (`32` vs `32.0`), which only the source text
 * knows; callers pass that knowledge in through `NumberKinds`.
 */

/** Tells whether the number at a JSON pointer was a float literal, and its raw text. */
export interface NumberKinds {
  isFloat(pointer: string): boolean;
  /** The literal as written (for exact Python ints), if known. */
  literal(pointer: string): string | undefined;
}

/** Without source text: integral JS numbers are ints, everything else floats. */
export const VALUE_NUMBER_KINDS: NumberKinds = {
  isFloat: () => false,
  literal: () => undefined,
};

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() without an argument gives the shortest round-trip digits, like Python.
  const [mant, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

/** What Python's str.isprintable() calls not printable: other (control, format, surrogate, private use, unassigned) and separators but the space. */
const NOT_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Python's `repr(str)`: single quotes unless the text holds a single quote and no double quote; what is not printable escaped. */
export function pyStringRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NOT_PRINTABLE.test(ch)) {
      out += c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : c <= 0xffff ? `\\u${c.toString(16).padStart(4, "0")}` : `\\U${c.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return out + q;
}

function pyNumber(v: number, pointer: string, kinds: NumberKinds): string {
  if (kinds.isFloat(pointer) || !Number.isInteger(v)) return pyFloatRepr(v);
  const lit = kinds.literal(pointer);
  if (lit !== undefined && /^-?\d+$/.test(lit)) return BigInt(lit).toString();
  return BigInt(v).toString();
}

/** Python `repr()` of the value a JSON document decodes to (`json.loads`). */
export function pyRepr(v: unknown, pointer = "", kinds: NumberKinds = VALUE_NUMBER_KINDS): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return pyNumber(v, pointer, kinds);
  if (typeof v === "string") return pyStringRepr(v);
  if (Array.isArray(v)) return `[${v.map((x, i) => pyRepr(x, `${pointer}/${i}`, kinds)).join(", ")}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{${entries.map(([k, x]) => `${pyStringRepr(k)}: ${pyRepr(x, `${pointer}/${escapeSegment(k)}`, kinds)}`).join(", ")}}`;
}

/** Python `str()`: like repr except that a top-level string is printed bare. */
export function pyStr(v: unknown, pointer = "", kinds: NumberKinds = VALUE_NUMBER_KINDS): string {
  return typeof v === "string" ? v : pyRepr(v, pointer, kinds);
}

/** Python's `type(v)` as printed by `%s`: `<class 'int'>`. */
export function pyTypeName(v: unknown, pointer = "", kinds: NumberKinds = VALUE_NUMBER_KINDS): string {
  let name: string;
  if (v === null || v === undefined) name = "NoneType";
  else if (typeof v === "boolean") name = "bool";
  else if (typeof v === "number") name = kinds.isFloat(pointer) || !Number.isInteger(v) ? "float" : "int";
  else if (typeof v === "string") name = "str";
  else if (Array.isArray(v)) name = "list";
  else name = "dict";
  return `<class '${name}'>`;
}

/** Python truthiness of a decoded JSON value (torchao tests `is_symmetric`, `is_dynamic` this way). */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v as object).length > 0;
  return true;
}

function escapeSegment(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}
