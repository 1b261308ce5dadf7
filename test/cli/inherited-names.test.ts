/**
 * Names every JavaScript object inherits ("constructor", "toString", "__proto__", …) written where a file or a command line
 * gives a name: looked up in one of fqc's own tables, each once read an Object method as an entry.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { normalize, validate } from "../../src/index.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const INHERITED = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__", "isPrototypeOf"];
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("inherited property names as values and keys", () => {
  it("names an inherited name as the dtype torchao refuses, as written", () => {
    for (const d of INHERITED) {
      const [first] = validate({ dtype: d, group_size: 32 }).diagnostics;
      expect(first.message, d).toMatch(new RegExp(`^Unsupported dtype 'torch\\.${d}', choose from \\[torch\\.int8, `));
    }
  });

  it("refuses an inherited name as a precision: normalize does not drop it and print a config meaning something else", () => {
    for (const p of INHERITED) {
      for (const key of ["scale_precision", "zero_point_precision"]) {
        expect(() => normalize({ dtype: "int4", group_size: 32, [key]: p }), `${key} ${p}`).toThrow(/is not a torch dtype|must be one of/);
      }
    }
    // torch's own aliases still name their dtype.
    expect(normalize({ dtype: "int4", group_size: 32, scale_precision: "half" })).toMatchObject({ scale_precision: "float16" });
  });

  it("refuses such a precision in `fqc normalize` (exit 1), printing no canonical form", async () => {
    const file = tmp.write("p.json", '{"dtype": "int4", "group_size": 32, "scale_precision": "toString"}');
    const r = await runMain(["normalize", file], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('"toString"');
  });

  it("rewrites a commented YAML recipe in torchao's envelope whose tensor is named after one, losing none of its comments", async () => {
    for (const name of INHERITED) {
      const file = tmp.write(`env-${name}.yaml`, [
        "# top",
        "_type: FqnToConfig",
        "_version: 1",
        "_data:",
        "  fqn_to_config:",
        `    ${name}: # the tensor's own comment`,
        "      _type: QATConfig",
        "      _version: 1",
        "      _data:",
        "        weight_config:",
        "          _type: IntxFakeQuantizeConfig",
        "          _version: 1",
        "          _data:",
        "            dtype: {_type: torch.dtype, _data: int4}",
        "            group_size: 32 # g",
        "",
      ].join("\n"));
      const r = await runMain(["normalize", "--write", file], { cwd: tmp.dir });
      expect(r.stderr, name).not.toContain("internal error");
      expect(r.code, name).toBe(0);
      const text = readFileSync(file, "utf8");
      expect(text).toContain("# top");
      // The envelope's keys have no counterpart in the plain form: their comments are carried to the end, none lost.
      expect(text).toContain("# the tensor's own comment");
      expect(text).toContain("# g");
      expect(text).toContain(`${name}:`);
    }
  });

  it("calls --no-<inherited name> an unknown argument, not an option that takes a value", async () => {
    const cfg = tmp.write("g32.json", '{"dtype":"int4","group_size":32}');
    for (const name of ["constructor", "toString", "hasOwnProperty"]) {
      const r = await runMain(["validate", cfg, `--no-${name}`], { cwd: tmp.dir });
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).not.toContain("takes a value");
      expect(r.stderr, name).toMatch(/Unknown argument/);
      // At the end of the line, not "needs a value" either.
      const end = await runMain(["validate", cfg, `--${name}`], { cwd: tmp.dir });
      expect(end.code, name).toBe(2);
      expect(end.stderr, name).not.toContain("needs a value");
    }
  });
});
