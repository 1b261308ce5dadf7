/**
 * Fortran-order tensors through the checkpoint path (`np.savez("m.npz", w=w.T)`
 * stores `w.T` in Fortran order): a fake-quantized one is written in C order
 * under the header numpy writes for np.ascontiguousarray of it, bit for bit
 * what the same run gives on the C-order archive; a copied one keeps its
 * bytes. (Checked by hand once with NumPy: np.load of the output equals the
 * output for np.ascontiguousarray, member by member.)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint, type OutputLayout } from "../../src/apply/checkpoint-run.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import type { NpzCheckpoint } from "../../src/checkpoint/npz.js";
import type { NpyCheckpoint } from "../../src/checkpoint/npy-checkpoint.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { craftZip, npzFixture, readTensor } from "../checkpoint/npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Values in C order -> the same array's bytes in Fortran order (first index fastest). */
function fortranBytes(c: Float32Array, shape: readonly number[]): Uint8Array {
  const n = c.length;
  const f = new Float32Array(n);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    // k is the C-linear index of idx; place it at idx's F-linear index.
    let fi = 0;
    let stride = 1;
    for (let d = 0; d < shape.length; d++) { fi += idx[d] * stride; stride *= shape[d]; }
    f[fi] = c[k];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return new Uint8Array(f.buffer);
}

function npy(values: Float32Array, shape: readonly number[], fortran: boolean): Uint8Array {
  const header = encodeNpyHeader({ descr: "<f4", shape, fortranOrder: fortran });
  const data = fortran ? fortranBytes(values, shape) : new Uint8Array(values.buffer.slice(0));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * (1 + (i % 7)));
}

