/** The README's command sections against the built CLI: every option `--help` lists is documented, and pasted outputs are real. */
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runFqc, tempDir, type TempDir } from "../helpers/cli.js";
import { writeSafetensors } from "../helpers/safetensors.js";
import { normalizeDocument, openCheckpoint, planTensors, renderPlanTable } from "../../src/index.js";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** From `### fqc <command>` to the next heading of level 2 or 3 (its `####` subsections included). */
function commandSection(command: string): string {
  const start = readme.indexOf(`\n### fqc ${command}\n`);
  if (start < 0) throw new Error(`README has no '### fqc ${command}' section`);
  const rest = readme.slice(start + 1);
  const end = rest.slice(4).search(/\n##?#? /);
  return end < 0 ? rest : rest.slice(0, end + 4);
}

/** The output pasted under `$ <command line>` in a fenced block, up to the block's end. */
function pastedOutput(commandLine: string): string {
  const marker = `$ ${commandLine}\n`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README shows no run of ${commandLine}`);
  const body = readme.slice(start + marker.length);
  return body.slice(0, body.indexOf("```"));
}

/** Long option names in a command's --help (`--name`), without help and version. */
function helpOptions(command: string): string[] {
  const r = runFqc([command, "--help"]);
  expect(r.code).toBe(0);
  const options = r.stdout.split("\nOptions:\n")[1]?.split("\nExamples:")[0] ?? "";
  return [...options.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]).filter((o) => o !== "--help" && o !== "--version");
}

/** The tensors of a two-layer Llama-style checkpoint (hidden size 64), in examples/llama-tiny's order. */
function llamaShapes(vocab: number, intermediate: number): Array<[string, number[]]> {
  const layer = (i: number): Array<[string, number[]]> => [
    ...["q", "k", "v", "o"].map((p): [string, number[]] => [`model.layers.${i}.self_attn.${p}_proj.weight`, [64, 64]]),
    [`model.layers.${i}.mlp.gate_proj.weight`, [intermediate, 64]],
    [`model.layers.${i}.mlp.up_proj.weight`, [intermediate, 64]],
    [`model.layers.${i}.mlp.down_proj.weight`, [64, intermediate]],
    [`model.layers.${i}.input_layernorm.weight`, [64]],
    [`model.layers.${i}.post_attention_layernorm.weight`, [64]],
  ];
  return [["model.embed_tokens.weight", [vocab, 64]], ...layer(0), ...layer(1), ["model.norm.weight", [64]], ["lm_head.weight", [vocab, 64]]];
}

/** Timings and thread counts change between runs; everything else in a summary line must not. */
const untimed = (text: string) => text.replace(/ in \d+\.\d+ s, /g, " in T s, ");

