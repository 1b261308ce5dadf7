/**
 * Stream a byte range of an open file in pieces through one reusable
 * buffer: memory stays at `maxBytes` whatever the tensor's size.
 */
import { readFully } from "../npy/positional.js";

export function* streamRange(fd: number, file: string, start: number, length: number, maxBytes: number): Generator<Uint8Array, void, undefined> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  if (length === 0) return;
  const buffer = new Uint8Array(Math.min(maxBytes, length));
  for (let done = 0; done < length; ) {
    const piece = buffer.subarray(0, Math.min(buffer.length, length - done));
    readFully(fd, piece, start + done, file);
    done += piece.length;
    yield piece;
  }
}
