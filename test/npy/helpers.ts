/** Shared helpers for the npy tests: fixtures, expected values, crafted files, temp dirs. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES = fileURLToPath(new URL("../fixtures/npy/", import.meta.url));
export const fixture = (name: string): string => path.join(FIXTURES, name);

interface ExpectedArray { descr: string; shape: number[]; fortran_order: boolean; values: string[] }
export const EXPECTED = JSON.parse(fs.readFileSync(fixture("expected.json"), "utf8")) as Record<string, ExpectedArray> & {
  float16_rounding: { f64_inputs: string[]; f64_to_f2_bits: number[]; f32_inputs: string[]; f32_to_f2_bits: number[] };
};

/** float64 from the 16-hex-digit big-endian bit pattern written by make_fixtures.py. */
export function hexToF64(hex: string): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt(`0x${hex}`));
  return dv.getFloat64(0);
}

/** Expected C-order values of a float fixture, as float64. */
export function expectedFloats(name: string): Float64Array {
  return Float64Array.from(EXPECTED[name].values, hexToF64);
}

/** Same value incl. NaN == NaN and the sign of zero. */
export function sameValues(got: ArrayLike<number>, want: ArrayLike<number>): boolean {
  if (got.length !== want.length) return false;
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) return false;
  return true;
}

export function tempDir(): { dir: string; file: (name: string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-npy-"));
  return { dir, file: (n) => path.join(dir, n), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Build .npy bytes from raw header text (not padded unless asked) and data bytes. */
export function craftNpy(headerText: string, data: Uint8Array = new Uint8Array(0), opts: { version?: [number, number]; headerLen?: number; pad?: boolean } = {}): Uint8Array {
  const [major, minor] = opts.version ?? [1, 0];
  const lenBytes = major === 1 ? 2 : 4;
  let text = headerText;
  if (opts.pad) {
    const total = 8 + lenBytes + text.length + 1;
    text += " ".repeat((64 - (total % 64)) % 64) + "\n";
  }
  const header = Buffer.from(text, "latin1");
  const out = new Uint8Array(8 + lenBytes + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]);
  const dv = new DataView(out.buffer);
  const len = opts.headerLen ?? header.length;
  if (lenBytes === 2) dv.setUint16(8, len, true);
  else dv.setUint32(8, len, true);
  out.set(header, 8 + lenBytes);
  out.set(data, 8 + lenBytes + header.length);
  return out;
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
