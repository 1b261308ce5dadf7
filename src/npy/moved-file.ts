/**
 * Where an open temp file or directory is now: a run keeps its outputs' temp
 * files (and a sharded output's temp directory) open, so it can tell that one
 * was renamed, moved or removed meanwhile, and find it to clean up.
 */
import { fstatSync, readlinkSync, statSync } from "node:fs";
import { basename } from "node:path";

/** Whether `path` still names the file or directory open as `fd` (not when it was renamed, moved or removed meanwhile). */
export function stillAt(path: string, fd: number): boolean {
  try {
    const a = statSync(path);
    const b = fstatSync(fd);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}

/**
 * Where the file or directory open as `fd` is now, by the path the kernel gives the descriptor (Linux's
 * /proc/self/fd), if it still bears `path`'s name (a temp name, unique to the run) somewhere else; else null
 * (no /proc, not moved, or removed). Never throws: it serves cleanups of runs that are already failing.
 */
export function movedTo(path: string, fd: number): string | null {
  try {
    const now = readlinkSync(`/proc/self/fd/${fd}`);
    return basename(now) === basename(path) && now !== path ? now : null;
  } catch {
    return null;
  }
}
