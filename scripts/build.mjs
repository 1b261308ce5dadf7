// Build: generate the built sources (worker bundle, precompiled schema
// validator, version), compile the library with tsc (dist/, with types), and
// bundle the CLI into one ESM file (dist/fqc.mjs) so `fqc` starts fast.
// One script so `npm test`, `.ci/run`, `demo`, `bench` and `build:bin` all run the same steps.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { buildSync } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

run(["scripts/gen-sources.mjs"]);
run([path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
buildSync({
  entryPoints: [path.join(root, "src/cli/main.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Node 20 has RegExp's v flag; without this esbuild rewrites /…/v literals (string-width's emoji
  // pattern) as new RegExp(…), which V8 compiles eagerly: ~20 ms of every start-up (measured).
  supported: { "regexp-set-notation": true },
  outfile: path.join(root, "dist/fqc.mjs"),
  // CommonJS dependencies inside an ESM bundle need a real `require` for Node built-ins.
  banner: { js: "import { createRequire as __fqcCreateRequire } from 'node:module'; const require = __fqcCreateRequire(import.meta.url);" },
  logLevel: "error",
});
