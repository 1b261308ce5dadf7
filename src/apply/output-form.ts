/** apply writes the input's layout: an output named for another format is a mistake, refused before anything is read. */
import type { CheckpointFormat } from "../checkpoint/types.js";
import { FqcError } from "../errors.js";

const EXTENSION: Partial<Record<CheckpointFormat, string>> = { safetensors: ".safetensors", npz: ".npz", npy: ".npy" };
/** What an input of each format is, in the message. */
const INPUT: Record<CheckpointFormat, string> = {
  safetensors: "a safetensors checkpoint", sharded: "a sharded checkpoint", npz: "an npz checkpoint", npy: "a .npy tensor",
};

/** An output named for another format than the input's (out.npz for a safetensors input, or for a .npy one) is refused. */
export function checkOutputForm(format: CheckpointFormat, input: string, output: string): void {
  const lower = output.toLowerCase();
  const named = Object.entries(EXTENSION).find(([, ext]) => lower.endsWith(ext!));
  if (!named || named[0] === format) return;
  throw new FqcError("USAGE", `${output}: the output of ${INPUT[format]} has the same form as ${input}, not ${named[0]}`, {
    file: output,
    hint: format === "sharded"
      ? "Give a directory for the shards and their index."
      : `Name the output with ${EXTENSION[format]}; fqc writes the input's layout, it does not convert between formats.`,
  });
}

/** `--scale-out`/`--zero-point-out` are always .npy: a name promising .npz or .safetensors would hide a plain .npy. */
export function checkNpyOutForm(path: string | undefined, role: string, what: string): void {
  const named = [".npz", ".safetensors"].find((ext) => path?.toLowerCase().endsWith(ext));
  if (path === undefined || named === undefined) return;
  throw new FqcError("USAGE", `${role} ${path}: fqc writes the ${what} as one .npy file, not ${named.slice(1)}`, {
    file: path,
    hint: "Name it with .npy (numpy.load reads it).",
  });
}
