/**
 * `apply --report FILE`: the report's file is created with the outputs, so a
 * --report that cannot be written stops the run before anything is written
 * (it used to be written after OUT had been committed: exit 2, yet OUT there),
 * and the report is committed with them.
 */
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { safetensorsBytes, writeSharded, type TensorSpec } from "../checkpoint/helpers.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { reportFormatFor } from "../../src/cli/apply-report.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const CFG = '{"dtype": "int4", "group_size": 32}\n';
const WEIGHTS: TensorSpec[] = [{ name: "a.weight", dtype: "F32", shape: [4, 64] }, { name: "b.weight", dtype: "F32", shape: [4, 64] }];
let seq = 0;

/** A fresh directory with cfg.json, the model of the given form and an existing directory `taken/`; returns [dir, model]. */
function workdir(form: "npy" | "safetensors" | "sharded"): [string, string] {
  const dir = tmp.path(`w${seq++}`);
  fs.mkdirSync(path.join(dir, "taken"), { recursive: true });
  fs.writeFileSync(path.join(dir, "cfg.json"), CFG);
  if (form === "npy") {
    fs.copyFileSync(path.join(ROOT, "examples/weight.npy"), path.join(dir, "w.npy"));
    return [dir, path.join(dir, "w.npy")];
  }
  if (form === "safetensors") {
    fs.writeFileSync(path.join(dir, "m.safetensors"), safetensorsBytes(WEIGHTS));
    return [dir, path.join(dir, "m.safetensors")];
  }
  writeSharded(path.join(dir, "ck"), [{ file: "model-00001-of-00002.safetensors", tensors: [WEIGHTS[0]] }, { file: "model-00002-of-00002.safetensors", tensors: [WEIGHTS[1]] }]);
  return [dir, path.join(dir, "ck")];
}

/** Every path under dir (recursively), to see that a refused run left nothing behind. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

const OUT = { npy: "o.npy", safetensors: "o.safetensors", sharded: "out" } as const;

describe("apply refuses a --report it cannot write before writing anything", () => {
  const targets: Array<[string, (dir: string) => string, string]> = [
    ["in a directory that does not exist", (dir) => path.join(dir, "missing", "r.json"), "cannot create a temporary file in its directory: no such file or directory"],
    ["that is a directory", (dir) => path.join(dir, "taken"), "is a directory"],
    ["that is a device", () => "/dev/null", "is a character device, not a regular file"],
  ];
  const cases = (["npy", "safetensors", "sharded"] as const).flatMap((form) => targets.map(([what, target, says]) => [form, what, target, says] as const));
  it.each(cases)("%s: a --report %s", (form, _what, target, says) => {
    const [dir, model] = workdir(form);
    const before = tree(dir);
    const report = target(dir);
    const r = runFqc(["apply", model, path.join(dir, OUT[form]), "-c", path.join(dir, "cfg.json"), "--report", report, "-q"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${report}: ${says}`);
    expect(r.stderr.split("\n").filter(Boolean).filter((l) => !l.startsWith("  hint:"))).toHaveLength(1);
    expect(tree(dir)).toEqual(before);
  });
});

describe("apply --report is written with the outputs", () => {
  it("writes the report and OUT together, the report the bytes `fqc report` prints", () => {
    const [dir, model] = workdir("sharded");
    const report = path.join(dir, "r.md");
    const r = runFqc(["apply", model, path.join(dir, "out"), "-c", path.join(dir, "cfg.json"), "--report", report, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(path.join(dir, "out")).sort()).toEqual(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"]);
    const alone = runFqc(["report", model, "-c", path.join(dir, "cfg.json"), "-f", "markdown"]);
    expect(alone.code, alone.stderr).toBe(0);
    expect(fs.readFileSync(report, "utf8")).toBe(alone.stdout);
    expect(tree(dir).filter((f) => f.includes(".fqc-"))).toEqual([]);
  });

  it("replaces an existing report in a directory OUT's run also writes to", () => {
    const [dir, model] = workdir("safetensors");
    const report = path.join(dir, "taken", "r.json");
    fs.writeFileSync(report, "old");
    const r = runFqc(["apply", model, path.join(dir, "taken"), "-c", path.join(dir, "cfg.json"), "--report", report, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(report, "utf8")).version).toBe(1);
    expect(fs.existsSync(path.join(dir, "taken", "m.safetensors"))).toBe(true);
  });
});

describe("--report's format, from its file name", () => {
  it("takes each extension the README names, in any case; anything else is the text table", () => {
    const cases: Array<[string, string]> = [
      ["r.json", "json"], ["r.csv", "csv"], ["r.md", "markdown"], ["r.markdown", "markdown"], ["r.html", "html"], ["r.htm", "html"],
      ["R.MARKDOWN", "markdown"], ["r.HTM", "html"], ["r.txt", "table"], ["report", "table"],
    ];
    for (const [file, format] of cases) expect(reportFormatFor(file), file).toBe(format);
  });
});
