#!/usr/bin/env node
// Thin launcher: all behaviour lives in the CLI bundle, dist/fqc.cjs, made by `npm run build`;
// for apply, dist/fqc-early.cjs first starts the worker threads the run will use.
"use strict";
const { BUNDLE, EARLY, codeCacheFor, loadCli, startEarlyWorkers, unsupportedNode } = require("./load-cli.js");

// npm only warns about package.json's engines: on an older Node, say so rather than fail somewhere inside.
const tooOld = unsupportedNode(process.versions.node);
if (tooOld) {
  process.stderr.write(tooOld);
  process.exit(2);
}
const args = process.argv.slice(2);
let cli;
let workers;
try {
  // First, so that they boot on other cores while this thread loads the CLI.
  workers = startEarlyWorkers(args);
  cli = loadCli({ cache: codeCacheFor(args) });
} catch (e) {
  const unbuilt = (e?.code === "ENOENT" && e.path === BUNDLE) || (e?.code === "MODULE_NOT_FOUND" && String(e.message).includes(EARLY));
  if (unbuilt) {
    process.stderr.write(unbuiltMessage());
    process.exit(2);
  }
  // fqc's own files unreadable (too many open files under a tight `ulimit -n`, an I/O error): one line, not a trace.
  if (typeof e?.code !== "string" || typeof e.syscall !== "string") throw e;
  const why = e.code === "EMFILE" ? "too many open files\n  hint: Raise the open-file limit (ulimit -n)." : e.message;
  process.stderr.write(`fqc: cannot read ${e.path ?? BUNDLE} (fqc's own code): ${why}\n`);
  process.exit(2);
}
cli.main(args, undefined, { workers }).then((code) => {
  process.exitCode = code;
});

/** Why there is no bundle, and the fix: a checkout builds itself; an installed copy (no scripts/, which `files` leaves out) was
 * installed from git, directly or by pre-commit, with its prepare script skipped (ignore-scripts, or allowScripts denying fqc),
 * and has nothing to build with. */
function unbuiltMessage() {
  const path = require("node:path");
  const root = path.join(__dirname, "..");
  if (require("node:fs").existsSync(path.join(root, "scripts", "build.mjs"))) {
    return "fqc: this checkout is not built yet; run `npm run build` first (npm test and npm run demo build too)\n";
  }
  // pre-commit's node hooks live in <cache>/repo…/node_env-<version>/: there, pre-commit reinstalls, not the user.
  const preCommit = root.split(path.sep).some((part) => part.startsWith("node_env-"));
  const hint = preCommit
    ? "pre-commit installed this hook with npm's scripts off (ignore-scripts in an .npmrc, or npm_config_ignore_scripts): turn that off, run `pre-commit clean`, and run the hooks again"
    : "remove that directory and run `npm install --ignore-scripts=false` (fqc's build runs in npm's clone), or install the tarball `npm pack` makes in a clone of fqc, which ships built";
  return `fqc: the fqc installed in ${root} was never built: npm skipped its prepare script (the build) when installing it from git` +
    ` (ignore-scripts, or allowScripts denying fqc)\n  hint: ${hint}\n`;
}
