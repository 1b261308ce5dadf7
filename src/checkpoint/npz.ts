/**
 * NumPy .npz archives as checkpoints: a ZIP whose members are .npy files
 * (`name.npy` is tensor `name`), stored (np.savez) or deflated
 * (np.savez_compressed). Everything is checked when the archive is opened
 * (directory, names, sizes, each member's .npy header against its size);
 * inflating and CRC-32 checks happen as a tensor is streamed, bounded by the
 * declared sizes. Stored members also give their absolute data offset, so
 * threads can read rows positionally (those reads skip the CRC; the writer
 * checks it when such a member ends, see npz-writer.ts).
 */
import { closeSync } from "node:fs";
import { HeldDescriptors } from "./held-descriptors.js";
import { crc32Update as crc32 } from "./zip/crc.js";
import { FqcError } from "../errors.js";
import { MAX_PREFIX, openRegularFile, parseNpyHeader, type NpyHeader } from "../npy/header.js";
import { readFully } from "../npy/positional.js";
import { tensorDtypeOfNpy } from "./npy-dtype.js";
import type { Checkpoint, CheckpointTensor } from "./types.js";
import { memberError, readZipDirectory, showName, zipError, type ZipDirectory, type ZipMember } from "./zip/directory.js";
import { BoundedInflater } from "./zip/inflate.js";
import { METHOD_STORED } from "./zip/records.js";

export { createNpzWriter } from "./npz-writer.js";

/** One member as read: its ZIP records and its .npy header, verbatim. */
export interface NpzMember {
  readonly zip: ZipMember;
  /** The member's first bytes: .npy magic through the header's final newline. */
  readonly npyHeader: Uint8Array;
  readonly npy: NpyHeader;
}

/** An opened .npz: a Checkpoint plus what a writer needs to reproduce its layout. */
export interface NpzCheckpoint extends Checkpoint {
  readonly format: "npz";
  /** Index-aligned with `tensors`. */
  readonly members: readonly NpzMember[];
  readonly directory: ZipDirectory;
}

export function isNpzCheckpoint(c: Checkpoint): c is NpzCheckpoint {
  return c.format === "npz" && Array.isArray((c as Partial<NpzCheckpoint>).members);
}

const NPY_SUFFIX = ".npy";
/** Bytes read per positional step when a stored member is streamed with CRC checking. */
const STREAM_PIECE = 8 << 20;

function memberFail(file: string, member: string) {
  return (what: string, hint?: string) => memberError(file, member, what, hint);
}

/** Re-label an error of the .npy header parser (which names the label it was given) as this file's. */
function asFileError(err: unknown, file: string): never {
  if (err instanceof FqcError) throw new FqcError(err.code, err.message, { file, hint: err.hint, cause: err.cause });
  throw err;
}

function readNpyMember(fd: number, file: string, m: ZipMember): NpzMember {
  if (!m.name.endsWith(NPY_SUFFIX) || m.name.length === NPY_SUFFIX.length) {
    throw zipError(file, `member ${showName(m.name)} is not a .npy array (np.savez stores each array as NAME.npy)`,
      "Keep only arrays in the archive: np.savez(path, name=array, ...).");
  }
  const prefix = new Uint8Array(Math.min(m.uncompressedSize, MAX_PREFIX));
  if (m.method === METHOD_STORED) {
    readFully(fd, prefix, m.dataOffset, file);
  } else {
    const inflater = new BoundedInflater(
      { fd, offset: m.dataOffset, compressedSize: m.compressedSize, uncompressedSize: m.uncompressedSize },
      memberFail(file, m.name), file);
    inflater.read(prefix);
  }
  let npy: NpyHeader;
  try {
    npy = parseNpyHeader(prefix, m.uncompressedSize, `${file}: member ${showName(m.name)}`);
  } catch (err) {
    asFileError(err, file);
  }
  return { zip: m, npyHeader: prefix.slice(0, npy.dataOffset), npy };
}

