/**
 * `fqc report -o FILE`: the report's temp file is created before the pass over the model, so a FILE that cannot be
 * written (no such directory, a directory, a device, a trailing slash) is refused at once rather than after a pass
 * that can take minutes. In-process, with the pass watched.
 */
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { reportCheckpointAs } from "../../src/report/pass.js";
import { safetensorsBytes } from "../checkpoint/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

vi.mock("../../src/report/pass.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/report/pass.js")>();
  return { ...real, reportCheckpointAs: vi.fn(real.reportCheckpointAs) };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const model = tmp.write("m.safetensors", safetensorsBytes([{ name: "a.weight", dtype: "F32", shape: [4, 64] }]));
const cfg = tmp.write("cfg.json", '{"dtype": "int4", "group_size": 32}');
fs.mkdirSync(tmp.path("taken"));
const temps = () => fs.readdirSync(tmp.dir).filter((f) => f.includes(".fqc-"));

beforeEach(() => {
  vi.mocked(reportCheckpointAs).mockClear();
});

describe("report -o refuses a file it cannot write before the pass", () => {
  it.each([
    ["in a directory that does not exist", "missing/r.json", "cannot create a temporary file in its directory: no such file or directory"],
    ["that is a directory", "taken", "is a directory"],
    ["that ends with a slash", "r.json/", "ends with a slash"],
  ])("a report file %s: exit 2, the model never read", async (_, name, says) => {
    const out = name.endsWith("/") ? `${tmp.path(name)}/` : tmp.path(name);
    const r = await runMain(["report", model, "-c", cfg, "-o", out, "--no-progress"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(says);
    expect(reportCheckpointAs).not.toHaveBeenCalled();
    expect(temps()).toEqual([]);
  });

  it("writes a report it can write after the pass, leaving no temp file", async () => {
    const out = tmp.path("r.json");
    const r = await runMain(["report", model, "-c", cfg, "-o", out, "--no-progress"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(reportCheckpointAs).toHaveBeenCalledTimes(1);
    expect(JSON.parse(fs.readFileSync(out, "utf8")).tensors).toHaveLength(1);
    expect(path.basename(out)).toBe("r.json");
    expect(temps()).toEqual([]);
  });

  it("refuses --worst above 2^53 as a usage error before the pass, leaving no temp file", async () => {
    const r = await runMain(["report", model, "-c", cfg, "-o", tmp.path("w.json"), "--worst", "9007199254740993", "--no-progress"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('--worst needs a positive whole number of tensors, not "9007199254740993"');
    expect(reportCheckpointAs).not.toHaveBeenCalled();
    expect(temps()).toEqual([]);
  });
});
