/**
 * A checkpoint file that became shorter while a run read it. The readers
 * checked every tensor's bytes against the file's size when they opened it,
 * so a read that comes up short later means the file was truncated meanwhile
 * (another program rewriting it, a download restarted over it). The threads
 * that hit the short read know only the file; this names the tensor too.
 */
import { statSync } from "node:fs";
import { FqcError } from "../errors.js";
import { oneLine } from "../diagnostics/one-line.js";
import { quoteName } from "./strict-json.js";
import type { CheckpointTensor } from "./types.js";

/**
 * `err` as it should be reported: when it is about one of the tensors' files
 * and that file now ends inside a tensor's bytes, an FqcError("IO") naming
 * the file, the first such tensor and the byte where the file ends; any other
 * error as it is. A stop request (INTERRUPTED) stays what it is.
 */
export function explainShrunkInput(err: unknown, tensors: readonly CheckpointTensor[]): unknown {
  if (!(err instanceof FqcError) || err.code === "INTERRUPTED" || err.file === undefined) return err;
  const file = err.file;
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return err; // removed or renamed: the descriptor still read what it had, so this is not the cause
  }
  let cut: CheckpointTensor | undefined;
  for (const t of tensors) {
    if (t.file !== file || t.dataOffset === null || t.dataOffset + t.byteLength <= size) continue;
    if (!cut || t.dataOffset < cut.dataOffset!) cut = t;
  }
  if (!cut) return err;
  const start = cut.dataOffset!;
  const where = size <= start ? `before this tensor's data (bytes ${start}–${start + cut.byteLength})` : `inside this tensor's data (bytes ${start}–${start + cut.byteLength})`;
  return new FqcError("IO", oneLine(`${file}: tensor ${quoteName(cut.name)}: the file now ends at byte ${size}, ${where}: it was truncated while fqc read it`), {
    file,
    hint: "Make sure nothing rewrites or truncates the file while fqc reads it (a download or copy still running), and run again.",
    cause: err,
  });
}
