/**
 * `report` on Fortran-order tensors (a .npy saved from a transpose, a stored
 * .npz member from np.savez(path, w=w.T)): the rows are gathered in C order
 * by the .npy row reader, so every figure is the one the C-order copy gives,
 * for any thread count and chunk size.
 */
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../src/checkpoint/open.js";
import { normalize } from "../../src/config/normalize.js";
import type { CanonicalConfig } from "../../src/config/types.js";
import { FqcError } from "../../src/errors.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { configTargets } from "../../src/report/targets.js";
import type { Report } from "../../src/report/types.js";
import { craftZip } from "../checkpoint/npz-helpers.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INT4_G16 = normalize({ dtype: "int4", group_size: 16 });
const INT8_TOKEN = normalize({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" });

/** An .npy of `c` (C-order values) with `descr`, laid out in C or Fortran order. */
function npy(c: Float64Array, shape: readonly number[], descr: "<f4" | ">f4" | "<f2", fortran: boolean): Uint8Array {
  const order = new Array<number>(c.length);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < c.length; k++) {
    let fi = 0;
    let stride = 1;
    for (let d = 0; d < shape.length; d++) { fi += idx[d] * stride; stride *= shape[d]; }
    order[fortran ? fi : k] = c[k];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  const size = descr === "<f2" ? 2 : 4;
  const header = encodeNpyHeader({ descr, shape, fortranOrder: fortran });
  const out = new Uint8Array(header.length + c.length * size);
  out.set(header);
  const dv = new DataView(out.buffer, header.length);
  order.forEach((v, i) => {
    if (size === 4) dv.setFloat32(i * 4, v, descr[0] === "<");
    else dv.setUint16(i * 2, halfOf(v), true);
  });
  return out;
}

/** float16 bits of v (v is made exactly representable below). */
function halfOf(v: number): number {
  const f = new Float32Array([v]);
  const b = new Uint32Array(f.buffer)[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  if (v === 0) return sign;
  if (exp <= 0 || exp >= 31) throw new Error(`halfOf: ${v} is out of range`);
  return sign | (exp << 10) | ((b >>> 13) & 0x3ff);
}

function values(n: number, seed: number): Float64Array {
  // Multiples of 1/64 in [-8, 8): exact in float16 and float32.
  return Float64Array.from({ length: n }, (_, i) => Math.round(Math.sin(i * 0.61 + seed) * 8 * 64 * (i % 3 === 0 ? 0.25 : 1)) / 64);
}

async function reportOf(file: string, config: CanonicalConfig, threads: number): Promise<Report> {
  const ck = openCheckpoint(file);
  try {
    return await reportCheckpoint(ck, [{ name: "c", source: "c.json", kind: "config", targets: configTargets(ck, config) }], { threads, chunkElements: 48 });
  } finally {
    ck.close();
  }
}

/** What the renderers show, without the model's path. */
const figures = (r: Report) => ({ tensors: r.tensors, summaries: r.summaries });

describe("report on Fortran-order tensors", () => {
  it.each([
    ["rank 2, little-endian float32", [24, 64], "<f4", INT4_G16],
    ["rank 2, big-endian float32", [24, 64], ">f4", INT4_G16],
    ["rank 2, float16", [24, 64], "<f2", INT4_G16],
    ["rank 3", [5, 3, 32], "<f4", INT8_TOKEN],
  ] as const)("reads a Fortran-order .npy (%s) with the figures of its C-order copy, on 2 threads and on 1", async (_what, shape, descr, config) => {
    const v = values(shape.reduce((a, b) => a * b, 1), shape.length);
    // The same file name in two directories: the tensor is named after the file.
    const f = tmp.write(`f-${descr}-${shape.length}.npy`, npy(v, shape, descr, true));
    const c = tmp.write(`c-${descr}-${shape.length}.npy`, npy(v, shape, descr, false));
    for (const threads of [2, 1]) {
      const fromF = figures(await reportOf(f, config, threads));
      const fromC = figures(await reportOf(c, config, threads));
      fromF.tensors.forEach((t) => { (t as { name: string }).name = "w"; });
      fromC.tensors.forEach((t) => { (t as { name: string }).name = "w"; });
      fromF.summaries.forEach((s) => s.worst.forEach((w) => { w.name = "w"; }));
      fromC.summaries.forEach((s) => s.worst.forEach((w) => { w.name = "w"; }));
      expect(fromF.tensors[0].cells[0].status).toBe("quantized");
      expect(fromF).toEqual(fromC);
    }
  });

  it("reads a stored Fortran .npz member (np.savez of a transpose) with the figures of the C-order member", async () => {
    const v = values(24 * 64, 3);
    const b = values(64, 4);
    const f = tmp.write("f.npz", craftZip([{ name: "w.weight.npy", payload: npy(v, [24, 64], "<f4", true) }, { name: "b.weight.npy", payload: npy(b, [4, 16], "<f4", true) }]));
    const c = tmp.write("c.npz", craftZip([{ name: "w.weight.npy", payload: npy(v, [24, 64], "<f4", false) }, { name: "b.weight.npy", payload: npy(b, [4, 16], "<f4", false) }]));
    const fromF = figures(await reportOf(f, INT4_G16, 2));
    expect(fromF.tensors.map((t) => t.cells[0].status)).toEqual(["quantized", "quantized"]);
    expect(fromF).toEqual(figures(await reportOf(c, INT4_G16, 2)));
  });

  it("refuses a compressed (np.savez_compressed) Fortran member it would read, naming it and the fix", async () => {
    const f = tmp.write("fz.npz", craftZip([{ name: "w.weight.npy", payload: npy(values(24 * 64, 5), [24, 64], "<f4", true), method: 8 }]));
    const run = reportOf(f, INT4_G16, 1);
    await expect(run).rejects.toThrow(FqcError);
    await expect(run).rejects.toThrow("fz.npz: w.weight is a compressed member stored in Fortran order, which fqc does not read");
    await expect(run).rejects.toThrow(expect.objectContaining({ hint: expect.stringContaining("np.savez") }));
  });
});
