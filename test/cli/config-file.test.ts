/**
 * Which config a command takes from a file (config-file.ts): a single config as it is, a QAT pair's side by --role (or
 * its one side), a recipe only where a recipe goes; each wrong pairing refused (exit 2, a usage error) naming the file
 * and saying what to pass instead. And the words for a config path that cannot be read.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfigText, readTextFile, readTextFileInterruptibly, roleOnRecipe, selectRole, selectWeightRole } from "../../src/config-file.js";
import { normalizeDocument } from "../../src/config/normalize.js";
import { FqcError } from "../../src/errors.js";
import { readTensorList } from "../../src/cli/tensor-list.js";
import { tempDir } from "../helpers/cli.js";
import { testCheckpoint, weights } from "../helpers/safetensors.js";
import { thrownFqcError } from "../helpers/js-callers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const W = { dtype: "int4", group_size: 32 };
const A = { dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" };
const single = normalizeDocument(W);
const pair = normalizeDocument({ activation: A, weight: W });
const activationOnly = normalizeDocument({ activation: A });
const weightOnly = normalizeDocument({ weight: W });
const recipe = normalizeDocument({ fqn_to_config: { "re:.*": W } });

/** The usage error `f` throws: [message, hint]. */
const usage = (f: () => unknown): [string, string | undefined] => {
  const e = thrownFqcError(f);
  expect(e.code).toBe("USAGE");
  expect(e.file).toBeDefined();
  return [e.message, e.hint];
};

describe("selectRole (a config for one tensor)", () => {
  it("takes a single config as it is, and a pair's side by --role or its only side", () => {
    if (single.kind !== "single" || pair.kind !== "pair") throw new Error("a single config and a pair file");
    expect(selectRole(single, undefined, "c.json")).toBe(single.config);
    expect(selectRole(pair, "activation", "p.json")).toBe(pair.pair.activation);
    expect(selectRole(pair, "weight", "p.json")).toBe(pair.pair.weight);
    if (activationOnly.kind !== "pair" || weightOnly.kind !== "pair") throw new Error("pair files");
    expect(selectRole(activationOnly, undefined, "a.json")).toBe(activationOnly.pair.activation);
    expect(selectRole(weightOnly, undefined, "w.json")).toBe(weightOnly.pair.weight);
  });

  it("refuses --role on a single config, a pair of two sides without --role, a side the pair lacks, and a recipe", () => {
    expect(usage(() => selectRole(single, "weight", "c.json"))).toEqual([
      "--role selects a side of a QAT pair, and c.json is a single config",
      'Leave out --role (a single config is used as it is), or give the QAT pair file ({"activation": {...}, "weight": {...}}).',
    ]);
    expect(usage(() => selectRole(pair, undefined, "p.json"))).toEqual([
      "p.json is a QAT pair (activation + weight); say which config to apply", "Pass --role weight (for a weight tensor) or --role activation.",
    ]);
    expect(usage(() => selectRole(weightOnly, "activation", "w.json"))).toEqual(['w.json: the QAT pair has no "activation" config', "It has: weight."]);
    expect(usage(() => selectRole(recipe, undefined, "r.json"))).toEqual([
      "r.json is a recipe (fqn_to_config), not a config", "A recipe maps a checkpoint's tensor names to configs: give it with --recipe and a checkpoint.",
    ]);
  });
});

describe("selectWeightRole (a config for a model's weights)", () => {
  it("takes a pair's weight side without --role, and the side --role names", () => {
    if (single.kind !== "single" || pair.kind !== "pair") throw new Error("a single config and a pair file");
    expect(selectWeightRole(pair, undefined, "p.json")).toBe(pair.pair.weight);
    expect(selectWeightRole(pair, "activation", "p.json")).toBe(pair.pair.activation);
    expect(selectWeightRole(single, undefined, "c.json")).toBe(single.config);
  });

  it("refuses a pair with only an activation side unless --role asks for it", () => {
    expect(usage(() => selectWeightRole(activationOnly, undefined, "a.json"))).toEqual(['a.json: the QAT pair has no "weight" config, and a model holds weights', "Give a config with a weight side."]);
    if (activationOnly.kind !== "pair") throw new Error("a pair file");
    expect(selectWeightRole(activationOnly, "activation", "a.json")).toBe(activationOnly.pair.activation);
    expect(() => selectWeightRole(single, "weight", "c.json")).toThrow("--role selects a side of a QAT pair, and c.json is a single config");
  });
});

describe("--role with a recipe", () => {
  it("is refused, saying a recipe's pairs are used on their weight side", () => {
    const e = roleOnRecipe("r.json");
    expect([e.code, e.file, e.message, e.hint]).toEqual([
      "USAGE", "r.json", "--role selects a side of a QAT pair, and r.json is a recipe (its pairs are always used on their weight side)",
      "Leave out --role with a recipe, or give a QAT pair file (not a recipe) to pick one of its sides with --role.",
    ]);
  });
});

