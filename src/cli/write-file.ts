/** Atomic text output for reports and rewritten configs, through the same temp-file + rename mechanism as tensors. */
import { AtomicFile, type AtomicOptions } from "../npy/atomic.js";

export function writeFileAtomic(target: string, text: string, opts: AtomicOptions = {}): void {
  const file = AtomicFile.create(target, opts);
  file.write(new TextEncoder().encode(text));
  file.commit();
}
