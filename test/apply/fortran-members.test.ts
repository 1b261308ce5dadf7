/**
 * Fortran-order tensors through the checkpoint path (`np.savez("m.npz", w=w.T)`
 * stores `w.T` in Fortran order): a fake-quantized one is written in C order
 * under the header numpy writes for np.ascontiguousarray of it, bit for bit
 * what the same run gives on the C-order archive; a copied one keeps its
 * bytes. A deflated Fortran member (np.savez_compressed of a transpose) is
 * inflated once into a spill file and read from it the same way. (Checked by
 * hand once with NumPy: np.load of the output equals the output for
 * np.ascontiguousarray, member by member.)
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runCheckpoint, runCheckpointWithStats, type OutputLayout } from "../../src/apply/checkpoint-run.js";
import { createCheckpointWriter, openCheckpoint } from "../../src/checkpoint/open.js";
import type { NpzCheckpoint } from "../../src/checkpoint/npz.js";
import type { NpyCheckpoint } from "../../src/checkpoint/npy-checkpoint.js";
import { normalize } from "../../src/config/normalize.js";
import { SPILL_PIECE_BYTES } from "../../src/checkpoint/spill.js";
import { numberToHalf } from "../../src/npy/float16.js";
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

  it.each([["stored", 0], ["deflated", 8]] as const)("copies an untargeted %s Fortran member byte for byte, header included, beside a targeted one", async (how, method) => {
    const a = values(24 * 64, 1);
    const b = values(6 * 16, 2);
    const untouched = npy(b, [6, 16], true);
    const archive = craftZip([{ name: "a.weight.npy", payload: npy(a, [24, 64], true), method }, { name: "b.npy", payload: untouched, method }]);
    const out = members(await applyNpz(`mixed-${how}`, archive, [cfg, null], 2));
    expect(new TextDecoder().decode(out[0].header)).toContain("'fortran_order': False");
    const copied = new Uint8Array(out[1].header.length + out[1].data.length);
    copied.set(out[1].header);
    copied.set(out[1].data, out[1].header.length);
    expect(Buffer.from(copied).equals(Buffer.from(untouched))).toBe(true);
  });

  it("gives a writer whose sinks only append (a library caller's own) the archive a positional run gives", async () => {
    // Stored members read positionally, written in order: a targeted Fortran member gathered in C order, an untargeted one copied.
    const archive = craftZip([
      { name: "a.weight.npy", payload: npy(values(24 * 64, 5), [24, 64], true) },
      { name: "b.npy", payload: npy(values(6 * 16, 6), [6, 16], true) },
      { name: "c.weight.npy", payload: npy(values(8 * 64, 7), [8, 64], false) },
    ]);
    const input = tmp.write("append-only.npz", archive);
    const run = async (name: string, appendOnly: boolean): Promise<Buffer> => {
      const output = tmp.path(name);
      const ck = openCheckpoint(input);
      try {
        await runCheckpoint(ck, [cfg, null, cfg], ({ cOrder }) => {
          const w = createCheckpointWriter(ck, output, { cOrder });
          if (!appendOnly) return w;
          return {
            path: w.path,
            begin: (t) => {
              const sink = w.begin(t);
              return { positional: null, write: (bytes) => sink.write(bytes), end: (n) => sink.end(n) };
            },
            prepare: () => w.prepare?.(),
            commit: () => w.commit(),
            abort: () => w.abort(),
          };
        }, { output, threads: 0, chunkElements: 64 });
      } finally {
        ck.close();
      }
      return readFileSync(output);
    };
    const appended = await run("append-only.out.npz", true);
    expect(appended.equals(await run("positional.out.npz", false))).toBe(true);
    expect(new TextDecoder().decode(members(tmp.path("append-only.out.npz"))[0].header)).toContain("'fortran_order': False");
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

  it.each([[2], [0]])("fake-quantizes a compressed (np.savez_compressed) Fortran member through a spill file, bit-exact with the C-order archive (%i threads)", async (threads) => {
    // Deflated Fortran members between stored and deflated C-order ones, qparams and statistics included.
    const arrays = SHAPES.map((s, i) => values(s.reduce((a, b) => a * b, 1), i + 10));
    const names = SHAPES.map((_, i) => `layers.${i}.weight.npy`);
    const other = values(16 * 32, 7);
    const archive = (fortran: boolean) => craftZip([
      { name: "c.stored.npy", payload: npy(other, [16, 32], false) },
      ...names.map((name, i) => ({ name, payload: npy(arrays[i], SHAPES[i], fortran), method: 8 })),
      { name: "c.deflated.npy", payload: npy(other, [16, 32], false), method: 8 },
    ]);
    const configs = [cfg, ...SHAPES.map(cfgFor), cfg];
    const run = async (name: string, fortran: boolean) => {
      const input = tmp.write(`${name}.npz`, archive(fortran));
      const output = tmp.path(`${name}.out.npz`);
      const qparams = tmp.path(`${name}.q.safetensors`);
      const ck = openCheckpoint(input);
      try {
        const result = await runCheckpointWithStats(ck, configs, ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), {
          output, threads, chunkElements: 64, qparamsOut: qparams, stats: true,
        });
        return { members: members(output), qparams: readFileSync(qparams), stats: result.stats };
      } finally {
        ck.close();
      }
    };
    const fromF = await run(`deflated-f${threads}`, true);
    const fromC = await run(`deflated-c${threads}`, false);
    fromF.members.forEach((m, i) => {
      expect(m.name).toBe(fromC.members[i].name);
      expect(new TextDecoder().decode(m.header)).toContain("'fortran_order': False");
      expect(Buffer.from(m.header).equals(Buffer.from(fromC.members[i].header)), m.name).toBe(true);
      expect(Buffer.from(m.data).equals(Buffer.from(fromC.members[i].data)), m.name).toBe(true);
    });
    expect(fromF.qparams.equals(fromC.qparams)).toBe(true);
    expect(fromF.stats).toEqual(fromC.stats);
    // Fake-quantized, not copied; and no spill file (nor anything else) left beside the output.
    expect(Buffer.from(fromF.members[1].data).equals(Buffer.from(arrays[0].buffer))).toBe(false);
    expect(readdirSync(tmp.dir).filter((n) => n.includes(".fqc-"))).toEqual([]);
  });

  it("does so for big-endian float32 and float16 members too (their bytes are gathered, swapped and encoded back as they came)", async () => {
    const shape = [24, 64];
    /** The values as `descr` items, in C or Fortran order. */
    const npyOf = (v: Float32Array, descr: ">f4" | "<f2", fortran: boolean): Uint8Array => {
      const size = descr === "<f2" ? 2 : 4;
      const header = encodeNpyHeader({ descr, shape, fortranOrder: fortran });
      const out = new Uint8Array(header.length + v.length * size);
      out.set(header);
      const dv = new DataView(out.buffer, header.length);
      for (let k = 0; k < v.length; k++) {
        const at = fortran ? (k % shape[1]) * shape[0] + Math.floor(k / shape[1]) : k;
        if (size === 4) dv.setFloat32(at * 4, v[k], false);
        else dv.setUint16(at * 2, numberToHalf(v[k]), true);
      }
      return out;
    };
    const v = values(24 * 64, 12);
    const archive = (fortran: boolean) => craftZip(([">f4", "<f2"] as const).map((descr, i) => ({ name: `w${i}.weight.npy`, payload: npyOf(v, descr, fortran), method: 8 })));
    const fromF = members(await applyNpz("deflated-f-dtypes", archive(true), [cfg, cfg], 0));
    const fromC = members(await applyNpz("deflated-c-dtypes", archive(false), [cfg, cfg], 0));
    fromF.forEach((m, i) => {
      expect(Buffer.from(m.header).equals(Buffer.from(fromC[i].header)), m.name).toBe(true);
      expect(Buffer.from(m.data).equals(Buffer.from(fromC[i].data)), m.name).toBe(true);
    });
  });

  it("inflates a compressed Fortran member once, in pieces much smaller than the member, and reads it back in chunks", async () => {
    const shape = [512, 1024]; // 2 MiB of float32
    const v = values(shape[0] * shape[1], 8);
    const input = tmp.write("stream-f.npz", craftZip([{ name: "w.weight.npy", payload: npy(v, shape, true), method: 8 }]));
    const output = tmp.path("stream-f.out.npz");
    const ck = openCheckpoint(input);
    const calls: Array<{ maxBytes: number; pieces: number; largest: number }> = [];
    const stream = ck.stream.bind(ck);
    ck.stream = function* (t, maxBytes) {
      const call = { maxBytes, pieces: 0, largest: 0 };
      calls.push(call);
      for (const piece of stream(t, maxBytes)) {
        call.pieces++;
        call.largest = Math.max(call.largest, piece.length);
        yield piece;
      }
    };
    let chunks: number;
    try {
      chunks = (await runCheckpoint(ck, [cfg], ({ cOrder }) => createCheckpointWriter(ck, output, { cOrder }), { output, threads: 0, chunkElements: 1 << 14 })).chunks;
    } finally {
      ck.close();
    }
    expect(calls).toEqual([{ maxBytes: SPILL_PIECE_BYTES, pieces: Math.ceil((v.length * 4) / SPILL_PIECE_BYTES), largest: SPILL_PIECE_BYTES }]);
    expect(SPILL_PIECE_BYTES).toBeLessThanOrEqual((v.length * 4) / 2);
    expect(chunks).toBe(shape[0] / 16); // 16 rows of 1024 per chunk of 2^14 elements
    const viaC = await applyNpz("stream-c", craftZip([{ name: "w.weight.npy", payload: npy(v, shape, false) }]), [cfg], 0);
    expect(Buffer.from(members(output)[0].data).equals(Buffer.from(members(viaC)[0].data))).toBe(true);
  });

  it("lists a compressed Fortran member as quantized in --dry-run, as apply then writes it (exit 0)", () => {
    const archive = craftZip([
      { name: "w.weight.npy", payload: npy(values(24 * 64, 3), [24, 64], true), method: 8 },
      { name: "c.weight.npy", payload: npy(values(24 * 64, 4), [24, 64], false), method: 8 },
    ]);
    const input = tmp.write("dry-deflated-f.npz", archive);
    const config = tmp.write("dry-f.json", JSON.stringify({ dtype: "int4", group_size: 32 }));
    const dry = runFqc(["apply", input, tmp.path("dry-f.out.npz"), "-c", config, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/w\.weight\s+24×64\s+F32\s+quantize/);
    expect(dry.stdout).toMatch(/c\.weight\s+24×64\s+F32\s+quantize/);
    const json = JSON.parse(runFqc(["apply", input, tmp.path("dry-f.out.npz"), "-c", config, "--dry-run", "--json"]).stdout) as { tensors: { name: string; errors: { message: string }[] }[] };
    expect(json.tensors.map((t) => [t.name, t.errors.length])).toEqual([["w.weight", 0], ["c.weight", 0]]);
    const real = runFqc(["apply", input, tmp.path("dry-f.out.npz"), "-c", config]);
    expect(real.code, real.stderr).toBe(0);
    expect(new TextDecoder().decode(members(tmp.path("dry-f.out.npz"))[0].header)).toContain("'fortran_order': False");
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
