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
    { name: "ok.weight", dtype: "F32", shape: [2, 32], values: weights(64, 3) },
    { name: "nan.weight", dtype: "F32", shape: [2, 32], values: new Float32Array(64).fill(NaN) },
    { name: "norm", dtype: "F32", shape: [32], values: weights(32, 4) },
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

  it("is the row --worst 1 keeps and --sort sqnr puts first, as --fail-under counts it below any threshold", () => {
    const rows = (text: string) => text.split("\n").filter((l) => /^(ok|nan)\.weight|^norm/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(rows(renderReport("table", report, { worst: 1 }))).toEqual(["nan.weight"]);
    expect(rows(renderReport("table", report, { sort: "sqnr" }))).toEqual(["nan.weight", "ok.weight", "norm"]);
    expect(renderReport("csv", report, { worst: 1 }).trim().split("\n").slice(1).map((l) => l.split(",")[0])).toEqual(["nan.weight"]);
  });
});
