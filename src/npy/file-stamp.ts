/**
 * A file rewritten in place while a run reads it (`cp new.safetensors model.safetensors` over the same inode, a
 * download restarted into it) keeps its size, or grows back: the reads see old bytes, then new ones, and the output
 * would be a silent mix of two models. Its size or modification time moves though, so a run stamps each input
 * descriptor as it opens it and compares once every read is done, before anything is renamed into place.
 * A file replaced by a rename is another inode: the open descriptor still reads the old one whole, rightly unflagged.
 */
import { fstatSync } from "node:fs";
import { FqcError } from "../errors.js";
import { oneLine } from "../diagnostics/one-line.js";

export interface FileStamp {
  readonly size: number;
  readonly mtimeNs: bigint;
}

/** The stamp of the file open on `fd`; undefined when it cannot be read (then nothing is compared). */
export function stampOf(fd: number): FileStamp | undefined {
  try {
    const st = fstatSync(fd, { bigint: true });
    return { size: Number(st.size), mtimeNs: st.mtimeNs };
  } catch {
    return undefined;
  }
}

/** Throws an FqcError("IO") naming `file` when the file open on `fd` is no longer as `stamp` saw it. */
export function checkUnchanged(file: string, fd: number, stamp: FileStamp | undefined): void {
  const now = stamp && stampOf(fd);
  if (!stamp || !now || (now.size === stamp.size && now.mtimeNs === stamp.mtimeNs)) return;
  const how = now.size === stamp.size ? "its modification time changed" : `its size went from ${stamp.size} to ${now.size} bytes`;
  throw new FqcError("IO", oneLine(`${file}: the file was written to while fqc read it (${how}): what was read may mix its old and new bytes`), {
    file,
    hint: "Make sure nothing rewrites the file while fqc reads it (a download or copy still running), and run again.",
  });
}
