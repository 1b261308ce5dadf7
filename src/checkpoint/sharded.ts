/**
 * A sharded safetensors checkpoint: `model.safetensors.index.json`
 * (`{"metadata": {...}, "weight_map": {tensor: shard file}}`) beside its
 * shards. Validated when opened: the index is strict JSON of bounded size,
 * shard names are plain file names in the index's directory, every shard is
 * a valid safetensors file, and the weight_map and the shards' headers agree
 * both ways (every tensor in exactly one shard, the one the map names).
 *
 * Order: shards sorted by file name (as transformers lists them:
 * `sorted(set(weight_map.values()))`; HF names them model-0000k-of-0000n,
 * so this is shard order), each shard's tensors in data-offset order.
 */
import { checkHeaderHeap, checkIndexHeap, checkShardedHeap } from "./heap-need.js";
import { closeSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { openInputFile } from "./input-file.js";
import { readFully } from "../npy/positional.js";
import { withOpenFilesHint } from "../npy/fail.js";
import { checkpointError } from "./fail.js";
import { OpenFilesCheckpoint, openSafetensorsFile, type SafetensorsFile } from "./safetensors.js";
import { jsonKind, JsonSyntaxError, parseStrictJson, quoteName, type JsonValue } from "./strict-json.js";
import type { CheckpointTensor } from "./types.js";

/** Largest index file read (the safetensors header cap; a 400B-parameter model's index is a few MB). */
export const MAX_INDEX_BYTES = 100_000_000;

const MISMATCH_HINT = "The index does not match its shards; save the checkpoint again (or restore the index written with them).";
const INDEX_HINT = "Give the model.safetensors.index.json written with the shards (save_pretrained writes both).";
/** Top-level keys of an fqc config, QAT pair or recipe, which no index holds. */
const CONFIG_KEYS = new Set(["dtype", "granularity", "group_size", "activation", "weight", "fqn_to_config"]);

export interface Shard {
  /** The file name as the weight_map spells it. */
  readonly name: string;
  readonly file: SafetensorsFile;
}

export class ShardedCheckpoint extends OpenFilesCheckpoint {
  readonly format = "sharded" as const;
  readonly path: string;
  /** The index file's path. */
  readonly indexFile: string;
  /** The index file's bytes, as read (a writer copies them). */
  readonly indexBytes: Uint8Array;
  /** Shards in checkpoint order. */
  readonly shards: readonly Shard[];
  readonly tensors: readonly CheckpointTensor[];
  /** The first shard's __metadata__. */
  readonly metadata: Readonly<Record<string, string>> | null;

  constructor(path: string, indexFile: string, indexBytes: Uint8Array, shards: readonly Shard[]) {
    super(new Map(shards.map((s) => [s.file.file, s.file.fd])));
    this.path = path;
    this.indexFile = indexFile;
    this.indexBytes = indexBytes;
    this.shards = shards;
    const tensors: CheckpointTensor[] = [];
    // A loop, not push(...): a shard of 100,000+ tensors would overflow the call stack.
    for (const s of shards) for (const t of s.file.tensors) tensors.push(t);
    this.tensors = tensors;
    this.metadata = shards.length > 0 ? shards[0].file.metadata : null;
  }
}

/** Code-point order, as Python's sorted() orders file names. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Why a weight_map value is not a plain file name in the index's directory (other than the index), or null if it is one. */
function badShardName(name: string, indexName: string): string | null {
  if (name === "") return "is empty";
  if (name === indexName) return "is the index file itself, not a shard";
  if (name.includes("\0")) return "contains a NUL byte";
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return "is an absolute path";
  if (name.includes("/") || name.includes("\\")) return "names a file in another directory (shards must sit beside the index)";
  if (name === "." || name === "..") return "is not a file name";
  return null;
}

/** Read the index file: size-capped, UTF-8, strict JSON. */
function readIndex(indexFile: string): { bytes: Uint8Array; weightMap: Array<[string, string]> } {
  const { fd, size } = openInputFile(indexFile);
  let bytes: Uint8Array;
  try {
    if (size > MAX_INDEX_BYTES) throw checkpointError(indexFile, `index file is ${size} bytes, larger than the ${MAX_INDEX_BYTES}-byte limit`, INDEX_HINT);
    checkHeaderHeap(indexFile, size, "index");
    bytes = new Uint8Array(size);
    readFully(fd, bytes, 0, indexFile);
  } finally {
    closeSync(fd);
  }
  checkIndexHeap(indexFile, bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw checkpointError(indexFile, "the index is not valid UTF-8", INDEX_HINT);
  }
  let root: JsonValue;
  try {
    root = parseStrictJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) throw checkpointError(indexFile, `the index is not valid JSON: ${err.message} (at character ${err.offset})`, INDEX_HINT);
    throw err;
  }
  if (root.kind !== "object") throw checkpointError(indexFile, `the index is ${jsonKind(root)}, not a JSON object`, INDEX_HINT);
  const top = new Map(root.entries);
  const metadata = top.get("metadata");
  if (metadata !== undefined && metadata.kind !== "object") throw checkpointError(indexFile, `the index's "metadata" is ${jsonKind(metadata)}, not an object`, INDEX_HINT);
  const wm = top.get("weight_map");
  if (wm === undefined) {
    // A config or recipe given where the model goes (`fqc apply qat.json out -c w.npy`): said so, not "give the index".
    if (root.entries.some(([key]) => CONFIG_KEYS.has(key))) {
      throw checkpointError(indexFile, `the index has no "weight_map": this is an fqc config or recipe, not a sharded checkpoint's index`,
        "Give the tensor or checkpoint first, and the config with -c/--config (a recipe with -r/--recipe).");
    }
    throw checkpointError(indexFile, `the index has no "weight_map"`, INDEX_HINT);
  }
  if (wm.kind !== "object") throw checkpointError(indexFile, `the index's "weight_map" is ${jsonKind(wm)}, not an object`, INDEX_HINT);
  if (wm.entries.length === 0) throw checkpointError(indexFile, `the index's "weight_map" is empty`, INDEX_HINT);
  const weightMap: Array<[string, string]> = [];
  for (const [tensor, v] of wm.entries) {
    if (v.kind !== "string") throw checkpointError(indexFile, `weight_map: tensor ${quoteName(tensor)} maps to ${jsonKind(v)}, not a shard file name`, INDEX_HINT);
    const why = badShardName(v.value, basename(indexFile));
    if (why) throw checkpointError(indexFile, `weight_map: tensor ${quoteName(tensor)} maps to ${quoteName(v.value)}, which ${why}`, "Shard names must be plain file names in the index's directory.");
    weightMap.push([tensor, v.value]);
  }
  return { bytes, weightMap };
}

