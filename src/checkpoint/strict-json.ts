/**
 * A strict JSON parser for untrusted checkpoint headers and index files.
 * JSON.parse is not enough there: it keeps the last of two duplicate keys
 * (safetensors forbids duplicates), reorders integer-like keys (tensor order
 * matters), rounds large integers silently and accepts `1e3` where an
 * integer is required. This parser keeps objects as ordered entry lists,
 * numbers as their literal text, refuses duplicate keys and lone surrogate
 * escapes (as serde_json does), and bounds nesting depth.
 */

import { withThousands } from "../thousands.js";

export type JsonValue =
  | { kind: "object"; entries: Array<[string, JsonValue]> }
  | { kind: "array"; items: JsonValue[] }
  | { kind: "string"; value: string }
  | { kind: "number"; text: string }
  | { kind: "bool"; value: boolean }
  | { kind: "null" };

/** Where and why the text is not the JSON we accept (offset in UTF-16 code units of the text). */
export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

/** A root member (with onRootMember) whose tree would hold more values than `maxMemberValues` allows. */
export class JsonMemberTooLargeError extends Error {
  constructor(readonly key: string, readonly limit: number, readonly offset: number) {
    super(`member ${quoteName(key)} holds more than ${withThousands(limit)} JSON values`);
    this.name = "JsonMemberTooLargeError";
  }
}

/** serde_json's default recursion limit. */
export const MAX_JSON_DEPTH = 128;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export interface StrictJsonOptions {
  /**
   * Receives the root object's members one at a time, as they are parsed,
   * instead of keeping them in its entries (which then stay empty): a 100 MB
   * header of 300,000 tensors holds one member's tree at a time, not all of
   * them (~1 KB of objects each).
   */
  onRootMember?: (key: string, value: JsonValue) => void;
  /**
   * With onRootMember: tried first at each root member's value. It returns where the value ends when it
   * read the value itself (the text there must be valid JSON, so parsing goes on as if parseValue had read
   * it), or -1 to have the value parsed as usual and passed to onRootMember. A fast path for the common
   * shape of a value, without its tree.
   */
  readRootMember?: (key: string, text: string, at: number) => number;
  /**
   * With onRootMember: the most values one root member's tree may hold (JsonMemberTooLargeError past it).
   * A tree costs 40–100 bytes of heap per value, while a value can be 2 bytes of text (`1,`): without a cap
   * a header's `__metadata__` or a tensor's shape could need ~20 bytes of heap per byte of the header.
   */
  maxMemberValues?: number;
}

