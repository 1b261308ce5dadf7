import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FqcError } from "../../src/errors.js";
import { createCheckpointWriter, createCheckpointWriterAs, openCheckpoint } from "../../src/checkpoint/open.js";
import { CLI_WORDS } from "../../src/caller-words.js";
import type { Checkpoint, CheckpointWriter } from "../../src/checkpoint/types.js";
import { thrownFqcError } from "../helpers/js-callers.js";
import { craftNpy } from "../npy/helpers.js";
import { safetensorsBytes, tempDir, writeSharded, type ShardSpec, type TensorSpec } from "./helpers.js";

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => { tmp = tempDir(); });
afterEach(() => tmp.cleanup());

const TENSORS: TensorSpec[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [64, 16] },
  { name: "empty", dtype: "F32", shape: [0, 3] },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "F32", shape: [32, 16] },
  { name: "step", dtype: "I64", shape: [] },
];

const SHARDS: ShardSpec[] = [
  { file: "model-00001-of-00003.safetensors", tensors: TENSORS.slice(0, 2) },
  { file: "model-00002-of-00003.safetensors", tensors: TENSORS.slice(2, 3) },
  { file: "model-00003-of-00003.safetensors", tensors: [{ name: "lm_head.weight", dtype: "F16", shape: [64, 16] }, TENSORS[3]] },
];

/** Copy every tensor through the writer: streamed writes, or positional writes from the sink's fd. */
function copyAll(ck: Checkpoint, w: CheckpointWriter, mode: "stream" | "positional"): void {
  for (const t of ck.tensors) {
    const sink = w.begin(t);
    if (mode === "stream") {
      for (const piece of ck.stream(t, 100)) sink.write(piece);
      sink.end();
    } else {
      let at = 0;
      for (const piece of ck.stream(t, 100)) {
        fs.writeSync(sink.positional!.fd, piece, 0, piece.length, sink.positional!.dataOffset + at);
        at += piece.length;
      }
      sink.end(at);
    }
  }
  w.commit();
}

/** Names in a directory that look like fqc temp files or directories. */
function temps(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.includes(".fqc-"));
}

const thrown = thrownFqcError;

function sameFiles(a: string, b: string): void {
  expect(fs.readdirSync(b).sort()).toEqual(fs.readdirSync(a).sort());
  for (const n of fs.readdirSync(a)) expect(fs.readFileSync(path.join(b, n)).equals(fs.readFileSync(path.join(a, n)))).toBe(true);
}

