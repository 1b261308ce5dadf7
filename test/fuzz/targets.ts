/**
 * What the fuzz suite feeds fqc: per input format, valid seed files, the
 * mutators that suit it, and the command lines that read it. Adding a format
 * is one entry here: seeds, mutators (mutators.ts) and the commands that
 * take such a file; the harness and invariants stay.
 */
import { readFileSync } from "node:fs";
import { safetensorsBytes, type TensorSpec } from "../checkpoint/helpers.js";
import { craftZip, npyF32, npzFixture } from "../checkpoint/npz-helpers.js";
import { craftNpy } from "../npy/helpers.js";
import { BYTE_MUTATORS, jsonValue, npyHeaderField, reencode, safetensorsHeader, zipField, type Mutator } from "./mutators.js";

/** A small Llama-like model: projections a recipe targets, lm_head, a norm and an integer tensor passed through. */
const MODEL: TensorSpec[] = [
  { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [4, 64] },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "F32", shape: [8, 64] },
  { name: "model.layers.0.mlp.up_proj.qweight", dtype: "I32", shape: [2, 8] },
  { name: "model.norm.weight", dtype: "F32", shape: [64] },
  { name: "lm_head.weight", dtype: "F16", shape: [4, 64] },
];

/** Files every case's directory starts with, next to the mutated one. */
export const SUPPORT_FILES: Record<string, Uint8Array> = {
  "g32.json": new TextEncoder().encode('{"dtype": "int4", "group_size": 32}'),
  "pt.yaml": new TextEncoder().encode("dtype: int8\ngranularity: per_token\nmapping_type: ASYMMETRIC\n"),
  "w.npy": npy("<f4", [4, 64], (i) => Math.sin(i) * 3),
  "m.safetensors": safetensorsBytes(MODEL, { format: "pt" }),
  "r.json": new TextEncoder().encode(JSON.stringify({ fqn_to_config: {
    "re:model\\.layers\\.\\d+\\..*_proj": { dtype: "int4", group_size: 32 },
    lm_head: { weight: { dtype: "int8", granularity: "per_channel" } },
    "model.norm": null,
  } })),
};

export interface FuzzTarget {
  readonly name: string;
  /** Name of the mutated file inside the case's directory. */
  readonly file: string;
  readonly seeds: readonly Uint8Array[];
  readonly mutators: readonly Mutator[];
  /** Command lines to run on the mutated file; `out*` names are the outputs a success may leave, `report*` a report (exit 0 or 1). */
  readonly commands: ReadonlyArray<readonly string[]>;
}

function npy(descr: string, shape: number[], value: (i: number) => number, fortran = false): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const size = descr.endsWith("8") ? 8 : descr.endsWith("2") ? 2 : 4;
  const data = new Uint8Array(n * size);
  const dv = new DataView(data.buffer);
  const little = descr.startsWith("<");
  for (let i = 0; i < n; i++) {
    if (size === 8) dv.setFloat64(i * 8, value(i), little);
    else if (size === 4) dv.setFloat32(i * 4, value(i), little);
    else dv.setUint16(i * 2, 0x3c00 + (i % 64), little); // float16 values near 1
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return craftNpy(`{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shapeText}, }`, data, { pad: true });
}

const text = (s: string) => new TextEncoder().encode(s);

const CONFIG_SEEDS = [
  '{"dtype": "int4", "group_size": 32}',
  '{"$schema": "https://fqc.dev/schema/v1/fqc.schema.json", "dtype": "int8", "granularity": "per_token", "mapping_type": "ASYMMETRIC"}',
  '{"dtype": "uint4", "granularity": {"type": "PerGroup", "group_size": 32}, "is_symmetric": false, "zero_point_domain": "FLOAT", "scale_precision": "bfloat16"}',
  '{"_type": "IntxFakeQuantizeConfig", "_version": 1, "_data": {"dtype": {"_type": "torch.dtype", "_data": "int4"}, "granularity": {"_type": "PerGroup", "_version": 1, "_data": {"group_size": 32}}}}',
  '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "range_learning": true, "zero_point_precision": "float32", "eps": 1e-6}',
  '{"dtype": "int8", "granularity": "per_token", "is_symmetric": false, "scale_precision": null}',
];

