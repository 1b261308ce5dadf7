/**
 * Refuse to write over an input: the target is "the same file" as a
 * protected path if both exist and stat (following symlinks) to the same
 * device and inode, which also catches hard links, symlinks and `./a` vs `a`.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { FqcError } from "../errors.js";

function identity(path: string): { dev: number; ino: number } | null {
  try {
    const st = statSync(path);
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null; // missing or unreadable: it cannot be the existing target
  }
}

export function checkNotProtected(target: string, protect: readonly string[]): void {
  const t = identity(target);
  const tResolved = resolve(target);
  for (const p of protect) {
    const id = identity(p);
    const same = t !== null && id !== null ? t.dev === id.dev && t.ino === id.ino : resolve(p) === tResolved;
    if (same) {
      throw new FqcError("IO", `${target}: refusing to overwrite the input ${p} (same file)`, {
        file: target,
        hint: "Write the output to a different path, or pass --force to replace the input.",
      });
    }
  }
}