describe("checkpoint writers: round trips", () => {
  for (const mode of ["stream", "positional"] as const) {
    it(`writes a byte-identical single safetensors file (${mode} writes)`, () => {
      const src = tmp.file("in.safetensors");
      fs.writeFileSync(src, safetensorsBytes(TENSORS, { format: "pt", note: "kept" }));
      const ck = openCheckpoint(src);
      const out = tmp.file("out.safetensors");
      copyAll(ck, createCheckpointWriter(ck, out), mode);
      ck.close();
      expect(fs.readFileSync(out).equals(fs.readFileSync(src))).toBe(true);
      expect(temps(tmp.dir)).toEqual([]);
    });

    it(`writes a byte-identical sharded checkpoint into a new directory (${mode} writes)`, () => {
      const index = writeSharded(tmp.file("in"), SHARDS);
      const ck = openCheckpoint(index);
      const out = tmp.file("out");
      copyAll(ck, createCheckpointWriter(ck, out), mode);
      ck.close();
      sameFiles(tmp.file("in"), out);
      expect(temps(tmp.dir)).toEqual([]);
    });
  }

  it("writes a sharded checkpoint into an existing directory, leaving its other files alone", () => {
    writeSharded(tmp.file("in"), SHARDS);
    fs.mkdirSync(tmp.file("out"));
    fs.writeFileSync(tmp.file("out/config.json"), "{}");
    const ck = openCheckpoint(tmp.file("in"));
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out")), "stream");
    ck.close();
    fs.rmSync(tmp.file("out/config.json"));
    sameFiles(tmp.file("in"), tmp.file("out"));
    expect(temps(tmp.file("out"))).toEqual([]);
  });

  it("writes a sharded checkpoint to a path naming the index: its directory gets the shards, the index that name", () => {
    writeSharded(tmp.file("in"), SHARDS);
    fs.mkdirSync(tmp.file("out"));
    const ck = openCheckpoint(tmp.file("in"));
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out/model.safetensors.index.json")), "stream");
    ck.close();
    sameFiles(tmp.file("in"), tmp.file("out"));
  });

  it("writes a single file given as a directory into a directory of the same form", () => {
    fs.mkdirSync(tmp.file("in"));
    fs.writeFileSync(tmp.file("in/model.safetensors"), safetensorsBytes(TENSORS));
    const ck = openCheckpoint(tmp.file("in"));
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out")), "stream");
    ck.close();
    sameFiles(tmp.file("in"), tmp.file("out"));
  });

  it("writes a single file given as a directory to a .safetensors path as a file", () => {
    fs.mkdirSync(tmp.file("in"));
    fs.writeFileSync(tmp.file("in/model.safetensors"), safetensorsBytes(TENSORS));
    const ck = openCheckpoint(tmp.file("in"));
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out.safetensors")), "stream");
    ck.close();
    expect(fs.readFileSync(tmp.file("out.safetensors")).equals(fs.readFileSync(tmp.file("in/model.safetensors")))).toBe(true);
  });

  it("writes a single file into an existing output directory under the source's name", () => {
    fs.writeFileSync(tmp.file("w.safetensors"), safetensorsBytes(TENSORS));
    fs.mkdirSync(tmp.file("out"));
    const ck = openCheckpoint(tmp.file("w.safetensors"));
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out")), "stream");
    ck.close();
    expect(fs.readFileSync(tmp.file("out/w.safetensors")).equals(fs.readFileSync(tmp.file("w.safetensors")))).toBe(true);
  });

  it("writes a byte-identical .npy (its header copied)", () => {
    const src = tmp.file("w.npy");
    fs.writeFileSync(src, craftNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", new Uint8Array(60).map((_, i) => i * 3), { pad: true }));
    const ck = openCheckpoint(src);
    copyAll(ck, createCheckpointWriter(ck, tmp.file("o.npy")), "positional");
    ck.close();
    expect(fs.readFileSync(tmp.file("o.npy")).equals(fs.readFileSync(src))).toBe(true);
  });

  it("writes new tensor bytes where the source's were (same header, other data)", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS));
    const ck = openCheckpoint(src);
    const w = createCheckpointWriter(ck, tmp.file("out.safetensors"));
    for (const t of ck.tensors) {
      const sink = w.begin(t);
      sink.write(new Uint8Array(t.byteLength).fill(t.index + 1));
      sink.end();
    }
    w.commit();
    const out = fs.readFileSync(tmp.file("out.safetensors"));
    for (const t of ck.tensors) expect(out.subarray(t.dataOffset!, t.dataOffset! + t.byteLength).every((b) => b === t.index + 1)).toBe(true);
    ck.close();
  });
});

