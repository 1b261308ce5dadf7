/** Atomic text output for reports and rewritten configs, through the same temp-file + rename mechanism as tensors. */
import { AtomicFile } from "../npy/atomic.js";

export function writeFileAtomic(target: string, text: string): void {
  const file = AtomicFile.create(target);
  file.write(new TextEncoder().encode(text));
  file.commit();
}