/**
 * Open a sharded checkpoint from its index file. `displayPath` is the path
 * the user gave (the index or its directory), used as Checkpoint.path.
 */
export function openSharded(indexFile: string, displayPath: string = indexFile): ShardedCheckpoint {
  const { bytes, weightMap } = readIndex(indexFile);
  const dir = dirname(indexFile);
  const names = [...new Set(weightMap.map(([, s]) => s))].sort(compareCodePoints);
  let nameChars = 0;
  for (const [tensor] of weightMap) nameChars += tensor.length;
  const held = checkShardedHeap(indexFile, weightMap.length, nameChars, bytes.length);
  const shards: Shard[] = [];
  let parsed = 0;
  try {
    for (const name of names) {
      const file = join(dir, name);
      if (!existsSync(file)) {
        const users = weightMap.filter(([, s]) => s === name).length;
        throw checkpointError(indexFile, `shard ${quoteName(name)} (named for ${users} tensor${users === 1 ? "" : "s"} in the weight_map) does not exist: ${file}`, "Download or copy every shard the index names into its directory.");
      }
      shards.push({ name, file: openSafetensorsFile(file, held, parsed) });
      // More tensors than the weight_map lists means one is in two shards or not in the map: refused now, before
      // more shards grow the heap past what checkShardedHeap counted.
      parsed += shards[shards.length - 1].file.tensors.length;
      if (parsed > weightMap.length) checkAgreement(indexFile, weightMap, shards);
    }
    checkAgreement(indexFile, weightMap, shards);
    return new ShardedCheckpoint(displayPath, indexFile, bytes, shards);
  } catch (err) {
    for (const s of shards) closeSync(s.file.fd);
    throw withOpenFilesHint(err, `fqc holds the checkpoint's ${names.length} shards open together (and apply as many outputs)`, 2 * names.length);
  }
}

/** Every tensor of every shard is in the weight_map under that shard, and every weight_map entry is in its shard. */
function checkAgreement(indexFile: string, weightMap: ReadonlyArray<[string, string]>, shards: readonly Shard[]): void {
  const mapped = new Map(weightMap);
  const holder = new Map<string, string>();
  // Duplicates first: a tensor in two shards is the clearer message than the weight_map disagreeing with one of them.
  for (const s of shards) {
    for (const t of s.file.tensors) {
      const other = holder.get(t.name);
      if (other !== undefined) {
        throw checkpointError(indexFile, `tensor ${quoteName(t.name)} is in two shards, ${quoteName(other)} and ${quoteName(s.name)}`, "Each tensor must be stored in exactly one shard; save the checkpoint again.");
      }
      holder.set(t.name, s.name);
    }
  }
  for (const [name, shard] of holder) {
    const m = mapped.get(name);
    if (m === undefined) {
      throw checkpointError(indexFile, `tensor ${quoteName(name)} is in shard ${quoteName(shard)} but not in the weight_map`, MISMATCH_HINT);
    }
    if (m !== shard) {
      throw checkpointError(indexFile, `tensor ${quoteName(name)} is in shard ${quoteName(shard)} but the weight_map puts it in ${quoteName(m)}`, MISMATCH_HINT);
    }
  }
  for (const [tensor, shard] of weightMap) {
    if (!holder.has(tensor)) {
      throw checkpointError(indexFile, `the weight_map puts tensor ${quoteName(tensor)} in ${quoteName(shard)}, which has no such tensor`, MISMATCH_HINT);
    }
  }
}