describe("checkpoint writers: protection, order and failures", () => {
  it("refuses to write a sharded checkpoint into its own directory, creating nothing", () => {
    writeSharded(tmp.file("in"), SHARDS);
    const before = fs.readdirSync(tmp.file("in")).sort();
    const ck = openCheckpoint(tmp.file("in"));
    expect(() => createCheckpointWriter(ck, tmp.file("in"))).toThrow(/is the same file as the input/);
    ck.close();
    expect(fs.readdirSync(tmp.file("in")).sort()).toEqual(before);
  });

  it("refuses to write a safetensors file over itself, and over another protected path", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS));
    fs.writeFileSync(tmp.file("other"), "x");
    const ck = openCheckpoint(src);
    expect(() => createCheckpointWriter(ck, src)).toThrow(FqcError);
    const error = thrown(() => createCheckpointWriter(ck, tmp.file("other"), { protect: [tmp.file("other")] }));
    expect(error.message).toMatch(`the output ${tmp.file("other")} is the same file as the input ${tmp.file("other")}`);
    expect(error.message).toMatch(/; write the output elsewhere, or set options\.force to true to replace the input$/);
    // The CLI's writer offers its flag instead.
    const cli = thrown(() => createCheckpointWriterAs(ck, tmp.file("other"), { protect: [tmp.file("other")] }, CLI_WORDS));
    expect(cli.message).toMatch(/; write the output elsewhere, or pass --force to replace the input$/);
    ck.close();
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("replaces the input with force (reads continue from the open descriptors)", () => {
    const src = tmp.file("in.safetensors");
    const bytes = safetensorsBytes(TENSORS);
    fs.writeFileSync(src, bytes);
    const ck = openCheckpoint(src);
    copyAll(ck, createCheckpointWriter(ck, src, { force: true }), "stream");
    ck.close();
    expect(fs.readFileSync(src).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses an output path that is a file when a directory is needed", () => {
    writeSharded(tmp.file("in"), SHARDS);
    fs.writeFileSync(tmp.file("plain"), "x");
    const ck = openCheckpoint(tmp.file("in"));
    expect(() => createCheckpointWriter(ck, tmp.file("plain"))).toThrow(/exists and is not a directory/);
    ck.close();
  });

  it("refuses an output index name that is one of the shard names (a usage error)", () => {
    writeSharded(tmp.file("in"), [{ file: "a.safetensors", tensors: TENSORS.slice(0, 2) }, { file: "w.index.json", tensors: TENSORS.slice(2) }]);
    const ck = openCheckpoint(tmp.file("in/model.safetensors.index.json"));
    fs.mkdirSync(tmp.file("out"));
    const error = thrown(() => createCheckpointWriter(ck, tmp.file("out/w.index.json")));
    expect(error.message).toMatch(/the index cannot be named w.index.json, the name of one of the shards/);
    expect(error).toMatchObject({ code: "USAGE", file: tmp.file("out/w.index.json"), hint: "Give the output directory instead." });
    ck.close();
    expect(fs.readdirSync(tmp.file("out"))).toEqual([]);
  });

  it("abort removes every temp file and the staging directory; nothing appears", () => {
    writeSharded(tmp.file("in"), SHARDS);
    const ck = openCheckpoint(tmp.file("in"));
    const w = createCheckpointWriter(ck, tmp.file("out"));
    const sink = w.begin(ck.tensors[0]);
    sink.write(new Uint8Array(10));
    w.abort();
    w.abort();
    ck.close();
    expect(fs.existsSync(tmp.file("out"))).toBe(false);
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("abort into an existing directory removes the temp files and keeps what was there", () => {
    writeSharded(tmp.file("in"), SHARDS);
    fs.mkdirSync(tmp.file("out"));
    fs.writeFileSync(tmp.file("out/model-00001-of-00003.safetensors"), "old");
    const ck = openCheckpoint(tmp.file("in"));
    const w = createCheckpointWriter(ck, tmp.file("out"));
    expect(temps(tmp.file("out")).length).toBe(4);
    w.abort();
    ck.close();
    expect(fs.readdirSync(tmp.file("out"))).toEqual(["model-00001-of-00003.safetensors"]);
    expect(fs.readFileSync(tmp.file("out/model-00001-of-00003.safetensors"), "utf8")).toBe("old");
  });

  it("a new output directory appears whole or not at all: a commit that cannot rename it leaves nothing behind", () => {
    writeSharded(tmp.file("in"), SHARDS);
    const ck = openCheckpoint(tmp.file("in"));
    const w = createCheckpointWriter(ck, tmp.file("out"));
    for (const t of ck.tensors) {
      const s = w.begin(t);
      for (const p of ck.stream(t, 64)) s.write(p);
      s.end();
    }
    // Someone creates the directory (not empty) meanwhile: the final rename fails.
    fs.mkdirSync(tmp.file("out"));
    fs.writeFileSync(tmp.file("out/theirs"), "x");
    expect(() => w.commit()).toThrow(FqcError);
    expect(() => w.commit()).toThrow(`${tmp.file("out")}: cannot commit: the output was already aborted`);
    ck.close();
    expect(fs.readdirSync(tmp.file("out"))).toEqual(["theirs"]);
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses tensors begun out of order, and aborts", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS));
    const ck = openCheckpoint(src);
    const w = createCheckpointWriter(ck, tmp.file("out.safetensors"));
    expect(() => w.begin(ck.tensors[1])).toThrow(/expected tensor 0 \(model.embed_tokens.weight\), got tensor 1 \(empty\)/);
    expect(() => w.commit()).toThrow(/already aborted/);
    ck.close();
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses more bytes than a tensor holds, and a tensor ended short", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS));
    const ck = openCheckpoint(src);
    let w = createCheckpointWriter(ck, tmp.file("out.safetensors"));
    let sink = w.begin(ck.tensors[0]);
    expect(() => sink.write(new Uint8Array(ck.tensors[0].byteLength + 1))).toThrow(/more than its 2048/);
    w = createCheckpointWriter(ck, tmp.file("out.safetensors"));
    sink = w.begin(ck.tensors[0]);
    sink.write(new Uint8Array(5));
    expect(() => sink.end()).toThrow(/5 bytes written, expected 2048/);
    ck.close();
    expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses to commit before every tensor was written", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS));
    const ck = openCheckpoint(src);
    const w = createCheckpointWriter(ck, tmp.file("out.safetensors"));
    const s = w.begin(ck.tensors[0]);
    s.write(new Uint8Array(ck.tensors[0].byteLength));
    s.end();
    expect(() => w.commit()).toThrow(/tensor 1 \(empty\) was never begun/);
    ck.close();
    expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
    expect(temps(tmp.dir)).toEqual([]);
  });
});

describe("checkpoint writers: the header is copied from the source file, not held", () => {
  /** A header of over 2 MiB (copied in several 1 MiB pieces): a long metadata value. */
  const LONG_NOTE = "n".repeat(2_500_000);

  it("copies a header longer than one copy piece byte for byte (single file and shards)", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS, { note: LONG_NOTE }));
    const ck = openCheckpoint(src);
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out.safetensors")), "stream");
    ck.close();
    expect(fs.readFileSync(tmp.file("out.safetensors")).equals(fs.readFileSync(src))).toBe(true);

    const dir = tmp.file("sharded");
    fs.mkdirSync(dir);
    const index = writeSharded(dir, SHARDS.map((s, i) => (i === 1 ? { ...s, metadata: { note: LONG_NOTE } } : s)));
    const sharded = openCheckpoint(index);
    copyAll(sharded, createCheckpointWriter(sharded, tmp.file("out-sharded")), "positional");
    sharded.close();
    sameFiles(dir, tmp.file("out-sharded"));
  });

  it("copies the header of a checkpoint already closed from the file again", () => {
    const src = tmp.file("in.safetensors");
    const bytes = safetensorsBytes(TENSORS, { note: "kept" });
    fs.writeFileSync(src, bytes);
    const ck = openCheckpoint(src);
    const data = new Map(ck.tensors.map((t) => [t.name, Buffer.concat([...ck.stream(t, 1 << 20)])]));
    ck.close();
    const w = createCheckpointWriter(ck, tmp.file("out.safetensors"));
    for (const t of ck.tensors) {
      const sink = w.begin(t);
      sink.write(data.get(t.name)!);
      sink.end();
    }
    w.commit();
    expect(fs.readFileSync(tmp.file("out.safetensors")).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses a source cut short since it was opened (its header no longer whole), writing nothing", () => {
    const src = tmp.file("in.safetensors");
    fs.writeFileSync(src, safetensorsBytes(TENSORS, { note: "kept" }));
    const ck = openCheckpoint(src);
    fs.truncateSync(src, 20);
    expect(() => createCheckpointWriter(ck, tmp.file("out.safetensors"))).toThrow(
      expect.objectContaining({ code: "IO", message: `${src}: the file ended early at byte 20: it was truncated while fqc read it` }),
    );
    ck.close();
    expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
    expect(temps(tmp.dir)).toEqual([]);
  });

  for (const closed of [false, true]) {
    it(`refuses a source whose header was rewritten since it was opened, writing nothing (${closed ? "closed" : "open"} checkpoint)`, () => {
      const src = tmp.file("in.safetensors");
      fs.writeFileSync(src, safetensorsBytes(TENSORS, { note: "kept" }));
      const ck = openCheckpoint(src);
      if (closed) ck.close();
      // Same length, other bytes: only the copy's check can tell.
      const changed = fs.readFileSync(src);
      const at = changed.indexOf("kept");
      changed.write("KEPT", at);
      fs.writeFileSync(src, changed);
      let error: unknown;
      try {
        createCheckpointWriter(ck, tmp.file("out.safetensors"));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FqcError);
      expect((error as FqcError).code).toBe("CHECKPOINT");
      expect((error as FqcError).message).toBe(`${src}: its header changed since fqc read it (the file was rewritten while fqc ran)`);
      ck.close();
      expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
      expect(temps(tmp.dir)).toEqual([]);
    });
  }
});

