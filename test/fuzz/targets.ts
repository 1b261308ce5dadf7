/**
 * What the fuzz suite feeds fqc: per input format, valid seed files, the
 * mutators that suit it, and the command lines that read it. Adding a format
 * (safetensors, .npz) is one entry here: seeds, mutators (mutators.ts) and
 * the commands that take such a file; the harness and invariants stay.
 */
import { craftNpy } from "../npy/helpers.js";
import { BYTE_MUTATORS, jsonValue, npyHeaderField, reencode, type Mutator } from "./mutators.js";

/** Files every case's directory starts with, next to the mutated one. */
export const SUPPORT_FILES: Record<string, Uint8Array> = {
  "g32.json": new TextEncoder().encode('{"dtype": "int4", "group_size": 32}'),
  "pt.yaml": new TextEncoder().encode("dtype: int8\ngranularity: per_token\nmapping_type: ASYMMETRIC\n"),
  "w.npy": npy("<f4", [4, 64], (i) => Math.sin(i) * 3),
};

export interface FuzzTarget {
  readonly name: string;
  /** Name of the mutated file inside the case's directory. */
  readonly file: string;
  readonly seeds: readonly Uint8Array[];
  readonly mutators: readonly Mutator[];
  /** Command lines to run on the mutated file; `out*` names are the outputs a success may leave. */
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
  '{"activation": {"dtype": "int8", "granularity": "per_token", "is_symmetric": false}, "weight": {"dtype": "int4", "group_size": 32}}',
  '{"_type": "IntxFakeQuantizeConfig", "_version": 1, "_data": {"dtype": {"_type": "torch.dtype", "_data": "int4"}, "granularity": {"_type": "PerGroup", "_version": 1, "_data": {"group_size": 32}}}}',
  '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false, "range_learning": true, "zero_point_precision": "float32", "eps": 1e-6}',
];

const YAML_SEEDS = [
  "# yaml-language-server: $schema=https://fqc.dev/schema/v1/fqc.schema.json\ndtype: int4\ngroup_size: 32\n",
  "activation:\n  dtype: int8\n  granularity: per_token\n  is_symmetric: false\nweight:\n  dtype: int4\n  granularity:\n    type: PerGroup\n    group_size: 32\n",
  "dtype: uint8\ngranularity: per_channel\nmapping_type: ASYMMETRIC\nscale_precision: float16\n",
];

const configCommands = (file: string) => [
  ["validate", file],
  ["validate", "-f", "sarif", file, "g32.json"],
  ["validate", "-f", "json", file, "--tensor", "w.npy"],
  ["normalize", "--check", file],
  ["normalize", file],
  ["apply", "w.npy", "out.npy", "-c", file, "--role", "weight", "-q"],
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
    name: "JSON configs and QAT pairs",
    file: "c.json",
    seeds: CONFIG_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, jsonValue, jsonValue, jsonValue, reencode],
    commands: configCommands("c.json"),
  },
  {
    name: "YAML configs and QAT pairs",
    file: "c.yaml",
    seeds: YAML_SEEDS.map(text),
    mutators: [...BYTE_MUTATORS, reencode],
    commands: configCommands("c.yaml"),
  },
];
