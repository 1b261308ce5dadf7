/**
 * Issue 13 item 5: validate() lists at most `maxProblems` diagnostics and counts the rest, without wording or
 * placing them. The listed ones must be exactly the first ones of the full report, and the count exact.
 */
import { afterAll, describe, expect, it } from "vitest";
import { checkDocument } from "../../src/config/document.js";
import { VALUE_NUMBER_KINDS } from "../../src/config/pyrepr.js";
import { keyBudget } from "../../src/config/unknown-keys.js";
import { validate, type ValidateOptions } from "../../src/config/validate.js";
import { keysInSourceOrder } from "../../src/diagnostics/json-positions.js";
import { BLOCK_YAML_MIN_LENGTH } from "../../src/diagnostics/source.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const keys = (n: number, name: (i: number) => string = (i) => `k${i}`) => Object.fromEntries(Array.from({ length: n }, (_, i) => [name(i), i]));
/** A permutation of 0..n-1 (a multiplier prime to n), so integer-like keys are written out of numeric order. */
const scrambled = (n: number) => (i: number) => String((i * 7919 + 13) % n);

/** The capped result must be the uncapped one cut at `max`, with the cut-off part counted by severity. */
function expectCapIsCut(text: string, max: number, opts: ValidateOptions = {}): void {
  const full = validate(text, opts);
  const capped = validate(text, { ...opts, maxProblems: max });
  expect(capped.diagnostics).toStrictEqual(full.diagnostics.slice(0, max));
  const rest = full.diagnostics.slice(max);
  expect(capped.unlisted).toStrictEqual({
    errorCount: rest.filter((d) => d.severity === "error").length,
    warningCount: rest.filter((d) => d.severity === "warning").length,
  });
  expect(capped.document).toStrictEqual(full.document);
}