describe("checkpoint writers: an output directory another checkpoint would be loaded from", () => {
  /** A single-file source given as its directory: its output is a directory holding model.safetensors. */
  function singleViaDirectory(): Checkpoint {
    fs.mkdirSync(tmp.file("in"));
    fs.writeFileSync(tmp.file("in/model.safetensors"), safetensorsBytes(TENSORS));
    return openCheckpoint(tmp.file("in"));
  }

  it("refuses a sharded output beside a model.safetensors, which transformers loads before any index, writing nothing", () => {
    writeSharded(tmp.file("in"), SHARDS);
    fs.mkdirSync(tmp.file("out"));
    fs.writeFileSync(tmp.file("out/model.safetensors"), "old");
    const ck = openCheckpoint(tmp.file("in"));
    const error = thrown(() => createCheckpointWriter(ck, tmp.file("out")));
    ck.close();
    expect(error.message).toBe(`${tmp.file("out")}: holds model.safetensors, which transformers loads before any index: the sharded checkpoint written here (model.safetensors.index.json) would not be the one loaded from this directory`);
    expect(error.hint).toContain(`Remove ${tmp.file("out/model.safetensors")}`);
    expect(fs.readdirSync(tmp.file("out"))).toEqual(["model.safetensors"]);
  });

  it("refuses a model.safetensors output beside a safetensors index, which index-first readers take first, writing nothing", () => {
    const ck = singleViaDirectory();
    fs.mkdirSync(tmp.file("out"));
    fs.writeFileSync(tmp.file("out/old.safetensors.index.json"), "{}");
    const error = thrown(() => createCheckpointWriter(ck, tmp.file("out")));
    ck.close();
    expect(error.message).toBe(`${tmp.file("out")}: holds old.safetensors.index.json, which index-first readers take before a lone model.safetensors (transformers the other way round): the directory would hold two checkpoints, and fqc refuses such a directory as ambiguous`);
    expect(error.hint).toContain(`Remove ${tmp.file("out/old.safetensors.index.json")} and its shards`);
    expect(fs.readdirSync(tmp.file("out"))).toEqual(["old.safetensors.index.json"]);
  });

  it("refuses an output file named model.safetensors beside a safetensors index as it refuses that directory, writing nothing", () => {
    fs.writeFileSync(tmp.file("in.safetensors"), safetensorsBytes(TENSORS));
    const ck = openCheckpoint(tmp.file("in.safetensors"));
    fs.mkdirSync(tmp.file("out"));
    fs.writeFileSync(tmp.file("out/old.safetensors.index.json"), "{}");
    const error = thrown(() => createCheckpointWriter(ck, tmp.file("out/model.safetensors")));
    ck.close();
    expect(error.message).toBe(`${tmp.file("out")}: holds old.safetensors.index.json, which index-first readers take before a lone model.safetensors (transformers the other way round): the directory would hold two checkpoints, and fqc refuses such a directory as ambiguous`);
    expect(fs.readdirSync(tmp.file("out"))).toEqual(["old.safetensors.index.json"]);
  });

  it("writes beside what no loader picks over the output: a directory or a dangling link named model.safetensors, another file's index, the output's own earlier files", () => {
    writeSharded(tmp.file("in"), SHARDS);
    const sharded = openCheckpoint(tmp.file("in"));
    fs.mkdirSync(tmp.file("out-dir/model.safetensors"), { recursive: true });
    fs.mkdirSync(tmp.file("out-link"));
    fs.symlinkSync(tmp.file("nowhere"), tmp.file("out-link/model.safetensors"));
    // An earlier sharded output of the same names, and an index of another name: the sharded output is read through its own index.
    fs.mkdirSync(tmp.file("out-again"));
    for (const n of fs.readdirSync(tmp.file("in"))) fs.writeFileSync(tmp.file(`out-again/${n}`), "old");
    fs.writeFileSync(tmp.file("out-again/other.safetensors.index.json"), "{}");
    for (const out of ["out-dir", "out-link", "out-again"]) {
      copyAll(sharded, createCheckpointWriter(sharded, tmp.file(out)), "stream");
      for (const n of fs.readdirSync(tmp.file("in"))) expect(fs.readFileSync(tmp.file(`${out}/${n}`)).equals(fs.readFileSync(tmp.file(`in/${n}`)))).toBe(true);
    }
    sharded.close();
    fs.rmSync(tmp.file("in"), { recursive: true });

    const single = singleViaDirectory();
    // An earlier model.safetensors (replaced) beside an index that is not a safetensors one.
    fs.mkdirSync(tmp.file("out-bin"));
    fs.writeFileSync(tmp.file("out-bin/model.safetensors"), "old");
    fs.writeFileSync(tmp.file("out-bin/pytorch_model.bin.index.json"), "{}");
    copyAll(single, createCheckpointWriter(single, tmp.file("out-bin")), "stream");
    single.close();
    expect(fs.readFileSync(tmp.file("out-bin/model.safetensors")).equals(fs.readFileSync(tmp.file("in/model.safetensors")))).toBe(true);

    // A file of another name beside an index and a model.safetensors: no loader reads it in place of either.
    fs.writeFileSync(tmp.file("w.safetensors"), safetensorsBytes(TENSORS));
    const other = openCheckpoint(tmp.file("w.safetensors"));
    fs.mkdirSync(tmp.file("out-both"));
    fs.writeFileSync(tmp.file("out-both/model.safetensors"), "old");
    fs.writeFileSync(tmp.file("out-both/model.safetensors.index.json"), "{}");
    copyAll(other, createCheckpointWriter(other, tmp.file("out-both")), "stream");
    other.close();
    expect(fs.readFileSync(tmp.file("out-both/w.safetensors")).equals(fs.readFileSync(tmp.file("w.safetensors")))).toBe(true);
  });
});