// Rank 2 (w.T), rank 3 (runs per column slab) and a rank-36 shape whose C-order header is 64 bytes longer than its Fortran one.
const SHAPES: ReadonlyArray<readonly number[]> = [[24, 64], [5, 3, 32], [3, ...new Array<number>(34).fill(1), 40]];
const cfg = normalize({ dtype: "int4", group_size: 8 });
const perToken = normalize({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" });
/** per_group takes 2-D inputs only; per_token any rank. */
const cfgFor = (shape: readonly number[]) => (shape.length === 2 ? cfg : perToken);

/** Every member's header and data bytes of an .npz (through the reader, so sizes and CRCs are checked). */
function members(file: string): Array<{ name: string; header: Uint8Array; data: Uint8Array }> {
  const ck = openCheckpoint(file) as NpzCheckpoint;
  try {
    return ck.tensors.map((t, i) => ({ name: t.name, header: ck.members[i].npyHeader, data: readTensor(ck, t, 1 << 16) }));
  } finally {
    ck.close();
  }
}

async function applyNpz(name: string, archive: Uint8Array, configs: Array<ReturnType<typeof normalize> | null>, threads: number): Promise<string> {
  const input = tmp.write(`${name}.npz`, archive);
  const output = tmp.path(`${name}.out.npz`);
  const ck = openCheckpoint(input);
  try {
    await runCheckpoint(ck, configs, ({ cOrder }: OutputLayout) => createCheckpointWriter(ck, output, { cOrder }), { output, threads, chunkElements: 64 });
  } finally {
    ck.close();
  }
  return output;
}

describe("apply on an .npz with Fortran-order members", () => {
  it.each([[2], [0]])("writes a fake-quantized Fortran member in C order, bit-exact with the C-order archive (%i threads)", async (threads) => {
    const arrays = SHAPES.map((s, i) => values(s.reduce((a, b) => a * b, 1), i));
    const names = SHAPES.map((_, i) => `layers.${i}.weight.npy`);
    const fortran = craftZip(names.map((name, i) => ({ name, payload: npy(arrays[i], SHAPES[i], true) })));
    const c = craftZip(names.map((name, i) => ({ name, payload: npy(arrays[i], SHAPES[i], false) })));
    const configs = SHAPES.map(cfgFor);
    const fromF = members(await applyNpz(`f${threads}`, fortran, configs, threads));
    const fromC = members(await applyNpz(`c${threads}`, c, configs, threads));
    expect(fromF.map((m) => m.name)).toEqual(names.map((n) => n.slice(0, -4)));
    fromF.forEach((m, i) => {
      expect(new TextDecoder().decode(m.header)).toContain("'fortran_order': False");
      expect(Buffer.from(m.header).equals(Buffer.from(fromC[i].header))).toBe(true);
      expect(Buffer.from(m.data).equals(Buffer.from(fromC[i].data))).toBe(true);
    });
    // The rank-36 member's header grew by 64 bytes: the archive's sizes and offsets follow (read back above with CRCs).
    expect(fromF[2].header.length - encodeNpyHeader({ descr: "<f4", shape: SHAPES[2], fortranOrder: true }).length).toBe(64);
    // And the values changed: the members were fake-quantized, not copied.
    expect(Buffer.from(fromF[0].data).equals(Buffer.from(arrays[0].buffer))).toBe(false);
  });

  it("copies an untargeted Fortran member byte for byte, header included, beside a targeted one", async () => {
    const a = values(24 * 64, 1);
    const b = values(6 * 16, 2);
    const untouched = npy(b, [6, 16], true);
    const archive = craftZip([{ name: "a.weight.npy", payload: npy(a, [24, 64], true) }, { name: "b.npy", payload: untouched }]);
    const out = members(await applyNpz("mixed", archive, [cfg, null], 2));
    expect(new TextDecoder().decode(out[0].header)).toContain("'fortran_order': False");
    const copied = new Uint8Array(out[1].header.length + out[1].data.length);
    copied.set(out[1].header);
    copied.set(out[1].data, out[1].header.length);
    expect(Buffer.from(copied).equals(Buffer.from(untouched))).toBe(true);
  });

  it("fake-quantizes numpy's own Fortran member (stored.npz 'fortran', np.asfortranarray) as its C-order values", async () => {
    const src = openCheckpoint(npzFixture("stored.npz")) as NpzCheckpoint;
    const output = tmp.path("numpy-fortran.out.npz");
    const c4 = normalize({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" });
    let cValues: Float32Array;
    try {
      const t = src.tensors.find((x) => x.name === "fortran")!;
      expect(t.fortranOrder).toBe(true);
      const configs = src.tensors.map((x) => (x.name === "fortran" ? c4 : null));
      const raw = readTensor(src, t, 1 << 16);
      // The file holds columns; the C-order values are its transpose.
      const f = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      cValues = Float32Array.from({ length: 12 }, (_, k) => f[(k % 4) * 3 + Math.floor(k / 4)]);
      await runCheckpoint(src, configs, ({ cOrder }) => createCheckpointWriter(src, output, { cOrder }), { output, threads: 0 });
    } finally {
      src.close();
    }
    const viaC = await applyNpz("numpy-fortran-c", craftZip([{ name: "fortran.npy", payload: npy(cValues, [3, 4], false) }]), [c4], 0);
    const got = members(output).find((m) => m.name === "fortran")!;
    const want = members(viaC)[0];
    expect(Buffer.from(got.header).equals(Buffer.from(want.header))).toBe(true);
    expect(Buffer.from(got.data).equals(Buffer.from(want.data))).toBe(true);
  });

  it("refuses a compressed (np.savez_compressed) Fortran member it would fake-quantize, naming it and the fix, with no output", async () => {
    const archive = craftZip([{ name: "w.weight.npy", payload: npy(values(24 * 64, 3), [24, 64], true), method: 8 }]);
    const input = tmp.write("deflated-f.npz", archive);
    const output = tmp.path("deflated-f.out.npz");
    const ck = openCheckpoint(input);
    try {
      const run = runCheckpoint(ck, [cfg], ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), { output });
      await expect(run).rejects.toThrow(FqcError);
      await expect(run).rejects.toThrow("tensor w.weight (24×64 F32): is a compressed member stored in Fortran order");
      await expect(run).rejects.toThrow(expect.objectContaining({ hint: expect.stringContaining("np.savez") }));
    } finally {
      ck.close();
    }
    expect(existsSync(output)).toBe(false);
  });

  it("shows that refusal in --dry-run too: the member's row is an error and the dry run exits 1, as apply exits 2 on it", () => {
    const archive = craftZip([
      { name: "w.weight.npy", payload: npy(values(24 * 64, 3), [24, 64], true), method: 8 },
      { name: "c.weight.npy", payload: npy(values(24 * 64, 4), [24, 64], false), method: 8 },
    ]);
    const input = tmp.write("dry-deflated-f.npz", archive);
    const config = tmp.write("dry-f.json", JSON.stringify({ dtype: "int4", group_size: 32 }));
    const dry = runFqc(["apply", input, tmp.path("dry-f.out.npz"), "-c", config, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toMatch(/w\.weight\s+24×64\s+F32\s+error/);
    expect(dry.stdout).toMatch(/c\.weight\s+24×64\s+F32\s+quantize/);
    expect(dry.stdout).toContain("is a compressed member stored in Fortran order, which fqc does not fake-quantize");
    const json = JSON.parse(runFqc(["apply", input, tmp.path("dry-f.out.npz"), "-c", config, "--dry-run", "--json"]).stdout) as { tensors: { name: string; errors: { message: string }[] }[] };
    expect(json.tensors.map((t) => [t.name, t.errors.length])).toEqual([["w.weight", 1], ["c.weight", 0]]);
    const real = runFqc(["apply", input, tmp.path("dry-f.out.npz"), "-c", config]);
    expect(real.code).toBe(2);
    expect(real.stderr).toContain("is a compressed member stored in Fortran order, which fqc does not fake-quantize");
  });

  it("fake-quantizes a compressed Fortran member whose shape has one dimension above 1 (its bytes are C order too)", async () => {
    const v = values(64, 4);
    const f = craftZip([{ name: "w.npy", payload: npy(v, [1, 64], true), method: 8 }]);
    const c = craftZip([{ name: "w.npy", payload: npy(v, [1, 64], false), method: 8 }]);
    const fromF = members(await applyNpz("deflated-1xn", f, [cfg], 0));
    const fromC = members(await applyNpz("deflated-1xn-c", c, [cfg], 0));
    expect(Buffer.from(fromF[0].header).equals(Buffer.from(fromC[0].header))).toBe(true);
    expect(Buffer.from(fromF[0].data).equals(Buffer.from(fromC[0].data))).toBe(true);
  });
});

describe("the checkpoint path on a Fortran-order .npy (--recipe, --qparams-out, --report)", () => {
  it.each(SHAPES.map((s) => [s.length, s] as const))("writes rank %i in C order under numpy's C-order header, bit-exact with the C-order file", async (_rank, shape) => {
    const v = values(shape.reduce((a, b) => a * b, 1), 9);
    // Same file name in two directories: the tensor (and qparams) name is the file's.
    const run = async (name: string, fortran: boolean): Promise<Uint8Array> => {
      mkdirSync(tmp.path(name));
      const input = tmp.write(`${name}/w.npy`, npy(v, shape, fortran));
      const output = tmp.path(`${name}/w.out.npy`);
      const qparams = tmp.path(`${name}/w.qparams.safetensors`);
      const ck = openCheckpoint(input) as NpyCheckpoint;
      try {
        await runCheckpoint(ck, [cfgFor(shape)], ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), { output, threads: 2, chunkElements: 64, qparamsOut: qparams });
      } finally {
        ck.close();
      }
      expect(readFileSync(qparams).length).toBeGreaterThan(0);
      return new Uint8Array(readFileSync(output));
    };
    const fromF = await run(`npy-f-${shape.length}`, true);
    const fromC = await run(`npy-c-${shape.length}`, false);
    expect(Buffer.from(fromF).equals(Buffer.from(fromC))).toBe(true);
    expect(readFileSync(tmp.path(`npy-f-${shape.length}/w.qparams.safetensors`)).equals(readFileSync(tmp.path(`npy-c-${shape.length}/w.qparams.safetensors`)))).toBe(true);
  });

  it("copies an untargeted Fortran .npy byte for byte", async () => {
    const bytes = npy(values(6 * 16, 5), [6, 16], true);
    const input = tmp.write("npy-copy.npy", bytes);
    const output = tmp.path("npy-copy.out.npy");
    const ck = openCheckpoint(input);
    try {
      await runCheckpoint(ck, [null], ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), { output });
    } finally {
      ck.close();
    }
    expect(readFileSync(output).equals(Buffer.from(bytes))).toBe(true);
  });
});

// A writer that ignores the layout would mislabel C-order rows as Fortran: the layout names exactly the fake-quantized Fortran tensors.
describe("runCheckpoint's output layout", () => {
  it("names the fake-quantized Fortran-order tensors in cOrder, and no others", async () => {
    const archive = craftZip([
      { name: "a.npy", payload: npy(values(64, 1), [4, 16], true) },
      { name: "b.npy", payload: npy(values(64, 2), [4, 16], true) },
      { name: "c.npy", payload: npy(values(64, 3), [4, 16], false) },
    ]);
    writeFileSync(tmp.path("layout.npz"), archive);
    const ck = openCheckpoint(tmp.path("layout.npz"));
    let seen: number[] = [];
    try {
      const output = tmp.path("layout.out.npz");
      await runCheckpoint(ck, [cfg, null, cfg], ({ cOrder }) => {
        seen = [...cOrder];
        return createCheckpointWriter(ck, output, { cOrder });
      }, { output });
    } finally {
      ck.close();
    }
    expect(seen).toEqual([0]);
  });
});