describe("validate with maxProblems", () => {
  it("lists 100 of 200,000 unknown keys and counts the other 199,900 exactly", () => {
    const text = JSON.stringify({ dtype: "int4", group_size: 32, ...keys(200_000) });
    const r = validate(text, { filename: "many.json", maxProblems: 100 });
    expect(r.diagnostics).toHaveLength(100);
    expect(r.unlisted).toStrictEqual({ errorCount: 199_900, warningCount: 0 });
    expect(r.diagnostics[0]).toMatchObject({
      ruleId: "fqc/unknown-key",
      message: "FakeQuantizeConfig.__init__() got an unexpected keyword argument 'k0'",
      hint: "Valid keys: dtype, granularity, mapping_type, scale_precision, zero_point_precision, zero_point_domain, is_dynamic, range_learning, eps, group_size, is_symmetric.",
      line: 1,
      column: 33,
    });
    expect(r.diagnostics[99].message).toContain("'k99'");
  });

  it("the checks make findings for only the first 100 unknown keys of each object and count the others", () => {
    const value = { ...keys(200_000), weight: null, activation: { dtype: "int8", granularity: "per_token", ...keys(300, (i) => `a${i}`) } };
    const budget = keyBudget(100);
    const check = checkDocument(value, VALUE_NUMBER_KINDS, budget);
    const unknown = check.findings.filter((f) => f.ruleId === "fqc/unknown-key");
    expect(unknown).toHaveLength(200);
    expect(budget.skipped).toStrictEqual(new Map([["fqc/unknown-key", 199_900 + 200]]));
    expect(budget.unknownIn.map((u) => u.pointer)).toStrictEqual(["", "/activation"]);
    expect(check.document).toBeUndefined();
  });

  it("without maxProblems lists every diagnostic and counts none", () => {
    const r = validate(JSON.stringify({ dtype: "int4", group_size: 32, ...keys(300) }));
    expect(r.diagnostics).toHaveLength(300);
    expect(r.unlisted).toStrictEqual({ errorCount: 0, warningCount: 0 });
  });

  it("keeps the first diagnostics of the full report, whatever the shape", () => {
    const dtyp = keys(150, (i) => `dtyp${i}`);
    const shapes: Record<string, string> = {
      config: JSON.stringify({ dtype: "int4", group_size: 32, ...keys(400) }),
      "suggestions for the first 100": JSON.stringify({ dtype: "int4", group_size: 32, ...dtyp }),
      "integer-like keys, written out of order": JSON.stringify({ dtype: "int4", q: 1, group_size: 32, ...keys(400, scrambled(400)), zz: 1 }),
      "unknown keys before a wrong dtype": JSON.stringify({ ...keys(250), dtype: "int16", group_size: 32 }),
      "QAT pair": JSON.stringify({ x: 1, weight: { dtype: "int4", granularity: { type: "PerGroup", group_size: 32, ...keys(150, (i) => `g${i}`) }, ...keys(150) }, activation: { dtype: "int8", granularity: "per_token", ...keys(120, (i) => `a${i}`) } }),
      "recipe with a problem in every entry": JSON.stringify({
        fqn_to_config: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`layer.${i}.w`, { dtype: "int4", group_size: i % 3 ? 32 : "32", k: 1, is_symmetric: i % 5 }])),
        foo: 2,
        ...keys(130, (i) => `top${i}`),
      }),
      "torchao envelope": JSON.stringify({ _type: "FakeQuantizeConfig", _version: 1, _data: { dtype: { _type: "torch.dtype", _data: "int4" }, group_size: 32, ...keys(200, scrambled(200)) } }),
      "no config at all": JSON.stringify({ ...keys(300) }),
    };
    for (const [name, text] of Object.entries(shapes)) {
      for (const max of [0, 1, 50, 100]) {
        try {
          expectCapIsCut(text, max, { filename: "x.json" });
        } catch (e) {
          throw new Error(`${name}, maxProblems ${max}: ${(e as Error).message}`);
        }
      }
    }
  });

  it("keeps the first diagnostics of a large YAML file read without the yaml package, integer-like keys included", () => {
    const lines = Array.from({ length: 6000 }, (_, i) => `key_${i}: ${i % 10}`);
    const yaml = `dtype: int4\ngroup_size: 32\n${lines.join("\n")}\n`;
    expect(yaml.length).toBeGreaterThan(BLOCK_YAML_MIN_LENGTH);
    expectCapIsCut(yaml, 100, { filename: "big.yaml" });
    const ints = `dtype: int4\nz: 1\ngroup_size: 32\n${Array.from({ length: 600 }, (_, i) => `${scrambled(600)(i)}: 1`).join("\n")}\n`;
    expectCapIsCut(ints, 100, { filename: "ints.yaml" });
  });

  it("applies rule levels before the cap: a rule turned off takes no place and is not counted, a level changes the count's severity", () => {
    const text = JSON.stringify({
      fqn_to_config: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`layer.${i}.w`, { dtype: "int4", group_size: 32, is_symmetric: 1 }])),
      oops: 1,
    });
    const off = validate(text, { maxProblems: 100, ruleSettings: new Map([["lint/is-symmetric-number", "off"]]) });
    expect(off.diagnostics.map((d) => d.ruleId)).toStrictEqual(["fqc/unknown-key"]);
    expect(off.unlisted).toStrictEqual({ errorCount: 0, warningCount: 0 });
    const asError = validate(text, { maxProblems: 100, ruleSettings: new Map([["lint/is-symmetric-number", "error"]]) });
    expect(asError.diagnostics).toHaveLength(100);
    expect(asError.unlisted).toStrictEqual({ errorCount: 201, warningCount: 0 });
    const asIs = validate(text, { maxProblems: 100 });
    expect(asIs.unlisted).toStrictEqual({ errorCount: 0, warningCount: 201 });
  });

  it("lists 100 of a recipe of 50,000 failing entries and counts the rest exactly, with their rule levels", () => {
    const n = 50_000;
    const text = JSON.stringify({
      fqn_to_config: Object.fromEntries(Array.from({ length: n }, (_, i) => [`l.${i}`, { dtype: "int4", group_size: 33, granularity: "per_channel" }])),
    });
    const r = validate(text, { maxProblems: 100 });
    expect(r.diagnostics).toHaveLength(100);
    expect(r.diagnostics.every((d) => d.ruleId === "torchao/group-size-conflict" && d.severity === "error")).toBe(true);
    expect(r.diagnostics.slice(0, 2).map((d) => d.pointer)).toStrictEqual(["/fqn_to_config/l.0/group_size", "/fqn_to_config/l.1/group_size"]);
    expect(r.unlisted).toStrictEqual({ errorCount: n - 100, warningCount: 0 });
    const asWarning = validate(text, { maxProblems: 100, ruleSettings: new Map([["torchao/group-size-conflict", "warn"]]) });
    expect(asWarning.diagnostics.every((d) => d.severity === "warning")).toBe(true);
    expect(asWarning.unlisted).toStrictEqual({ errorCount: 0, warningCount: n - 100 });
    const off = validate(text, { maxProblems: 100, ruleSettings: new Map([["torchao/group-size-conflict", "off"]]) });
    expect(off.diagnostics).toStrictEqual([]);
    expect(off.unlisted).toStrictEqual({ errorCount: 0, warningCount: 0 });
  });

  it("fqc validate: a rule turned off does not use up the 100 places, and the rest are counted exactly", async () => {
    const entries = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`layer.${i}.w`, { dtype: "int4", group_size: 32, is_symmetric: 1 }]));
    const f = tmp.write("recipe.json", JSON.stringify({ fqn_to_config: entries, ...keys(120, (i) => `top${i}`) }));
    const off = JSON.parse((await runMain(["validate", f, "-f", "json", "--rule", "lint/is-symmetric-number=off"], { cwd: tmp.dir })).stdout);
    expect(off).toMatchObject({ errorCount: 120, warningCount: 0, unlistedCount: 20 });
    expect(off.files[0].diagnostics.every((d: { ruleId: string }) => d.ruleId === "fqc/unknown-key")).toBe(true);
    const on = JSON.parse((await runMain(["validate", "-f", "json", f], { cwd: tmp.dir })).stdout);
    expect(on).toMatchObject({ errorCount: 120, warningCount: 300, unlistedCount: 320 });
  });
});

describe("keysInSourceOrder", () => {
  it("lists an object's keys as written, integer-like ones included, at any depth", () => {
    const t = '{"a": {"z": 1, "2": [1, {"q": 2}], "1": {"x": 1, "b\\u0041": 2}}, "b": [0, {"k": {"3": 1, "y": 2, "0": 3}}]}';
    expect(keysInSourceOrder(t, "")).toStrictEqual(["a", "b"]);
    expect(keysInSourceOrder(t, "/a")).toStrictEqual(["z", "2", "1"]);
    expect(keysInSourceOrder(t, "/a/1")).toStrictEqual(["x", "bA"]);
    expect(keysInSourceOrder(t, "/a/2/1")).toStrictEqual(["q"]);
    expect(keysInSourceOrder(t, "/b/1/k")).toStrictEqual(["3", "y", "0"]);
  });

  it("gives nothing for a pointer that is missing or not an object", () => {
    const t = '{"b": [0, {"k": 1}]}';
    expect(keysInSourceOrder(t, "/b/0")).toBeUndefined();
    expect(keysInSourceOrder(t, "/c")).toBeUndefined();
    expect(keysInSourceOrder(t, "/b")).toBeUndefined();
  });
});