export function parseStrictJson(text: string, opts: StrictJsonOptions = {}): JsonValue {
  let pos = 0;
  const onRootMember = opts.onRootMember;
  const readRootMember = opts.readRootMember;
  const maxMemberValues = opts.maxMemberValues ?? Infinity;
  // Values in the tree of the root member being parsed (counted only under onRootMember).
  let memberValues = 0;
  let memberKey = "";

  const fail = (message: string, at = pos): never => {
    throw new JsonSyntaxError(message, at);
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const describe = (at: number): string => (at >= text.length ? "end of input" : `'${text[at]}'`);

  const parseString = (): string => {
    const start = ++pos; // past the opening quote
    let out = "";
    let chunk = start;
    for (;;) {
      if (pos >= text.length) fail("unterminated string", start - 1);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(`control character U+${c.toString(16).padStart(4, "0")} in a string (it must be escaped)`);
      if (c === 0x5c) {
        out += text.slice(chunk, pos);
        out += parseEscape();
        chunk = pos;
        continue;
      }
      pos++;
    }
  };

  const hex4 = (): number => {
    const digits = text.slice(pos, pos + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail("\\u must be followed by four hexadecimal digits");
    pos += 4;
    return parseInt(digits, 16);
  };

  const parseEscape = (): string => {
    const at = pos;
    pos++; // the backslash
    const e = text[pos++];
    switch (e) {
      case '"': return '"';
      case "\\": return "\\";
      case "/": return "/";
      case "b": return "\b";
      case "f": return "\f";
      case "n": return "\n";
      case "r": return "\r";
      case "t": return "\t";
      case "u": {
        const unit = hex4();
        if (unit >= 0xdc00 && unit <= 0xdfff) fail("lone low surrogate in a \\u escape", at);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (text.slice(pos, pos + 2) !== "\\u") fail("lone high surrogate in a \\u escape", at);
          pos += 2;
          const low = hex4();
          if (low < 0xdc00 || low > 0xdfff) fail("high surrogate not followed by a low surrogate in a \\u escape", at);
          return String.fromCharCode(unit, low);
        }
        return String.fromCharCode(unit);
      }
      default:
        return fail(`invalid escape '\\${e ?? ""}' in a string`, at);
    }
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > 1 && ++memberValues > maxMemberValues) throw new JsonMemberTooLargeError(memberKey, maxMemberValues, pos);
    skipSpace();
    const c = text[pos];
    if (c === "{" || c === "[") {
      if (depth >= MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
      return c === "{" ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return { kind: "string", value: parseString() };
    if (c === "t" && text.startsWith("true", pos)) { pos += 4; return { kind: "bool", value: true }; }
    if (c === "f" && text.startsWith("false", pos)) { pos += 5; return { kind: "bool", value: false }; }
    if (c === "n" && text.startsWith("null", pos)) { pos += 4; return { kind: "null" }; }
    const c0 = text.charCodeAt(pos);
    if (c0 >= 0x30 && c0 <= 0x39) {
      // Plain digits (every shape and offset): scan by hand; anything fancier goes through the full grammar.
      let end = pos + 1;
      while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
      const next = text.charCodeAt(end);
      if (next !== 0x2e && next !== 0x65 && next !== 0x45 && !(c0 === 0x30 && end > pos + 1)) {
        const literal = text.slice(pos, end);
        pos = end;
        return { kind: "number", text: literal };
      }
    }
    NUMBER.lastIndex = pos;
    const m = NUMBER.exec(text);
    if (m) {
      pos += m[0].length;
      return { kind: "number", text: m[0] };
    }
    return fail(`expected a value, found ${describe(pos)}`);
  };

  const parseObject = (depth: number): JsonValue => {
    pos++; // {
    const entries: Array<[string, JsonValue]> = [];
    const streamed = depth === 1 && onRootMember !== undefined;
    // Small objects (every tensor entry) check duplicates by scanning; a Set only once there are many keys (or streamed ones).
    // Inline, no closure: this runs for every key of a header of 300,000 tensors.
    let keys: Set<string> | null = streamed ? new Set() : null;
    skipSpace();
    if (text[pos] === "}") { pos++; return { kind: "object", entries }; }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') fail(`expected a string key, found ${describe(pos)}`);
      const keyAt = pos;
      const key = parseString();
      let duplicate = false;
      if (keys !== null) duplicate = keys.has(key);
      else {
        for (let j = 0; j < entries.length && !duplicate; j++) duplicate = entries[j][0] === key;
        if (!duplicate && entries.length >= 16) keys = new Set(entries.map((e) => e[0]));
      }
      if (duplicate) fail(`duplicate key ${quoteName(key)}`, keyAt);
      keys?.add(key);
      skipSpace();
      if (text[pos] !== ":") fail(`expected ':' after key ${quoteName(key)}, found ${describe(pos)}`);
      pos++;
      if (streamed) {
        skipSpace();
        const end = readRootMember ? readRootMember(key, text, pos) : -1;
        if (end >= 0) pos = end;
        else {
          memberValues = 0;
          memberKey = key;
          onRootMember(key, parseValue(depth));
        }
      } else {
        entries.push([key, parseValue(depth)]);
      }
      skipSpace();
      if (text[pos] === ",") { pos++; continue; }
      if (text[pos] === "}") { pos++; return { kind: "object", entries }; }
      fail(`expected ',' or '}' in an object, found ${describe(pos)}`);
    }
  };

  const parseArray = (depth: number): JsonValue => {
    pos++; // [
    const items: JsonValue[] = [];
    skipSpace();
    if (text[pos] === "]") { pos++; return { kind: "array", items }; }
    for (;;) {
      items.push(parseValue(depth));
      skipSpace();
      if (text[pos] === ",") { pos++; continue; }
      if (text[pos] === "]") { pos++; return { kind: "array", items }; }
      fail(`expected ',' or ']' in an array, found ${describe(pos)}`);
    }
  };

  const value = parseValue(0);
  skipSpace();
  if (pos < text.length) fail(`unexpected ${describe(pos)} after the JSON value`);
  return value;
}

/** A name quoted for a one-line message: JSON escapes (no raw newline or control character), long names shortened. */
export function quoteName(name: string, max = 120): string {
  const shown = name.length > max ? `${name.slice(0, max)}…` : name;
  return JSON.stringify(shown);
}

/** The literal text of a JSON number as a non-negative safe integer, or why it is not one. */
export function jsonNonNegativeInteger(v: JsonValue): { ok: true; value: number } | { ok: false; why: string } {
  if (v.kind !== "number") return { ok: false, why: `${jsonKind(v)}, not an integer` };
  if (v.text.startsWith("-")) return { ok: false, why: `negative (${v.text})` };
  if (!/^[0-9]+$/.test(v.text)) return { ok: false, why: `${v.text}, not an integer` };
  // Up to 15 digits is below 2^53: exact as a Number, no BigInt needed.
  if (v.text.length <= 15) return { ok: true, value: Number(v.text) };
  const big = BigInt(v.text);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, why: `${v.text}, larger than 2^53 - 1` };
  return { ok: true, value: Number(big) };
}

export function jsonKind(v: JsonValue): string {
  switch (v.kind) {
    case "object": return "an object";
    case "array": return "an array";
    case "string": return `a string ${quoteName(v.value, 40)}`;
    case "number": return `the number ${v.text}`;
    case "bool": return v.value ? "true" : "false";
    case "null": return "null";
  }
}
