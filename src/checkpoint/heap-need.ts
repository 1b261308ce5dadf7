/**
 * Whether a checkpoint's tensors fit in this process's JavaScript heap for a
 * command, checked once the header is read and before any other work. A
 * header may hold ~1.8 million tensors (the 100 MB bound), and each costs fqc
 * some hundreds of bytes to ~2 KB of heap; past Node's heap limit V8 ends the
 * process with a fatal error and a native stack trace. fqc refuses instead,
 * naming the limit and how to raise it.
 */
import { getHeapStatistics } from "node:v8";
import { FqcError } from "../errors.js";
import { withThousands } from "../thousands.js";

/**
 * Heap per tensor, bytes: what each command needed on 300,000 tensors of 36-character names (the smallest
 * --max-old-space-size that ran, less the start-up heap), with a third more for margin.
 */
export const HEAP_PER_TENSOR = {
  /** apply writing a checkpoint; validate --tensor. */
  apply: 450,
  /** apply --dry-run: the plan and its table. */
  plan: 600,
  /** report: the tensors, then each column's cells and figures (least that ran: 356 MB with one column, 656 MB with three). */
  report: 670,
  reportColumn: 670,
} as const;

/**
 * What V8 reports as the heap limit counts the young generation too (--max-old-space-size + 48 MB on
 * Node 20, 64-bit); what a run keeps lives in the old one.
 */
const YOUNG_GENERATION = 48 << 20;

/** The old generation a run may fill. */
function oldSpaceLimit(): number {
  return Math.max(0, getHeapStatistics().heap_size_limit - YOUNG_GENERATION);
}

/** The heap a run needs before any tensor: code, config, buffers. */
const HEAP_BASE = 24 << 20;
/** Per character of a tensor name: the name is kept, and copied into the lines and rows printed. */
const HEAP_PER_NAME_CHAR = 3;

/** To read a safetensors header, per byte of it: its bytes, their text and the tensors parsed from it (measured 4.4–5.2). */
const HEAP_PER_HEADER_BYTE = 5;
const HEAP_BASE_OPEN = 16 << 20;

/**
 * What an .npz member keeps beyond a safetensors tensor (its ZIP records and .npy header), and what reading
 * one takes: measured on 50,000 members (1.2–1.9 KB each to open), with margin.
 */
const HEAP_PER_NPZ_MEMBER = 1_000;
const HEAP_PER_MEMBER_READ = 1_600;

/**
 * Throws FqcError "CHECKPOINT" (exit 2) when the tensors of `checkpoint` would need more heap than this
 * process has; `doing` names the command.
 */
export function checkHeapNeed(
  model: string, checkpoint: { format: string; tensors: ReadonlyArray<{ name: string }> }, perTensor: number, doing: string,
  limit = oldSpaceLimit(),
): void {
  const { tensors } = checkpoint;
  let nameChars = 0;
  for (const t of tensors) nameChars += t.name.length;
  const per = perTensor + (checkpoint.format === "npz" ? HEAP_PER_NPZ_MEMBER : 0);
  const need = HEAP_BASE + tensors.length * per + nameChars * HEAP_PER_NAME_CHAR;
  if (need > limit) refuse(model, `its ${withThousands(tensors.length)} tensors need about ${mb(need)} MB of memory to ${doing}`, need, limit);
}

/**
 * The same check before a safetensors header (or a sharded checkpoint's index) of `bytes` is read: reading
 * it is the first thing that grows with it. `held`: what the run already keeps (a sharded checkpoint's
 * other shards, see checkShardedHeap).
 */
export function checkHeaderHeap(file: string, bytes: number, what: "header" | "index" = "header", limit = oldSpaceLimit(), held = 0): void {
  const need = HEAP_BASE_OPEN + held + bytes * HEAP_PER_HEADER_BYTE;
  if (need > limit) refuse(file, `its ${what} (${sizeText(bytes)}) needs about ${mb(need)} MB of memory to read`, need, limit);
}