/** QAT pairs apart from single configs: apply takes a pair with --role and refuses --role on a single config. */
const PAIR_SEEDS = [
  '{"activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}, "weight": {"dtype": "int4", "group_size": 32}}',
];

const YAML_SEEDS = [
  "# yaml-language-server: $schema=https://fqc.dev/schema/v1/fqc.schema.json\ndtype: int4\ngroup_size: 32\n",
  "dtype: uint8\ngranularity: per_channel\nmapping_type: ASYMMETRIC\nscale_precision: float16\n",
  "dtype: int8\ngranularity: per_token\nis_symmetric: false\nscale_precision: null\n",
];

const YAML_PAIR_SEEDS = [
  "activation:\n  dtype: int8\n  granularity: per_token\n  is_symmetric: false\nweight:\n  dtype: int4\n  granularity:\n    type: PerGroup\n    group_size: 32\n",
];

const RECIPE_SEEDS = [
  '{"fqn_to_config": {"re:model\\\\.layers\\\\.\\\\d+\\\\..*_proj": {"dtype": "int4", "group_size": 32}, "lm_head": {"weight": {"dtype": "int8", "granularity": "per_channel"}}, "model.norm": null}}',
  '{"$schema": "https://fqc.dev/schema/v1/fqc.schema.json", "fqn_to_config": {"_default": {"dtype": "int4", "group_size": 16}, "model.layers.0.mlp.up_proj.weight": {"activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}, "weight": {"dtype": "int4", "group_size": 64}}}}',
  '{"_type": "FqnToConfig", "_data": {"fqn_to_config": {"lm_head": {"_type": "QATConfig", "_data": {"weight_config": {"_type": "IntxFakeQuantizeConfig", "_data": {"dtype": {"_type": "torch.dtype", "_data": "int8"}, "granularity": {"_type": "PerAxis", "_data": {"axis": 0}}}}}}, "re:.*q_proj": null}}}',
];

const YAML_RECIPE_SEEDS = [
  "fqn_to_config:\n  're:model\\.layers\\.\\d+\\..*_proj':\n    dtype: int4\n    group_size: 32\n  lm_head:\n    weight: {dtype: int8, granularity: per_channel}\n  model.norm: null\n",
  "# yaml-language-server: $schema=https://fqc.dev/schema/v1/fqc.schema.json\nfqn_to_config:\n  _default: &g\n    dtype: int4\n    group_size: 16\n  model.layers.0.mlp.up_proj: *g\n",
];

const recipeCommands = (file: string) => [
  ["validate", file],
  ["validate", "-f", "sarif", file, "--tensor", "m.safetensors"],
  ["normalize", "--check", file],
  ["apply", "m.safetensors", "out.safetensors", "--recipe", file, "--dry-run"],
  ["apply", "m.safetensors", "out.safetensors", "--recipe", file, "-q", "--qparams-out", "out-q.safetensors"],
  ["report", "m.safetensors", "--recipe", file, "-o", "report.md"],
];

