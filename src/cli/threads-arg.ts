/** `--threads` as typed on the command line (apply, report). */
import { FqcError } from "../errors.js";
import { checkThreads } from "../parallel/thread-count.js";
import { isPlainWholeNumber } from "./number-arg.js";

/** "auto" or a whole number within the machine's cap, refused in the flag's own words before any work starts. */
export function threadsArg(text: string): number | "auto" {
  if (text === "auto") return "auto";
  if (!isPlainWholeNumber(text) || text.startsWith("-")) {
    throw new FqcError("USAGE", `--threads must be a whole number ≥ 0 or "auto", not "${text}"`, {
      hint: `0 or 1 computes on the main thread alone; "auto" picks one thread per core for large tensors.`,
    });
  }
  const threads = Number(text);
  checkThreads(threads, "--threads");
  return threads;
}
