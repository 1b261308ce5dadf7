/**
 * A source file's leading bytes (a safetensors file's length field and JSON
 * header, up to 100 MB) that a writer copies to its output as they are. They
 * are not held in memory from the open to the write: the writer copies them
 * from the file in 1 MiB pieces and checks them against the CRC-32 taken
 * when the header was read, so a file rewritten since is refused rather
 * than copied with a header that no longer matches what fqc checked.
 */
import { closeSync } from "node:fs";
import type { AtomicFile } from "../npy/atomic.js";
import { readFully } from "../npy/positional.js";
import { checkpointError } from "./fail.js";
import { openInputFile } from "./input-file.js";
import { crc32Update } from "./zip/crc.js";

const PIECE = 1 << 20;

export interface SourceBytes {
  readonly file: string;
  /** Bytes from offset 0. */
  readonly length: number;
  /** Their CRC-32 when the file was opened. */
  readonly crc: number;
}

/** Copy `bytes` to offset 0 of `out`, read through `fd` (the open input's), or from the file again once the input was closed. */
export function copySourceBytes(bytes: SourceBytes, fd: number | undefined, out: AtomicFile): void {
  const own = fd === undefined ? openInputFile(bytes.file).fd : undefined;
  try {
    const piece = new Uint8Array(Math.min(PIECE, bytes.length));
    let crc = 0;
    for (let at = 0; at < bytes.length; at += piece.length) {
      const view = piece.subarray(0, Math.min(piece.length, bytes.length - at));
      readFully(own ?? fd!, view, at, bytes.file);
      crc = crc32Update(view, crc);
      out.writeAt(view, at);
    }
    if (crc !== bytes.crc) {
      throw checkpointError(bytes.file, "its header changed since fqc read it (the file was rewritten while fqc ran)",
        "Make sure nothing rewrites the checkpoint while fqc reads it, and run again.");
    }
  } finally {
    if (own !== undefined) closeSync(own);
  }
}