const configCommands = (file: string, role: string[] = []) => [
  ["validate", file],
  ["validate", "-f", "sarif", file, "g32.json"],
  ["validate", "-f", "json", file, "--tensor", "w.npy"],
  ["normalize", "--check", file],
  ["normalize", file],
  ["apply", "w.npy", "out.npy", "-c", file, ...role, "-q"],
];

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: ".npy tensors",
    file: "t.npy",
    seeds: [
      SUPPORT_FILES["w.npy"],
      npy(">f8", [8, 32], (i) => (i % 7) - 3),
      npy("<f2", [2, 64], () => 0),
      npy("<f4", [64, 4], (i) => i / 10, true),
      npy("<f4", [256], (i) => (i % 2 ? -1 : 1) * i),
    ],
    mutators: [...BYTE_MUTATORS, npyHeaderField, npyHeaderField, npyHeaderField],
    commands: [
      ["apply", "t.npy", "out.npy", "-c", "g32.json", "-q"],
      ["apply", "t.npy", "out.npy", "-c", "pt.yaml", "-q", "--kernel", "js", "--scale-out", "out-scale.npy"],
      ["validate", "g32.json", "pt.yaml", "--tensor", "t.npy"],
    ],
  },
  {
    name: "JSON configs",
    file: "c.json",
    seeds: CONFIG_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, jsonValue, jsonValue, jsonValue, reencode],
    commands: configCommands("c.json"),
  },
  {
    name: "JSON QAT pairs",
    file: "c.json",
    seeds: PAIR_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, jsonValue, jsonValue, jsonValue, reencode],
    commands: configCommands("c.json", ["--role", "weight"]),
  },
  {
    name: "YAML configs",
    file: "c.yaml",
    seeds: YAML_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, reencode],
    commands: configCommands("c.yaml"),
  },
  {
    name: "YAML QAT pairs",
    file: "c.yaml",
    seeds: YAML_PAIR_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, reencode],
    commands: configCommands("c.yaml", ["--role", "weight"]),
  },
  {
    name: "safetensors checkpoints",
    file: "t.safetensors",
    seeds: [
      SUPPORT_FILES["m.safetensors"],
      safetensorsBytes([{ name: "a.weight", dtype: "F32", shape: [2, 32] }, { name: "b.weight", dtype: "BF16", shape: [0, 64] }, { name: "c", dtype: "F64", shape: [3] }]),
      safetensorsBytes([{ name: "lm_head.weight", dtype: "F16", shape: [8, 32] }]),
    ],
    mutators: [...BYTE_MUTATORS, safetensorsHeader, safetensorsHeader, safetensorsHeader, safetensorsHeader],
    commands: [
      ["apply", "t.safetensors", "out.safetensors", "-c", "g32.json", "-q"],
      ["apply", "t.safetensors", "out.safetensors", "--recipe", "r.json", "--dry-run"],
      ["apply", "t.safetensors", "out.safetensors", "--recipe", "r.json", "-q", "--qparams-out", "out-q.safetensors"],
      ["report", "t.safetensors", "-c", "g32.json", "-c", "pt.yaml", "-o", "report.md"],
      ["validate", "r.json", "g32.json", "--tensor", "t.safetensors"],
    ],
  },
  {
    name: ".npz archives",
    file: "t.npz",
    seeds: [
      ...["stored.npz", "compressed.npz", "zip64.npz", "streamed.npz"].map((f) => new Uint8Array(readFileSync(npzFixture(f)))),
      craftZip([{ name: "lm_head.weight.npy", payload: npyF32(Array.from({ length: 128 }, (_, i) => Math.cos(i)), [2, 64]), method: 8 }]),
    ],
    mutators: [...BYTE_MUTATORS, zipField, zipField, zipField],
    commands: [
      ["apply", "t.npz", "out.npz", "-c", "g32.json", "-q"],
      ["apply", "t.npz", "out.npz", "--recipe", "r.json", "--dry-run"],
      ["report", "t.npz", "-c", "pt.yaml", "-o", "report.md"],
      ["validate", "r.json", "--tensor", "t.npz"],
    ],
  },
  {
    name: "JSON recipes",
    file: "rc.json",
    seeds: RECIPE_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, jsonValue, jsonValue, jsonValue, jsonValue],
    commands: recipeCommands("rc.json"),
  },
  {
    name: "YAML recipes",
    file: "rc.yaml",
    seeds: YAML_RECIPE_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, reencode],
    commands: recipeCommands("rc.yaml"),
  },
];