describe("a config path that cannot be read", () => {
  it("is named with what is wrong: no such file, or a directory (with a glob of the configs inside it)", async () => {
    const missing = tmp.path("none.json");
    for (const read of [readTextFile, readTextFileInterruptibly]) {
      const e = await Promise.resolve().then(() => read(missing)).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(FqcError);
      expect([(e as FqcError).code, (e as FqcError).message, (e as FqcError).hint]).toEqual(["IO", `${missing}: no such file`, "Check the path (a relative one starts from the current directory)."]);
    }
    const dir = tmp.path("configs");
    mkdirSync(dir);
    const e = thrownFqcError(() => readTextFile(`${dir}//`));
    expect([e.code, e.message, e.hint]).toEqual(["IO", `${dir}//: is a directory, expected a file`, `To check the configs inside, give a glob: '${dir}/**/*.fqc.{json,yaml,yml}' (fqc's naming convention), or '${dir}/**/*.{json,yaml,yml}'`]);
  });

  it("given through an option (apply's and report's --config, --recipe), offers neither a glob nor - , which those options refuse", async () => {
    const dir = tmp.path("option-dir");
    mkdirSync(dir);
    const e = await readTextFileInterruptibly(dir, "--recipe").then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(FqcError);
    expect([(e as FqcError).message, (e as FqcError).hint]).toEqual([`${dir}: is a directory, expected a file`, "Give --recipe the path of one JSON or YAML file."]);
    if (!existsSync("/dev/null")) return;
    const d = await readTextFileInterruptibly("/dev/null", "--config").then(() => undefined, (x: unknown) => x);
    expect((d as FqcError).hint).toBe("Give --config the path of a JSON or YAML file.");
  });
});

describe("reading a config file", () => {
  it("refuses a file past the bound in its own words (not as a read error), naming its size", () => {
    const big = tmp.path("big.json");
    writeFileSync(big, "");
    truncateSync(big, 64 * 1024 * 1024 + 1);
    const e = thrownFqcError(() => readTextFile(big));
    expect([e.code, e.message, e.hint]).toEqual([
      "IO", `${big}: is 67,108,865 bytes, more than the 64 MiB fqc reads as a config or recipe`,
      "A config or recipe is a few KB to a few MB of JSON or YAML: check that this is the file you meant.",
    ]);
  });

  it("names another read error as fqc names read errors (a path through a file)", () => {
    const file = tmp.write("plain.json", "{}");
    const e = thrownFqcError(() => readTextFile(`${file}/x.json`));
    expect(e.code).toBe("IO");
    expect(e.message.startsWith(`${file}/x.json: cannot read: `)).toBe(true);
    expect(e.message).toMatch(/not a directory/i);
  });

  it.runIf(existsSync("/dev/null"))("refuses a character device at once, saying what to give instead", async () => {
    const e = await readTextFileInterruptibly("/dev/null").then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(FqcError);
    expect([(e as FqcError).code, (e as FqcError).message, (e as FqcError).hint]).toEqual([
      "IO", "/dev/null: is a character device, not a config file", "Give the path of a JSON or YAML file, or - to read standard input.",
    ]);
  });

  it.runIf(existsSync("/usr/bin/mkfifo") || existsSync("/bin/mkfifo"))("reads a FIFO to its end through the event loop", async () => {
    const fifo = tmp.path("cfg.fifo");
    execFileSync("mkfifo", [fifo]);
    const text = '{"dtype": "int4", "group_size": 32}\n';
    const read = readTextFileInterruptibly(fifo);
    writeFileSync(fifo, text);
    expect(await read).toBe(text);
  });

  it("loadConfigText reads a .yaml name as YAML, for the torchao version given", () => {
    const yaml = loadConfigText("c.yaml", "dtype: int4\ngroup_size: 32\n");
    expect([yaml.file, yaml.diagnostics, yaml.document?.kind]).toEqual(["c.yaml", [], "single"]);
    // Range learning with an integer zero point on a symmetric config fails in torchao 0.12 only.
    const learned = '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "range_learning": true}';
    expect(loadConfigText("l.json", learned).diagnostics.map((d) => d.ruleId)).toContain("forward/range-learning-integer-zero-point");
    expect(loadConfigText("l.json", learned, "0.18").diagnostics.map((d) => d.ruleId)).not.toContain("forward/range-learning-integer-zero-point");
  });
});

describe("readTensorList (validate --tensor)", () => {
  it("lists a checkpoint's tensors by name, dtype, shape and size, and closes the file", () => {
    const file = tmp.path("m.safetensors");
    testCheckpoint(file, [
      { name: "a.weight", dtype: "F32", shape: [2, 8], values: weights(16, 1) },
      { name: "b.bias", dtype: "F32", shape: [8], values: weights(8, 2) },
    ]).close();
    const fds = () => (existsSync("/proc/self/fd") ? readdirSync("/proc/self/fd").length : 0);
    const before = fds();
    expect(readTensorList(file)).toEqual([
      { name: "a.weight", dtype: "F32", shape: [2, 8], byteLength: 64 },
      { name: "b.bias", dtype: "F32", shape: [8], byteLength: 32 },
    ]);
    expect(fds()).toBe(before);
  });
});
