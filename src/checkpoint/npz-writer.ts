/**
 * Write an .npz with the layout of a source .npz: same members, order,
 * compression method per member, .npy headers byte for byte, and the ZIP
 * fields the source chose (versions, times, attributes, extra fields,
 * comments, where it used ZIP64), so a stored archive whose tensors are
 * copied unchanged comes out byte-identical. ZIP64 fields are added wherever
 * a size or offset needs them. A Fortran-order member named in `cOrder` gets
 * the .npy header numpy writes for its C-order copy instead (fortran_order
 * False, same dtype and shape; its length may differ, and the member's sizes
 * and CRC follow): the caller writes its rows in C order.
 *
 * Stored members: every offset follows from sizes known in advance, so each
 * sink is positional (threads write rows at their place). Their CRC-32 is
 * accumulated from sequential `write`s, or, when threads wrote positionally,
 * computed by reading the member back once at `end` (page cache, ~2 GB/s
 * for zlib's crc32 here), and patched into the local header.
 * Deflated members stream through node:zlib in order; the local header is
 * written first with its sizes and CRC zeroed and rewritten at `end` (no data
 * descriptor, as Python's zipfile does on a seekable file).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { crc32Update as crc32 } from "./zip/crc.js";
import { FqcError } from "../errors.js";
import { AtomicFile, type AtomicOptions } from "../npy/atomic.js";
import { io } from "../npy/fail.js";
import { encodeNpyHeader } from "../npy/header-encode.js";
import { crcMismatch, isNpzCheckpoint, type NpzMember } from "./npz.js";
import type { Checkpoint, CheckpointTensor, CheckpointWriter, TensorSink } from "./types.js";
import { ChunkedDeflater } from "./zip/deflate.js";
import {
  FLAG_DATA_DESCRIPTOR, METHOD_STORED, U16_MAX, U32_MAX, encodeCentralEntry, encodeEnd, encodeLocalHeader, type CentralEntry, type LocalHeader,
} from "./zip/records.js";

/** Bytes per read when a positionally written member is read back for its CRC. */
const CRC_PIECE = 4 << 20;

interface MemberState {
  localOffset: number;
  local: Omit<LocalHeader, "length">;
  /** Offset where the member's compressed bytes end (known at begin for stored, at end for deflated). */
  end: number | null;
  crc: number;
  compressedSize: number;
  /** The member's .npy header as written (the source's, or its C-order rewrite) and its uncompressed size. */
  npyHeader: Uint8Array;
  uncompressedSize: number;
}

/**
 * Whether a deflated member of `size` bytes must reserve a ZIP64 local header
 * before its compressed size is known: deflate grows incompressible data by
 * at most 5 bytes per 16 KiB block plus a few, so below this bound the
 * compressed size fits 32 bits.
 */
export function deflatedNeedsZip64(size: number): boolean {
  return size + Math.ceil(size / 16384) * 5 + 64 >= U32_MAX;
}

export interface NpzWriterOptions extends AtomicOptions {
  /** Indices of Fortran-order members written in C order (CheckpointWriterOptions.cOrder). */
  cOrder?: ReadonlySet<number>;
}

