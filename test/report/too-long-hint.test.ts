// A report too long for one string: the refusal's hint names what the caller can change, in the caller's terms.
import { describe, expect, it, vi } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import { reportCheckpoint } from "../../src/report/pass.js";
import { renderReport, reportPieces, reportPiecesForCli } from "../../src/report/render.js";
import { configTargets } from "../../src/report/targets.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";
import { FqcError } from "../../src/errors.js";
import { tempDir } from "../helpers/cli.js";
import path from "node:path";
import { afterAll } from "vitest";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// V8's own error for a string past its maximum length, which a real 512 MB report would raise.
vi.mock("../../src/report/render-markdown.js", () => ({
  renderReportMarkdown: () => { throw new RangeError("Invalid string length"); },
}));

async function smallReport() {
  const ck = testCheckpoint(path.join(tmp.dir, "m.safetensors"), [{ name: "a.weight", dtype: "F32", shape: [2, 32], values: weights(64, 1) }]);
  const cfg = normalize({ dtype: "int4", granularity: "per_group", group_size: 32 });
  return reportCheckpoint(ck, [{ name: "int4", source: "c.json", kind: "config", targets: configTargets(ck, cfg) }]);
}

function hintOf(render: () => unknown): string {
  try {
    render();
  } catch (e) {
    expect(e).toBeInstanceOf(FqcError);
    expect((e as FqcError).message).toMatch(/the markdown report is longer than a string can hold \(over 512 MB of text\)$/);
    return (e as FqcError).hint ?? "";
  }
  throw new Error("no refusal");
}

describe("a markdown report longer than a string can hold", () => {
  it("tells renderReport's caller to set options.worst or call reportPieces, not a flag", async () => {
    const report = await smallReport();
    const hint = hintOf(() => renderReport("markdown", report));
    expect(hint).toMatch(/options\.worst/);
    expect(hint).toMatch(/reportPieces/);
    expect(hint).not.toMatch(/--/);
  });

  it("tells reportPieces' caller to set options.worst or use a format it gives in pieces", async () => {
    const report = await smallReport();
    const hint = hintOf(() => [...reportPieces("markdown", report)]);
    expect(hint).toMatch(/options\.worst/);
    expect(hint).toMatch(/table, csv or json/);
    expect(hint).not.toMatch(/--/);
  });

  it("tells fqc report's user --worst N", async () => {
    const report = await smallReport();
    expect(hintOf(() => [...reportPiecesForCli("report", "markdown", report)])).toMatch(/^Use --worst N to list fewer tensors/);
  });

  it("tells fqc apply --report's user to name the report .json or .csv, apply having no --worst", async () => {
    const report = await smallReport();
    const hint = hintOf(() => [...reportPiecesForCli("apply", "markdown", report)]);
    expect(hint).toMatch(/^Name the --report file \.json or \.csv/);
    expect(hint).toMatch(/fqc report with --worst N/);
  });
});
