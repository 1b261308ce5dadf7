import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONFORMANCE, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const write = tmp.write;
const entries = JSON.parse(readFileSync(path.join(CONFORMANCE, "normalize.json"), "utf8")) as Array<{ id: string; config: object; normalized: object }>;

describe("fqc normalize", () => {
  it("prints torchao's normalized config for shorthand input", () => {
    for (const e of entries.filter((_, i) => i % 9 === 0)) {
      const f = write(`${e.id}.json`, JSON.stringify(e.config));
      const r = runFqc(["normalize", f]);
      expect(r.code, e.id).toBe(0);
      expect(JSON.parse(r.stdout), e.id).toEqual(e.normalized);
      expect(Object.keys(JSON.parse(r.stdout))).toEqual(Object.keys(e.normalized));
    }
  });

  it("normalizes a QAT pair into {activation, weight}", () => {
    const r = runFqc(["normalize", "examples/8da4w.json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(["activation", "weight"]);
    expect(doc.weight.granularity).toEqual({ type: "PerGroup", group_size: 32 });
  });

  it("--check exits 1 for a non-canonical file and 0 once --write fixed it (atomically)", () => {
    const f = write("shorthand.json", '{"dtype": "int4", "group_size": 32}');
    const check = runFqc(["normalize", "--check", f]);
    expect(check.code).toBe(1);
    expect(check.stdout).toBe("");
    expect(check.stderr).toContain("not canonical");
    expect(runFqc(["normalize", "--write", f]).code).toBe(0);
    expect(runFqc(["normalize", "--check", f]).code).toBe(0);
    expect(JSON.parse(readFileSync(f, "utf8")).granularity).toEqual({ type: "PerGroup", group_size: 32 });
    expect(readdirSync(tmp.dir).filter((x) => x.endsWith(".tmp"))).toEqual([]);
  });

  it("is idempotent: normalizing canonical output changes nothing", () => {
    const f = write("idem.json", runFqc(["normalize", "examples/8da4w.json"]).stdout);
    const again = runFqc(["normalize", f]);
    expect(again.stdout).toBe(readFileSync(f, "utf8"));
    expect(runFqc(["validate", f]).code).toBe(0);
  });

  it("keeps YAML files YAML with --write", () => {
    const f = write("cfg.yaml", "dtype: int4\ngroup_size: 32\n");
    expect(runFqc(["normalize", "--write", f]).code).toBe(0);
    const text = readFileSync(f, "utf8");
    expect(text).toMatch(/^dtype: int4$/m);
    expect(text).toMatch(/type: PerGroup/);
    expect(runFqc(["normalize", "--check", f]).code).toBe(0);
  });

  it("--write keeps a file's $schema and its YAML modeline", () => {
    const j = write("with-schema.json", '{"$schema": "../schema/fqc.schema.json", "dtype": "int8", "granularity": "per_channel"}');
    expect(runFqc(["normalize", "--write", j]).code).toBe(0);
    const doc = JSON.parse(readFileSync(j, "utf8"));
    expect(Object.keys(doc)[0]).toBe("$schema");
    expect(doc.granularity).toEqual({ type: "PerAxis", axis: 0 });
    const y = write("with-modeline.yaml", "# yaml-language-server: $schema=../schema/fqc.schema.json\ndtype: int8\ngranularity: per_channel\n");
    expect(runFqc(["normalize", "--write", y]).code).toBe(0);
    expect(readFileSync(y, "utf8")).toMatch(/^# yaml-language-server: \$schema=/);
    expect(runFqc(["normalize", "--check", j, y]).code).toBe(0);
  });

  it("exits 1 with torchao's message for an invalid config", () => {
    const f = write("bad.json", '{"dtype": "int4", "granularity": "per_group"}');
    const r = runFqc(["normalize", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Granularity was 'per_group' but no `group_size` was set");
  });
});
