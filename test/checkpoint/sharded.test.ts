import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FqcError, exitCodeFor } from "../../src/errors.js";
import { compareCodePoints, MAX_INDEX_BYTES, openSharded } from "../../src/checkpoint/sharded.js";
import { collect, safetensorsBytes, tempDir, writeSharded, type ShardSpec } from "./helpers.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const SHARDS: ShardSpec[] = [
  { file: "model-00001-of-00002.safetensors", tensors: [
    { name: "model.embed_tokens.weight", dtype: "BF16", shape: [16, 4] },
    { name: "model.layers.0.mlp.up_proj.weight", dtype: "BF16", shape: [8, 4] },
  ], metadata: { format: "pt" } },
  { file: "model-00002-of-00002.safetensors", tensors: [
    { name: "model.layers.1.mlp.up_proj.weight", dtype: "F32", shape: [8, 4] },
    { name: "lm_head.weight", dtype: "BF16", shape: [16, 4] },
  ], metadata: { format: "pt", shard: "2" } },
];

function refusal(open: () => unknown): FqcError {
  try {
    open();
  } catch (err) {
    expect(err).toBeInstanceOf(FqcError);
    const e = err as FqcError;
    expect(e.message).not.toContain("\n");
    expect(exitCodeFor(e.code)).toBe(2);
    return e;
  }
  throw new Error("the checkpoint was accepted");
}

describe("openSharded: valid checkpoints", () => {
  it("opens a shard of 200,000 tensors (the tensors were once spread into one push: past ~130,000 the call stack overflowed)", () => {
    const many = Array.from({ length: 200_000 }, (_, i) => ({ name: `model.layers.${i}.w`, dtype: "F32" as const, shape: [1] }));
    const index = writeSharded(tmp.dir, [{ file: "a.safetensors", tensors: many.slice(0, 10) }, { file: "b.safetensors", tensors: many.slice(10) }]);
    const ck = openSharded(index);
    try {
      expect(ck.tensors).toHaveLength(200_000);
      expect(ck.tensors[199_999].index).toBe(199_999);
    } finally {
      ck.close();
    }
  });
  it("lists shards in file-name order, each in data-offset order, with the first shard's metadata", () => {
    // weight_map is sorted by tensor name (as transformers writes it), so lm_head (shard 2) comes first there.
    const index = writeSharded(tmp.dir, SHARDS);
    const ck = openSharded(index);
    try {
      expect(ck.format).toBe("sharded");
      expect(ck.tensors.map((t) => [t.name, t.index, path.basename(t.file)])).toEqual([
        ["model.embed_tokens.weight", 0, "model-00001-of-00002.safetensors"],
        ["model.layers.0.mlp.up_proj.weight", 1, "model-00001-of-00002.safetensors"],
        ["model.layers.1.mlp.up_proj.weight", 2, "model-00002-of-00002.safetensors"],
        ["lm_head.weight", 3, "model-00002-of-00002.safetensors"],
      ]);
      expect(ck.metadata).toEqual({ format: "pt" });
      expect(ck.shards.map((s) => s.name)).toEqual(SHARDS.map((s) => s.file));
      expect(Buffer.from(ck.indexBytes)).toEqual(fs.readFileSync(index));
      for (const t of ck.tensors) {
        const file = fs.readFileSync(t.file);
        expect(Buffer.from(collect(ck.stream(t, 7)))).toEqual(file.subarray(t.dataOffset!, t.dataOffset! + t.byteLength));
      }
    } finally {
      ck.close();
    }
  });

  it("orders file names by code point, as Python's sorted does", () => {
    expect(["b", "a", "\u{1F600}", "\uFFFF"].sort(compareCodePoints)).toEqual(["a", "b", "\uFFFF", "\u{1F600}"]);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("a", "ab")).toBeLessThan(0);
    expect(compareCodePoints("a", "a")).toBe(0);
  });

  it("accepts extra top-level keys in the index (copied as they are)", () => {
    const index = writeSharded(tmp.dir, SHARDS.slice(0, 1), {
      indexText: JSON.stringify({ metadata: { total_size: 192 }, weight_map: { "model.embed_tokens.weight": SHARDS[0].file, "model.layers.0.mlp.up_proj.weight": SHARDS[0].file }, format: "x" }),
    });
    const ck = openSharded(index);
    expect(ck.tensors).toHaveLength(2);
    ck.close();
  });
});

