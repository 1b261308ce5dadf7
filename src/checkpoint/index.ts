/** The checkpoint floor: readers, writers and format detection for safetensors, sharded safetensors, .npz and .npy. */
export type { Checkpoint, CheckpointFormat, CheckpointTensor, CheckpointWriter, TensorDtype, TensorInfo, TensorSink } from "./types.js";
export { FLOAT_TENSOR_DTYPES } from "./types.js";
export type { CheckpointWriterOptions } from "./writer-options.js";
export { ACCEPTED_FORMS, createCheckpointWriter, detectFileFormat, openCheckpoint, type OpenCheckpointOptions } from "./open.js";
export { openSafetensors, SafetensorsCheckpoint } from "./safetensors.js";
export { MAX_SAFETENSORS_HEADER, parseSafetensorsHeader } from "./safetensors-header.js";
export { MAX_INDEX_BYTES, openSharded, ShardedCheckpoint } from "./sharded.js";
export { NpyCheckpoint, openNpyCheckpoint } from "./npy-checkpoint.js";
export { DTYPE_BITS, tensorByteLength } from "./dtypes.js";
