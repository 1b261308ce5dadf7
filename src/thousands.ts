/**
 * An integer with commas between groups of three digits ("1,048,576"), as
 * `toLocaleString("en-US")` writes it. That call starts ICU's number
 * formatting on first use: ~25 ms of a run's start-up here (measured), more
 * than an apply of a small tensor takes. Anything that is not an integer
 * (NaN, ±Infinity, fractions) is written as String() writes it.
 */
export function withThousands(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const digits = BigInt(n).toString();
  const sign = digits.startsWith("-") || Object.is(n, -0) ? "-" : "";
  const body = digits.replace("-", "");
  const head = body.length % 3 || 3;
  let out = body.slice(0, head);
  for (let i = head; i < body.length; i += 3) out += `,${body.slice(i, i + 3)}`;
  return sign + out;
}
