// Float-valued fields of the JSON report must read back as floats in readers that tell integers from floats
// (Python's json): 2.0, not 2; 9.223372036854897e+18, not 9223372036854897000. Counts stay integers.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { floatFieldsWriter, floatJsonText } from "../../src/json-float.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { renderReportJson, reportJsonValue } from "../../src/report/render-json.js";
import { configTargets } from "../../src/report/targets.js";
import type { Report } from "../../src/report/types.js";
import { tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const FLOAT_FIELDS = ["sqnr_db", "rmse", "max_abs_error", "zeroed_share", "sum_sq_x", "sum_sq_error", "overall_sqnr_db"];
const INT_FIELDS = ["elements", "bytes", "counted", "zeroed", "nan_inputs", "inf_inputs", "nonfinite_outputs", "tensors_quantized",
  "tensors_refused", "elements_quantized", "original_bytes", "quantized_bytes", "version"];

/** Each `"field": number` of the text, as written. */
function numberTokens(text: string, field: string): string[] {
  return [...text.matchAll(new RegExp(`"${field}": (-?[0-9][0-9.eE+-]*)`, "g"))].map((m) => m[1]);
}

let report: Report;

beforeAll(async () => {
  const ckpt = testCheckpoint(tmp.path("m.safetensors"), [
    { name: "a.weight", dtype: "F32", shape: [4, 64], values: weights(256, 1) },
    { name: "zero.weight", dtype: "F32", shape: [2, 32], values: new Array(64).fill(0) },
  ]);
  const int8 = normalize({ dtype: "int8", granularity: "per_channel" });
  report = await reportCheckpoint(ckpt, [{ name: "int8", source: "int8.json", kind: "config", targets: configTargets(ckpt, int8) }], { threads: 1 });
  // Figures that happen to be integral doubles, as a wide-range tensor gives them.
  const cell = report.tensors[0].cells[0];
  cell.figures = { ...cell.figures!, maxAbsError: 9.223372036854897e18, rmse: 2, zeroedShare: 0 };
  cell.sums = { ...cell.sums!, sumX2: 1e300, sumE2: 4 };
  report.summaries[0].overallSqnrDb = 30;
});

describe("JSON report numbers", () => {
  it("writes every float field with a point or an exponent, reading back as the same double, and every count as an integer", () => {
    const text = renderReportJson(report);
    expect(text).toContain('"max_abs_error": 9.223372036854897e+18');
    expect(text).toContain('"rmse": 2.0');
    expect(text).toContain('"zeroed_share": 0.0');
    expect(text).toContain('"sum_sq_error": 4.0');
    expect(text).toContain('"overall_sqnr_db": 30.0');
    for (const f of FLOAT_FIELDS) {
      const tokens = numberTokens(text, f);
      expect(tokens.length, f).toBeGreaterThan(0);
      for (const t of tokens) expect(t, `${f}: ${t}`).toMatch(/[.eE]/);
    }
    for (const f of INT_FIELDS) for (const t of numberTokens(text, f)) expect(t, `${f}: ${t}`).toMatch(/^-?[0-9]+$/);
    // The zero tensor's SQNR is "inf" (a string), its sums exactly 0.0.
    expect(JSON.parse(text)).toEqual(reportJsonValue(report));
    expect((JSON.parse(text) as { tensors: Array<{ cells: Array<{ max_abs_error: number }> }> }).tensors[0].cells[0].max_abs_error).toBe(9.223372036854897e18);
  });

  it("floatJsonText: the same double back, always with a point or an exponent", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      const t = floatJsonText(v);
      expect(t).toMatch(/[.e]/);
      expect(Object.is(JSON.parse(t), v)).toBe(true);
    }), { numRuns: 2000 });
    for (const v of [0, -0, 1, 2, 1e15, 1e16, 2 ** 53, 2 ** 53 + 2, 9.223372036854897e18, 1e21, Number.MAX_VALUE, 5e-324]) {
      expect(Object.is(JSON.parse(floatJsonText(v)), v)).toBe(true);
    }
    expect([floatJsonText(2), floatJsonText(1e16), floatJsonText(-0), floatJsonText(Infinity)]).toEqual(["2.0", "1e+16", "-0.0", "null"]);
  });

  it("rewrites float fields only where they are properties, never text inside a string (a name holding a line break or U+2028)", () => {
    const write = floatFieldsWriter(["rmse"]);
    const value = { name: 'x\n  "rmse": 2,\n\u2028  "rmse": 3\u2028', rmse: 2, rmse_count: 2, cells: [{ rmse: 5 }, { rmse: 1.5, counted: 4 }], big: { rmse: 1e300 } };
    const text = write(JSON.stringify(value, null, 2));
    expect(JSON.parse(text)).toEqual(value);
    expect(text.match(/"rmse": [^,\n]*/g)).toEqual(['"rmse": 2.0', '"rmse": 5.0', '"rmse": 1.5', '"rmse": 1e+300']);
    expect(text).toContain('"rmse_count": 2,');
    // Each of several fields, and no field whose name runs them together.
    const two = floatFieldsWriter(["rmse", "sqnr_db"])(JSON.stringify({ rmse: 2, sqnr_db: 30, rmsesqnr_db: 4 }, null, 2));
    expect(two).toBe('{\n  "rmse": 2.0,\n  "sqnr_db": 30.0,\n  "rmsesqnr_db": 4\n}');
  });
});
