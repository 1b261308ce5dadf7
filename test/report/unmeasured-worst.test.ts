import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { renderReport } from "../../src/report/render.js";
import { tensorsBelow } from "../../src/report/threshold.js";
import { configTargets } from "../../src/report/targets.js";
import type { Report } from "../../src/report/types.js";
import { tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const INT8 = normalize({ dtype: "int8", granularity: "per_channel" });
let report: Report;
let withEmpty: Report;

beforeAll(async () => {
  // A 0-row weight is fake-quantized (torchao takes it) into nothing: no figure, and no value lost.
  const empty = testCheckpoint(tmp.path("empty.safetensors"), [
    { name: "ok.weight", dtype: "F32", shape: [2, 32], values: weights(64, 3) },
    { name: "empty.weight", dtype: "F32", shape: [0, 32], values: [] },
    { name: "nan.weight", dtype: "F32", shape: [2, 32], values: new Float32Array(64).fill(NaN) },
  ]);
  withEmpty = await reportCheckpoint(empty, [{ name: "int8", source: "int8.json", kind: "config", targets: configTargets(empty, INT8) }], { threads: 1 });
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

  it("has its figure cells blank in the table, empty in the CSV, null in the JSON; the summary counts what was left out", () => {
    const table = renderReport("table", report);
    expect(table).toMatch(/^nan\.weight +2×32 +F32 *$/m);
    expect(table).toMatch(/64 NaN and 0 inf inputs left out/);
    const csv = renderReport("csv", report).split("\n").find((l) => l.startsWith("nan.weight,"))!;
    expect(csv).toMatch(/^nan\.weight,2x32,F32,64,int8,quantized,--config,[^,]+,,,,,64,0,0,/);
    const json = JSON.parse(renderReport("json", report)) as { tensors: Array<{ name: string; cells: Array<{ sqnr_db: unknown; rmse: unknown; max_abs_error: unknown }> }> };
    const cell = json.tensors.find((t) => t.name === "nan.weight")!.cells[0];
    expect([cell.sqnr_db, cell.rmse, cell.max_abs_error]).toEqual([null, null, null]);
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

describe("an empty tensor (a 0 dimension), fake-quantized into nothing", () => {
  it("is quantized without figures, as the JSON says", () => {
    const cell = withEmpty.tensors[1].cells[0];
    expect(cell.status).toBe("quantized");
    expect(cell.figures?.sqnrDb).toBeNull();
  });

  it("passes --fail-under at any threshold, where a tensor with values but none finite fails", () => {
    expect(tensorsBelow(withEmpty, -1000).map((b) => b.tensor)).toEqual(["nan.weight"]);
  });

  it("is not among the summary's worst tensors, nor what --worst or --sort sqnr put first", () => {
    expect(withEmpty.summaries[0].worst.map((w) => w.name)).toEqual(["nan.weight", "ok.weight"]);
    const rows = (text: string) => text.split("\n").filter((l) => /^(ok|nan|empty)\.weight/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(rows(renderReport("table", withEmpty, { worst: 2 }))).toEqual(["ok.weight", "nan.weight"]);
    expect(rows(renderReport("table", withEmpty, { sort: "sqnr" }))).toEqual(["nan.weight", "ok.weight", "empty.weight"]);
  });
});
