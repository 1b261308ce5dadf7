/**
 * One entry point for every checkpoint form: detect the format from what the
 * path is (file or directory), its first bytes and its name, and open it with
 * the matching reader; and the matching writer for an opened checkpoint.
 */
import { closeSync, existsSync, lstatSync, readdirSync, readlinkSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { FqcError } from "../errors.js";
import { checkReadableValue, checkString, optionNames, optionsObject } from "../library-args.js";
import { io, ioError } from "../npy/fail.js";
import { NPY_MAGIC } from "../npy/header.js";
import { openInputFile } from "./input-file.js";
import { checkpointError } from "./fail.js";
import { createNpyCheckpointWriter, NpyCheckpoint, openNpyCheckpoint } from "./npy-checkpoint.js";
import { createNpzWriter, openNpz } from "./npz.js";
import { openSafetensors, SafetensorsCheckpoint } from "./safetensors.js";
import { createSafetensorsWriter, createShardedWriter, safetensorsOutputTargets, shardedOutputTargets, type OutputTargets } from "./safetensors-writer.js";
import { openSharded, ShardedCheckpoint } from "./sharded.js";
import type { Checkpoint, CheckpointFormat, CheckpointWriter } from "./types.js";
import { readPaths, type CheckpointWriterOptions, type WriterRunOptions } from "./writer-options.js";
import { LIBRARY_WORDS, type CallerWords } from "../caller-words.js";

export const ACCEPTED_FORMS =
  "a .safetensors file, a sharded checkpoint's *.safetensors.index.json or the directory holding it, a directory holding one .safetensors file, an .npz archive or a .npy file";

export interface OpenCheckpointOptions {
  /** Skip detection and read the path as this format. */
  readonly format?: CheckpointFormat;
}

const ZIP_MAGICS = [Uint8Array.of(0x50, 0x4b, 0x03, 0x04), Uint8Array.of(0x50, 0x4b, 0x05, 0x06)];

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** The first `n` bytes of a regular file (fewer if it is shorter). */
function head(path: string, n: number): Uint8Array {
  const { fd, size } = openInputFile(path);
  try {
    const out = new Uint8Array(Math.min(n, size));
    let done = 0;
    while (done < out.length) {
      const got = io(path, "read", () => readSync(fd, out, done, out.length - done, done));
      if (got === 0) break;
      done += got;
    }
    return out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** The format of a regular file, by magic bytes first and name second; null when neither says. */
export function detectFileFormat(path: string): Exclude<CheckpointFormat, "sharded"> | "index" | null {
  const first = head(path, 16);
  if (startsWith(first, NPY_MAGIC)) return "npy";
  if (ZIP_MAGICS.some((m) => startsWith(first, m))) return "npz";
  const lower = path.toLowerCase();
  if (lower.endsWith(".index.json")) return "index";
  // safetensors: an 8-byte length, then the header's '{'.
  if (first.length >= 9 && first[8] === 0x7b && first[6] === 0 && first[7] === 0) return "safetensors";
  if (lower.endsWith(".safetensors")) return "safetensors";
  if (lower.endsWith(".npz")) return "npz";
  if (lower.endsWith(".npy")) return "npy";
  if (lower.endsWith(".json")) return "index";
  return null;
}

/** The single-file checkpoint transformers loads from a directory before it looks for an index. */
const SINGLE_FILE_NAME = "model.safetensors";

/** What a directory holds: one index (sharded), else one .safetensors file; never both an index and model.safetensors. */
function openDirectory(path: string): Checkpoint {
  const names = io(path, "list", () => readdirSync(path)).sort();
  const isFile = (n: string) => { try { return statSync(join(path, n)).isFile(); } catch { return false; } };
  // Skipping an index or shard that is not a file (a dangling link of a half-downloaded Hugging Face cache) would read
  // what is left as the whole checkpoint, and write a model missing tensors with exit 0.
  const unreadable = names.find((n) => (n.endsWith(".safetensors.index.json") || n.endsWith(".safetensors")) && !isFile(n));
  if (unreadable !== undefined) throw unreadableEntry(path, unreadable);
  const indexes = names.filter((n) => n.endsWith(".safetensors.index.json"));
  if (indexes.length === 1) {
    // transformers loads model.safetensors before any index: reading the index would take another checkpoint than the model loads.
    if (names.includes(SINGLE_FILE_NAME)) {
      throw checkpointError(path, `the directory holds both ${SINGLE_FILE_NAME} and ${indexes[0]}: transformers loads ${SINGLE_FILE_NAME}, an index-first reader the shards, so which checkpoint is meant is ambiguous`,
        `Give the path of the one you mean (${join(path, SINGLE_FILE_NAME)} or ${join(path, indexes[0])}), and remove the stale one.`);
    }
    return openSharded(join(path, indexes[0]), path);
  }
  if (indexes.length > 1) {
    throw checkpointError(path, `the directory holds ${indexes.length} index files (${indexes.join(", ")}): which checkpoint is meant is ambiguous`, "Give the path of the index file itself.");
  }
  const singles = names.filter((n) => n.endsWith(".safetensors"));
  if (singles.length === 1) return openSafetensors(join(path, singles[0]), { viaDirectory: true, displayPath: path });
  if (singles.length > 1) {
    throw checkpointError(path, `the directory holds ${singles.length} .safetensors files and no *.safetensors.index.json: which checkpoint is meant is ambiguous`, "Give the path of one .safetensors file, or add the index that lists the shards.");
  }
  throw checkpointError(path, "the directory holds no checkpoint (no *.safetensors.index.json and no .safetensors file)", `Give ${ACCEPTED_FORMS}.`);
}

/** A directory's entry named like a checkpoint file that is not one: what it is instead, and the fix. */
function unreadableEntry(dir: string, name: string): FqcError {
  const entry = join(dir, name);
  let what: string;
  try {
    const st = lstatSync(entry);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(entry);
      what = existsSync(entry) ? `is a symbolic link to ${target}, which is not a regular file` : `is a dangling symbolic link (to ${target}, which does not exist)`;
    } else what = st.isDirectory() ? "is a directory, not a file" : "is not a regular file";
  } catch (err) {
    throw ioError(entry, "open", err);
  }
  return checkpointError(entry, `${what}; fqc reads a directory's checkpoint only when every *.safetensors and *.safetensors.index.json in it is a file`,
    "Download the missing files again (a half-finished download leaves dangling links), or remove or rename this entry.");
}

/**
 * Open a checkpoint in any supported form. Refusals are FqcErrors naming the
 * file: "CHECKPOINT" for safetensors/index problems, "NPY" for .npy ones,
 * "IO" for files that cannot be read.
 */
export function openCheckpoint(path: string, opts: OpenCheckpointOptions = {}): Checkpoint {
  checkString(path, "openCheckpoint: path");
  const st = (() => {
    try {
      return statSync(path);
    } catch (err) {
      throw ioError(path, "open", err);
    }
  })();
  if (opts.format === undefined && st.isDirectory()) return openDirectory(path);
  const format = opts.format ?? detectFileFormat(path);
  switch (format) {
    case "safetensors": return openSafetensors(path);
    case "sharded":
    case "index": return st.isDirectory() ? openDirectory(path) : openSharded(path);
    case "npz": return openNpz(path);
    case "npy": return openNpyCheckpoint(path);
    case null:
      throw new FqcError("USAGE", `${path}: not a checkpoint fqc can read (neither its first bytes nor its name say which format it is)`, { file: path, hint: `Give ${ACCEPTED_FORMS}.` });
  }
}

/**
 * A writer with the layout of `source`, at `outPath`: a file for a single
 * .safetensors, .npz or .npy source, a directory for a sharded one (or for a
 * .safetensors source given as a directory). The source's own files are
 * always protected (refused as outputs) unless `opts.force`.
 */
export function createCheckpointWriter(source: Checkpoint, outPath: string, opts: CheckpointWriterOptions = {}): CheckpointWriter {
  return createCheckpointWriterAs(source, outPath, opts, LIBRARY_WORDS);
}

/** createCheckpointWriter whose refusals name the caller's options in `words` (the CLI's flags: CLI_WORDS). */
export function createCheckpointWriterAs(source: Checkpoint, outPath: string, options: CheckpointWriterOptions, words: CallerWords): CheckpointWriter {
  const checked = optionsObject<CheckpointWriterOptions>(options, "createCheckpointWriter", false, WRITER_OPTION_NAMES);
  checkString(outPath, "createCheckpointWriter: outPath");
  checkReadableValue(source, "createCheckpointWriter: source", 1, "Pass the Checkpoint that openCheckpoint(path) returned.");
  const opts: WriterRunOptions = { ...checked, forceStep: words.set("force", true) };
  if (source instanceof SafetensorsCheckpoint) return createSafetensorsWriter(source, outPath, opts);
  if (source instanceof ShardedCheckpoint) return createShardedWriter(source, outPath, opts);
  if (source instanceof NpyCheckpoint) return createNpyCheckpointWriter(source, outPath, opts);
  if (source !== null && typeof source === "object" && source.format === "npz") return createNpzWriter(source, outPath, { ...opts, keep: readPaths([], opts) });
  const what = source !== null && typeof source === "object" ? `${String(source.path)}: a ${String(source.format)} checkpoint not opened by openCheckpoint` : String(source);
  throw new FqcError("USAGE", `createCheckpointWriter: no writer for ${what}`, { hint: "Pass the Checkpoint that openCheckpoint(path) returned." });
}

const WRITER_OPTION_NAMES = optionNames<CheckpointWriterOptions>()(["protect", "others", "force", "durable", "cOrder"]);

/** The files createCheckpointWriter(source, outPath) would create (a directory output holds the source's file names). */
export function checkpointOutputTargets(source: Checkpoint, outPath: string): OutputTargets {
  if (source instanceof SafetensorsCheckpoint) return safetensorsOutputTargets(source, outPath);
  if (source instanceof ShardedCheckpoint) return shardedOutputTargets(source, outPath);
  return { dir: null, files: [outPath] };
}

/**
 * Every file a checkpoint is read from: the path given, the files its tensors
 * live in, and a sharded checkpoint's index. No output may be one of them.
 */
export function checkpointFiles(checkpoint: Checkpoint): string[] {
  const files = [checkpoint.path, ...checkpoint.tensors.map((t) => t.file)];
  if (checkpoint instanceof ShardedCheckpoint) files.push(checkpoint.indexFile);
  return [...new Set(files)];
}
