/**
 * `fqc report -o FILE` renders markdown and HTML whole after the pass, and that can fail (a report longer than a
 * string can hold): the run then ends with the renderer's message and exit 2, and its temp file is removed, as
 * after any other failure. In-process, with the renderer made to fail.
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it, vi } from "vitest";
import { FqcError } from "../../src/errors.js";
import { safetensorsBytes } from "../checkpoint/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

vi.mock("../../src/report/render.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/report/render.js")>();
  return {
    ...real,
    reportPiecesForCli: vi.fn((command: "report" | "apply", format: string, ...rest: Parameters<typeof real.reportPiecesForCli> extends [unknown, unknown, ...infer R] ? R : never) => {
      if (format === "markdown") throw new FqcError("IO", "m.safetensors: the markdown report is longer than a string can hold (over 512 MB of text)");
      return real.reportPiecesForCli(command, format as "table", ...rest);
    }),
  };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const model = tmp.write("m.safetensors", safetensorsBytes([{ name: "a.weight", dtype: "F32", shape: [4, 64] }]));
const cfg = tmp.write("cfg.json", '{"dtype": "int4", "group_size": 32}');
const temps = () => fs.readdirSync(tmp.dir).filter((f) => f.includes(".fqc-"));

describe("report -o when the report cannot be rendered", () => {
  it("removes its temp file when rendering the report fails after the pass", async () => {
    const out = tmp.path("r.md");
    const r = await runMain(["report", model, "-c", cfg, "-o", out, "--no-progress"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("longer than a string can hold");
    expect(fs.existsSync(out)).toBe(false);
    expect(temps()).toEqual([]);
  });

  it("still writes a format that renders", async () => {
    const out = tmp.path("r.json");
    const r = await runMain(["report", model, "-c", cfg, "-o", out, "--no-progress"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, "utf8")).tensors).toHaveLength(1);
    expect(temps()).toEqual([]);
  });
});
