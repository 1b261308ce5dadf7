/**
 * .npz archives as checkpoints: not readable yet. openCheckpoint and
 * createCheckpointWriter dispatch .npz here; the npz reader and writer
 * replace this module with the same exports.
 */
import { FqcError } from "../errors.js";
import type { Checkpoint, CheckpointWriter } from "./types.js";
import type { CheckpointWriterOptions } from "./writer-options.js";

const HINT = "Unpack the archive (np.load(path) and np.save each array) and apply fqc to the .npy files, or convert it to safetensors.";

export function openNpz(path: string): Checkpoint {
  throw new FqcError("USAGE", `${path}: reading .npz files is not supported yet`, { file: path, hint: HINT });
}

export function createNpzWriter(source: Checkpoint, outPath: string, _opts: CheckpointWriterOptions = {}): CheckpointWriter {
  throw new FqcError("USAGE", `${outPath}: writing .npz files is not supported yet (source ${source.path})`, { file: outPath, hint: HINT });
}
