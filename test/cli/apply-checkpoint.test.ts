/** `fqc apply` on checkpoints, end to end through bin/fqc.js: recipes, --config, sharded layouts, --dry-run, --json, refusals, Ctrl-C. */
import { spawn } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { endedBy, FQC, ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { bf16Bytes, readSafetensors, writeSafetensors, type RawTensor } from "../helpers/test-checkpoint.js";
import { craftZip, npyF32 } from "../checkpoint/npz-helpers.js";
import { encodeNpyHeader } from "../../src/npy/header.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const noTemps = (dir = tmp.dir) => readdirSync(dir).filter((f) => f.endsWith(".tmp"));

function bf16(n: number, seed: number): Uint8Array {
  const v = new Float32Array(n);
  const u = new Uint32Array(v.buffer);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    v[i] = ((s / 2 ** 32) - 0.5) * 0.1;
    u[i] &= 0xffff0000;
  }
  return bf16Bytes(v);
}

/** A tiny Llama-shaped model: embeddings, one layer's projections and norms, lm_head. */
function llama(): RawTensor[] {
  const h = 64;
  const m = 128;
  return [
    { name: "model.embed_tokens.weight", dtype: "BF16", shape: [100, h], data: bf16(100 * h, 1) },
    { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [h, h], data: bf16(h * h, 2) },
    { name: "model.layers.0.self_attn.k_proj.weight", dtype: "BF16", shape: [h, h], data: bf16(h * h, 3) },
    { name: "model.layers.0.mlp.up_proj.weight", dtype: "BF16", shape: [m, h], data: bf16(m * h, 4) },
    { name: "model.layers.0.mlp.down_proj.weight", dtype: "BF16", shape: [h, m], data: bf16(h * m, 5) },
    { name: "model.layers.0.input_layernorm.weight", dtype: "BF16", shape: [h], data: bf16(h, 6) },
    { name: "model.layers.0.step", dtype: "I64", shape: [1], data: new Uint8Array(8).fill(3) },
    { name: "lm_head.weight", dtype: "BF16", shape: [100, h], data: bf16(100 * h, 7) },
  ];
}

const RECIPE = {
  fqn_to_config: {
    "re:model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)": { dtype: "int4", group_size: 32 },
    "lm_head": { dtype: "int8", granularity: "per_channel" },
  },
};

let n = 0;
function setUp(tensors = llama(), recipe: object = RECIPE) {
  const dir = tmp.path(`case${n++}`);
  mkdirSync(dir);
  const input = path.join(dir, "model.safetensors");
  writeSafetensors(input, tensors, { format: "pt" });
  const recipeFile = path.join(dir, "recipe.json");
  writeFileSync(recipeFile, JSON.stringify(recipe));
  return { dir, input, recipe: recipeFile, output: path.join(dir, "out.safetensors"), qparams: path.join(dir, "qp.safetensors") };
}

