/**
 * The repository root that CI reports (GitHub annotations, SARIF) make paths relative to, so that a
 * validate run from a subdirectory (a `working-directory:` step) still names files as the diff does:
 * GITHUB_WORKSPACE when set, else the nearest directory holding `.git` (a directory, or a file in
 * worktrees and submodules), else the current directory. Found by walking up, not by spawning git.
 */
import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";

export function repoRoot(
  cwd: string,
  env: NodeJS.ProcessEnv,
  exists: (path: string) => boolean = existsSync,
  realpath: (path: string) => string = realpathOrSelf,
): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (workspace) {
    const given = resolve(cwd, workspace);
    // The current directory is the physical path (process.cwd()); a workspace reached through a symbolic link
    // (a runner's work directory moved to another disk) is named the same way, or no file would be inside it.
    return isInside(resolve(cwd), given) ? given : realpath(given);
  }
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (exists(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
