/** Atomic text output for reports and rewritten configs, through the same temp-file + rename mechanism as tensors. */
import { AtomicFile, type AtomicOptions } from "../npy/atomic.js";

export function writeFileAtomic(target: string, text: string, opts: AtomicOptions = {}): void {
  const file = AtomicFile.create(target, opts);
  file.write(new TextEncoder().encode(text));
  file.commit();
}

/** Text gathered into writes of about this many characters. */
const WRITE_CHARS = 1 << 20;

/** Pieces of text gathered into writes of ~1 MiB each: a long report is written as it is made, never held whole. */
export function* batchedText(pieces: Iterable<string>): Generator<string> {
  let batch: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    batch.push(piece);
    length += piece.length;
    if (length >= WRITE_CHARS) {
      yield batch.join("");
      batch = [];
      length = 0;
    }
  }
  if (length > 0) yield batch.join("");
}

/** As writeFileAtomic, for text made in pieces (a report): the file appears whole, or not at all. */
export function writePiecesAtomic(target: string, pieces: Iterable<string>, opts: AtomicOptions = {}): void {
  commitPieces(AtomicFile.create(target, opts), pieces);
}

/** Writes the pieces into an open atomic file and commits it; on a failure the file is aborted (removed). */
export function commitPieces(file: AtomicFile, pieces: Iterable<string>): void {
  writePiecesOrAbort(file, pieces);
  file.commit();
}

/** Writes the pieces into an open atomic file, aborting (removing) it on a failure; the caller commits it. */
export function writePiecesOrAbort(file: AtomicFile, pieces: Iterable<string>): void {
  try {
    writePieces(file, pieces);
  } catch (e) {
    file.abort();
    throw e;
  }
}

/** Text made in pieces into an open atomic file, in writes of ~1 MiB (the caller commits or aborts it). */
export function writePieces(file: AtomicFile, pieces: Iterable<string>): void {
  const encoder = new TextEncoder();
  for (const text of batchedText(pieces)) file.write(encoder.encode(text));
}
