#!/usr/bin/env node
// Thin launcher: all behaviour lives in the CLI module, bundled into dist/fqc.mjs by `npm run build`.
let cli;
try {
  cli = await import("../dist/fqc.mjs");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes("fqc.mjs")) throw e;
  process.stderr.write("fqc: this checkout is not built yet; run `npm run build` first (npm test and npm run demo build too)\n");
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