describe("fqc apply MODEL.safetensors OUT --recipe R", () => {
  it("names the threads in its summary as apply on a .npy does: main thread when kept there (0, or auto on small work), else N thread(s), as --json counts them", () => {
    const s = setUp();
    for (const [threads, words, count] of [["0", "main thread", 0], ["1", "1 thread", 1], ["auto", "main thread", 0]] as const) {
      const line = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "-j", threads]);
      expect(line.code, line.stderr).toBe(0);
      expect(line.stdout, threads).toMatch(new RegExp(` s, ${words}\n$`));
      const json = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "-j", threads, "--json"]);
      expect((JSON.parse(json.stdout) as { threads: number }).threads, threads).toBe(count);
    }
  });

  it("fake-quantizes what the recipe targets, copies the rest, and writes the qparams", () => {
    const s = setUp();
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--qparams-out", s.qparams, "--threads", "2"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/model\.safetensors \(safetensors, 8 tensors, .*\) → .*out\.safetensors: 5 fake-quantized \(.*\), 3 copied as they are/);
    const src = llama();
    const out = readSafetensors(s.output);
    expect(out.metadata).toEqual({ format: "pt" });
    const changed = out.tensors.map((t, i) => !Buffer.from(t.data).equals(Buffer.from(src[i].data)));
    expect(changed).toEqual([false, true, true, true, true, false, false, true]);
    const qp = readSafetensors(s.qparams);
    expect(qp.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
      ["model.layers.0.self_attn.q_proj.weight.scale", "F32", [64, 2]], ["model.layers.0.self_attn.q_proj.weight.zero_point", "I32", [64, 2]],
      ["model.layers.0.self_attn.k_proj.weight.scale", "F32", [64, 2]], ["model.layers.0.self_attn.k_proj.weight.zero_point", "I32", [64, 2]],
      ["model.layers.0.mlp.up_proj.weight.scale", "F32", [128, 2]], ["model.layers.0.mlp.up_proj.weight.zero_point", "I32", [128, 2]],
      ["model.layers.0.mlp.down_proj.weight.scale", "F32", [64, 4]], ["model.layers.0.mlp.down_proj.weight.zero_point", "I32", [64, 4]],
      ["lm_head.weight.scale", "F32", [100, 1]], ["lm_head.weight.zero_point", "I32", [100, 1]],
    ]);
    expect(noTemps(s.dir)).toEqual([]);
  });

  it("gives the same bytes with 1, 2 and 3 threads", () => {
    const s = setUp();
    const outs = ["1", "2", "3"].map((j) => {
      const out = path.join(s.dir, `out${j}.safetensors`);
      expect(runFqc(["apply", s.input, out, "-r", s.recipe, "-j", j, "-q"]).code).toBe(0);
      return readFileSync(out);
    });
    expect(outs[1].equals(outs[0])).toBe(true);
    expect(outs[2].equals(outs[0])).toBe(true);
  });

  it("a recipe that targets nothing gives a byte-identical checkpoint", () => {
    const s = setUp(llama(), { fqn_to_config: { _default: null } });
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "-q"]);
    expect(r.code).toBe(0);
    expect(readFileSync(s.output).equals(readFileSync(s.input))).toBe(true);
  });

  it("--json prints a summary with every tensor's action", () => {
    const s = setUp();
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ input: s.input, output: s.output, format: "safetensors", quantized: 5, copied: 3 });
    // Written a tensor at a time, in the order of the result's fields.
    expect(Object.keys(j)).toEqual(["input", "output", "format", "tensors", "quantized", "quantizedElements", "copied", "bytes", "threads", "chunks", "unmatchedKeys", "seconds"]);
    expect(r.stdout.endsWith("}\n")).toBe(true);
    expect(j.tensors[1]).toEqual({ name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [64, 64], action: "fake-quantized", computeDtype: "bfloat16", qparamShape: [64, 2] });
  });
});

describe("fqc apply --recipe with --role", () => {
  it("is refused as validate refuses it (exit 2, the recipe named), on the plain line and on yargs', a .npy or a checkpoint, nothing written", () => {
    const recipe = path.join(ROOT, "examples/llama-recipe.json");
    for (const input of [path.join(ROOT, "examples/llama-tiny/model.safetensors"), path.join(ROOT, "examples/weight.npy")]) {
      const out = tmp.path(`role-recipe${path.extname(input)}`);
      // "--quiet false" sends the line to yargs (plain-args.ts), meaning the same.
      for (const extra of [[], ["--quiet", "false"]]) {
        const r = runFqc(["apply", input, out, "--recipe", recipe, "--role", "weight", ...extra]);
        expect(r.code, extra.join(" ")).toBe(2);
        expect(r.stderr.split("\n")[0]).toBe(`fqc: --role selects a side of a QAT pair, and ${recipe} is a recipe (its pairs are always used on their weight side)`);
        expect(r.stderr).toContain("Leave out --role");
        expect(existsSync(out)).toBe(false);
      }
    }
  });
});