describe("README command sections", () => {
  let tmp: TempDir;
  beforeAll(() => {
    tmp = tempDir();
    // Runs from a directory holding `examples` (a link to the repository's) and the files the README's runs name, so the paths
    // printed are the ones pasted and no output lands in the repository.
    symlinkSync(path.join(ROOT, "examples"), tmp.path("examples"));
    writeFileSync(tmp.path("g48.json"), '{"dtype": "int4", "group_size": 48}\n');
    // The config of the --format github run: an asymmetric int4 group config, one key per line.
    writeFileSync(tmp.path("w.json"), '{\n  "dtype": "int4",\n  "group_size": 32,\n  "is_symmetric": false\n}\n');
    // examples/llama-tiny's layout with an intermediate size of 176, which groups of 32 do not divide (headers are all --tensor reads).
    writeSafetensors(tmp.path("tiny-llama-176.safetensors"), llamaShapes(256, 176).map(([name, shape]) => ({ name, shape, dtype: "BF16", raw: new Uint8Array(2 * shape.reduce((a, b) => a * b, 1)) })));
    // The Recipes section's plan: vocabulary 1024, intermediate size 192.
    writeSafetensors(tmp.path("tiny-llama-192.safetensors"), llamaShapes(1024, 192).map(([name, shape]) => ({ name, shape, dtype: "BF16", raw: new Uint8Array(2 * shape.reduce((a, b) => a * b, 1)) })));
  });
  afterAll(() => tmp.cleanup());

  for (const command of ["validate", "normalize", "apply", "report", "schema"]) {
    it(`names every option of fqc ${command} --help in its section`, () => {
      const section = commandSection(command);
      const missing = helpOptions(command).filter((o) => !section.includes(`\`${o}`) && !section.includes(`--no-${o.slice(2)}`) && !section.includes(`, ${o}`) && !section.includes(` ${o} `));
      expect(missing).toEqual([]);
    });
  }

  it("shows validate --format json's output as the CLI prints it (only the line breaks differ)", () => {
    const r = runFqc(["validate", "examples/broken/per-token-symmetric.yaml", "--format", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(pastedOutput("fqc validate examples/broken/per-token-symmetric.yaml --format json"))).toEqual(JSON.parse(r.stdout));
  });

  it("shows the --tensor pre-flight exactly as the CLI prints it", () => {
    const r = runFqc(["validate", "g48.json", "--tensor", "examples/weight.npy"], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(pastedOutput("fqc validate g48.json --tensor examples/weight.npy")).toBe(r.stdout);
  });

  it("shows normalize's canonical form exactly as the CLI prints it", () => {
    const r = runFqc(["normalize", "examples/int4-weight-per-group.json"]);
    expect(r.code).toBe(0);
    expect(pastedOutput("fqc normalize examples/int4-weight-per-group.json")).toBe(r.stdout);
  });

  it("shows apply's summary lines as the CLI prints them, up to the time taken", () => {
    const npy = "fqc apply examples/weight.npy weight.fq.npy --config examples/8da4w.json --role weight --scale-out scale.npy --zero-point-out zero_point.npy";
    const ckpt = "fqc apply examples/llama-tiny/model.safetensors model.fq.safetensors --recipe examples/llama-recipe.json --qparams-out qparams.safetensors";
    for (const line of [npy, ckpt]) {
      const r = runFqc(line.split(" ").slice(1), { cwd: tmp.dir });
      expect(r.code).toBe(0);
      expect(untimed(pastedOutput(line))).toBe(untimed(r.stdout));
    }
  });

  /** The README's pasted output of `line` is what running it prints now, with exit status `code`. */
  const expectPastedRun = (line: string, code: number) => {
    const r = runFqc(line.split(" ").slice(1), { cwd: tmp.dir });
    expect(r.code).toBe(code);
    expect(pastedOutput(line)).toBe(r.stdout);
  };

  it("shows the recipe's dry run exactly as the CLI prints it", () => {
    expectPastedRun("fqc apply examples/llama-tiny/model.safetensors model.fq.safetensors --recipe examples/llama-recipe.json --dry-run", 0);
  });

  it("shows the --format github annotation exactly as the CLI prints it", () => {
    const r = runFqc(["validate", "w.json", "--format", "github"], { cwd: tmp.dir, env: { GITHUB_STEP_SUMMARY: "" } });
    expect(r.code).toBe(0);
    expect(pastedOutput("fqc validate w.json --format github")).toBe(r.stdout);
  });

  it("shows the recipe's pre-flight against a checkpoint exactly as the CLI prints it", () => {
    expectPastedRun("fqc validate examples/llama-recipe.json --tensor tiny-llama-176.safetensors", 1);
  });

  it("shows what the demo prints, up to its temp directory and the times taken", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "scripts/demo.mjs")], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" } });
    expect(r.status, r.stderr).toBe(0);
    const tidy = (text: string) => untimed(text.replace(/\/[^\s]*fqc-demo-\w+/g, "/tmp/fqc-demo-XXXX"));
    expect(tidy(pastedOutput("npm run demo"))).toBe(tidy(r.stdout.replace(/^\n/, "")));
  });

  it("shows the recipe's plan of a tiny Llama-shaped checkpoint as renderPlanTable prints it, with the key and layer 1 shortened as it says", () => {
    const marker = "`renderPlanTable(planTensors(ckpt.tensors, { recipe }))` prints";
    const at = readme.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    const block = readme.slice(readme.indexOf("```\n", at) + 4, readme.indexOf("\n```", readme.indexOf("```\n", at) + 4) + 1);
    const doc = normalizeDocument(readFileSync(path.join(ROOT, "examples/llama-recipe.json"), "utf8"));
    if (doc.kind !== "recipe") throw new Error("examples/llama-recipe.json is not a recipe");
    const ckpt = openCheckpoint(tmp.path("tiny-llama-192.safetensors"));
    try {
      const plan = planTensors(ckpt.tensors, { recipe: doc.recipe }).map((e) => (e.key?.startsWith("re:") ? { ...e, key: "re:…" } : e));
      const layer0 = plan.filter((e) => !e.tensor.name.startsWith("model.layers.1."));
      const lines = renderPlanTable(layer0, { unmatchedKeys: [] }).split("\n");
      lines.splice(lines.findIndex((l) => l.startsWith("model.norm.weight")), 0, "  … (layer 1 the same)");
      // The summary counts every tensor, layer 1 included.
      const summary = renderPlanTable(plan, { unmatchedKeys: [] }).trimEnd().split("\n").at(-1)!;
      expect(block).toBe(`${lines.join("\n").trimEnd().split("\n").slice(0, -1).join("\n")}\n${summary}\n`);
    } finally {
      ckpt.close();
    }
  });
});