describe("checkpoint writers: a single safetensors output", () => {
  /** A temp-file name whose owner pid is a process that has exited: what the sweep of killed runs' leftovers removes. */
  const leftoverName = (base: string) => `.${base}.fqc-${spawnSync(process.execPath, ["-e", "0"]).pid!}-0123456789ab.tmp`;

  it("keeps a source named like a killed run's leftover beside the output (file or directory)", () => {
    const file = tmp.file(leftoverName("w.safetensors"));
    const bytes = safetensorsBytes(TENSORS);
    fs.writeFileSync(file, bytes);
    const ck = openCheckpoint(file);
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out.safetensors")), "stream");
    ck.close();
    expect(fs.readFileSync(file).equals(Buffer.from(bytes))).toBe(true);

    const dir = tmp.file(leftoverName("ck"));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "model.safetensors"), bytes);
    const viaDir = openCheckpoint(dir);
    copyAll(viaDir, createCheckpointWriter(viaDir, tmp.file("out")), "stream");
    viaDir.close();
    expect(fs.readdirSync(dir)).toEqual(["model.safetensors"]);
    expect(fs.readFileSync(tmp.file("out/model.safetensors")).equals(Buffer.from(bytes))).toBe(true);
  });

  it("replaces an output file with other hard links only with force (the other names keep the old content)", () => {
    fs.writeFileSync(tmp.file("in.safetensors"), safetensorsBytes(TENSORS));
    fs.writeFileSync(tmp.file("out.safetensors"), "old");
    fs.linkSync(tmp.file("out.safetensors"), tmp.file("link"));
    const ck = openCheckpoint(tmp.file("in.safetensors"));
    const error = thrown(() => createCheckpointWriter(ck, tmp.file("out.safetensors")));
    expect(error.message).toMatch(/has 2 hard links/);
    expect(error.hint).toContain("or set options.force to true to replace this name only");
    copyAll(ck, createCheckpointWriter(ck, tmp.file("out.safetensors"), { force: true }), "stream");
    ck.close();
    expect(fs.readFileSync(tmp.file("out.safetensors")).equals(fs.readFileSync(tmp.file("in.safetensors")))).toBe(true);
    expect(fs.readFileSync(tmp.file("link"), "utf8")).toBe("old");
  });

  it("abort of one written into a directory removes its temp file, and a new directory does not appear", () => {
    fs.mkdirSync(tmp.file("in"));
    fs.writeFileSync(tmp.file("in/model.safetensors"), safetensorsBytes(TENSORS));
    fs.mkdirSync(tmp.file("existing"));
    const ck = openCheckpoint(tmp.file("in"));
    for (const out of ["new", "existing"]) {
      const w = createCheckpointWriter(ck, tmp.file(out));
      w.begin(ck.tensors[0]).write(new Uint8Array(10));
      w.abort();
    }
    ck.close();
    expect(fs.existsSync(tmp.file("new"))).toBe(false);
    expect(fs.readdirSync(tmp.file("existing"))).toEqual([]);
    expect(temps(tmp.dir)).toEqual([]);
  });
});

