/**
 * The bound on a config or recipe's size, for every way fqc reads one (a
 * file, a pipe, standard input). Kept apart from config-file.ts, which loads
 * the validator: standard input is read on the CLI's start path.
 */
import { FqcError } from "./errors.js";
import { withThousands } from "./thousands.js";

/**
 * The largest config or recipe fqc reads: past the 10 MB its limits are
 * measured for (a recipe naming every module of a large model is a few MB),
 * 64 MiB still judges in seconds. The bound keeps a wrong path (a checkpoint
 * given as the config, /dev/zero, an endless pipe) from filling memory until
 * the process aborts.
 */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** `name` (a path, or "standard input") holds more than MAX_CONFIG_BYTES: `size` bytes when known. */
export function configTooLarge(name: string, size?: number): FqcError {
  const what = size === undefined ? "holds more than" : `is ${withThousands(size)} bytes, more than`;
  return new FqcError("IO", `${name}: ${what} the ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB fqc reads as a config or recipe`, {
    file: name,
    hint: "A config or recipe is a few KB to a few MB of JSON or YAML: check that this is the file you meant.",
  });
}

/**
 * Text gathered from a stream's chunks and decoded as UTF-8 at its end,
 * refused (and the stream stopped) once it passes MAX_CONFIG_BYTES: an
 * endless source (`< /dev/zero`) ends with one message instead of an
 * out-of-memory abort.
 */
export function boundedText(
  name: string, resolve: (text: string) => void, reject: (e: FqcError) => void, stop: () => void,
): { add: (chunk: Buffer) => void; end: () => void } {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let refused = false;
  return {
    add: (chunk) => {
      if (refused) return;
      bytes += chunk.length;
      if (bytes > MAX_CONFIG_BYTES) {
        refused = true;
        chunks.length = 0;
        stop();
        reject(configTooLarge(name));
        return;
      }
      chunks.push(chunk);
    },
    end: () => {
      if (!refused) resolve(Buffer.concat(chunks).toString("utf8"));
    },
  };
}
