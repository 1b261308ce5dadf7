/**
 * JSON text in which a float-valued field always reads back as a float: JavaScript writes the double 2 as `2`
 * and 9.223372036854897e18 as `9223372036854897000`, which readers that tell integers from floats (Python's
 * json) take for ints. A field wrapped in JsonFloat is written with a decimal point or an exponent, in the
 * shortest text that parses back to the same double; everything else is written as JSON.stringify(value, null, 2)
 * writes it.
 */

/** A number to write as a JSON float. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** `v` as a JSON number that parses to the same double and is never integer-looking; null when not finite (as JSON.stringify). */
export function floatJsonText(v: number): string {
  if (!Number.isFinite(v)) return "null";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  if (/[.e]/.test(s)) return s;
  // An integral double: from 1e16 its digits past the 17th are zeros JavaScript pads with; the exponent form is Python's repr too.
  return Math.abs(v) >= 1e16 ? v.toExponential() : `${s}.0`;
}

/** JSON.stringify(value, null, 2) (read `depth` levels deep) with JsonFloat values written by floatJsonText. */
export function jsonText(value: unknown, depth = 0): string {
  return write(value, "  ".repeat(depth)) ?? "null";
}

function write(value: unknown, indent: string): string | undefined {
  if (value instanceof JsonFloat) return floatJsonText(value.value);
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: (key: string) => unknown }).toJSON("");
  }
  switch (typeof value) {
    case "string": return JSON.stringify(value);
    case "number": return Number.isFinite(value) ? String(value) : "null";
    case "boolean": return String(value);
    case "object": break;
    default: return undefined;
  }
  if (value === null) return "null";
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${inner}${write(v, inner) ?? "null"}`).join(",\n")}\n${indent}]`;
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const text = write(v, inner);
    if (text !== undefined) parts.push(`${inner}${JSON.stringify(k)}: ${text}`);
  }
  return parts.length === 0 ? "{}" : `{\n${parts.join(",\n")}\n${indent}}`;
}