describe("checkpoint writers: each tensor begun in order, written whole, ended once", () => {
  function single(): { ck: Checkpoint; w: CheckpointWriter } {
    fs.writeFileSync(tmp.file("in.safetensors"), safetensorsBytes(TENSORS));
    const ck = openCheckpoint(tmp.file("in.safetensors"));
    return { ck, w: createCheckpointWriter(ck, tmp.file("out.safetensors")) };
  }

  /** A tensor of another checkpoint: `at` is its index there. */
  function foreign(tensors: TensorSpec[], at: number): Checkpoint["tensors"][number] {
    const file = tmp.file(`other-${tensors.map((t) => t.name).join("-")}.safetensors`);
    fs.writeFileSync(file, safetensorsBytes(tensors));
    const other = openCheckpoint(file);
    other.close();
    return other.tensors[at];
  }

  it("refuses a tensor of another checkpoint unless its index, name and size are the expected one's", () => {
    const embed = TENSORS[0];
    const cases: [string, Checkpoint["tensors"][number]][] = [
      ["another index", foreign([TENSORS[3], embed], 1)],
      ["another name", foreign([{ ...embed, name: "other.weight" }], 0)],
      ["another size", foreign([{ ...embed, shape: [64, 8] }], 0)],
    ];
    for (const [what, t] of cases) {
      const { ck, w } = single();
      expect(() => w.begin(t), what).toThrow(`${tmp.file("out.safetensors")}: tensors must be begun in checkpoint order: expected tensor 0 (model.embed_tokens.weight), got tensor ${t.index} (${t.name})`);
      ck.close();
    }
    // The same name, index and size: the tensor as another reader of the same file sees it.
    const { ck, w } = single();
    w.begin(foreign([embed], 0)).write(new Uint8Array(ck.tensors[0].byteLength));
    w.abort();
    ck.close();
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses a tensor past the last one", () => {
    const { ck, w } = single();
    for (const t of ck.tensors) w.begin(t).end(t.byteLength);
    const fifth = foreign([...TENSORS, { name: "extra", dtype: "F32", shape: [2] }], 4);
    expect(() => w.begin(fifth)).toThrow("expected no more tensors, got tensor 4 (extra)");
    expect(() => w.begin(ck.tensors[0])).toThrow("cannot begin a tensor: the output was already aborted");
    ck.close();
    expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
  });

  it("counts every byte, streamed and positional, in a tensor's size", () => {
    const { ck, w } = single();
    const sink = w.begin(ck.tensors[0]);
    sink.write(new Uint8Array(5));
    expect(() => sink.write(new Uint8Array(2044))).toThrow(`${tmp.file("out.safetensors")}: tensor model.embed_tokens.weight: 2049 bytes written, more than its 2048`);
    const again = single();
    const short = again.w.begin(again.ck.tensors[0]);
    short.write(new Uint8Array(5));
    expect(() => short.end(3)).toThrow("tensor model.embed_tokens.weight: 8 bytes written, expected 2048");
    again.ck.close();
    ck.close();
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses a write after end and a second end, aborting", () => {
    for (const misuse of ["write", "end"] as const) {
      const { ck, w } = single();
      const sink = w.begin(ck.tensors[0]);
      sink.write(new Uint8Array(ck.tensors[0].byteLength));
      sink.end();
      if (misuse === "write") expect(() => sink.write(new Uint8Array(0))).toThrow("tensor model.embed_tokens.weight: write after end");
      else expect(() => sink.end()).toThrow("tensor model.embed_tokens.weight: ended twice");
      expect(() => w.begin(ck.tensors[1])).toThrow("cannot begin a tensor: the output was already aborted");
      ck.close();
    }
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("refuses to commit with the first tensor never begun, or a tensor begun and not ended", () => {
    let { ck, w } = single();
    expect(() => w.commit()).toThrow("cannot commit: tensor 0 (model.embed_tokens.weight) was never begun");
    ck.close();
    ({ ck, w } = single());
    w.begin(ck.tensors[0]).write(new Uint8Array(ck.tensors[0].byteLength));
    expect(() => w.commit()).toThrow("cannot commit: tensor 0 (model.embed_tokens.weight) was not ended");
    expect(() => w.commit()).toThrow(`${tmp.file("out.safetensors")}: cannot commit: the output was already aborted`);
    ck.close();
    expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
    expect(temps(tmp.dir)).toEqual([]);
  });

  it("prepare finds a temp file moved away before the renames, and aborts: nothing appears", () => {
    const { ck, w } = single();
    for (const t of ck.tensors) {
      const sink = w.begin(t);
      for (const p of ck.stream(t, 100)) sink.write(p);
      sink.end();
    }
    const [temp] = temps(tmp.dir);
    fs.renameSync(tmp.file(temp), tmp.file("moved"));
    expect(() => w.prepare!()).toThrow(/removed or renamed/);
    expect(() => w.commit()).toThrow(`${tmp.file("out.safetensors")}: cannot commit: the output was already aborted`);
    ck.close();
    expect(fs.existsSync(tmp.file("out.safetensors"))).toBe(false);
  });

  it("stays committed: abort after commit leaves the output, and nothing more can be begun", () => {
    const { ck, w } = single();
    copyAll(ck, w, "stream");
    w.abort();
    ck.close();
    expect(fs.readFileSync(tmp.file("out.safetensors")).equals(fs.readFileSync(tmp.file("in.safetensors")))).toBe(true);
    expect(() => w.begin(ck.tensors[0])).toThrow("cannot begin a tensor: the output was already committed");
  });
});
