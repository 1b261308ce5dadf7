/**
 * The bound on a config or recipe's size, for every way fqc reads one (a
 * file, a pipe, standard input). Kept apart from config-file.ts, which loads
 * the validator: standard input is read on the CLI's start path.
 */
import { closeSync, openSync, readSync } from "node:fs";
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

/**
 * A file's text, read until its end but never past MAX_CONFIG_BYTES (refused
 * then). Its size, taken before, is only a hint: a file that grows while it
 * is read (another process appending to it) or that says it holds 0 bytes
 * (/proc's) would otherwise be read on without bound, in one synchronous call
 * no signal interrupts. `sizeHint`: the size stat gave, so that one read
 * usually takes it all.
 */
export function readBoundedFile(path: string, sizeHint = 0): string {
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let bytes = 0;
    // Room for the size stat gave and one byte more (to see the end without a second large buffer); a buffer
    // larger than that costs fresh pages per file (1,000 small configs: ~0.2 s). 4 KiB when stat said 0 (/proc).
    let room = Math.min(sizeHint > 0 ? sizeHint + 1 : 4096, MAX_CONFIG_BYTES + 1);
    for (;;) {
      const chunk = Buffer.allocUnsafe(room);
      const n = readSync(fd, chunk, 0, room, null);
      if (n === 0) break;
      bytes += n;
      if (bytes > MAX_CONFIG_BYTES) throw configTooLarge(path);
      chunks.push(n === room ? chunk : chunk.subarray(0, n));
      // A read that filled its buffer: the file is longer than stat said (growing, or /proc's), read on in 1 MiB
      // pieces. A short one was most likely the end: the read that confirms it takes a small pooled buffer, not a
      // fresh 1 MiB one per file.
      room = Math.min(n === chunk.length ? 1 << 20 : 1024, MAX_CONFIG_BYTES + 1 - bytes);
    }
    return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes)).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
