#!/usr/bin/env node
// Thin launcher: all behaviour lives in the CLI bundle, dist/fqc.cjs, made by `npm run build`.
"use strict";
const { BUNDLE, loadCli } = require("./load-cli.js");

let cli;
try {
  cli = loadCli();
} catch (e) {
  if (e?.code !== "ENOENT" || e.path !== BUNDLE) throw e;
  process.stderr.write("fqc: this checkout is not built yet; run `npm run build` first (npm test and npm run demo build too)\n");
  process.exit(2);
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
