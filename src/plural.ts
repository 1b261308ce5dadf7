import { withThousands } from "./thousands.js";

/** A count with its noun, singular for exactly one: "1 tensor", "2 tensors", "0 tensors" (`text`: the count as shown, e.g. with thousands separators). */
export function plural(n: number, word: string, text: string = String(n)): string {
  return `${text} ${word}${n === 1 ? "" : "s"}`;
}

/** plural with the count written with thousands separators: "1,200 tensors", "1 element". */
export function countOf(n: number, word: string): string {
  return plural(n, word, withThousands(n));
}
