/**
 * The repository root that CI reports (GitHub annotations, SARIF) make paths relative to, so that a
 * validate run from a subdirectory (a `working-directory:` step) still names files as the diff does:
 * GITHUB_WORKSPACE when set, else the nearest directory holding `.git` (a directory, or a file in
 * worktrees and submodules), else the current directory. Found by walking up, not by spawning git.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export function repoRoot(cwd: string, env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): string {
  const workspace = env.GITHUB_WORKSPACE;
  if (workspace) return resolve(cwd, workspace);
  const start = resolve(cwd);
  for (let dir = start; ; dir = dirname(dir)) {
    if (exists(join(dir, ".git"))) return dir;
    if (dirname(dir) === dir) return start;
  }
}
