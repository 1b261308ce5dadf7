// Build: generate the built sources (worker bundle, precompiled schema
// validator, version), compile the library with tsc (dist/, with types),
// bundle the CLI into one CommonJS file (dist/fqc.cjs) and write V8's code
// caches for it (dist/fqc.cjs.cache; dist/fqc.cjs.apply.cache for apply), so
// `fqc` starts fast; and the small bundle that starts apply's workers early
// (dist/fqc-early.cjs).
// One script so `npm test`, `.ci/run`, `demo`, `bench` and `build:bin` all run the same steps.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { cliBundleOptions, root } from "./bundle-options.mjs";

const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

run(["scripts/gen-sources.mjs"]);
run([path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
rmSync(path.join(root, "dist/fqc.mjs"), { force: true }); // the ESM bundle of earlier builds
await build(cliBundleOptions("src/cli/main.ts", "dist/fqc.cjs"));
// Stored already wrapped as Node wraps a CommonJS module: bin/load-cli.js then compiles the file's text as
// it is read. Wrapping at each start made a second 1.7 MB string that V8 flattened: ~430 page faults, ~7 ms.
const bundle = path.join(root, "dist/fqc.cjs");
writeFileSync(bundle, Module.wrap(readFileSync(bundle, "latin1")), "latin1");
// What bin/fqc.js loads first, to start apply's worker threads while the CLI bundle loads.
await build(cliBundleOptions("src/parallel/early-workers.ts", "dist/fqc-early.cjs"));
// bin/load-cli.js reads the bundle as latin1, which is exact only for ASCII.
if (/[^\x00-\x7f]/.test(readFileSync(bundle, "utf8"))) throw new Error("dist/fqc.cjs is not ASCII: bin/load-cli.js reads it as latin1");
// Separate processes: a cache must come from a plain `node`, as `fqc` runs, and hold one warm-up's functions.
run(["scripts/code-cache.mjs"]);
run(["scripts/code-cache.mjs", "apply"]);
run(["scripts/code-cache.mjs", "report"]);
