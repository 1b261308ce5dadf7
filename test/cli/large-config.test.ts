/** Issue 13 item 5: a config of any size or shape is judged in time linear in its size, with at most 100 problems listed per file. */
import { afterAll, describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { BLOCK_YAML_MIN_LENGTH, parseYamlDocument, parseYamlText, yamlPieceReader } from "../../src/diagnostics/source.js";
import { parseBlockYaml } from "../../src/diagnostics/yaml-block.js";
import { editDistance, didYouMean } from "../../src/config/suggest.js";
import { indexJsonPositions, MAX_INDEXED_ELEMENTS } from "../../src/diagnostics/json-positions.js";
import { tempDir } from "../helpers/cli.js";
import { writeSafetensors } from "../helpers/safetensors.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const keys = (n: number, prefix = "k") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i]));

describe("large configs", () => {
  it("a QAT pair with 150,000 unknown keys gets every finding, no stack overflow", () => {
    const text = JSON.stringify({ weight: { dtype: "int4", group_size: 32, ...keys(150_000) } });
    const { diagnostics } = validate(text, { filename: "pair.json" });
    expect(diagnostics.filter((d) => d.ruleId === "fqc/unknown-key")).toHaveLength(150_000);
  });

  it("validate lists 100 of 5,000 unknown keys, counts the rest in the summary line and JSON, exit 1", async () => {
    const f = tmp.write("many.json", JSON.stringify({ dtype: "int4", group_size: 32, ...keys(5000) }));
    const stylish = await runMain(["validate", f], { cwd: tmp.dir });
    expect(stylish.code).toBe(1);
    expect(stylish.stdout.match(/fqc\/unknown-key/g)).toHaveLength(100);
    expect(stylish.stdout).toContain("✖ 5000 problems (5000 errors, 0 warnings), 4900 more not listed (at most 100 per file)");
    const json = JSON.parse((await runMain(["validate", "-f", "json", f], { cwd: tmp.dir })).stdout);
    expect(json.files[0]).toMatchObject({ errorCount: 5000, unlistedCount: 4900 });
    expect(json.files[0].diagnostics).toHaveLength(100);
  });

  it("--max-warnings and the exit status count the problems not listed", async () => {
    // 150 unknown keys in a pair: all errors; the exit status must not depend on how many are listed.
    const f = tmp.write("pair.json", JSON.stringify({ weight: { dtype: "int4", group_size: 32, ...keys(150) } }));
    const r = await runMain(["validate", "-f", "json", f], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ errorCount: 150, unlistedCount: 50 });
  });

  it("a file of warnings only counts those past the cap too", async () => {
    // 150 tensors of a recipe, each under a config torchao takes with a warning.
    const warned = { dtype: "int4", group_size: 32, is_symmetric: false };
    const recipe = { fqn_to_config: Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`layer${i}.weight`, warned])) };
    const r = await runMain(["validate", "-f", "json", tmp.write("warned.json", JSON.stringify(recipe))], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ errorCount: 0, warningCount: 150, unlistedCount: 50 });
  });

  it("validate --tensor lists the tensor problems only up to the cap the file's own problems left", async () => {
    // One warning of the recipe itself, then 150 tensors whose widths each break group_size 32 differently (one problem each).
    const model = tmp.path("widths.safetensors");
    writeSafetensors(model, Array.from({ length: 150 }, (_, i) => ({ name: `l${i}.weight`, dtype: "F32" as const, shape: [1, 32 * i + 33], raw: new Uint8Array(4 * (32 * i + 33)) })));
    const recipe = tmp.write("one-warning.json", JSON.stringify({ fqn_to_config: { _default: { dtype: "int4", group_size: 32, is_symmetric: false } } }));
    const r = await runMain(["validate", "-f", "json", recipe, "--tensor", model], { cwd: tmp.dir });
    const file = JSON.parse(r.stdout).files[0];
    expect(file).toMatchObject({ errorCount: 150, warningCount: 1, unlistedCount: 51 });
    expect(file.diagnostics).toHaveLength(100);
    expect(file.diagnostics[0].ruleId).toBe("lint/asymmetric-int-domain");
  });

  it("only the first 100 unknown keys of a config get a did-you-mean (each costs an edit distance per valid key)", () => {
    // Every one of these keys is close to zero_point_precision: only the cap stops the 101st suggestion.
    const text = JSON.stringify({ dtype: "int4", group_size: 32, ...keys(150, "zero_point_precision") });
    const unknown = validate(text).diagnostics.filter((d) => d.ruleId === "fqc/unknown-key");
    expect(unknown.filter((d) => d.message.includes("did you mean"))).toHaveLength(100);
  });

  it("a 1,000,000-character key is reported with a bounded code frame and no suggestion search", async () => {
    const f = tmp.write("bigkey.json", JSON.stringify({ dtype: "int4", group_size: 32, ["k".repeat(1_000_000)]: 1 }));
    const r = await runMain(["validate", f], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeLessThan(1_000_000); // the message names the key; the frame shows a window of it
    expect(didYouMean("k".repeat(1_000_000), ["dtype", "group_size"])).toBeUndefined();
  });

  it("an array of 200,000 numbers is scanned, but only its first 1,000 elements get positions", () => {
    const text = JSON.stringify({ x: Array.from({ length: 200_000 }, (_, i) => i) });
    const spans = indexJsonPositions(text);
    expect(spans.has(`/x/${MAX_INDEXED_ELEMENTS - 1}`)).toBe(true);
    expect(spans.has(`/x/${MAX_INDEXED_ELEMENTS}`)).toBe(false);
    expect(spans.size).toBe(MAX_INDEXED_ELEMENTS + 2); // the root, /x and its first elements
    expect(spans.get("/x")).toMatchObject({ start: 5, end: text.length - 1, keyStart: 1, keyEnd: 4 });
  });

  it("editDistance keeps its results with three rows", () => {
    expect(editDistance("group_szie", "group_size")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("ca", "abc")).toBe(3);
  });
});

