/** Open a checkpoint file for positional reads: a regular file, never a FIFO or device that could block or stream forever. */
import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { io, ioFailure } from "../npy/fail.js";

/** The fd and size of the regular file at `path`; the caller closes the fd. */
export function openInputFile(path: string): { fd: number; size: number } {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; fstat then refuses it.
  const fd = io(path, "open", () => openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0)));
  try {
    const st = io(path, "stat", () => fstatSync(fd));
    if (st.isDirectory()) throw ioFailure(path, "is a directory", "Give a checkpoint file here (a directory is read only as a whole checkpoint).");
    if (!st.isFile()) throw ioFailure(path, "is not a regular file", "Give the path of a checkpoint file on disk (not a pipe or a device).");
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
