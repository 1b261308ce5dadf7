/**
 * One check of a command's paths before it writes anything: no output may be
 * a file the command reads, and no two outputs may be the same file.
 *
 * "The same file" is decided by what the write would reach, not by the
 * spelling: symbolic links are followed (a dangling one to the path it
 * names, which the write would create), directories are resolved, and two
 * existing files are the same when they have the same device and inode
 * (hard links, `./a` vs `a`). Paths that do not exist yet are compared by
 * that resolved path, so two new outputs spelled differently still collide.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { FqcError } from "../errors.js";

/** A path a command reads or writes, with what it is to the user. */
export interface PathUse {
  /** The path as the user gave it (named in messages). */
  path: string;
  /** What it is, as the user knows it: "IN", "OUT", "--config", "--scale-out", "the report (-o)". */
  role: string;
  /**
   * `force` lets a forceable output replace a forceable input (and nothing
   * else): apply's OUT over its IN. Outputs never replace each other.
   */
  forceable?: boolean;
}

export interface PathCheck {
  reads: readonly PathUse[];
  writes: readonly PathUse[];
  /** Allow forceable outputs to replace forceable inputs (--force). */
  force?: boolean;
  /** The step that sets `force`, for the message ("pass --force", CallerWords.set); without it the message does not offer one. */
  forceStep?: string;
}

/**
 * Throws FqcError("IO") (exit 2) naming both paths and the fix when an output
 * is an input or another output. Call it before creating any output.
 */
export function checkPaths({ reads, writes, force = false, forceStep }: PathCheck): void {
  const writeIds = writes.map((w) => identityOf(w.path));
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    for (let j = 0; j < i; j++) {
      if (sameFile(writeIds[i], writeIds[j])) {
        const o = writes[j];
        throw new FqcError("IO", `${o.role} ${o.path} and ${w.role} ${w.path} are the same file: give each output its own path`, { file: w.path });
      }
    }
    for (const r of reads) {
      if (!sameFile(writeIds[i], identityOf(r.path))) continue;
      const forceable = !!(w.forceable && r.forceable);
      if (forceable && force) continue;
      const why = forceable && forceStep ? "refusing to overwrite an input" : "fqc never overwrites a file it reads";
      const fix = forceable && forceStep ? `write ${w.role} elsewhere, or ${forceStep} to replace ${r.role}` : `write ${w.role} elsewhere`;
      throw new FqcError("IO", `${w.role} ${w.path} is the same file as ${r.role} ${r.path}: ${why}; ${fix}`, { file: w.path });
    }
  }
}

/** What a path leads to: its resolved location, and device + inode when it exists. */
interface Identity {
  where: string;
  dev?: number;
  ino?: number;
}

function identityOf(path: string): Identity {
  const where = resolveTarget(path);
  try {
    const st = statSync(where);
    return { where, dev: st.dev, ino: st.ino };
  } catch {
    return { where };
  }
}

function sameFile(a: Identity, b: Identity): boolean {
  if (a.ino !== undefined && b.ino !== undefined) return a.dev === b.dev && a.ino === b.ino;
  return a.where === b.where;
}

/** Links the kernel follows before giving up with ELOOP. */
const MAX_LINK_HOPS = 40;

/**
 * The absolute path a write to `path` reaches: through any chain of symbolic
 * links, a dangling one included (the file it names would be created), with
 * the directories' own links resolved. Where resolution fails (a missing
 * directory, a loop), the best path so far: the write will fail on it and say so.
 */
/** A path written with a trailing separator (`out/`) names a directory, whatever exists there. */
export function endsWithSeparator(path: string): boolean {
  return path.endsWith("/") || (sep === "\\" && path.endsWith("\\"));
}

export function resolveTarget(path: string): string {
  let p = resolve(path);
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    let link: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) break;
      link = readlinkSync(p);
    } catch {
      break; // missing: this is where the file would be created
    }
    // A relative link is relative to the directory that holds it, as the kernel reaches it.
    p = resolve(realDir(p), link);
  }
  return join(realDir(p), basename(p));
}

function realDir(p: string): string {
  try {
    return realpathSync(dirname(p));
  } catch {
    return dirname(p);
  }
}
