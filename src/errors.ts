/**
 * The one error class of the library. Library code throws FqcError with a
 * code; only the CLI maps codes to exit statuses and text.
 */

export type FqcErrorCode =
  /** The config is invalid (torchao would refuse to construct it). */
  | "CONFIG"
  /** torchao would raise at forward for this config/tensor (shape, dtype, domain...). */
  | "FORWARD"
  /** A .npy file is malformed, hostile or of an unsupported dtype. */
  | "NPY"
  /** A checkpoint (safetensors file, sharded index, .npz archive) is malformed, hostile or inconsistent. */
  | "CHECKPOINT"
  /** A file could not be read or written. */
  | "IO"
  /** Bad command-line usage (missing flag, conflicting options). */
  | "USAGE"
  /** Stopped by a signal (Ctrl-C); nothing was written. */
  | "INTERRUPTED";

export class FqcError extends Error {
  readonly code: FqcErrorCode;
  /** How to fix it, printed after the message. */
  readonly hint?: string;
  /** The file the error is about, if any. */
  readonly file?: string;

  constructor(code: FqcErrorCode, message: string, opts: { hint?: string; file?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "FqcError";
    this.code = code;
    this.hint = opts.hint;
    this.file = opts.file;
  }
}

/** Exit statuses, documented in the README. */
export const EXIT = { OK: 0, PROBLEMS: 1, USAGE_OR_IO: 2, INTERRUPTED: 130 } as const;

export function exitCodeFor(code: FqcErrorCode): number {
  if (code === "INTERRUPTED") return EXIT.INTERRUPTED;
  return code === "CONFIG" || code === "FORWARD" ? EXIT.PROBLEMS : EXIT.USAGE_OR_IO;
}