export function createNpzWriter(source: Checkpoint, outPath: string, opts: NpzWriterOptions = {}): CheckpointWriter {
  if (!isNpzCheckpoint(source)) throw new Error(`createNpzWriter: ${source.path} is a ${source.format} checkpoint, not an .npz`);
  const members = source.members;
  const directory = source.directory;
  const { cOrder, ...atomic } = opts;
  const out = AtomicFile.create(outPath, { ...atomic, protect: [source.path, ...(opts.protect ?? [])] });
  const states: MemberState[] = [];
  let failed = false;
  let prepared = false;

  const fail = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      failed = true;
      out.abort();
      throw err;
    }
  };

  function nextOffset(): number {
    if (states.length === 0) return 0;
    const prev = states[states.length - 1];
    if (prev.end === null) throw new Error(`${outPath}: a deflated member must end before the next one begins`);
    return prev.end;
  }

  function begin(tensor: CheckpointTensor): TensorSink {
    const index = states.length;
    if (failed) throw new Error(`${outPath}: the output was aborted`);
    if (tensor.index !== index || source.tensors[index]?.name !== tensor.name) {
      throw new Error(`${outPath}: tensors must be begun in checkpoint order: expected #${index} '${source.tensors[index]?.name}', got #${tensor.index} '${tensor.name}'`);
    }
    const m = members[index];
    const stored = m.zip.method === METHOD_STORED;
    const localOffset = nextOffset();
    const rewrite = m.npy.fortranOrder && cOrder?.has(index) === true;
    const npyHeader = rewrite ? encodeNpyHeader({ descr: m.npy.descr, shape: m.npy.shape }) : m.npyHeader;
    const usize = npyHeader.length + m.npy.dataBytes;
    const local: Omit<LocalHeader, "length"> = {
      ...m.zip.local,
      flags: m.zip.local.flags & ~FLAG_DATA_DESCRIPTOR,
      // A rewritten member's CRC is known once its bytes are (end() patches it).
      crc32: stored && !rewrite ? m.zip.crc32 : 0,
      uncompressedSize: stored ? usize : 0,
      compressedSize: stored ? usize : 0,
      zip64: m.zip.local.zip64 || (stored ? usize >= U32_MAX : deflatedNeedsZip64(usize)),
    };
    const headerBytes = encodeLocalHeader(local);
    const dataStart = localOffset + headerBytes.length;
    const state: MemberState = {
      localOffset, local, end: stored ? dataStart + usize : null, crc: crc32(npyHeader), compressedSize: stored ? usize : 0, npyHeader, uncompressedSize: usize,
    };
    states.push(state);
    fail(() => out.writeAt(headerBytes, localOffset));
    return stored ? storedSink(m, state, dataStart + npyHeader.length) : deflatedSink(m, state, dataStart);
  }

  function storedSink(m: NpzMember, state: MemberState, dataOffset: number): TensorSink {
    fail(() => out.writeAt(state.npyHeader, dataOffset - state.npyHeader.length));
    const byteLength = m.npy.dataBytes;
    let written = 0;
    let ended = false;
    return {
      positional: { fd: out.fd, dataOffset },
      write(bytes) {
        if (ended || written + bytes.length > byteLength) throw new Error(`${outPath}: '${m.zip.name}' takes ${byteLength} bytes; got more`);
        fail(() => out.writeAt(bytes, dataOffset + written));
        state.crc = crc32(bytes, state.crc);
        written += bytes.length;
      },
      end(writtenPositionally = 0) {
        if (ended) throw new Error(`${outPath}: '${m.zip.name}' ended twice`);
        if (written + writtenPositionally !== byteLength) {
          throw new Error(`${outPath}: '${m.zip.name}' takes ${byteLength} bytes; ${written} were written and ${writtenPositionally} positionally`);
        }
        ended = true;
        fail(() => {
          if (writtenPositionally > 0) {
            // Threads read this member positionally, past the CRC check of Checkpoint.stream: check the source
            // here, or a corrupt member would come out under a fresh, valid CRC (np.load refuses the source).
            const sourceCrc = crcOfRange(source.path, source.descriptor?.(source.path) ?? source.path, m.zip.dataOffset, m.zip.uncompressedSize, "read");
            if (sourceCrc !== m.zip.crc32) throw crcMismatch(source.path, m.zip, sourceCrc);
            state.crc = crcOfRange(out.targetPath, out.tempPath, dataOffset - state.npyHeader.length, state.uncompressedSize);
          }
          state.local = { ...state.local, crc32: state.crc >>> 0 };
          out.writeAt(encodeLocalHeader(state.local), state.localOffset);
        });
      },
    };
  }

  function deflatedSink(m: NpzMember, state: MemberState, dataStart: number): TensorSink {
    const deflater = new ChunkedDeflater();
    const byteLength = m.npy.dataBytes;
    let cursor = dataStart;
    let written = 0;
    let ended = false;
    const emit = (chunk: Uint8Array) => {
      out.writeAt(chunk, cursor);
      cursor += chunk.length;
    };
    fail(() => deflater.push(state.npyHeader, emit));
    return {
      positional: null,
      write(bytes) {
        if (ended || written + bytes.length > byteLength) throw new Error(`${outPath}: '${m.zip.name}' takes ${byteLength} bytes; got more`);
        state.crc = crc32(bytes, state.crc);
        written += bytes.length;
        fail(() => deflater.push(bytes, emit));
      },
      end(writtenPositionally = 0) {
        if (ended) throw new Error(`${outPath}: '${m.zip.name}' ended twice`);
        if (writtenPositionally !== 0 || written !== byteLength) {
          throw new Error(`${outPath}: deflated '${m.zip.name}' takes ${byteLength} bytes through write; got ${written} (and ${writtenPositionally} positionally)`);
        }
        ended = true;
        fail(() => {
          emit(deflater.finish());
          state.compressedSize = cursor - dataStart;
          state.end = cursor;
          if (!state.local.zip64 && state.compressedSize >= U32_MAX) {
            throw new FqcError("IO", `${outPath}: member '${m.zip.name}' compressed to ${state.compressedSize} bytes, beyond what its header reserved`, { file: outPath });
          }
          state.local = { ...state.local, crc32: state.crc >>> 0, compressedSize: state.compressedSize, uncompressedSize: state.uncompressedSize };
          out.writeAt(encodeLocalHeader(state.local), state.localOffset);
        });
      },
    };
  }

  // The central directory and end records, then AtomicFile.prepare: only the rename is left for commit.
  function prepare(): void {
    if (prepared) return;
    if (failed) throw new Error(`${outPath}: the output was aborted`);
    if (states.length !== members.length || states.some((s) => s.end === null)) {
      throw new Error(`${outPath}: commit before every tensor was written (${states.length} of ${members.length} begun)`);
    }
    fail(() => {
      const cdOffset = nextOffset();
      const entries = members.map((m, i) => encodeCentralEntry(centralFor(m, states[i])));
      const cd = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
      let at = 0;
      for (const e of entries) { cd.set(e, at); at += e.length; }
      const z = directory.zip64End;
      const e = directory.end;
      const end = encodeEnd({
        entries: members.length, cdSize: cd.length, cdOffset, comment: e.comment,
        zip64: z !== null, zip64Versions: z ? { madeBy: z.versionMadeBy, needed: z.versionNeeded } : undefined,
        allOnes: { entries: e.entries === U16_MAX, cdSize: e.cdSize === U32_MAX, cdOffset: e.cdOffset === U32_MAX },
      });
      out.writeAt(cd, cdOffset);
      out.writeAt(end, cdOffset + cd.length);
      out.prepare();
    });
    prepared = true;
  }

  return {
    path: outPath,
    begin: (tensor) => begin(tensor),
    prepare,
    commit() {
      prepare();
      fail(() => out.commit());
    },
    abort() {
      failed = true;
      out.abort();
    },
  };
}

