import { afterAll, describe, expect, it } from "vitest";
import { runFqc, tempDir } from "../helpers/cli.js";
import { safetensorsBytes, writeSharded, type TensorSpec } from "../checkpoint/helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const MODEL: TensorSpec[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [64, 32] },
  { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [32, 32] },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "BF16", shape: [48, 40] },
  { name: "model.layers.0.mlp.gate_proj.qweight", dtype: "I32", shape: [4, 32] },
  { name: "model.norm.weight", dtype: "BF16", shape: [32] },
  { name: "lm_head.weight", dtype: "F16", shape: [64, 32] },
];
const model = tmp.write("model.safetensors", safetensorsBytes(MODEL, { format: "pt" }));

const RECIPE = `{
  "fqn_to_config": {
    "re:model\\\\.layers\\\\.\\\\d+\\\\.(self_attn|mlp)\\\\..+_proj": {"dtype": "int4", "group_size": 32},
    "lm_head": {"weight": {"dtype": "int8", "granularity": "per_channel"}},
    "model.embed_tokens": null,
    "model.layers.0.mlp.gate_proj.qweight": {"dtype": "int4", "group_size": 32},
    "model.layers.1.mlp.up_proj": null
  }
}
`;
const recipe = tmp.write("recipe.json", RECIPE);

describe("fqc validate RECIPE --tensor CHECKPOINT", () => {
  const r = runFqc(["validate", recipe, "--tensor", model, "--format", "json"]);
  const diags = diagnosticsOf(r.stdout);
  const at = (ruleId: string) => diags.filter((d) => d.ruleId === ruleId).map((d) => `${d.line}:${d.column}`);

  it("exits 1 on errors", () => {
    expect(r.code).toBe(1);
  });
  it("warns, at the key, about a key that matches no tensor of the checkpoint", () => {
    expect(at("fqc/recipe-unmatched")).toEqual(["7:5"]);
    expect(diags.find((d) => d.ruleId === "fqc/recipe-unmatched")!.message).toMatch(/`model\.layers\.1\.mlp\.up_proj` matches no tensor of .*model\.safetensors \(6 tensors\)/);
  });
  it("refuses, at the key, an exact name naming an integer tensor", () => {
    expect(at("fqc/recipe-non-float")).toEqual(["6:5"]);
  });
  it("reports torchao's forward problem at the deciding key's granularity, naming the tensor and its shape", () => {
    const d = diags.filter((x) => x.ruleId === "fqc/tensor-shape");
    expect(d).toHaveLength(1);
    // At the group_size shorthand (where the granularity is spelled) of the key that matched.
    expect(`${d[0].line}:${d[0].column}`).toBe(`3:${RECIPE.split("\n")[2].indexOf('"group_size": 32') + 1 + '"group_size": '.length}`);
    expect(d[0].message).toMatch(/^model\.layers\.0\.mlp\.up_proj\.weight \(48, 40\) BF16 in .*: group_size 32 does not divide the last dimension \(40\)/);
  });
  it("is clean for a recipe that fits the checkpoint", () => {
    const ok = tmp.write("ok.json", JSON.stringify({ fqn_to_config: { "re:.*_proj": { dtype: "int4", group_size: 8 }, lm_head: { dtype: "int8", granularity: "per_channel" } } }));
    const c = runFqc(["validate", ok, "--tensor", model]);
    expect(c.stdout).toContain("no problems");
    expect(c.code).toBe(0);
  });
  it("warns, at the key, about a key that matches tensors but decides none (a broader re: key comes first)", () => {
    const f = tmp.write("shadow.json", '{"fqn_to_config": {\n  "re:.*_proj\\\\.weight": {"dtype": "int4", "group_size": 8},\n  "re:.*up_proj\\\\.weight": null\n}}');
    const d = diagnosticsOf(runFqc(["validate", f, "--tensor", model, "--format", "json"]).stdout);
    expect(d.map((x) => [x.ruleId, x.severity, x.line, x.column])).toEqual([["fqc/recipe-shadowed", "warning", 3, 3]]);
    expect(d[0].message).toMatch(/decides none: for model\.layers\.0\.mlp\.up_proj\.weight, `re:\.\*_proj\\\.weight` takes precedence/);
  });
  it("refuses, at the key, a module key taking a module whose weight is not 2-D (torchao's QAT module swap raises ValueError)", () => {
    const f = tmp.write("norm-module.json", '{"fqn_to_config": {\n  "model.norm": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}\n}}');
    const s = runFqc(["validate", f, "--tensor", model, "--format", "json"]);
    const d = diagnosticsOf(s.stdout);
    expect(d.map((x) => [x.ruleId, x.severity, x.line, x.column])).toEqual([["fqc/tensor-shape", "error", 2, 3]]);
    expect(d[0].message).toMatch(/^model\.norm\.weight \(32\) BF16 in .*: recipe key `model\.norm` takes the module model\.norm whole, and its weight is 1-D/);
    expect(s.code).toBe(1);
  });
  it("reads a sharded checkpoint's index and a directory the same way", () => {
    const dir = tmp.path("sharded");
    const index = writeSharded(dir, [{ file: "model-00001-of-00002.safetensors", tensors: MODEL.slice(0, 3) }, { file: "model-00002-of-00002.safetensors", tensors: MODEL.slice(3) }]);
    for (const target of [index, dir]) {
      const s = runFqc(["validate", recipe, "--tensor", target, "--format", "json"]);
      const ids = diagnosticsOf(s.stdout).map((m) => m.ruleId).sort();
      expect(ids).toEqual(["fqc/recipe-non-float", "fqc/recipe-unmatched", "fqc/tensor-shape"]);
    }
  });
  it("checks a recipe against a .npy, named after its file", () => {
    const npy = tmp.write("lm_head.weight.npy", npyF32([4, 48]));
    const s = runFqc(["validate", recipe, "--tensor", npy, "--format", "json"]);
    const msgs = diagnosticsOf(s.stdout);
    expect(msgs.filter((m) => m.ruleId === "fqc/recipe-unmatched")).toHaveLength(4); // every key but lm_head
    expect(msgs.some((m) => m.ruleId === "fqc/tensor-shape")).toBe(false);
  });
  it("still checks a single config against a .npy as before", () => {
    const cfg = tmp.write("c.json", '{"dtype": "int4", "group_size": 32}');
    const npy = tmp.write("w.npy", npyF32([4, 48]));
    const s = runFqc(["validate", cfg, "--tensor", npy]);
    expect(s.code).toBe(1);
    expect(s.stdout).toMatch(/group_size 32 does not divide/);
  });
});