describe("openSharded: refusals", () => {
  it("refuses an index that is not JSON, or not an object", () => {
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: "{\"weight_map\": " }))).message).toMatch(/the index is not valid JSON/);
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: "[1]" }))).message).toMatch(/the index is an array, not a JSON object/);
  });

  it("refuses a config, pair or recipe given as the index, saying which it is and where a config goes", () => {
    for (const text of [`{"dtype": "int4", "group_size": 32}`, `{"activation": null, "weight": {"dtype": "int4"}}`, `{"fqn_to_config": {}}`]) {
      const e = refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: text })));
      expect(e.message, text).toMatch(/the index has no "weight_map": this is an fqc config or recipe, not a sharded checkpoint's index$/);
      expect(e.hint, text).toBe("Give the tensor or checkpoint first, and the config with -c/--config (a recipe with -r/--recipe).");
    }
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: `{"metadata":{}}` }))).hint).toMatch(/^Give the model\.safetensors\.index\.json/);
  });

  it("refuses an index without a weight_map, or with a weight_map that is not an object of strings", () => {
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: `{"metadata":{}}` }))).message).toMatch(/the index has no "weight_map"/);
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: `{"weight_map":[]}` }))).message).toMatch(/"weight_map" is an array, not an object/);
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: `{"weight_map":{}}` }))).message).toMatch(/"weight_map" is empty/);
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: `{"weight_map":{"a":1}}` }))).message).toMatch(/tensor "a" maps to the number 1, not a shard file name/);
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: `{"metadata":3,"weight_map":{"a":"b"}}` }))).message).toMatch(/"metadata" is the number 3, not an object/);
  });

  it("refuses a duplicate key in the weight_map (JSON.parse would keep the last)", () => {
    const text = `{"weight_map":{"lm_head.weight":"model-00001-of-00002.safetensors","lm_head.weight":"model-00002-of-00002.safetensors"}}`;
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: text }))).message).toMatch(/duplicate key "lm_head.weight"/);
  });

  it("refuses shard names with path traversal, absolute paths or subdirectories", () => {
    for (const [shard, why] of [["../x.safetensors", /another directory/], ["/etc/passwd", /absolute path/], ["sub/x.safetensors", /another directory/], ["..\\x.safetensors", /another directory/], ["..", /not a file name/], [".", /not a file name/], ["a\u0000.safetensors", /contains a NUL byte/], ["", /is empty/], ["C:x", /absolute path/],
      ["model.safetensors.index.json", /is the index file itself, not a shard/]] as const) {
      const text = JSON.stringify({ weight_map: { w: shard } });
      const e = refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { indexText: text })));
      expect(e.message).toMatch(why);
      expect(e.message).toContain(`tensor "w" maps to`);
    }
  });

  it("refuses an index naming a missing shard", () => {
    const wm = { "model.embed_tokens.weight": "model-00001-of-00002.safetensors", "model.layers.0.mlp.up_proj.weight": "model-00001-of-00002.safetensors", x: "model-00003-of-00002.safetensors" };
    const e = refusal(() => openSharded(writeSharded(tmp.dir, SHARDS.slice(0, 1), { weightMap: wm })));
    expect(e.message).toMatch(/shard "model-00003-of-00002.safetensors" \(named for 1 tensor in the weight_map\) does not exist/);
    const two = { ...wm, y: "model-00003-of-00002.safetensors" };
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS.slice(0, 1), { weightMap: two }))).message).toMatch(/\(named for 2 tensors in the weight_map\)/);
  });

  it("refuses a shard that is not a valid safetensors file, naming the shard", () => {
    const index = writeSharded(tmp.dir, SHARDS);
    const shard = path.join(tmp.dir, SHARDS[1].file);
    fs.writeFileSync(shard, fs.readFileSync(shard).subarray(0, 50));
    const e = refusal(() => openSharded(index));
    expect(e.message.startsWith(`${shard}: `)).toBe(true);
  });

  it("refuses a tensor stored in two shards", () => {
    const dup: ShardSpec[] = [SHARDS[0], { file: SHARDS[1].file, tensors: [...SHARDS[1].tensors, SHARDS[0].tensors[0]] }];
    const e = refusal(() => openSharded(writeSharded(tmp.dir, dup)));
    expect(e.message).toMatch(/tensor "model.embed_tokens.weight" is in two shards, "model-00001-of-00002.safetensors" and "model-00002-of-00002.safetensors"/);
  });

  it("refuses a weight_map that puts a tensor in another shard than the one holding it", () => {
    const wm: Record<string, string> = {};
    for (const s of SHARDS) for (const t of s.tensors) wm[t.name] = s.file;
    wm["lm_head.weight"] = SHARDS[0].file;
    const e = refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { weightMap: wm })));
    expect(e.message).toMatch(/tensor "lm_head.weight" is in shard "model-00002-of-00002.safetensors" but the weight_map puts it in "model-00001-of-00002.safetensors"/);
  });

  it("refuses a shard tensor missing from the weight_map", () => {
    const wm: Record<string, string> = {};
    for (const s of SHARDS) for (const t of s.tensors) wm[t.name] = s.file;
    delete wm["lm_head.weight"];
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { weightMap: wm }))).message).toMatch(/tensor "lm_head.weight" is in shard "model-00002-of-00002.safetensors" but not in the weight_map/);
  });

  it("refuses a shard holding more tensors than the whole weight_map lists before opening the next shard", () => {
    // The first shard holds three tensors, the weight_map lists two in all: refused there, whatever the second shard is.
    const shards = [{ ...SHARDS[0], tensors: [...SHARDS[0].tensors, { name: "extra", dtype: "U8" as const, shape: [2] }] }, SHARDS[1]];
    const wm = { "model.embed_tokens.weight": SHARDS[0].file, "lm_head.weight": SHARDS[1].file };
    const index = writeSharded(tmp.dir, shards, { weightMap: wm });
    fs.writeFileSync(path.join(tmp.dir, SHARDS[1].file), "not a safetensors file");
    expect(refusal(() => openSharded(index)).message)
      .toMatch(/tensor "model\.layers\.0\.mlp\.up_proj\.weight" is in shard "model-00001-of-00002\.safetensors" but not in the weight_map/);
  });

  it("refuses a weight_map entry its shard does not hold", () => {
    const wm: Record<string, string> = {};
    for (const s of SHARDS) for (const t of s.tensors) wm[t.name] = s.file;
    wm["ghost.weight"] = SHARDS[1].file;
    expect(refusal(() => openSharded(writeSharded(tmp.dir, SHARDS, { weightMap: wm }))).message).toMatch(/the weight_map puts tensor "ghost.weight" in "model-00002-of-00002.safetensors", which has no such tensor/);
  });

  it("refuses an index file larger than the cap without reading it", () => {
    const index = tmp.file("model.safetensors.index.json");
    fs.writeFileSync(index, "{}");
    fs.truncateSync(index, MAX_INDEX_BYTES + 1);
    expect(refusal(() => openSharded(index)).message).toMatch(/index file is 100000001 bytes, larger than the 100000000-byte limit/);
  });

  it("reads an index of exactly the cap (a sparse file; ~1 s)", () => {
    const index = tmp.file("model.safetensors.index.json");
    fs.writeFileSync(index, "{}");
    fs.truncateSync(index, MAX_INDEX_BYTES);
    // Read in full and refused for what it holds (NUL bytes after "{}"), not for its size.
    expect(refusal(() => openSharded(index)).message).toMatch(/the index is not valid JSON: .*\(at character 2\)/);
  });

  it("closes the shards it opened when a later check fails", () => {
    const before = fs.readdirSync("/proc/self/fd").length;
    const wm: Record<string, string> = {};
    for (const s of SHARDS) for (const t of s.tensors) wm[t.name] = s.file;
    wm["ghost.weight"] = SHARDS[1].file;
    const index = writeSharded(tmp.dir, SHARDS, { weightMap: wm });
    for (let i = 0; i < 5; i++) refusal(() => openSharded(index));
    expect(fs.readdirSync("/proc/self/fd").length).toBe(before);
  });

  it("keeps plain single files readable next to it (helper sanity)", () => {
    expect(safetensorsBytes([]).length).toBe(16);
  });
});