function centralFor(m: NpzMember, s: MemberState): CentralEntry {
  return {
    ...m.zip.central,
    flags: m.zip.central.flags & ~FLAG_DATA_DESCRIPTOR,
    crc32: s.crc >>> 0,
    compressedSize: s.compressedSize,
    uncompressedSize: s.uncompressedSize,
    localHeaderOffset: s.localOffset,
  };
}

/**
 * CRC-32 of `length` bytes at `position` of `file`: a path opened to read (the output's temp file: the write
 * descriptor cannot) or a descriptor open to read (the source archive's, the file that was checked), in pieces;
 * `name` is the file named in messages.
 */
function crcOfRange(name: string, file: string | number, position: number, length: number, verb = "read back"): number {
  const buf = new Uint8Array(Math.min(CRC_PIECE, Math.max(1, length)));
  const fd = typeof file === "number" ? file : io(name, verb, () => openSync(file, "r"));
  try {
    let crc = 0;
    for (let done = 0; done < length;) {
      const want = Math.min(buf.length, length - done);
      const n = io(name, verb, () => readSync(fd, buf, 0, want, position + done));
      if (n === 0) throw new FqcError("IO", `${name}: ended early while reading it back at byte ${position + done}`, { file: name });
      crc = crc32(buf.subarray(0, n), crc);
      done += n;
    }
    return crc;
  } finally {
    if (typeof file !== "number") closeSync(fd);
  }
}