describe("fqc validate CONFIG --tensor CHECKPOINT", () => {
  // 2-D floating *.weight: embed_tokens (64, 32), q_proj (32, 32), up_proj (48, 40), lm_head F16 (64, 32); the I32 qweight,
  // the 1-D norm are not targeted, as apply --config leaves them alone.
  it("checks every tensor apply --config would fake-quantize, one diagnostic per problem at the granularity", () => {
    const cfg = tmp.write("g16.json", '{\n  "dtype": "int4",\n  "group_size": 16\n}\n');
    const s = runFqc(["validate", cfg, "--tensor", model, "--format", "json"]);
    expect(s.code).toBe(1);
    const d = diagnosticsOf(s.stdout);
    expect(d.map((x) => [x.ruleId, x.severity, x.line, x.column])).toEqual([["fqc/tensor-shape", "error", 3, 17]]);
    expect(d[0].message).toMatch(/^model\.layers\.0\.mlp\.up_proj\.weight \(48, 40\) BF16 in .*model\.safetensors: in_features \(40\) % group_size \(16\) must be == 0$/);
    expect(d[0].hint).toMatch(/torchao raises this ValueError when it swaps the Linear holding this weight for a FakeQuantizedLinear/);
  });
  it("groups the tensors that fail the same way, naming the first and counting the rest", () => {
    const cfg = tmp.write("g64.json", '{"dtype": "int4", "group_size": 64}');
    const d = diagnosticsOf(runFqc(["validate", cfg, "--tensor", model, "--format", "json"]).stdout);
    // torchao's Linear swap names in_features: 32 for embed_tokens, lm_head and q_proj, 40 for up_proj: two problems.
    expect(d.map((x) => x.message.replace(/ in .*?: /, ": ").replace(/ \(torchao.*$/, ""))).toEqual([
      "model.embed_tokens.weight (and 2 more) (64, 32) BF16: in_features (32) % group_size (64) must be == 0",
      "model.layers.0.mlp.up_proj.weight (48, 40) BF16: in_features (40) % group_size (64) must be == 0",
    ]);
  });
  it("is clean when the config fits every targeted tensor", () => {
    const cfg = tmp.write("g8.json", '{"dtype": "int4", "group_size": 8}');
    const s = runFqc(["validate", cfg, "--tensor", model]);
    expect(s.stdout).toContain("no problems");
    expect(s.code).toBe(0);
  });
  it("checks a QAT pair's weight side, or the side --role names", () => {
    const pair = tmp.write("pair.json", JSON.stringify({ activation: { dtype: "int8", granularity: "per_token", is_symmetric: false }, weight: { dtype: "int4", group_size: 16 } }));
    const w = diagnosticsOf(runFqc(["validate", pair, "--tensor", model, "--format", "json"]).stdout);
    expect(w.map((x) => x.message.slice(0, 42))).toEqual(["[weight] model.layers.0.mlp.up_proj.weight"]);
    expect(w[0].pointer).toBe("/weight/group_size");
    const a = runFqc(["validate", pair, "--tensor", model, "--role", "activation"]);
    expect(a.code).toBe(0);
  });
  it("reads a sharded checkpoint's directory the same way", () => {
    const dir = tmp.path("sharded-config");
    writeSharded(dir, [{ file: "model-00001-of-00002.safetensors", tensors: MODEL.slice(0, 3) }, { file: "model-00002-of-00002.safetensors", tensors: MODEL.slice(3) }]);
    const cfg = tmp.write("g16b.json", '{"dtype": "int4", "group_size": 16}');
    const d = diagnosticsOf(runFqc(["validate", cfg, "--tensor", dir, "--format", "json"]).stdout);
    expect(d.map((x) => x.ruleId)).toEqual(["fqc/tensor-shape"]);
  });
  it("refuses a damaged checkpoint with exit 2 and one line naming the file", () => {
    const bad = tmp.write("bad.safetensors", Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0x7f, 0x7b]));
    const s = runFqc(["validate", recipe, "--tensor", bad]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("bad.safetensors");
  });
});

