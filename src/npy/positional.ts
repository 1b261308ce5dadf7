/**
 * Positional whole-buffer reads and writes. Node 20 cannot readFileSync
 * files over 2 GiB and Linux moves at most ~2 GiB per syscall, so large
 * tensors go through these loops (pread/pwrite under the hood).
 */
import { fstatSync, readSync, writeSync } from "node:fs";
import { FqcError } from "../errors.js";
import { oneLine } from "../diagnostics/one-line.js";
import { io } from "./fail.js";

/** Bytes per syscall; below Linux's 0x7ffff000 per-call ceiling. */
const MAX_CALL = 1 << 30;

/** Fill `dest` from file offset `position`; a short file is an NPY error (it changed under us). */
export function readFully(fd: number, dest: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < dest.length) {
    const want = Math.min(dest.length - done, MAX_CALL);
    const n = io(file, "read", () => readSync(fd, dest, done, want, position + done));
    if (n === 0) {
      // Every reader checked the file's size against what it holds when it opened it: a short read now means it shrank since.
      throw new FqcError("IO", oneLine(`${file}: the file ended early at byte ${endedAt(fd, position + done)}: it was truncated while fqc read it`), {
        file,
        hint: "Make sure nothing rewrites or truncates the file while fqc reads it (a download or copy still running), and run again.",
      });
    }
    done += n;
  }
}

/**
 * Where the file open as `fd` ends now, for the message: a read past the end says only that it is at or before
 * `at` (a file cut well before the bytes read, or before the next tensor's, ends earlier); `at` if unknown.
 */
function endedAt(fd: number, at: number): string {
  try {
    const size = fstatSync(fd).size;
    return size < at ? `${size}, before the bytes fqc was reading (from byte ${at})` : String(at);
  } catch {
    return String(at);
  }
}

/** Write all of `src` at file offset `position`. */
export function writeFully(fd: number, src: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < src.length) {
    const want = Math.min(src.length - done, MAX_CALL);
    done += io(file, "write", () => writeSync(fd, src, done, want, position + done));
  }
}

/** A byte view of any typed array's first `byteLength` bytes (no copy; works on SharedArrayBuffer). */
export function bytesOf(a: ArrayBufferView, byteLength: number = a.byteLength): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, byteLength);
}
