/**
 * Helpers for the .npz tests: fixture paths, reading a tensor whole, decoding
 * values, and a small ZIP crafter (written apart from src/checkpoint/zip so a
 * bug there cannot hide in both) for hostile archives.
 */
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";
import { expect } from "vitest";
import { crc32, deflateRawSync } from "node:zlib";
import { encodeNpyHeader } from "../../src/npy/header.js";
import type { Checkpoint, CheckpointTensor } from "../../src/checkpoint/types.js";

export const NPZ_FIXTURES = fileURLToPath(new URL("../fixtures/npz/", import.meta.url));
export const npzFixture = (name: string): string => path.join(NPZ_FIXTURES, name);

export interface ExpectedTensor { descr: string; shape: number[]; fortran_order: boolean; values: number[] }
export const EXPECTED_NPZ = JSON.parse(fs.readFileSync(npzFixture("expected.json"), "utf8")) as Record<string, ExpectedTensor>;

/** All of a tensor's data bytes, through `stream`. */
export function readTensor(ck: Checkpoint, t: CheckpointTensor, maxBytes = 5): Uint8Array {
  const out = new Uint8Array(t.byteLength);
  let at = 0;
  for (const piece of ck.stream(t, maxBytes)) {
    expect(piece.length).toBeLessThanOrEqual(maxBytes);
    out.set(piece, at);
    at += piece.length;
  }
  expect(at).toBe(t.byteLength);
  return out;
}

/** Values of raw items (in file order) of a numpy descr. */
export function decodeValues(raw: Uint8Array, descr: string): number[] {
  const little = descr[0] !== ">";
  const kind = descr[1];
  const size = Number(descr.slice(2));
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  for (let at = 0; at < raw.length; at += size) {
    if (kind === "f" && size === 4) out.push(dv.getFloat32(at, little));
    else if (kind === "f" && size === 8) out.push(dv.getFloat64(at, little));
    else if (kind === "f" && size === 2) out.push(half(dv.getUint16(at, little)));
    else if (kind === "i" && size === 1) out.push(dv.getInt8(at));
    else if (kind === "b") out.push(dv.getUint8(at));
    else throw new Error(`decodeValues: ${descr}`);
  }
  return out;
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A .npy file of float32 values with numpy's header. */
export function npyF32(values: number[], shape: number[] = [values.length]): Uint8Array {
  const header = encodeNpyHeader({ descr: "<f4", shape });
  const out = new Uint8Array(header.length + values.length * 4);
  out.set(header);
  out.set(new Uint8Array(Float32Array.from(values).buffer), header.length);
  return out;
}

export interface CraftMember {
  name: string;
  /** The member's uncompressed bytes (an .npy file, usually). */
  payload: Uint8Array;
  method?: number;
  /** Compressed bytes to store instead of deflating/storing payload. */
  raw?: Uint8Array;
  flags?: number;
  crc?: number;
  /** Sizes written in the central entry (default: the true ones). */
  usize?: number;
  csize?: number;
  /** Overrides of the local header. */
  local?: { name?: string; method?: number; flags?: number; crc?: number; usize?: number; csize?: number };
  /** Local header offset written in the central entry (default: the true one). */
  offset?: number;
}

/** A classic (non-ZIP64) ZIP of the members, with optional overrides to make it lie. */
export function craftZip(members: CraftMember[], opts: { entries?: number; cdOffset?: number; comment?: Uint8Array } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let pos = 0;
  for (const m of members) {
    const method = m.method ?? 0;
    const data = m.raw ?? (method === 8 ? new Uint8Array(deflateRawSync(m.payload)) : m.payload);
    const crc = m.crc ?? crc32(m.payload);
    const name = Buffer.from(m.name, "utf8");
    const lname = Buffer.from(m.local?.name ?? m.name, "utf8");
    const flags = m.flags ?? (/[^\x00-\x7f]/.test(m.name) ? 0x800 : 0); // UTF-8 flag for non-ASCII names, as Python sets it
    const local = new Uint8Array(30 + lname.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, m.local?.flags ?? flags, true);
    lv.setUint16(8, m.local?.method ?? method, true);
    lv.setUint16(12, 33, true);
    lv.setUint32(14, m.local?.crc ?? crc, true);
    lv.setUint32(18, m.local?.csize ?? m.csize ?? data.length, true);
    lv.setUint32(22, m.local?.usize ?? m.usize ?? m.payload.length, true);
    lv.setUint16(26, lname.length, true);
    local.set(lname, 30);
    const offset = pos;
    parts.push(local, data);
    pos += local.length + data.length;
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 0x0314, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, method, true);
    cv.setUint16(14, 33, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, m.csize ?? data.length, true);
    cv.setUint32(24, m.usize ?? m.payload.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, 0o600 << 16, true);
    cv.setUint32(42, m.offset ?? offset, true);
    c.set(name, 46);
    central.push(c);
  }
  const cdOffset = pos;
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const comment = opts.comment ?? new Uint8Array(0);
  const end = new Uint8Array(22 + comment.length);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, opts.entries ?? members.length, true);
  ev.setUint16(10, opts.entries ?? members.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, opts.cdOffset ?? cdOffset, true);
  ev.setUint16(20, comment.length, true);
  end.set(comment, 22);
  return Buffer.concat([...parts, ...central, end]);
}