describe("fqc normalize on a recipe", () => {
  it("prints the canonical recipe; --check passes on it and fails on the original", () => {
    const n = runFqc(["normalize", recipe]);
    expect(n.code).toBe(0);
    const canon = JSON.parse(n.stdout) as { fqn_to_config: Record<string, unknown> };
    expect(Object.keys(canon.fqn_to_config)[0]).toMatch(/^re:/);
    expect(canon.fqn_to_config.lm_head).toMatchObject({ weight: { granularity: { type: "PerAxis", axis: 0 } } });
    const file = tmp.write("canon.json", n.stdout);
    expect(runFqc(["normalize", "--check", file]).code).toBe(0);
    expect(runFqc(["normalize", "--check", recipe]).code).toBe(1);
  });
  it("--write rewrites a YAML recipe in place, keeping its modeline", () => {
    const y = tmp.write("r.yaml", "# yaml-language-server: $schema=https://fqc.dev/schema/v1/fqc.schema.json\nfqn_to_config:\n  lm_head: {dtype: int8, granularity: per_channel}\n");
    expect(runFqc(["normalize", "--write", y]).code).toBe(0);
    expect(runFqc(["normalize", "--check", y]).code).toBe(0);
    expect(runFqc(["validate", y]).code).toBe(0);
  });
  it("refuses a recipe whose pattern does not translate, with exit 1", () => {
    const bad = tmp.write("bad-re.json", '{"fqn_to_config": {"re:(?P=x)": null}}');
    const r = runFqc(["normalize", bad]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/backreferences/);
  });
});

/** A float32 .npy of zeros with this shape. */
function npyF32(shape: number[]): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(", ")}${shape.length === 1 ? "," : ""}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  const header = `${dict}${" ".repeat(pad % 64)}\n`;
  const out = new Uint8Array(10 + header.length + shape.reduce((a, b) => a * b, 1) * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, "latin1"), 10);
  return out;
}

interface JsonDiagnostic { ruleId: string; severity: string; message: string; line: number; column: number; pointer?: string; hint?: string }
function diagnosticsOf(stdout: string): JsonDiagnostic[] {
  return (JSON.parse(stdout) as { files: Array<{ diagnostics: JsonDiagnostic[] }> }).files[0].diagnostics;
}