describe("large YAML configs", () => {
  it("a YAML config with 20,000 keys finds its duplicate key with one set per map (the yaml package's check was quadratic)", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `key_${i}: ${i}`);
    const d = validate(`dtype: int4\ngroup_size: 32\n${lines.join("\n")}\nkey_7: 1\n`, { filename: "c.yaml" }).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ ruleId: "fqc/syntax", line: 20_003, column: 1, message: "YAML syntax error: Map keys must be unique" });
  });

  it("a large YAML config of quoted keys and values, flow collections, sequences and floats is read without the yaml package, with its values and positions", () => {
    const forms = [
      (i: number) => `"key_${i}": 'v${i}'`,
      (i: number) => `key_${i}: "a\\tb"`,
      (i: number) => `key_${i}: {bits: ${i % 8}, axis: [0, 1]}`,
      (i: number) => `key_${i}:\n  - 0.${i % 10}5\n  - [1.5e-3, .inf]`,
      (i: number) => `key_${i}:\n- x: 1\n  y: [a, "b"]`,
    ];
    const text = `dtype: "int4"\ngroup_size: 32.0\n${Array.from({ length: 5000 }, (_, i) => forms[i % forms.length](i)).join("\n")}\n`;
    expect(text.length).toBeGreaterThan(BLOCK_YAML_MIN_LENGTH);
    expect(parseBlockYaml(text)).toBeDefined();
    const fast = parseYamlText(text);
    const lib = parseYamlDocument(text);
    expect(fast.ok && lib.ok).toBe(true);
    if (!fast.ok || !lib.ok) return;
    expect(fast.doc.value).toStrictEqual(lib.doc.value);
    for (const p of ["/dtype", "/group_size", "/key_4995", "/key_4996", "/key_4997/bits", "/key_4998/1/0", "/key_4999/0/y/1"]) {
      for (const part of ["value", "key"] as const) expect(fast.doc.range(p, part), `${p} ${part}`).toStrictEqual(lib.doc.range(p, part));
      expect(fast.doc.isFloat(p), p).toBe(lib.doc.isFloat(p));
    }
    expect(fast.doc.isFloat("/group_size")).toBe(true);
  });

  it("a key longer than 1024 characters in a large YAML file is the yaml package's syntax error, as in a small file", () => {
    const filler = Array.from({ length: 5000 }, (_, i) => `key_${i}: ${i}`).join("\n");
    const d = validate(`dtype: int4\ngroup_size: 32\n${filler}\n${"k".repeat(1100)}: 1\n`, { filename: "c.yaml" }).diagnostics;
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ ruleId: "fqc/syntax", line: 5003, column: 1 });
    expect(d[0].message).toContain("at most 1024 chars");
  });

  it("large YAML configs of aliases, block scalars, a tab, two-line plain scalars or an error on the last line are read by fqc's reader with the yaml package's result", () => {
    const keys = (line: (i: number) => string) => Array.from({ length: 6000 }, (_, i) => line(i)).join("\n");
    const shapes = {
      "an alias per key (too many: the package's error)": `dtype: &d int4\ngroup_size: 32\n${keys((i) => `key_${i}: *d`)}\n`,
      "a block scalar per key": `dtype: int4\n${keys((i) => `key_${i}: ${["|", ">", "|-", ">+", "|2"][i % 5]}\n   line ${i}\n   more`)}\n`,
      "one tab in one value": `dtype: int4\n${keys((i) => `key_${i}: ${i}`)}\nx: a\tb\n`,
      "a two-line plain scalar per key": `dtype: int4\n${keys((i) => `key_${i}: word\n  more words`)}\n`,
      "a syntax error on the last line": `dtype: int4\n${keys((i) => `key_${i}: ${i}`)}\nbad: [1, 2\n`,
      "an unusual entry in the middle": `dtype: int4\n${keys((i) => (i === 3000 ? "k_mid: !!str 1\nk_q:\n  ? complex\n  : v" : `key_${i}: ${i}`))}\n`,
    };
    for (const [name, text] of Object.entries(shapes)) {
      expect(text.length, name).toBeGreaterThan(BLOCK_YAML_MIN_LENGTH);
      expect(parseBlockYaml(text, yamlPieceReader(text)), name).toBeDefined();
      const fast = parseYamlText(text);
      const lib = parseYamlDocument(text);
      if (fast.ok && lib.ok) expect(fast.doc.value, name).toStrictEqual(lib.doc.value);
      else expect(fast.ok ? "ok" : fast.error, name).toStrictEqual(lib.ok ? "ok" : lib.error);
    }
  });

  it("a duplicate key in a nested YAML map is found too", () => {
    const d = validate("weight:\n  dtype: int4\n  group_size: 32\n  dtype: int8\n", { filename: "c.yaml" }).diagnostics;
    expect(d[0]).toMatchObject({ ruleId: "fqc/syntax", line: 4, column: 3 });
  });
});
