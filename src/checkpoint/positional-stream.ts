/**
 * Stream a byte range of an open file in pieces through one reusable
 * buffer: memory stays at `maxBytes` whatever the tensor's size.
 */
import { readSync } from "node:fs";
import { io } from "../npy/fail.js";
import { checkpointError } from "./fail.js";
import { quoteName } from "./strict-json.js";

/** Bytes per read call; below Linux's ~2 GiB per-call ceiling. */
const MAX_CALL = 1 << 30;

export function* streamRange(fd: number, file: string, tensor: string, start: number, length: number, maxBytes: number): Generator<Uint8Array, void, undefined> {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  if (length === 0) return;
  const buffer = new Uint8Array(Math.min(maxBytes, length));
  for (let done = 0; done < length; ) {
    const piece = buffer.subarray(0, Math.min(buffer.length, length - done));
    for (let filled = 0; filled < piece.length; ) {
      const n = io(file, "read", () => readSync(fd, piece, filled, Math.min(piece.length - filled, MAX_CALL), start + done + filled));
      if (n === 0) {
        throw checkpointError(file, `tensor ${quoteName(tensor)}: the file ended at byte ${start + done + filled}, inside the tensor (was it truncated while being read?)`, "Make sure nothing rewrites the checkpoint while fqc reads it, and run again.");
      }
      filled += n;
    }
    done += piece.length;
    yield piece;
  }
}
