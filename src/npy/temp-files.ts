/**
 * fqc's temporary output files: their names, the ones open now (so that a
 * signal handler can remove them), and the leftovers of killed runs.
 *
 * A temp file is `.<base>.fqc-<pid>-<12 hex digits>.tmp` beside its target,
 * `<base>` being the target's name cut to at most TEMP_BASE_BYTES bytes, so
 * that the temp name stays far below the 255-byte limit of a file name
 * whatever the target's name. A run killed with SIGKILL (or a power loss)
 * cannot remove its temp file; the next fqc run that writes into the same
 * directory removes the ones whose process is gone (see removeStaleTemps).
 * A sharded output written to a new directory is filled in a temp directory
 * of the same form beside it.
 */
import { lstatSync, readdirSync, rmdirSync, rmSync, statSync, unlinkSync, type Stats } from "node:fs";
import { join, sep } from "node:path";

/** Bytes of the target's name kept in a temp name (the full name can be 255 bytes). */
export const TEMP_BASE_BYTES = 100;

/** fqc's temp names: `.<anything>.fqc-<pid>-<12 hex>.tmp`; group 1 is the owner's pid. */
const TEMP_NAME = /^\..*\.fqc-([1-9]\d{0,9})-[0-9a-f]{12}\.tmp$/s;

/** 48 random bits as 12 hex digits. */
function randomHex(): string {
  const part = () => Math.floor(Math.random() * 0x1000000).toString(16).padStart(6, "0");
  return part() + part();
}

/** A fresh temp name (not path) for a file named `base`, owned by this process. */
export function tempNameFor(base: string): string {
  return `.${cutToBytes(base, TEMP_BASE_BYTES)}.fqc-${process.pid}-${randomHex()}.tmp`;
}

/** The owner pid of an fqc temp file name, or undefined for any other name. */
export function tempOwner(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The longest prefix of `s` of at most `max` UTF-8 bytes that ends between characters. */
function cutToBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let bytes = 0;
  let out = "";
  for (const ch of s) {
    bytes += Buffer.byteLength(ch);
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/**
 * The temp files (and temp directories: a sharded output filled beside its
 * final name) this process has open, with their targets. A signal handler
 * cannot reach the writers deep in a command, so they register here; this is
 * the one piece of process-wide state, as the signals it serves are.
 */
const live = new Map<string, { target: string; directory: boolean; remove?: () => void }>();

/**
 * `remove`: how to delete it, when its path alone may not find it (its directory renamed during the run: the writer
 * finds it through its open descriptor); it must only delete, never close a descriptor worker threads may write to.
 */
export function registerTemp(tempPath: string, targetPath: string, remove?: () => void): void {
  live.set(tempPath, { target: targetPath, directory: false, remove });
}

export function unregisterTemp(tempPath: string): void {
  live.delete(tempPath);
}

/** A temp directory (named as temp files are) that becomes `targetPath` by one rename; its files register too. */
export function registerTempDirectory(tempPath: string, targetPath: string, remove?: () => void): void {
  live.set(tempPath, { target: targetPath, directory: true, remove });
}

/**
 * Delete every temp file and temp directory this process has open (on a
 * signal, before exiting); returns their targets, which were not written (a
 * temp directory's files are named by the directory's target alone). Workers
 * may still write to the descriptors: the files are gone all the same.
 */
export function removeLiveTemps(): string[] {
  const entries = [...live];
  live.clear();
  const dirs = entries.filter(([, e]) => e.directory).map(([temp]) => temp + sep);
  const targets: string[] = [];
  for (const [temp, { target, directory, remove }] of entries) {
    try {
      if (remove) remove();
      else if (directory) rmSync(temp, { recursive: true, force: true });
      else unlinkSync(temp);
    } catch { /* already gone */ }
    if (directory || !dirs.some((d) => temp.startsWith(d))) targets.push(target);
  }
  return targets;
}

/**
 * Remove the leftovers of killed fqc runs in `dir`: entries named like fqc's
 * temp files, owned by this user, whose owner pid is not a running process
 * (process.kill(pid, 0) gives ESRCH; EPERM means it runs under another user,
 * so the entry stays) — regular files, and temp directories (a sharded output
 * being filled) that hold regular files of this user only, which are removed
 * with them. Links, other directories and other users' entries stay, and so
 * do the files of `keep` (this run's inputs: a file named like a leftover may
 * be a downloaded shard or a recovered output the run is reading), and a
 * directory holding one of them. Best effort: returns the names removed, and
 * never throws.
 */
export function removeStaleTemps(dir: string, keep: readonly string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  const uid = process.getuid?.();
  const ours = (st: Stats) => uid === undefined || st.uid === uid;
  let kept: Set<string> | undefined;
  const isKept = (st: Stats) => {
    kept ??= fileIds(keep);
    return kept.has(fileId(st));
  };
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid === undefined || pid === process.pid || processExists(pid)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!ours(st)) continue;
      if (st.isFile()) {
        if (isKept(st)) continue;
        unlinkSync(path);
      } else if (st.isDirectory()) {
        const inside = readdirSync(path).map((n) => join(path, n));
        if (!inside.every((p) => { const s = lstatSync(p); return s.isFile() && ours(s) && !isKept(s); })) continue;
        for (const p of inside) unlinkSync(p);
        rmdirSync(path);
      } else {
        continue;
      }
      removed.push(name);
    } catch { /* gone meanwhile, or not ours to remove */ }
  }
  return removed;
}

const fileId = (st: Stats) => `${st.dev}:${st.ino}`;

/** Device and inode of each existing path (links followed); paths that cannot be read are left out. */
function fileIds(paths: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const p of paths) {
    try {
      ids.add(fileId(statSync(p)));
    } catch { /* missing: nothing to keep */ }
  }
  return ids;
}

/** Whether a process of this pid runs (one of another user's counts: only ESRCH says it is gone). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
