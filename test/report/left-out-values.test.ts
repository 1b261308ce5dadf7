/**
 * The figures leave out every value they cannot measure: a NaN or inf input, and a finite input whose output is not
 * finite. The latter needs no NaN or inf in the file: a float16 token spanning ±60,000 overflows its scale (120,000 > 65,504),
 * so torchao writes inf for the whole token. Every human-readable summary says how many values were left out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { renderReport } from "../../src/report/render.js";
import { leftOutText } from "../../src/report/rows.js";
import { tensorsBelow } from "../../src/report/threshold.js";
import { configTargets } from "../../src/report/targets.js";
import type { Report } from "../../src/report/types.js";
import { tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const PER_TOKEN = normalize({ dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" });
let report: Report;

beforeAll(async () => {
  const values = Float32Array.from(weights(8 * 64, 5));
  values[0] = 60000;
  values[1] = -60000;
  const nan = Float32Array.from(weights(4 * 64, 6));
  nan[3] = NaN;
  const ckpt = testCheckpoint(tmp.path("overflow.safetensors"), [
    { name: "big.weight", dtype: "F16", shape: [8, 64], values },
    { name: "nan.weight", dtype: "F32", shape: [4, 64], values: nan },
  ]);
  report = await reportCheckpoint(ckpt, [{ name: "per-token", source: "pt.json", kind: "config", targets: configTargets(ckpt, PER_TOKEN) }], { threads: 1 });
});

describe("values the figures leave out", () => {
  it("are counted: a float16 token that overflows gives 64 non-finite outputs of finite inputs", () => {
    const s = report.summaries[0];
    expect(report.tensors[0].cells[0].sums).toMatchObject({ counted: 7 * 64, nanInputs: 0, infInputs: 0, nonFiniteOutputs: 64 });
    expect(s).toMatchObject({ nanInputs: 1, infInputs: 0, nonFiniteOutputs: 64 + 63 });
  });

  it("are named in words, non-finite outputs included", () => {
    expect(leftOutText({ nanInputs: 0, infInputs: 0, nonFiniteOutputs: 0 })).toBeNull();
    expect(leftOutText({ nanInputs: 0, infInputs: 0, nonFiniteOutputs: 1 })).toBe("1 non-finite output left out");
    expect(leftOutText({ nanInputs: 1, infInputs: 2, nonFiniteOutputs: 127 })).toBe("1 NaN and 2 inf inputs, 127 non-finite outputs left out");
  });

  it("the table's, the markdown's and the html's summaries count non-finite outputs", () => {
    const says = "per-token: 1 NaN and 0 inf input, 127 non-finite outputs left out";
    expect(renderReport("table", report)).toMatch(/^per-token: 2 tensors fake-quantized, overall SQNR [\d.]+ dB, 1 NaN and 0 inf input, 127 non-finite outputs left out, /m);
    expect(renderReport("markdown", report)).toContain(`Column ${says} of its figures.`);
    expect(renderReport("html", report)).toContain(`<p class="meta">Column ${says} of its figures.</p>`);
  });

  it("fail --fail-under whatever the SQNR: torchao would write the NaN or inf, and no figure shows it", () => {
    const sqnr = report.tensors.map((t) => t.cells[0].figures!.sqnrDb!);
    expect(Math.min(...sqnr)).toBeGreaterThan(20);
    expect(tensorsBelow(report, 0)).toEqual([
      { tensor: "big.weight", column: "per-token", sqnrDb: sqnr[0], nonFiniteOutputs: 64 },
      { tensor: "nan.weight", column: "per-token", sqnrDb: sqnr[1], nonFiniteOutputs: 63 },
    ]);
  });
});