/**
 * A sharded checkpoint's index, parsed: per weight_map entry its parse tree, text and [tensor, shard] pair,
 * measured 243 bytes (long names) to 276 (short ones), whatever the bytes per entry: an index of short
 * entries needs up to ~10 bytes of heap per byte of it, past the 5 the first check assumes. With margin.
 */
const HEAP_PER_INDEX_ENTRY = 300;

/**
 * Opening a sharded checkpoint keeps, per weight_map entry: the entry, its tensor as parsed from its shard
 * (with the shard's header bytes) and as a CheckpointTensor, and the agreement check's maps. Measured on
 * 1.2 million tensors of 10-character names in 4 shards (a 57 MB index): 512 MB of heap ended in V8's
 * out-of-memory abort, 620 MB opened them (~420 bytes per tensor); with a quarter more. That was measured while each
 * shard's header bytes and parsed entries were kept beside its CheckpointTensors; they no longer are, so it errs high.
 * While a shard's header is read, the weight_map and the shards read before it are held: ~280 bytes per tensor.
 * The shards are opened one by one, each passing checkHeaderHeap alone, so without these checks their sum
 * could exceed the heap.
 */
const HEAP_PER_SHARDED_TENSOR = 520;
const HEAP_PER_SHARDED_TENSOR_HELD = 300;

/**
 * The check of a sharded checkpoint's index once its `bytes` are read, before they are parsed: the entries
 * are bounded by its string quotes (4 per entry; escaped quotes only make the bound larger).
 */
export function checkIndexHeap(indexFile: string, bytes: Uint8Array, limit = oldSpaceLimit()): void {
  let quotes = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x22) quotes++;
  const need = HEAP_BASE_OPEN + bytes.length * 2 + Math.ceil(quotes / 4) * HEAP_PER_INDEX_ENTRY;
  if (need > limit) refuse(indexFile, `its index (${sizeText(bytes.length)}, up to ${withThousands(Math.ceil(quotes / 4))} entries) needs about ${mb(need)} MB of memory to read`, need, limit);
}

/**
 * The check before a sharded checkpoint's shards are opened, from its index (`bytes` long, kept) and the
 * `entries` tensors its weight_map lists (`nameChars` characters of names). Returns the bytes held while
 * each shard's header is read, which its check (checkHeaderHeap's `held`) adds to its own need.
 */
export function checkShardedHeap(indexFile: string, entries: number, nameChars: number, bytes: number, limit = oldSpaceLimit()): number {
  const need = HEAP_BASE_OPEN + bytes + entries * HEAP_PER_SHARDED_TENSOR + nameChars * HEAP_PER_NAME_CHAR;
  if (need > limit) refuse(indexFile, `its weight_map's ${withThousands(entries)} tensors need about ${mb(need)} MB of memory to open its shards`, need, limit);
  return bytes + entries * HEAP_PER_SHARDED_TENSOR_HELD + nameChars * HEAP_PER_NAME_CHAR;
}

/** The same check before an archive's central directory of `entries` members (`bytes` long) is read. */
export function checkArchiveHeap(file: string, entries: number, bytes: number, limit = oldSpaceLimit()): void {
  const need = HEAP_BASE_OPEN + entries * HEAP_PER_MEMBER_READ + bytes * 2;
  if (need > limit) refuse(file, `its ${withThousands(entries)} members need about ${mb(need)} MB of memory to read`, need, limit);
}

/** A file's size as said: in bytes below 1 MB (a 344-byte index is not "1 MB"), else in MB. */
function sizeText(bytes: number): string {
  return bytes < 2 ** 20 ? `${withThousands(bytes)} bytes` : `${mb(bytes)} MB`;
}

function mb(bytes: number): string {
  return withThousands(Math.ceil(bytes / 2 ** 20));
}

function refuse(file: string, needs: string, need: number, limit: number): never {
  const suggest = Math.ceil((need * 1.25) / 2 ** 28) * 256;
  throw new FqcError("CHECKPOINT", `${file}: ${needs}, more than this Node process may use (${mb(limit)} MB)`, {
    file,
    hint: `Give Node more heap: NODE_OPTIONS=--max-old-space-size=${suggest} (MB), on a machine with that much memory free.`,
  });
}
