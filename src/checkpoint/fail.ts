/** Error construction for the checkpoint readers and writers. */
import { FqcError } from "../errors.js";

/** A malformed, hostile or inconsistent checkpoint: `<file>: <what>` on one line, with a hint. */
export function checkpointError(file: string, what: string, hint?: string): FqcError {
  return new FqcError("CHECKPOINT", `${file}: ${what}`, { file, hint });
}
