/**
 * Float-valued fields of JSON text written as floats: JavaScript writes the double 2 as `2` and
 * 9.223372036854897e18 as `9223372036854897000`, which readers that tell integers from floats (Python's json)
 * take for ints. Rewritten here with a decimal point or an exponent, in text that parses back to the same double.
 */

/** `v` as a JSON number that parses to the same double and never looks like an integer; null when not finite (as JSON.stringify). */
export function floatJsonText(v: number): string {
  if (!Number.isFinite(v)) return "null";
  if (Object.is(v, -0)) return "-0.0";
  const s = String(v);
  if (/[.e]/.test(s)) return s;
  // An integral double: from 1e16 its digits past the 17th are zeros JavaScript pads with; the exponent form is Python's repr too.
  return Math.abs(v) >= 1e16 ? v.toExponential() : `${s}.0`;
}

/**
 * A function that rewrites, in JSON.stringify(value, null, 2) text, each property named in `fields` whose value
 * is written as an integer. Pretty-printed JSON puts every property on a line of its own after a "\n", and a
 * string never holds a raw "\n" (nor an unescaped quote), so only properties match, never text inside a
 * string. JSON.stringify writes −0 as 0: a field that can be −0 would come back as 0.0.
 */
export function floatFieldsWriter(fields: readonly string[]): (json: string) => string {
  const property = new RegExp(`(\\n *"(?:${fields.join("|")})": )(-?\\d+)(?=,?\\n)`, "g");
  return (json) => json.replace(property, (_m, head: string, digits: string) => head + floatJsonText(Number(digits)));
}
