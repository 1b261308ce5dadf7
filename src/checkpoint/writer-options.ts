import type { LockWait } from "./commit-lock.js";
import type { PathUse } from "../npy/path-check.js";

/** Options every checkpoint writer takes (the atomic-output options of the .npy writer). */
export interface CheckpointWriterOptions {
  /** Paths the outputs must not be (beyond the source checkpoint's own files, always protected); compared by device + inode. */
  readonly protect?: readonly string[];
  /**
   * The run's other files with their roles, as checkPaths takes them: files it reads (a config, a recipe) and files it
   * writes (`--qparams-out`, `--report`). No output file may be one of them; `force` never changes that for an output.
   */
  readonly others?: { readonly reads: readonly PathUse[]; readonly writes: readonly PathUse[] };
  /** Allow replacing a protected path, the source's files included. */
  readonly force?: boolean;
  /** fsync data and directories around the renames (see AtomicOptions.durable). */
  readonly durable?: boolean;
  /**
   * Indices of Fortran-order tensors (.npy, .npz members) the caller writes in C order, as fake-quantized
   * tensors are: their .npy header becomes the one numpy writes for the C-order copy (fortran_order False,
   * same dtype and shape). Every other tensor keeps its source header byte for byte.
   */
  readonly cOrder?: ReadonlySet<number>;
}

/** What fqc's own callers add: how a refusal tells the caller to set `force` (CallerWords.set); without it, no offer. */
export interface WriterRunOptions extends CheckpointWriterOptions {
  readonly forceStep?: string;
  /** How long renaming into an existing output directory waits for another run's renames (tests shorten it). */
  readonly lockWait?: LockWait;
}

/** The files a writer's sweep of leftovers must keep: the source's files, the protected paths and the run's other inputs. */
export function readPaths(sourceFiles: readonly string[], opts: CheckpointWriterOptions): string[] {
  return [...sourceFiles, ...(opts.protect ?? []), ...(opts.others?.reads ?? []).map((u) => u.path)];
}
