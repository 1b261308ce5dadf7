/** Tensor counts in apply's and report's summary lines are written with thousands separators, as element counts are. */
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";
import { writeSafetensors, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const model = tmp.path("m.safetensors");
writeSafetensors(model, Array.from({ length: 1200 }, (_, i) => ({ name: `l${i}.weight`, dtype: "F32" as const, shape: [1, 32], values: weights(32, i + 1) })));
const cfg = tmp.write("cfg.json", JSON.stringify({ dtype: "int4", group_size: 32 }));

describe("1,200 tensors", () => {
  it("apply's summary", async () => {
    const r = await runMain(["apply", model, tmp.path("out.safetensors"), "-c", cfg, "-j", "1"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("(safetensors, 1,200 tensors, ");
    expect(r.stdout).toContain(": 1,200 fake-quantized (38,400 elements), 0 copied as they are");
  });

  it.each([["table", "1,200 tensors, torchao"], ["markdown", "1,200 tensors (safetensors)"], ["html", "1,200 tensors (safetensors)"]])("report -f %s", async (format, heading) => {
    const r = await runMain(["report", model, "-c", cfg, "-f", format, "-j", "1"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(heading);
    if (format === "table") expect(r.stdout).toContain("1,200 tensors fake-quantized");
  });
});
