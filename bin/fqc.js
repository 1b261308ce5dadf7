#!/usr/bin/env node
// Thin launcher: all behaviour lives in the CLI bundle, dist/fqc.cjs, made by `npm run build`;
// for apply, dist/fqc-early.cjs first starts the worker threads the run will use.
"use strict";
const { BUNDLE, EARLY, codeCacheFor, loadCli, startEarlyWorkers } = require("./load-cli.js");

const args = process.argv.slice(2);
let cli;
let workers;
try {
  // First, so that they boot on other cores while this thread loads the CLI.
  workers = startEarlyWorkers(args);
  cli = loadCli({ cache: codeCacheFor(args) });
} catch (e) {
  const unbuilt = (e?.code === "ENOENT" && e.path === BUNDLE) || (e?.code === "MODULE_NOT_FOUND" && String(e.message).includes(EARLY));
  if (!unbuilt) throw e;
  process.stderr.write("fqc: this checkout is not built yet; run `npm run build` first (npm test and npm run demo build too)\n");
  process.exit(2);
}
cli.main(args, undefined, { workers }).then((code) => {
  process.exitCode = code;
});
