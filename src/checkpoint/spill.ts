/**
 * A deflated tensor inflated once into a temporary file, so that it can be
 * read positionally. A Fortran-order member needs it: its first C-order row
 * takes an element of every column, and a deflated stream can only be read
 * from its start, so reading it in C order would otherwise need the whole
 * member in memory (or one inflate pass per chunk).
 *
 * The file is created (named as fqc's temp files are, O_EXCL, mode 0600) and
 * unlinked at once: it lives only as the open descriptor, so it disappears
 * on success, on an error, on a signal and even on SIGKILL, when the
 * descriptor is closed or the process ends. Inflating goes through
 * `Checkpoint.stream`, with its size, deflate-bomb and CRC-32 checks, in
 * small pieces: memory stays at one piece whatever the member's size.
 */
import { closeSync, openSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { FqcError } from "../errors.js";
import { oneLine } from "../diagnostics/one-line.js";
import { ioError } from "../npy/fail.js";
import { writeFully } from "../npy/positional.js";
import { tempNameFor } from "../npy/temp-files.js";
import { withThousands } from "../thousands.js";
import { isNpzCheckpoint } from "./npz.js";
import { showName } from "./zip/directory.js";
import type { Checkpoint, CheckpointTensor } from "./types.js";

/** Bytes inflated per step: small enough that a signal is seen within a fraction of a second (pako: ~10–30 MB/s). */
export const SPILL_PIECE_BYTES = 1 << 20;

const NAME_ATTEMPTS = 8;

export interface SpilledTensor {
  /** The tensor as a stored one: its data at offset 0 of `fd` (`file` still names the checkpoint, in messages). */
  readonly tensor: CheckpointTensor;
  /** The spill file's descriptor (readable by any thread until `close`). */
  readonly fd: number;
  /** Close the descriptor, which frees the file's space. Safe to call twice. */
  close(): void;
}

export interface SpillOptions {
  /** Bytes per inflate step (tests use small values). */
  pieceBytes?: number;
  /** Awaited after every piece: the host's event loop runs, and a throw stops the spill (an abort). */
  between?: () => Promise<void>;
}

/** Inflate `t`'s bytes into a fresh unnamed file in `dir`. A failure (a full disk, a corrupt member, an abort) leaves nothing behind. */
export async function spillTensor(checkpoint: Checkpoint, t: CheckpointTensor, dir: string, opts: SpillOptions = {}): Promise<SpilledTensor> {
  const member = isNpzCheckpoint(checkpoint) ? checkpoint.members[t.index].zip.name : `${t.name}.npy`;
  const fail = (doing: string, e: unknown): FqcError => {
    const io = ioError(`${checkpoint.path}: member ${showName(member)}`, `${doing} in ${dir}`, e);
    return new FqcError("IO", oneLine(io.message), {
      file: checkpoint.path,
      hint: `A deflated member stored in Fortran order is read from an inflated copy (${withThousands(t.byteLength)} bytes) in ${dir} `
        + "(apply's is beside OUT, report's in $TMPDIR): make room there, or save the array in C order "
        + "(np.savez_compressed(path, name=np.ascontiguousarray(a))) or with np.savez.",
      cause: e,
    });
  };
  const fd = openUnlinked(dir, basename(checkpoint.path), (e) => fail("create a temporary file for its inflated copy", e));
  try {
    let at = 0;
    for (const piece of checkpoint.stream(t, opts.pieceBytes ?? SPILL_PIECE_BYTES)) {
      try {
        writeFully(fd, piece, at, dir);
      } catch (e) {
        throw fail("write its inflated copy", (e as { cause?: unknown }).cause ?? e);
      }
      at += piece.length;
      await opts.between?.();
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  let open = true;
  return {
    tensor: { ...t, dataOffset: 0 },
    fd,
    close() {
      if (!open) return;
      open = false;
      try { closeSync(fd); } catch { /* nothing to lose: the file has no name */ }
    },
  };
}

/** A new file in `dir`, opened for reading and writing, and already unlinked. */
function openUnlinked(dir: string, base: string, fail: (e: unknown) => FqcError): number {
  for (let attempt = 1; ; attempt++) {
    const path = join(dir, tempNameFor(`${base}.spill`));
    let fd: number;
    try {
      fd = openSync(path, "wx+", 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && attempt < NAME_ATTEMPTS) continue;
      throw fail(e);
    }
    try {
      unlinkSync(path);
    } catch (e) {
      closeSync(fd);
      try { unlinkSync(path); } catch { /* the first unlink failed for a reason that still holds */ }
      throw fail(e);
    }
    return fd;
  }
}
