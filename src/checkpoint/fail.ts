/** Error construction for the checkpoint readers and writers. */
import { oneLine } from "../diagnostics/one-line.js";
import { FqcError } from "../errors.js";

/** A malformed, hostile or inconsistent checkpoint: `<file>: <what>` on one line (a quoted byte may be a line break), with a hint. */
export function checkpointError(file: string, what: string, hint?: string): FqcError {
  return new FqcError("CHECKPOINT", `${file}: ${oneLine(what)}`, { file, hint });
}
