/**
 * `report -f markdown` is meant for $GITHUB_STEP_SUMMARY, which GitHub drops whole past 1 MiB: the tensor table
 * stops short of it and says how many tensors it left out. A checkpoint of 20,000 tensors (a mixture-of-experts
 * model) would make ~2 MB of Markdown.
 */
import { describe, expect, it } from "vitest";
import type { Checkpoint, CheckpointTensor } from "../../src/checkpoint/types.js";
import { normalize } from "../../src/config/normalize.js";
import { SUMMARY_MAX_BYTES } from "../../src/diagnostics/format-markdown.js";
import { reportFromSums } from "../../src/report/pass.js";
import { renderReportMarkdown } from "../../src/report/render-markdown.js";
import { SLOTS, statSums } from "../../src/report/stats.js";
import { configTargets } from "../../src/report/targets.js";

const INT4 = normalize({ dtype: "int4", granularity: "per_group", group_size: 32 });

function manyTensors(n: number) {
  const tensors: CheckpointTensor[] = Array.from({ length: n }, (_, index) => ({
    index, name: `model.layers.${index}.mlp.experts.${index % 128}.up_proj.weight`, dtype: "BF16" as const, shape: [2, 32], byteLength: 128,
    file: "moe.safetensors", dataOffset: 8 + 128 * index, byteOrder: "little" as const, fortranOrder: false,
  }));
  const ckpt = { path: "moe.safetensors", format: "safetensors" as const, tensors, metadata: null, stream: () => [], close: () => undefined } as unknown as Checkpoint;
  // Σx² = 64 + i, Σe² = 1: a different SQNR per tensor.
  const acc = (i: number) => Float64Array.from({ length: SLOTS }, (_, k) => (k === 0 ? 64 + i : k === 1 ? 1 : k === 3 ? 64 : 0));
  const sums = tensors.map((_, i) => [acc(i), acc(i)]);
  return reportFromSums(ckpt, [
    { name: "int4", source: "int4.json", kind: "config", targets: configTargets(ckpt, INT4) },
    { name: "int4-again", source: "int4-again.json", kind: "config", targets: configTargets(ckpt, INT4) },
  ], (i, c) => statSums(sums[i][c]));
}

describe("report markdown for a job summary", () => {
  it("stops its tensor table under GitHub's 1 MiB step summary limit, saying how many tensors it left out", () => {
    const report = manyTensors(20_000);
    const md = renderReportMarkdown(report);
    const bytes = Buffer.byteLength(md);
    expect(bytes).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(bytes).toBeGreaterThan(SUMMARY_MAX_BYTES - 1_000);
    const listed = md.split("\n").filter((l) => l.startsWith("| model.layers.")).length;
    expect(listed).toBeGreaterThan(5_000);
    expect(md).toContain(`\n${(20_000 - listed).toLocaleString("en-US")} more tensors not in this table: GitHub takes at most 1 MiB of job summary`);
    // The summary above the table is whole.
    expect(md).toMatch(/\| int4-again \| 20000 \| /);
  });

  it("lists every tensor when they fit, with no note", () => {
    const md = renderReportMarkdown(manyTensors(50));
    expect(md.split("\n").filter((l) => l.startsWith("| model.layers.")).length).toBe(50);
    expect(md).not.toContain("not in this table");
  });

  it("cuts by the bytes it is given, keeping the order asked for (--sort sqnr: the lowest first)", () => {
    const md = renderReportMarkdown(manyTensors(50), { sort: "sqnr" }, 3_000);
    const rows = md.split("\n").filter((l) => l.startsWith("| model.layers."));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(50);
    expect(rows[0]).toMatch(/^\| model\.layers\.0\\?\./);
    expect(md).toContain(`${50 - rows.length} more tensors not in this table`);
  });
});
