/**
 * A single .npy file as a one-tensor checkpoint (named after the file, without
 * its extension), read with the .npy header reader; and its writer, which
 * copies the source's header bytes so an untouched tensor round-trips
 * byte for byte.
 */
import { closeSync } from "node:fs";
import { basename, extname } from "node:path";
import { AtomicFile } from "../npy/atomic.js";
import type { NpyDtype } from "../npy/dtype.js";
import { openRegularFile, readHeaderFromFd, type NpyHeader } from "../npy/header.js";
import { encodeNpyHeader } from "../npy/header-encode.js";
import { readFully } from "../npy/positional.js";
import { OpenFilesCheckpoint } from "./safetensors.js";
import { FileLayoutWriter, outputGuard } from "./layout-writer.js";
import type { CheckpointTensor, CheckpointWriter, TensorDtype } from "./types.js";
import { readPaths, type WriterRunOptions } from "./writer-options.js";

export const NPY_TO_TENSOR_DTYPE: Readonly<Record<NpyDtype, TensorDtype>> = {
  float16: "F16", float32: "F32", float64: "F64",
  int8: "I8", int16: "I16", int32: "I32", int64: "I64",
  uint8: "U8", uint16: "U16", uint32: "U32", uint64: "U64",
  bool: "BOOL",
};

export class NpyCheckpoint extends OpenFilesCheckpoint {
  readonly format = "npy" as const;
  readonly path: string;
  readonly tensors: readonly CheckpointTensor[];
  readonly metadata = null;
  readonly header: NpyHeader;
  /** The magic, version, length and header dict, exactly as in the file. */
  readonly prefix: Uint8Array;

  constructor(path: string, fd: number, header: NpyHeader, prefix: Uint8Array) {
    super(new Map([[path, fd]]));
    this.path = path;
    this.header = header;
    this.prefix = prefix;
    this.tensors = [{
      name: basename(path, extname(path)),
      dtype: NPY_TO_TENSOR_DTYPE[header.dtype],
      shape: header.shape,
      byteLength: header.dataBytes,
      index: 0,
      file: path,
      dataOffset: header.dataOffset,
      byteOrder: header.byteOrder,
      fortranOrder: header.fortranOrder,
    }];
  }
}

/** Open a .npy file as a checkpoint (all of the .npy reader's checks apply; refusals are "NPY"). */
export function openNpyCheckpoint(path: string): NpyCheckpoint {
  const { fd, size } = openRegularFile(path);
  try {
    const header = readHeaderFromFd(fd, size, path);
    const prefix = new Uint8Array(header.dataOffset);
    readFully(fd, prefix, 0, path);
    return new NpyCheckpoint(path, fd, header, prefix);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Write a .npy with the source's header and the tensor's bytes, atomically;
 * with the C-order header numpy writes when `opts.cOrder` names a Fortran-order
 * tensor (its data then starts where that header ends).
 */
export function createNpyCheckpointWriter(source: NpyCheckpoint, outPath: string, opts: WriterRunOptions = {}): CheckpointWriter {
  outputGuard([outPath], [source.path], opts);
  const file = AtomicFile.create(outPath, { protect: opts.protect, force: opts.force, forceStep: opts.forceStep, durable: opts.durable, keep: readPaths([source.path], opts) });
  const [tensor] = source.tensors;
  if (tensor.fortranOrder && opts.cOrder?.has(0) === true) {
    const prefix = encodeNpyHeader({ descr: source.header.descr, shape: source.header.shape });
    const tensors = [{ ...tensor, dataOffset: prefix.length, fortranOrder: false }];
    return new FileLayoutWriter(outPath, [{ file, prefix, tensors }], () => file.commit(), () => file.abort());
  }
  return new FileLayoutWriter(outPath, [{ file, prefix: source.prefix, tensors: source.tensors }], () => file.commit(), () => file.abort());
}
