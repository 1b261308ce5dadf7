/**
 * Shape arithmetic with overflow checks: element and byte counts must stay
 * exact JS integers (<= Number.MAX_SAFE_INTEGER) or we refuse the file.
 */

/** numpy 2's NPY_MAXDIMS; a header with more dimensions is not one numpy writes. */
export const MAX_DIMS = 64;

export type ShapeCheck =
  | { ok: true; elementCount: number; dataBytes: number }
  | { ok: false; what: string };

/** Validate dimensions given as bigints (as parsed) or numbers and compute counts. */
export function checkShape(shape: ReadonlyArray<number | bigint>, itemSize: number): ShapeCheck {
  if (shape.length > MAX_DIMS) return { ok: false, what: `shape has ${shape.length} dimensions (numpy allows at most ${MAX_DIMS})` };
  let count = 1n;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d === "number" && !Number.isInteger(d)) return { ok: false, what: `dimension ${i} is ${d}, not an integer` };
    const big = BigInt(d);
    if (big < 0n) return { ok: false, what: `dimension ${i} is negative (${big})` };
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, what: `dimension ${i} (${big}) is too large` };
    count *= big;
  }
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, what: `shape (${shape.join(", ")}) has ${count} elements, more than 2^53 - 1` };
  }
  const bytes = count * BigInt(itemSize);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, what: `shape (${shape.join(", ")}) needs ${bytes} bytes, more than 2^53 - 1` };
  }
  return { ok: true, elementCount: Number(count), dataBytes: Number(bytes) };
}

/** Row layout used by the streaming reader: a row is the last dimension; 0-d and 1-D are one row. */
export function rowLayout(shape: readonly number[]): { rows: number; rowLength: number } {
  if (shape.length === 0) return { rows: 1, rowLength: 1 };
  if (shape.length === 1) return { rows: 1, rowLength: shape[0] };
  const rowLength = shape[shape.length - 1];
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i];
  return { rows, rowLength };
}

/** Python's repr of a shape tuple: `()`, `(5,)`, `(3, 4)`. */
export function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}
