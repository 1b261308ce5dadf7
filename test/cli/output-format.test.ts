/** Without --format, `-o`'s extension picks the format: `-o fqc.sarif` writes SARIF, `-o r.html` HTML. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatFor } from "../../src/cli/output-format.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("formatFor", () => {
  const table = { sarif: "sarif", json: "json" } as const;
  it("keeps a format given on the command line, whatever the extension", () => {
    expect(formatFor<string>("stylish", "out.sarif", table, "stylish")).toBe("stylish");
  });
  it("takes the extension's format, in any case", () => {
    expect(formatFor<string>(undefined, "ci/fqc.sarif", table, "stylish")).toBe("sarif");
    expect(formatFor<string>(undefined, "OUT.JSON", table, "stylish")).toBe("json");
  });
  it("falls back to the default for other extensions, none, and inherited names", () => {
    for (const output of ["out.txt", "out", "dir.sarif/out", undefined, "x.constructor", "x.toString"]) {
      expect(formatFor<string>(undefined, output, table, "stylish")).toBe("stylish");
    }
  });
});

describe("fqc validate -o", () => {
  const broken = path.join(ROOT, "examples/broken/typo-group-size.json");
  it("writes SARIF to a .sarif file and JSON to a .json file", () => {
    const sarif = tmp.path("fqc.sarif");
    expect(runFqc(["validate", broken, "-o", sarif]).code).toBe(1);
    expect(JSON.parse(readFileSync(sarif, "utf8")).version).toBe("2.1.0");
    const json = tmp.path("out.json");
    runFqc(["validate", broken, "-o", json]);
    expect(JSON.parse(readFileSync(json, "utf8")).files[0].diagnostics.length).toBeGreaterThan(0);
  });
  it("writes stylish text elsewhere, and what --format says always", () => {
    const txt = tmp.path("out.txt");
    runFqc(["validate", broken, "-o", txt]);
    expect(readFileSync(txt, "utf8")).toMatch(/problem/);
    const forced = tmp.path("forced.sarif");
    runFqc(["validate", broken, "-o", forced, "-f", "json"]);
    expect(JSON.parse(readFileSync(forced, "utf8")).files).toBeDefined();
  });
});

describe("fqc report -o", () => {
  const weight = path.join(ROOT, "examples/weight.npy");
  const cfg = path.join(ROOT, "examples/int4-weight-per-group.json");
  it.each([
    ["r.html", /^<!DOCTYPE html>/i],
    ["R.HTM", /^<!DOCTYPE html>/i],
    ["r.md", /^### fqc report/],
    ["r.csv", /^tensor,shape,dtype,/],
    ["r.json", /^\{/],
    ["r.txt", /^\S.*tensors?/],
  ])("%s", (name, start) => {
    const out = tmp.path(name);
    const r = runFqc(["report", weight, "-c", cfg, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(start);
  });
});
