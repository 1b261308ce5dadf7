/**
 * A checkpoint, whatever its file format: an ordered list of named tensors
 * (dtype, shape, where the bytes are). Readers (safetensors, sharded index,
 * .npz, .npy) validate everything about their format once, when opened, and
 * hand out this shape; the rest of fqc trusts it. Writers reproduce the
 * layout of a source checkpoint (same names, order, shapes, dtypes, metadata,
 * file names) and take each tensor's bytes, committing atomically.
 */
import type { FileStamp } from "../npy/file-stamp.js";

/** Element types, by safetensors' names (the names a recipe, a plan and a report use). */
export type TensorDtype =
  | "BOOL" | "U8" | "I8" | "U16" | "I16" | "U32" | "I32" | "U64" | "I64"
  | "F16" | "BF16" | "F32" | "F64"
  | "F8_E4M3" | "F8_E5M2" | "F8_E8M0" | "F8_E4M3FNUZ" | "F8_E5M2FNUZ" | "F4" | "F6_E2M3" | "F6_E3M2"
  | "C64";

/** The dtypes fqc fake-quantizes; every other one passes through byte for byte. */
export const FLOAT_TENSOR_DTYPES: readonly TensorDtype[] = ["F32", "F16", "BF16"];

/** What a planner needs to know of a tensor: no data, no file. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  /** shape × item size (exact, checked by the reader). */
  readonly byteLength: number;
}

/** A tensor of an opened checkpoint: its info and where its raw bytes are. */
export interface CheckpointTensor extends TensorInfo {
  /** Position in the checkpoint's order (0-based). */
  readonly index: number;
  /** The file that holds it (a shard, the .npz, the .npy), as a path usable with fs. */
  readonly file: string;
  /**
   * Absolute position of the first data byte in `file` when the bytes are
   * stored contiguously and uncompressed (safetensors, .npy, stored .npz
   * members): threads may then read any row range positionally. null for a
   * deflated .npz member, which can only be streamed (`Checkpoint.stream`).
   */
  readonly dataOffset: number | null;
  /** Byte order of the items (safetensors: always little). */
  readonly byteOrder: "little" | "big";
  /** .npy / .npz members saved with fortran_order=True. */
  readonly fortranOrder: boolean;
}

export type CheckpointFormat = "safetensors" | "sharded" | "npz" | "npy";

export interface Checkpoint {
  /** The path as the user gave it (named in messages). */
  readonly path: string;
  readonly format: CheckpointFormat;
  /** Every tensor, in checkpoint order (sharded: shard by shard, each in data-offset order). */
  readonly tensors: readonly CheckpointTensor[];
  /** safetensors `__metadata__` (sharded: of the first shard); null when absent or not applicable. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /**
   * The raw bytes of one tensor in order, in pieces of at most `maxBytes`
   * (inflating a deflated member as it goes; a member that inflates to more
   * or fewer bytes than declared is an FqcError "CHECKPOINT" naming file
   * and tensor; a file that shrank while being read is one too). Each piece is valid until the next one is requested.
   */
  stream(tensor: CheckpointTensor, maxBytes: number): Iterable<Uint8Array>;
  /**
   * The descriptor the checkpoint holds open on `file` (a tensor's `file`), for positional reads: the file that was
   * checked when the checkpoint was opened, whatever the path names by now. undefined when it holds none (or is closed).
   */
  descriptor?(file: string): number | undefined;
  /**
   * Keep those descriptors open until the returned release is called: a run holds them while its threads read
   * through them, and a close() meanwhile takes effect when the last run releases them.
   */
  hold?(): () => void;
  /** The size and modification time `file` had when the checkpoint opened it, to tell a file written to meanwhile (file-stamp.ts). */
  stamp?(file: string): FileStamp | undefined;
  /** Close every open descriptor (once no run holds them). */
  close(): void;
}

/** Where one output tensor's bytes go. */
export interface TensorSink {
  /**
   * For outputs stored uncompressed: the descriptor and absolute data offset,
   * so threads can write row ranges positionally (valid until commit/abort).
   * null when the bytes must be written in order through `write`. `file`: the
   * output file the descriptor writes, named in messages (a shard of a sharded
   * output); the writer's path when absent.
   */
  readonly positional: { fd: number; dataOffset: number; file?: string } | null;
  /** Append bytes in order (the sink counts them; `end` checks the total). */
  write(bytes: Uint8Array): void;
  /**
   * Done with this tensor: `writtenPositionally` says how many bytes threads
   * wrote through `positional` (must equal byteLength, unless `write` did it).
   */
  end(writtenPositionally?: number): void;
}

/**
 * An output with the same layout as a source checkpoint. Tensors are begun in
 * checkpoint order; `commit` renames every temp file into place (all shards,
 * the index last), `abort` removes them. Nothing appears under the target
 * names unless `commit` succeeds.
 */
export interface CheckpointWriter {
  readonly path: string;
  begin(tensor: CheckpointTensor): TensorSink;
  /**
   * Everything commit does but the renames (finish and close every file), so
   * that a run with further outputs (qparams, a report) prepares them all
   * before renaming any: an error then leaves every target as it was. A
   * failure aborts. Optional: a writer without it is prepared by its commit.
   */
  prepare?(): void;
  commit(): void;
  abort(): void;
}
