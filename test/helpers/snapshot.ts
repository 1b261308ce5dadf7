/**
 * A git repository holding this checkout's working tree as it would be committed (tracked files as they
 * are now, plus untracked files that .gitignore does not exclude): what `git clone` of the project gives,
 * including uncommitted work. Never node_modules, dist or other build output.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./cli.js";

export function snapshotRepo(dest: string): string {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  for (const f of new Set(listed.split("\0").filter(Boolean))) {
    // A tracked file deleted in the working tree is not part of what would be committed.
    try {
      mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
      copyFileSync(path.join(ROOT, f), path.join(dest, f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=fqc test", "-c", "user.email=test@fqc.invalid", ...args], { cwd: dest, stdio: "pipe" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "--no-gpg-sign", "-m", "snapshot of the working tree");
  return dest;
}
