/**
 * JSON.stringify(object, null, 2) + "\n" in pieces, one item of its one long
 * array at a time: the JSON of a checkpoint of 300,000 tensors (a report, a
 * dry run's plan) is hundreds of MB, which as one string and its UTF-8 copy
 * took over a GiB. The bytes are those of the whole stringify.
 */

/** JSON.stringify(value, null, 2) as it reads nested `depth` levels deep. */
export function nested(value: unknown, depth: number): string {
  return JSON.stringify(value, null, 2).replaceAll("\n", `\n${"  ".repeat(depth)}`);
}

/**
 * The object `{ ...before, [key]: items.map(item), ...after }` as pieces.
 * Properties whose value is undefined are left out, as JSON.stringify leaves them out. Keys must not
 * look like array indices ("0", "12"): JavaScript orders those first in an object, this function does not.
 */
export function* jsonObjectPieces<T>(
  before: Record<string, unknown>, key: string, items: readonly T[], item: (x: T) => unknown, after: Record<string, unknown>,
  /** Writes a value nested `depth` levels deep: JSON.stringify's text (`nested`), or that text rewritten (report JSON's floats). */
  text: (value: unknown, depth: number) => string = nested,
): Generator<string> {
  const entries = ([...Object.entries(before), [key, items], ...Object.entries(after)] as Array<[string, unknown]>).filter(([, v]) => v !== undefined);
  yield "{\n";
  for (let e = 0; e < entries.length; e++) {
    const [k, v] = entries[e];
    const comma = e + 1 < entries.length ? "," : "";
    if (v !== items || items.length === 0) {
      yield `  ${JSON.stringify(k)}: ${text(v, 1)}${comma}\n`;
      continue;
    }
    yield `  ${JSON.stringify(k)}: [\n`;
    for (let i = 0; i < items.length; i++) yield `    ${text(item(items[i]), 2)}${i + 1 < items.length ? "," : ""}\n`;
    yield `  ]${comma}\n`;
  }
  yield "}\n";
}
