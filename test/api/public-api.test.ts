/** The package's public API opens a model, plans, reports and applies, as a library user would (no CLI). */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as fqc from "../../src/index.js";
import { ROOT } from "../helpers/cli.js";

const model = path.join(ROOT, "examples/llama-tiny/model.safetensors");
const dir = mkdtempSync(path.join(tmpdir(), "fqc-api-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the public API on a checkpoint", () => {
  it("opens the example checkpoint, plans a recipe on it and reports one column", async () => {
    const ckpt = fqc.openCheckpoint(model);
    try {
      expect(ckpt.format).toBe("safetensors");
      const recipe = fqc.normalizeDocument(readFileSync(path.join(ROOT, "examples/llama-recipe.json"), "utf8"));
      if (recipe.kind !== "recipe") throw new Error("not a recipe");
      const plan = fqc.planTensors(ckpt.tensors, { recipe: recipe.recipe });
      expect(plan.filter((e) => e.action === "quantize").length).toBeGreaterThan(0);
      expect(plan.find((e) => e.tensor.name === "model.embed_tokens.weight")?.action).toBe("skip");
      const config = fqc.normalize({ dtype: "int4", group_size: 32 });
      const report = await fqc.reportCheckpoint(ckpt, [{ name: "int4", source: "int4", kind: "config", targets: fqc.configTargets(ckpt, config) }], { threads: 1 });
      expect(report.tensors.length).toBe(ckpt.tensors.length);
      expect(fqc.renderReport("json", report)).toContain('"version": 1');
      expect([...fqc.reportPieces("json", report)].join("")).toBe(fqc.renderReport("json", report));
    } finally {
      ckpt.close();
    }
  });

  it("applies a config to the checkpoint, writing a safetensors file of the same layout", async () => {
    const out = path.join(dir, "out.safetensors");
    await fqc.applyCheckpoint({ input: model, output: out, select: { config: fqc.normalize({ dtype: "int8", granularity: "per_channel" }) }, threads: 1 });
    expect(existsSync(out)).toBe(true);
    const a = fqc.openCheckpoint(model);
    const b = fqc.openCheckpoint(out);
    try {
      expect(b.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(a.tensors.map((t) => [t.name, t.dtype, t.shape]));
    } finally {
      a.close();
      b.close();
    }
  });
});
