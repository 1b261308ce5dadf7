import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { columnNames } from "../../src/cli/commands/report-run.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("report column names", () => {
  it("are the file names without extension, or the paths as given where two files share a name", () => {
    expect(columnNames(["int4.json", "int8.yaml"])).toEqual(["int4", "int8"]);
    expect(columnNames(["a.json", "b/a.json", "a.yaml"])).toEqual(["a.json", "b/a.json", "a.yaml"]);
  });

  it("number a file given twice, so that every column (and every JSON cell's column) has its own name", () => {
    expect(columnNames(["a.json", "b/a.json", "a.json"])).toEqual(["a.json", "b/a.json", "a.json #2"]);
    expect(columnNames(["x.json", "x.json", "x.json"])).toEqual(["x.json", "x.json #2", "x.json #3"]);
    // A label that is already some file's path is not reused.
    expect(columnNames(["a.json #2", "a.json", "a.json"])).toEqual(["a.json #2", "a.json", "a.json #3"]);
  });

  it("fqc report -c A -c B/A -c A gives three distinct columns in the JSON", () => {
    mkdirSync(tmp.path("b"));
    const cfg = JSON.stringify({ dtype: "int4", group_size: 8 });
    writeFileSync(tmp.path("a.json"), cfg);
    writeFileSync(tmp.path("b/a.json"), cfg);
    writeFileSync(tmp.path("w.npy"), Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [2, 16] }), Buffer.from(weights(32, 5).buffer)]));
    const r = runFqc(["report", "w.npy", "-c", "a.json", "-c", "b/a.json", "-c", "a.json", "-f", "json"], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { columns: Array<{ name: string }>; tensors: Array<{ cells: Array<{ column: string }> }> };
    expect(json.columns.map((c) => c.name)).toEqual(["a.json", "b/a.json", "a.json #2"]);
    expect(json.tensors[0].cells.map((c) => c.column)).toEqual(["a.json", "b/a.json", "a.json #2"]);
  });
});
