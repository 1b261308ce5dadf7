/**
 * The .npy dtype descriptors fqc understands, and clear refusals for the
 * rest (pickled objects, complex, strings, datetimes, structured dtypes).
 */

export type NpyDtype =
  | "float16" | "float32" | "float64"
  | "int8" | "int16" | "int32" | "int64"
  | "uint8" | "uint16" | "uint32" | "uint64"
  | "bool";

export type ByteOrder = "little" | "big";

export interface NpyDtypeInfo {
  dtype: NpyDtype;
  byteOrder: ByteOrder;
  itemSize: number;
}

const KINDS: Record<string, Partial<Record<number, NpyDtype>>> = {
  f: { 2: "float16", 4: "float32", 8: "float64" },
  i: { 1: "int8", 2: "int16", 4: "int32", 8: "int64" },
  u: { 1: "uint8", 2: "uint16", 4: "uint32", 8: "uint64" },
  b: { 1: "bool" },
};

/** Kinds numpy knows but fqc refuses, with why. */
const REFUSED_KINDS: Record<string, string> = {
  O: "object dtype (a pickle): fqc never loads pickled data",
  c: "complex dtype is not supported",
  S: "byte-string dtype is not supported",
  a: "byte-string dtype is not supported",
  U: "unicode-string dtype is not supported",
  V: "void/raw dtype is not supported",
  M: "datetime64 dtype is not supported",
  m: "timedelta64 dtype is not supported",
};

export const NUMERIC_HINT = "Save a numeric array, e.g. np.save(path, a.astype(np.float32), allow_pickle=False).";

/** The host's byte order (every platform Node 20 ships for is little-endian, but stay honest). */
export const HOST_ORDER: ByteOrder = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? "little" : "big";

export type DescrResult = { ok: true; info: NpyDtypeInfo } | { ok: false; what: string; hint: string };

/** Parse a numpy `descr` string like `<f4`, `>f2`, `|u1`. */
export function parseDescr(descr: string): DescrResult {
  const m = /^([<>|=]?)([A-Za-z])(\d*)$/.exec(descr);
  if (!m) {
    if (/^[<>|=]?[A-Za-z]\d*\[/.test(descr)) {
      return { ok: false, what: `dtype '${descr}' has units or a subarray, which is not supported`, hint: NUMERIC_HINT };
    }
    return { ok: false, what: `dtype '${descr}' is not a numpy type string`, hint: NUMERIC_HINT };
  }
  const [, order, kind, sizeText] = m;
  const refused = REFUSED_KINDS[kind];
  if (refused !== undefined) {
    const hint = kind === "O"
      ? "Save the array with a numeric dtype and allow_pickle=False, e.g. np.save(path, a.astype(np.float32), allow_pickle=False)."
      : NUMERIC_HINT;
    return { ok: false, what: `${refused} (descr '${descr}')`, hint };
  }
  const size = Number(sizeText); // "" gives 0, which no kind has
  const dtype = KINDS[kind]?.[size];
  if (dtype === undefined) {
    const what = kind === "f" && size > 8
      ? `extended-precision float '${descr}' is not supported`
      : `dtype '${descr}' is not supported`;
    return { ok: false, what, hint: "Supported dtypes: float16/32/64, int8/16/32/64, uint8/16/32/64, bool." };
  }
  if (size > 1 && order !== "<" && order !== ">") {
    return {
      ok: false,
      what: `dtype '${descr}' has no explicit byte order`,
      hint: "Multi-byte dtypes must start with '<' (little-endian) or '>' (big-endian), as numpy writes them.",
    };
  }
  return { ok: true, info: { dtype, byteOrder: order === ">" && size > 1 ? "big" : "little", itemSize: size } };
}

/** numpy's spelling of a descr: `|` for one-byte types, explicit order otherwise. */
export function canonicalDescr(info: NpyDtypeInfo): string {
  const kind = info.dtype === "bool" ? "b" : info.dtype[0] === "f" ? "f" : info.dtype[0] === "u" ? "u" : "i";
  const order = info.itemSize === 1 ? "|" : info.byteOrder === "little" ? "<" : ">";
  return `${order}${kind}${info.itemSize}`;
}

export function isFloatDtype(d: NpyDtype): d is "float16" | "float32" | "float64" {
  return d === "float16" || d === "float32" || d === "float64";
}
