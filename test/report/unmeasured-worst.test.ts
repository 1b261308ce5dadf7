import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { renderReport } from "../../src/report/render.js";
import { configTargets } from "../../src/report/targets.js";
import type { Report } from "../../src/report/types.js";
import { tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INT8 = normalize({ dtype: "int8", granularity: "per_channel" });
let report: Report;

beforeAll(async () => {
  const ckpt = testCheckpoint(tmp.path("unmeasured.safetensors"), [
    { name: "nan.weight", dtype: "F32", shape: [2, 32], values: new Float32Array(64).fill(NaN) },
    { name: "ok.weight", dtype: "F32", shape: [2, 32], values: weights(64, 3) },
  ]);
  report = await reportCheckpoint(ckpt, [{ name: "int8", source: "int8.json", kind: "config", targets: configTargets(ckpt, INT8) }], { threads: 1 });
});

describe("a worst tensor with no finite value to measure", () => {
  it("ranks first and has no SQNR in the JSON", () => {
    expect(report.summaries[0].worst[0]).toEqual({ name: "nan.weight", sqnrDb: null });
  });

  it("says so in the table, markdown and html summaries instead of an empty figure", () => {
    const table = renderReport("table", report);
    expect(table).toMatch(/worst: nan\.weight \(no finite values\), ok\.weight \d+\.\d\d dB/);
    expect(table).not.toContain("nan.weight  dB");
    expect(renderReport("markdown", report)).toMatch(/nan\.weight \(no finite values\), ok\.weight \d+\.\d\d \|/);
    expect(renderReport("html", report)).toContain("<span>nan (no finite values)</span>");
  });
});