describe("fqc apply MODEL OUT --config CFG", () => {
  it("targets every 2-D floating *.weight, embeddings included", () => {
    const s = setUp();
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const r = runFqc(["apply", s.input, s.output, "-c", cfg, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tensors.map((t: { action: string }) => t.action)).toEqual([
      "fake-quantized", "fake-quantized", "fake-quantized", "fake-quantized", "fake-quantized", "copied", "copied", "fake-quantized",
    ]);
  });

  it("writes a sharded checkpoint with the same shard names and index", () => {
    const s = setUp();
    const src = path.join(s.dir, "sharded");
    mkdirSync(src);
    const t = llama();
    writeSafetensors(path.join(src, "model-00001-of-00002.safetensors"), t.slice(0, 4), { format: "pt" });
    writeSafetensors(path.join(src, "model-00002-of-00002.safetensors"), t.slice(4), { format: "pt" });
    const index = { metadata: { total_size: t.reduce((a, x) => a + x.data.length, 0) }, weight_map: Object.fromEntries(t.map((x, i) => [x.name, `model-0000${i < 4 ? 1 : 2}-of-00002.safetensors`])) };
    writeFileSync(path.join(src, "model.safetensors.index.json"), JSON.stringify(index, null, 2));
    const out = path.join(s.dir, "sharded-out");
    const r = runFqc(["apply", src, out, "-r", s.recipe, "-q"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"]);
    expect(JSON.parse(readFileSync(path.join(out, "model.safetensors.index.json"), "utf8")).weight_map).toEqual(index.weight_map);
    // Same bytes as the single-file run, tensor for tensor.
    expect(runFqc(["apply", s.input, s.output, "-r", s.recipe, "-q"]).code).toBe(0);
    const single = readSafetensors(s.output).tensors;
    const sharded = [...readSafetensors(path.join(out, "model-00001-of-00002.safetensors")).tensors, ...readSafetensors(path.join(out, "model-00002-of-00002.safetensors")).tensors];
    expect(sharded.map((x) => x.name)).toEqual(single.map((x) => x.name));
    sharded.forEach((x, i) => expect(Buffer.from(x.data).equals(Buffer.from(single[i].data)), x.name).toBe(true));
  });
});

describe("a QAT pair under --config on a model, as report and validate --tensor take it", () => {
  const weight = { dtype: "int4", group_size: 32 };
  const activation = { dtype: "int8", granularity: "per_token", is_symmetric: false };

  it("applies the weight side without --role (a model holds weights): the bits of the weight config alone", () => {
    const s = setUp();
    const pair = path.join(s.dir, "pair.json");
    const single = path.join(s.dir, "weight.json");
    writeFileSync(pair, JSON.stringify({ activation, weight }));
    writeFileSync(single, JSON.stringify(weight));
    const viaPair = path.join(s.dir, "via-pair.safetensors");
    expect(runFqc(["apply", s.input, viaPair, "-c", pair, "-q"]).code).toBe(0);
    expect(runFqc(["apply", s.input, s.output, "-c", single, "-q"]).code).toBe(0);
    expect(readFileSync(viaPair).equals(readFileSync(s.output))).toBe(true);
  });

  it("refuses a pair with only an activation config unless --role activation asks for it (apply, --dry-run, validate --tensor, report)", () => {
    const s = setUp();
    const pair = path.join(s.dir, "act.json");
    writeFileSync(pair, JSON.stringify({ activation }));
    const message = `fqc: ${pair}: the QAT pair has no "weight" config, and a model holds weights\n  hint: Give a config with a weight side.\n`;
    for (const args of [["apply", s.input, s.output, "-c", pair], ["apply", s.input, s.output, "-c", pair, "--dry-run"], ["validate", pair, "--tensor", s.input], ["report", s.input, "-c", pair]]) {
      const r = runFqc(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toBe(message);
    }
    expect(existsSync(s.output)).toBe(false);
    expect(runFqc(["apply", s.input, s.output, "-c", pair, "--role", "activation", "-q"]).code).toBe(0);
    // A lone .npy may be an activation: there a pair's only side applies, as on the plain .npy path.
    const npy = path.join(ROOT, "examples/weight.npy");
    expect(runFqc(["apply", npy, path.join(s.dir, "act.npy"), "-c", pair, "--dry-run"]).code).toBe(0);
  });
});

describe("other forms", () => {
  it("an .npz: stored members fake-quantized in place; a recipe that targets nothing copies the archive byte for byte", () => {
    const s = setUp();
    const npz = path.join(s.dir, "model.npz");
    const values = Array.from({ length: 8 * 64 }, (_, i) => Math.sin(i) / 10);
    writeFileSync(npz, craftZip([
      { name: "layers.0.up_proj.weight.npy", payload: npyF32(values, [8, 64]) },
      { name: "layers.0.norm.weight.npy", payload: npyF32(values.slice(0, 64)) },
    ]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const out = path.join(s.dir, "out.npz");
    const r = runFqc(["apply", npz, out, "-c", cfg, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: "npz", quantized: 1, copied: 1 });
    // The same values as the .npy path gives for that member.
    const member = path.join(s.dir, "member.npy");
    writeFileSync(member, npyF32(values, [8, 64]));
    expect(runFqc(["apply", member, path.join(s.dir, "member.out.npy"), "-c", cfg, "-q"]).code).toBe(0);
    const want = readFileSync(path.join(s.dir, "member.out.npy"));
    expect(readFileSync(out).includes(want)).toBe(true);
    const none = path.join(s.dir, "none.json");
    writeFileSync(none, JSON.stringify({ fqn_to_config: { _default: null } }));
    expect(runFqc(["apply", npz, path.join(s.dir, "same.npz"), "-r", none, "-q"]).code).toBe(0);
    expect(readFileSync(path.join(s.dir, "same.npz")).equals(readFileSync(npz))).toBe(true);
  });

  it("a .npy under a recipe is one tensor named after its file, with the .npy path's result", () => {
    const s = setUp();
    const values = Array.from({ length: 4 * 64 }, (_, i) => Math.cos(i) / 10);
    const input = path.join(s.dir, "up_proj.weight.npy");
    writeFileSync(input, npyF32(values, [4, 64]));
    const recipe = path.join(s.dir, "npy-recipe.json");
    writeFileSync(recipe, JSON.stringify({ fqn_to_config: { up_proj: { dtype: "int4", group_size: 32 } } }));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const viaRecipe = path.join(s.dir, "via-recipe.npy");
    const viaConfig = path.join(s.dir, "via-config.npy");
    const r = runFqc(["apply", input, viaRecipe, "-r", recipe]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/\(npy, 1 tensor, .*1 fake-quantized/);
    expect(runFqc(["apply", input, viaConfig, "-c", cfg, "-q"]).code).toBe(0);
    expect(readFileSync(viaRecipe).equals(readFileSync(viaConfig))).toBe(true);
  });
});

describe("a .npy under --config with a checkpoint option (--report, --qparams-out, --dry-run)", () => {
  // These options run a .npy through the checkpoint path, whose --config targets 2-D *.weight tensors: the tensor
  // named after w.npy was copied unchanged there (exit 0), while the same line without them fake-quantized it.
  function npyCase() {
    const s = setUp();
    const input = path.join(s.dir, "w.npy");
    writeFileSync(input, npyF32(Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i) / 10), [4, 64]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const plain = path.join(s.dir, "plain.npy");
    expect(runFqc(["apply", input, plain, "-c", cfg, "-q"]).code).toBe(0);
    return { ...s, input, cfg, plain: readFileSync(plain) };
  }

  it.each([["--report", "r.json"], ["--qparams-out", "q.safetensors"]])("%s: the tensor is fake-quantized as without it", (flag, file) => {
    const s = npyCase();
    const out = path.join(s.dir, "out.npy");
    const r = runFqc(["apply", s.input, out, "-c", s.cfg, flag, path.join(s.dir, file)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 fake-quantized/);
    expect(readFileSync(out).equals(s.plain)).toBe(true);
  });

  it("--dry-run plans to fake-quantize it", () => {
    const s = npyCase();
    const r = runFqc(["apply", s.input, path.join(s.dir, "out.npy"), "-c", s.cfg, "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^w +4×64 +F32 +quantize +--config +int4 per_group 32/m);
  });

  it("an integer .npy is refused with --report as without it, nothing written", () => {
    const s = setUp();
    const input = path.join(s.dir, "counts.npy");
    writeFileSync(input, Buffer.concat([encodeNpyHeader({ descr: "<i4", shape: [4, 64] }), Buffer.alloc(4 * 4 * 64)]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const r = runFqc(["apply", input, path.join(s.dir, "out.npy"), "-c", cfg, "--report", path.join(s.dir, "r.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("tensor counts (4×64 I32): dtype I32: fqc fake-quantizes F32, F16 and BF16 tensors only");
    expect(existsSync(path.join(s.dir, "out.npy"))).toBe(false);
    expect(existsSync(path.join(s.dir, "r.json"))).toBe(false);
  });

  it("a Fortran-order .npy with --report and --qparams-out is written in C order, byte for byte what the plain apply writes", () => {
    const s = setUp();
    const input = path.join(s.dir, "f.npy");
    const values = Float32Array.from({ length: 4 * 64 }, (_, i) => Math.cos(i * 0.7) * (i % 5));
    writeFileSync(input, Buffer.concat([encodeNpyHeader({ descr: "<f4", fortranOrder: true, shape: [4, 64] }), Buffer.from(values.buffer)]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const r = runFqc(["apply", input, path.join(s.dir, "out.npy"), "-c", cfg, "--report", path.join(s.dir, "r.json"), "--qparams-out", path.join(s.dir, "q.safetensors"), "-q"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(runFqc(["apply", input, path.join(s.dir, "plain.npy"), "-c", cfg, "-q"]).code).toBe(0);
    const out = readFileSync(path.join(s.dir, "out.npy"));
    expect(out.toString("latin1", 0, 128)).toContain("'fortran_order': False");
    expect(out.equals(readFileSync(path.join(s.dir, "plain.npy")))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(s.dir, "r.json"), "utf8"))).toBeTruthy();
  });
});

describe("an output written with a trailing slash names a directory", () => {
  it("a .safetensors output `new/` is a new directory holding the file under the source's name", () => {
    const s = setUp();
    const out = path.join(s.dir, "new");
    const r = runFqc(["apply", s.input, `${out}/`, "--recipe", s.recipe, "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(["model.safetensors"]);
  });

  it("a .npy output `o.npy/` is refused (it became a file named o.npy), nothing written", () => {
    const s = setUp();
    const input = path.join(s.dir, "w.npy");
    writeFileSync(input, npyF32(Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i)), [4, 64]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const r = runFqc(["apply", input, `${s.dir}/o.npy/`, "-c", cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("o.npy/: ends with a slash, so it names a directory, not the file to write");
    expect(existsSync(path.join(s.dir, "o.npy"))).toBe(false);
  });
});

describe("--force over a hard-linked checkpoint output", () => {
  it("replaces a hard-linked .safetensors OUT with --force (that name only), and offers --force when refusing it", () => {
    const s = setUp();
    writeFileSync(s.output, "old");
    linkSync(s.output, path.join(s.dir, "other-name.safetensors"));
    const refused = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "-q"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("has 2 hard links");
    expect(refused.stderr).toContain("pass --force");
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "-q", "--force"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readSafetensors(s.output).tensors.map((t) => t.name)).toEqual(llama().map((t) => t.name));
    expect(readFileSync(path.join(s.dir, "other-name.safetensors"), "utf8")).toBe("old");
    expect(noTemps(s.dir)).toEqual([]);
  });

  it("replaces a hard-linked shard of an existing sharded OUT directory with --force", () => {
    const s = setUp();
    const src = path.join(s.dir, "src");
    mkdirSync(src);
    writeSafetensors(path.join(src, "model-00001-of-00001.safetensors"), llama(), { format: "pt" });
    writeFileSync(path.join(src, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(llama().map((t) => [t.name, "model-00001-of-00001.safetensors"])) }));
    const out = path.join(s.dir, "out");
    mkdirSync(out);
    writeFileSync(path.join(out, "model-00001-of-00001.safetensors"), "old");
    linkSync(path.join(out, "model-00001-of-00001.safetensors"), path.join(s.dir, "kept.safetensors"));
    expect(runFqc(["apply", src, out, "--recipe", s.recipe, "-q"]).code).toBe(2);
    const r = runFqc(["apply", src, out, "--recipe", s.recipe, "-q", "--force"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(s.dir, "kept.safetensors"), "utf8")).toBe("old");
    expect(readdirSync(out).sort()).toEqual(["model-00001-of-00001.safetensors", "model.safetensors.index.json"]);
  });
});

describe("a recipe key that matches no tensor", () => {
  const typo = { fqn_to_config: { ...RECIPE.fqn_to_config, "lm_haed": { dtype: "int8", granularity: "per_channel" }, "re:nothing\\..*": null } };
  it("is warned about on stderr by apply's real run, in the dry run's words, one line per key; exit 0 as torchao ignores it", () => {
    const s = setUp(llama(), typo);
    const dry = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--dry-run"]);
    const warnings = ["warning: recipe key lm_haed matches no tensor", "warning: recipe key re:nothing\\..* matches no tensor"];
    expect(dry.stdout.split("\n").filter((l) => l.startsWith("warning:"))).toEqual(warnings);
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(warnings.map((w) => `${w}\n`).join(""));
    expect(r.stdout).not.toContain("warning");
    const json = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--json", "--force"]);
    expect(json.stderr).toBe(r.stderr);
    expect((JSON.parse(json.stdout) as { unmatchedKeys: string[] }).unmatchedKeys).toEqual(["lm_haed", "re:nothing\\..*"]);
  });
  it("is not warned about with --quiet", () => {
    const s = setUp(llama(), typo);
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe("fqc apply --dry-run", () => {
  it("lists every tensor with its shape, dtype, action and key, and writes nothing", () => {
    const s = setUp();
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--dry-run"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const t of llama()) expect(r.stdout).toContain(t.name);
    expect(r.stdout).toMatch(/lm_head\.weight +100×64 +BF16 +quantize +lm_head +int8 per_channel/);
    expect(r.stdout).toMatch(/model\.embed_tokens\.weight +100×64 +BF16 +skip +— +no recipe key matches/);
    expect(r.stdout).toMatch(/8 tensors: 5 to fake-quantize \(.*\), 3 left alone/);
    expect(existsSync(s.output)).toBe(false);
    expect(noTemps(s.dir)).toEqual([]);
  });

  it("refuses the paths apply would refuse (exit 2, nothing listed), and takes --force as apply does", () => {
    const s = setUp();
    const same = runFqc(["apply", s.input, s.input, "--recipe", s.recipe, "--dry-run"]);
    expect(same.code).toBe(2);
    expect(same.stderr).toContain("is the same file as IN");
    expect(same.stdout).toBe("");
    expect(runFqc(["apply", s.input, s.input, "--recipe", s.recipe, "--dry-run", "--force"]).code).toBe(0);
    const clash = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--dry-run", "--report", s.recipe]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain("--report");
    const form = runFqc(["apply", s.input, path.join(s.dir, "out.npz"), "--recipe", s.recipe, "--dry-run"]);
    expect(form.code).toBe(2);
    expect(form.stderr).toMatch(/same form as .*model\.safetensors, not npz/);
  });

  it("refuses an OUT directory that would receive the input's own file, as apply does (exit 2, nothing listed)", () => {
    const s = setUp();
    for (const out of [s.dir, `${s.dir}/`]) {
      const dry = runFqc(["apply", s.input, out, "--recipe", s.recipe, "--dry-run"]);
      expect(dry.code, dry.stdout).toBe(2);
      expect(dry.stderr).toContain(`OUT ${path.join(s.dir, "model.safetensors")} is the same file as IN`);
      expect(dry.stdout).toBe("");
      expect(runFqc(["apply", s.input, out, "--recipe", s.recipe, "-q"]).code).toBe(2);
    }
    expect(runFqc(["apply", s.input, s.dir, "--recipe", s.recipe, "--dry-run", "--force"]).code).toBe(0);
  });

  it("refuses a sharded OUT that is the input's directory, given by its index, as apply does", () => {
    const s = setUp();
    const src = path.join(s.dir, "src");
    mkdirSync(src);
    writeSafetensors(path.join(src, "model-00001-of-00001.safetensors"), llama(), { format: "pt" });
    const index = path.join(src, "model.safetensors.index.json");
    writeFileSync(index, JSON.stringify({ metadata: {}, weight_map: Object.fromEntries(llama().map((t) => [t.name, "model-00001-of-00001.safetensors"])) }));
    const dry = runFqc(["apply", index, `${src}/`, "--recipe", s.recipe, "--dry-run"]);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain("is the same file as");
    expect(runFqc(["apply", index, `${src}/`, "--recipe", s.recipe, "-q"]).code).toBe(2);
  });

  it("refuses an existing directory as an .npz or .npy output, as apply does", () => {
    const s = setUp();
    const npz = path.join(s.dir, "w.npz");
    writeFileSync(npz, craftZip([{ name: "w.weight.npy", payload: npyF32(Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i)), [4, 64]) }]));
    const npy = path.join(s.dir, "w.npy");
    writeFileSync(npy, npyF32(Array.from({ length: 4 * 64 }, (_, i) => Math.cos(i)), [4, 64]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const dirOut = path.join(s.dir, "existing");
    mkdirSync(dirOut);
    for (const input of [npz, npy]) {
      const dry = runFqc(["apply", input, dirOut, "-c", cfg, "--dry-run"]);
      expect(dry.code).toBe(2);
      expect(dry.stderr).toContain(`${dirOut}: is a directory`);
      expect(runFqc(["apply", input, dirOut, "-c", cfg, "-q"]).code).toBe(2);
    }
    expect(readdirSync(dirOut)).toEqual([]);
  });

  it("refuses a --qparams-out named .npz or .npy (the file is safetensors, which numpy would not load), in the dry run as in apply", () => {
    const s = setUp();
    for (const name of ["qp.npz", "QP.NPY"]) {
      const qparams = path.join(s.dir, name);
      for (const extra of [["--dry-run"], ["-q"]]) {
        const r = runFqc(["apply", s.input, s.output, "-r", s.recipe, "--qparams-out", qparams, ...extra]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--qparams-out ${qparams}: fqc writes the qparams as one safetensors file, not ${name.slice(3).toLowerCase()}`);
      }
    }
    expect(readdirSync(s.dir).sort()).toEqual(["model.safetensors", "recipe.json"]);
  });

  it("--json gives the plan as JSON", () => {
    const s = setUp();
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--dry-run", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ input: s.input, format: "safetensors", summary: { tensors: 8, quantize: 5, skip: 3 } });
    expect(j.tensors[4]).toMatchObject({ name: "model.layers.0.mlp.down_proj.weight", shape: [64, 128], dtype: "BF16", action: "quantize" });
  });

  it("exits 1 and names the problem when apply would refuse the plan", () => {
    const s = setUp(llama(), { fqn_to_config: { "model.layers.0.step": { dtype: "int4", group_size: 32 } } });
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe, "--dry-run"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: model\.layers\.0\.step \(key model\.layers\.0\.step\): .*I64/);
    expect(existsSync(s.output)).toBe(false);
  });
});

describe("refusals: nothing is written", () => {
  it("an exact recipe key naming an integer tensor: exit 1, the checkpoint and tensor named", () => {
    const s = setUp(llama(), { fqn_to_config: { "model.layers.0.step": { dtype: "int4", group_size: 32 } } });
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/model\.safetensors: tensor model\.layers\.0\.step \(1 I64\)/);
    expect(existsSync(s.output)).toBe(false);
    expect(noTemps(s.dir)).toEqual([]);
  });

  it("a group size that does not divide a targeted tensor's last dimension: exit 1 with torchao's message", () => {
    const s = setUp(llama(), { fqn_to_config: { "re:.*down_proj": { dtype: "int4", group_size: 48 } } });
    const r = runFqc(["apply", s.input, s.output, "--recipe", s.recipe]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("model.layers.0.mlp.down_proj.weight");
    expect(existsSync(s.output)).toBe(false);
  });

  it.each([
    [["--config", "c.json", "--recipe", "r.json"], /--config or --recipe, not both/],
    [[], /needs --config .* or --recipe/],
    [["--recipe", "RECIPE", "--scale-out", "s.npy"], /--scale-out applies to a single \.npy tensor/],
    [["--recipe", "RECIPE", "--compute-dtype", "float32"], /--compute-dtype applies to a single \.npy tensor/],
  ])("usage %j: exit 2", (extra, message) => {
    const s = setUp();
    const args = extra.map((a) => (a === "RECIPE" ? s.recipe : a));
    const r = runFqc(["apply", s.input, s.output, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(s.output)).toBe(false);
  });

  it.each([
    [["--scale-out", "s.npy", "--report", "r.json"], "--scale-out cannot be combined with --report"],
    [["--zero-point-out", "z.npy", "--dry-run"], "--zero-point-out cannot be combined with --dry-run"],
    [["--compute-dtype", "float32", "--qparams-out", "q.safetensors"], "--compute-dtype cannot be combined with --qparams-out"],
  ])("a .npy with a .npy-only option and %j names the option that makes it a checkpoint (it said the .npy was not one)", (extra, message) => {
    const s = setUp();
    const input = path.join(s.dir, "w.npy");
    writeFileSync(input, npyF32(Array.from({ length: 4 * 64 }, (_, i) => Math.sin(i)), [4, 64]));
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const r = runFqc(["apply", input, path.join(s.dir, "o.npy"), "-c", cfg, ...extra.map((a) => (a.includes(".") ? path.join(s.dir, a) : a))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`fqc: ${message}: with it, ${input} is applied as a one-tensor checkpoint`);
    expect(r.stderr).not.toContain("not to");
    expect(readdirSync(s.dir).sort()).toEqual(["cfg.json", "model.safetensors", "recipe.json", "w.npy"]);
  });

  it.each(["out.npz", "out.npy"])("an output named for another format (%s): exit 2, nothing written", (name) => {
    const s = setUp();
    const out = path.join(s.dir, name);
    const r = runFqc(["apply", s.input, out, "--recipe", s.recipe]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/same form as .*model\.safetensors, not (npz|npy)/);
    expect(existsSync(out)).toBe(false);
    expect(noTemps(s.dir)).toEqual([]);
  });

  it("a config file given as --recipe: exit 2, saying to use --config", () => {
    const s = setUp();
    const cfg = path.join(s.dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const r = runFqc(["apply", s.input, s.output, "--recipe", cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a recipe/);
  });
});

describe("interrupting a checkpoint apply", () => {
  it("SIGINT mid-run: exit 130, no output, no qparams, no temp file", async () => {
    // 256 MiB of bfloat16 zeros, sparse on disk: bfloat16 compute runs the JS kernel, so the run lasts seconds.
    const dir = tmp.path("interrupt");
    mkdirSync(dir);
    const input = path.join(dir, "big.safetensors");
    const rows = 65536;
    const cols = 2048;
    const json = JSON.stringify({ "a.weight": { dtype: "BF16", shape: [rows, cols], data_offsets: [0, rows * cols * 2] } });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const fd = openSync(input, "w");
    writeSync(fd, Buffer.concat([len, Buffer.from(json)]));
    ftruncateSync(fd, 8 + json.length + rows * cols * 2);
    closeSync(fd);
    const cfg = path.join(dir, "cfg.json");
    writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
    const output = path.join(dir, "out.safetensors");
    const qparams = path.join(dir, "qp.safetensors");
    const child = spawn(process.execPath, [FQC, "apply", input, output, "-c", cfg, "--threads", "2", "--qparams-out", qparams], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    while (readdirSync(dir).filter((f) => f.endsWith(".tmp")).length < 2 && Date.now() - started < 20_000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill("SIGINT");
    const exit = await new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    expect(exit, stderr).toEqual(endedBy("SIGINT"));
    expect(stderr).toContain("interrupted");
    expect(existsSync(output)).toBe(false);
    expect(existsSync(qparams)).toBe(false);
    expect(noTemps(dir)).toEqual([]);
  });
});
