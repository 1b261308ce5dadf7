/**
 * Write a header byte-for-byte like numpy 2's `_write_array_header`:
 * sorted dict text, 21-digit growth room for the growth axis, padded with
 * spaces and a final '\n' so the data starts at a multiple of 64 bytes.
 */
import { FqcError } from "../errors.js";
import { canonicalDescr, parseDescr } from "./dtype.js";
import { checkShape, shapeRepr } from "./shape.js";

const ARRAY_ALIGN = 64;
/** numpy's GROWTH_AXIS_MAX_DIGITS: room to rewrite the header in place when appending. */
const GROWTH_AXIS_MAX_DIGITS = 21;

export function encodeNpyHeader(h: { descr: string; fortranOrder?: boolean; shape: readonly number[] }): Uint8Array {
  const parsed = parseDescr(h.descr);
  if (!parsed.ok) throw new FqcError("NPY", `cannot write .npy: ${parsed.what}`, { hint: parsed.hint });
  const counts = checkShape(h.shape, parsed.info.itemSize);
  if (!counts.ok) throw new FqcError("NPY", `cannot write .npy: ${counts.what}`);
  const fortran = h.fortranOrder ?? false;
  const descr = canonicalDescr(parsed.info);
  let text = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shapeRepr(h.shape)}, }`;
  if (h.shape.length > 0) {
    const growthDim = h.shape[fortran ? h.shape.length - 1 : 0];
    text += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(growthDim).length));
  }
  return wrapHeaderText(text);
}

/** Magic + version + length + text + padding; version 1.0 unless the length needs 2.0's u32. */
export function wrapHeaderText(text: string): Uint8Array {
  for (const [major, lenBytes] of [[1, 2], [2, 4]] as const) {
    const hlen = text.length + 1;
    const padlen = ARRAY_ALIGN - ((8 + lenBytes + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (lenBytes === 2 && total > 0xffff) continue;
    const out = new Uint8Array(8 + lenBytes + total);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
    const view = new DataView(out.buffer);
    if (lenBytes === 2) view.setUint16(8, total, true);
    else view.setUint32(8, total, true);
    for (let i = 0; i < text.length; i++) out[8 + lenBytes + i] = text.charCodeAt(i);
    out.fill(0x20, 8 + lenBytes + text.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  }
  throw new FqcError("NPY", `cannot write .npy: header of ${text.length} characters is too long`);
}
