/**
 * The whole public conformance corpus through the real file pipeline
 * (npy reader → plan → kernel → atomic npy writer), compared bit-exactly,
 * including the qparams written with scaleOut/zeroPointOut.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyFile } from "../../src/apply.js";
import { normalize } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { readNpy } from "../../src/npy/whole.js";
import type { ComputeDtype } from "../../src/quant/plan.js";
import { CONFORMANCE, tempDir } from "../helpers/cli.js";
import { sameBits } from "../helpers/bits.js";
import { loadForwardErrors, loadManifest, type ManifestCase } from "../quant/corpus.js";

type Case = ManifestCase;
const manifest = { cases: loadManifest() };
const forwardErrors = loadForwardErrors();
const tmp = tempDir();
afterAll(() => tmp.cleanup());
const fixture = (rel: string) => path.join(CONFORMANCE, rel);

function computeFor(inputDtype: string): ComputeDtype | undefined {
  return inputDtype === "bfloat16" ? "bfloat16" : undefined;
}

async function runCase(c: Case, torchao: "0.12" | "0.18", expected: { out: string; scale?: string | null; zp?: string | null }) {
  const out = path.join(tmp.dir, `${c.id}.${torchao}.out.npy`);
  const scaleOut = path.join(tmp.dir, `${c.id}.${torchao}.scale.npy`);
  const zpOut = path.join(tmp.dir, `${c.id}.${torchao}.zp.npy`);
  const config = normalize(c.config);
  await applyFile({ input: fixture(c.input), output: out, config, computeDtype: computeFor(c.input_dtype), torchao, threads: 0, scaleOut, zeroPointOut: zpOut });
  if (c.mode === "static_second_call") {
    // Second call reuses the first call's qparams: supply them as static qparams.
    await applyFile({ input: fixture(c.input), output: out, config, computeDtype: computeFor(c.input_dtype), torchao, threads: 0, scaleIn: scaleOut, zeroPointIn: zpOut });
  }
  const mismatch: string[] = [];
  const cmp = (what: string, got: string, want: string, ignoreZeroSign = false) => {
    const a = readNpy(got);
    const b = readNpy(fixture(want));
    expect(a.header.shape, `${c.id} ${what} shape`).toEqual(b.header.shape);
    const m = sameBits(a.data, b.data, { ignoreZeroSign });
    if (m) mismatch.push(`${what}: ${m}`);
  };
  cmp("output", out, expected.out);
  if (expected.scale) cmp("scale", scaleOut, expected.scale, c.implementation_defined);
  if (expected.zp) cmp("zero_point", zpOut, expected.zp);
  return mismatch;
}

describe("every public conformance case through applyFile (bit-exact)", () => {
  it.each(manifest.cases.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const mism = await runCase(c, "0.12", { out: c.expected, scale: c.scale, zp: c.zero_point });
    expect(mism).toEqual([]);
  });
});

describe("torchao 0.18 (head) semantics", () => {
  const headCases = manifest.cases.filter((c) => !c.head_agrees && c.head?.stage === "ok" && !c.config.range_learning);
  it("has head cases to check", () => expect(headCases.length).toBeGreaterThan(10));
  it.each(headCases.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const h = c.head!;
    const mism = await runCase(c, "0.18", { out: h.expected!, scale: h.scale, zp: h.zero_point });
    expect(mism).toEqual([]);
  });
});

describe("forward errors through applyFile", () => {
  const applicable = forwardErrors.filter((e) => !e.message.includes("must be initialized"));
  it.each(applicable.map((e) => [e.id, e] as const))("%s fails like torchao and writes nothing", async (_id, e) => {
    const out = path.join(tmp.dir, `${e.id}.err.npy`);
    const err = await applyFile({
      input: fixture(e.input),
      output: out,
      config: normalize(e.config),
      computeDtype: computeFor(e.input_dtype),
      threads: 0,
    }).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(FqcError);
    expect((err as FqcError).code).toBe("FORWARD");
    if (e.message) expect((err as FqcError).message).toContain(e.message);
    expect(existsSync(out)).toBe(false);
  });
});

describe("range learning with an integer zero point across torchao versions", () => {
  // v0.12 raises (the zero point becomes a Parameter); from v0.13 a symmetric config keeps a plain, zeroed zero point.
  const sym = manifest.cases.find((c) => c.mode === "range_learning_init" && c.id.includes("_sym-"))!;
  const intZp = normalize({ ...sym.config, zero_point_precision: "int32" });

  it("v0.12 refuses it with torchao's message", async () => {
    const err = await applyFile({ input: fixture(sym.input), output: tmp.path("rl12.npy"), config: intZp, threads: 0 }).catch((e: unknown) => e);
    expect((err as FqcError).message).toContain("Only Tensors of floating point and complex dtype can require gradients");
  });

  it("0.18 runs it: same output and scale as the float zero point, zero points all 0", async () => {
    const h = sym.head ?? { expected: sym.expected, scale: sym.scale };
    await applyFile({
      input: fixture(sym.input), output: tmp.path("rl18.npy"), config: intZp, threads: 0, torchao: "0.18",
      scaleOut: tmp.path("rl18-s.npy"), zeroPointOut: tmp.path("rl18-z.npy"),
    });
    expect(sameBits(readNpy(tmp.path("rl18.npy")).data, readNpy(fixture(h.expected!)).data)).toBeUndefined();
    expect(sameBits(readNpy(tmp.path("rl18-s.npy")).data, readNpy(fixture(h.scale!)).data)).toBeUndefined();
    const z = readNpy(tmp.path("rl18-z.npy"));
    expect(z.header.descr).toBe("<i4");
    expect(Array.from(z.data as Int32Array).every((v) => v === 0)).toBe(true);
  });
});
