/**
 * Writers for safetensors outputs, laid out as their source: a single file
 * (or a directory holding it, when the source was given as one), or a
 * sharded directory (same shard file names, the index copied byte for byte).
 */
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FqcError } from "../errors.js";
import { AtomicFile } from "../npy/atomic.js";
import { ioFailure } from "../npy/fail.js";
import { endsWithSeparator } from "../npy/path-check.js";
import { DirectoryOutput } from "./directory-output.js";
import { FileLayoutWriter, outputGuard, type OutputFile } from "./layout-writer.js";
import type { SafetensorsCheckpoint } from "./safetensors.js";
import type { ShardedCheckpoint } from "./sharded.js";
import type { CheckpointTensor, CheckpointWriter } from "./types.js";
import { readPaths, type WriterRunOptions } from "./writer-options.js";

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The files a writer creates at `outPath`: `dir` is set when they go into
 * that directory (written through DirectoryOutput), null when `files` is the
 * one file `outPath` names.
 */
export interface OutputTargets {
  readonly dir: string | null;
  readonly files: readonly string[];
}

/**
 * A single safetensors output: `outPath` is the file, unless it is an
 * existing directory, ends with a slash, or the source was given as a
 * directory and `outPath` does not end in `.safetensors`; then the file keeps
 * the source's name inside the `outPath` directory (created if missing).
 */
export function safetensorsOutputTargets(source: SafetensorsCheckpoint, outPath: string): OutputTargets {
  if (isDirectory(outPath) || endsWithSeparator(outPath) || (source.viaDirectory && !outPath.endsWith(".safetensors"))) {
    return { dir: outPath, files: [join(outPath, basename(source.source.file))] };
  }
  return { dir: null, files: [outPath] };
}

/** Transformers' name for a single-file checkpoint, which it loads before any index in the same directory. */
const SINGLE_NAME = "model.safetensors";

/**
 * Refuse an output into an existing directory whose loaders would then read another checkpoint in it (a stale
 * one): transformers loads model.safetensors before any index, index-first readers the index. So a sharded output
 * beside a model.safetensors would load as that file, and a model.safetensors beside an index would be read by those
 * readers as the index's checkpoint (fqc refuses such a directory as input). Reads the directory only.
 */
export function checkNotShadowed(targets: OutputTargets): void {
  // A file output named model.safetensors lands in its directory as surely as one written into that directory.
  const single = targets.dir === null && targets.files.length === 1 && basename(targets.files[0]) === SINGLE_NAME;
  const dir = single ? dirname(targets.files[0]) : targets.dir;
  if (dir === null || !isDirectory(dir)) return;
  const ours = new Set(targets.files.map((f) => basename(f)));
  const index = [...ours].find((n) => n.endsWith(".index.json"));
  let held: string[];
  try {
    held = readdirSync(dir).filter((n) => !ours.has(n) && isFile(join(dir, n)));
  } catch {
    return; // unreadable: creating the files there reports it
  }
  if (index !== undefined && held.includes(SINGLE_NAME)) {
    throw ioFailure(dir, `holds ${SINGLE_NAME}, which transformers loads before any index: the sharded checkpoint written here (${index}) would not be the one loaded from this directory`,
      `Remove ${join(dir, SINGLE_NAME)} (an earlier output?) or write to another directory.`);
  }
  const otherIndex = held.find((n) => n.endsWith(".safetensors.index.json"));
  if (index === undefined && ours.has(SINGLE_NAME) && otherIndex !== undefined) {
    throw ioFailure(dir, `holds ${otherIndex}, which index-first readers take before a lone ${SINGLE_NAME} (transformers the other way round): the directory would hold two checkpoints, and fqc refuses such a directory as ambiguous`,
      `Remove ${join(dir, otherIndex)} and its shards (an earlier output?) or write to another directory.`);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function createSafetensorsWriter(source: SafetensorsCheckpoint, outPath: string, opts: WriterRunOptions = {}): CheckpointWriter {
  const prefix = { bytes: source.source.head, fd: source.descriptor(source.source.file) };
  const targets = safetensorsOutputTargets(source, outPath);
  const { dir, files } = targets;
  outputGuard(files, [source.source.file], opts);
  checkNotShadowed(targets);
  if (dir !== null) {
    const name = basename(files[0]);
    const out = DirectoryOutput.create(dir, [name], opts, readPaths([source.source.file], opts));
    return new FileLayoutWriter(outPath, [{ file: out.files.get(name)!, prefix, tensors: source.tensors }], () => out.commit(), () => out.abort());
  }
  const file = AtomicFile.create(outPath, { force: opts.force, forceStep: opts.forceStep, durable: opts.durable, keep: readPaths([source.source.file], opts) });
  return new FileLayoutWriter(outPath, [{ file, prefix, tensors: source.tensors }], () => file.commit(), () => file.abort());
}

/**
 * A sharded output: `outPath` is a directory (created if missing), or a path
 * ending in `.index.json` whose directory receives the shards and which names
 * the index. Shards keep their names, the index last.
 */
export function shardedOutputTargets(source: ShardedCheckpoint, outPath: string): OutputTargets & { readonly dir: string; readonly indexName: string } {
  const givenIndex = outPath.endsWith(".index.json") && !isDirectory(outPath);
  const dir = givenIndex ? dirname(outPath) : outPath;
  const indexName = givenIndex ? basename(outPath) : basename(source.indexFile);
  if (source.shards.some((s) => s.name === indexName)) {
    throw new FqcError("USAGE", `${outPath}: the index cannot be named ${indexName}, the name of one of the shards`, { file: outPath, hint: "Give the output directory instead." });
  }
  return { dir, indexName, files: [...source.shards.map((s) => s.name), indexName].map((n) => join(dir, n)) };
}

/** The sharded writer: the shards keep their names, and the index is the source's, byte for byte. */
export function createShardedWriter(source: ShardedCheckpoint, outPath: string, opts: WriterRunOptions = {}): CheckpointWriter {
  const all = shardedOutputTargets(source, outPath);
  const { dir, indexName, files: targets } = all;
  const names = targets.map((t) => basename(t));
  const inputs = [...source.shards.map((s) => s.file.file), source.indexFile];
  outputGuard(targets, inputs, opts);
  checkNotShadowed(all);
  const out = DirectoryOutput.create(dir, names, opts, readPaths(inputs, opts));
  const byFile = new Map<string, CheckpointTensor[]>();
  for (const t of source.tensors) {
    const list = byFile.get(t.file) ?? [];
    list.push(t);
    byFile.set(t.file, list);
  }
  const files: OutputFile[] = source.shards.map((s) => ({ file: out.files.get(s.name)!, prefix: { bytes: s.file.head, fd: source.descriptor(s.file.file) }, tensors: byFile.get(s.file.file) ?? [] }));
  files.push({ file: out.files.get(indexName)!, prefix: source.indexBytes, tensors: [] });
  return new FileLayoutWriter(dir, files, () => out.commit(), () => out.abort());
}
