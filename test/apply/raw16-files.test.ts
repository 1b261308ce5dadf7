/**
 * A float16 tensor's chunks stay 16-bit from read to write (the wasm "raw16" path) only when that gives the bytes the
 * JS kernel gives: float16 compute, little-endian, C order. Every other float16 file (another compute dtype, Fortran
 * order, big-endian) takes the general path, with the same result as the JS kernel.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { encodeNpyHeader } from "../../src/npy/header-encode.js";
import type { ComputeDtype } from "../../src/quant/plan.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const int4g32: CanonicalConfig = {
  dtype: "int4", granularity: { type: "PerGroup", group_size: 32 }, mapping_type: "SYMMETRIC",
  scale_precision: "float32", zero_point_precision: "int32", zero_point_domain: "INT",
  is_dynamic: true, range_learning: false, eps: null,
};

/** A float16 .npy of `rows` × 64 varied values, in the byte order and memory order asked for. */
function f16File(name: string, opts: { fortran: boolean; big: boolean }): string {
  const rows = 48;
  const bytes = Buffer.alloc(rows * 64 * 2);
  for (let i = 0; i < rows * 64; i++) {
    // Halves of varied sign, exponent and mantissa (no NaN or inf: bits 0x7c00 are masked off).
    const h = ((i * 2654435761) >>> 16) & 0xbbff;
    if (opts.big) bytes.writeUInt16BE(h, 2 * i);
    else bytes.writeUInt16LE(h, 2 * i);
  }
  const file = tmp.path(name);
  writeFileSync(file, Buffer.concat([encodeNpyHeader({ descr: opts.big ? ">f2" : "<f2", shape: [rows, 64], fortranOrder: opts.fortran }), bytes]));
  return file;
}

describe("a float16 file with the wasm kernel and the JS kernel", () => {
  const cases: Array<{ fortran: boolean; big: boolean; compute?: ComputeDtype }> = [
    { fortran: false, big: false },
    { fortran: true, big: false },
    { fortran: false, big: true },
    { fortran: false, big: false, compute: "bfloat16" },
    { fortran: false, big: false, compute: "float32" },
  ];
  it.each(cases)("same bytes (Fortran order $fortran, big-endian $big, compute $compute)", async ({ fortran, big, compute }) => {
    const input = f16File(`in-${fortran}-${big}-${compute}.npy`, { fortran, big });
    const out = (kernel: "auto" | "js") => tmp.path(`out-${fortran}-${big}-${compute}-${kernel}.npy`);
    for (const kernel of ["auto", "js"] as const) {
      await applyFile({ input, output: out(kernel), config: int4g32, computeDtype: compute, threads: 0, kernel, chunkElements: 1024 });
    }
    expect(readFileSync(out("auto")).equals(readFileSync(out("js")))).toBe(true);
  });
});
