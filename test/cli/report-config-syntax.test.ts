import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
writeFileSync(tmp.path("w.npy"), Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [2, 16] }), Buffer.from(weights(32, 9).buffer)]));

describe("fqc report exit status for a bad config or recipe", () => {
  it("is 2 for a config that is not valid JSON or YAML, as for validate, normalize and apply", () => {
    writeFileSync(tmp.path("syntax.json"), '{"dtype": "int4",');
    const r = runFqc(["report", "w.npy", "-c", "syntax.json"], { cwd: tmp.dir });
    expect(r.stderr).toContain("fqc/syntax");
    expect(r.code).toBe(2);
    expect(runFqc(["apply", "w.npy", "out.npy", "-c", "syntax.json"], { cwd: tmp.dir }).code).toBe(2);
  });

  it("is 2 for a recipe with a YAML syntax error", () => {
    writeFileSync(tmp.path("recipe.yaml"), "fqn_to_config:\n  _default: [unclosed\n");
    expect(runFqc(["report", "w.npy", "-r", "recipe.yaml"], { cwd: tmp.dir }).code).toBe(2);
  });

  it("is 1 for a well-formed config torchao would refuse, and nothing is reported", () => {
    writeFileSync(tmp.path("conflict.json"), '{"dtype": "int4", "granularity": "per_channel", "group_size": 32}');
    const r = runFqc(["report", "w.npy", "-c", "conflict.json"], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("torchao/group-size-conflict");
    expect(r.stdout).toBe("");
  });
});
