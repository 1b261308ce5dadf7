/** Options every checkpoint writer takes (the atomic-output options of the .npy writer). */
export interface CheckpointWriterOptions {
  /** Paths the outputs must not be (beyond the source checkpoint's own files, always protected); compared by device + inode. */
  readonly protect?: readonly string[];
  /** Allow replacing a protected path, the source's files included. */
  readonly force?: boolean;
  /** fsync data and directories around the renames (see AtomicOptions.durable). */
  readonly durable?: boolean;
}