/** Open and check the .npz at `path`; the caller closes it. */
export function openNpz(path: string): NpzCheckpoint {
  const { fd, size } = openRegularFile(path, ".npz archive");
  try {
    const directory = readZipDirectory(fd, size, path);
    const members = directory.members.map((m) => readNpyMember(fd, path, m));
    const tensors: CheckpointTensor[] = members.map(({ zip, npy }, index) => ({
      name: zip.name.slice(0, -NPY_SUFFIX.length),
      dtype: tensorDtypeOfNpy(npy.dtype),
      shape: npy.shape,
      byteLength: npy.dataBytes,
      index,
      file: path,
      dataOffset: zip.method === METHOD_STORED ? zip.dataOffset + npy.dataOffset : null,
      byteOrder: npy.byteOrder,
      fortranOrder: npy.fortranOrder,
    }));
    const held = new HeldDescriptors(new Map([[path, fd]]));
    return {
      path, format: "npz", tensors, metadata: null, members, directory,
      stream(tensor: CheckpointTensor, maxBytes: number): Iterable<Uint8Array> {
        if (tensors[tensor.index]?.name !== tensor.name) throw new Error(`${path}: tensor '${tensor.name}' is not from this archive`);
        if (!held.open) throw new Error(`${path}: the archive was closed`);
        if (!(maxBytes >= 1)) throw new Error(`stream: maxBytes must be at least 1, got ${maxBytes}`);
        return streamMember(fd, path, members[tensor.index], maxBytes);
      },
      descriptor: (file: string) => held.get(file),
      hold: () => held.hold(path),
      stamp: (file: string) => held.stamp(file),
      close: () => held.close(),
    };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** The member's .npy data bytes in pieces of at most `maxBytes`, CRC-checked at the end. */
function* streamMember(fd: number, file: string, member: NpzMember, maxBytes: number): Generator<Uint8Array> {
  const { zip, npyHeader, npy } = member;
  const fail = memberFail(file, zip.name);
  const piece = new Uint8Array(Math.max(1, Math.min(maxBytes, npy.dataBytes, STREAM_PIECE)));
  let crc = crc32(npyHeader);
  let done = 0;
  if (zip.method === METHOD_STORED) {
    const start = zip.dataOffset + npyHeader.length;
    while (done < npy.dataBytes) {
      const n = Math.min(piece.length, npy.dataBytes - done);
      const view = piece.subarray(0, n);
      readFully(fd, view, start + done, file);
      crc = crc32(view, crc);
      done += n;
      yield view;
    }
  } else {
    const inflater = new BoundedInflater(
      { fd, offset: zip.dataOffset, compressedSize: zip.compressedSize, uncompressedSize: zip.uncompressedSize }, fail, file);
    inflater.read(new Uint8Array(npyHeader.length));
    while (done < npy.dataBytes) {
      const view = piece.subarray(0, Math.min(piece.length, npy.dataBytes - done));
      // Fills `view` whole: the member is exactly header + data bytes (checked when opened), and the inflater
      // refuses a stream that ends short of that.
      inflater.read(view);
      crc = crc32(view, crc);
      done += view.length;
      yield view;
    }
    // The stream must end exactly here: one more byte would be a bomb, a missing end a truncation.
    inflater.read(new Uint8Array(1));
  }
  if (crc >>> 0 !== zip.crc32) throw crcMismatch(file, zip, crc);
}

/** The refusal of a member whose bytes do not give the CRC-32 its directory entry records. */
export function crcMismatch(file: string, zip: ZipMember, crc: number): FqcError {
  return memberError(file, zip.name, `CRC-32 mismatch: the data gives 0x${(crc >>> 0).toString(16).padStart(8, "0")}, the directory says 0x${zip.crc32.toString(16).padStart(8, "0")} (the archive is corrupt)`,
    "The archive was damaged (copy or download); get or save it again.");
}
