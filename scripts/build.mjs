// Build: generate the built sources (worker bundle, version), then compile the library with tsc.
// One script so `npm test`, `.ci/run`, `demo`, `bench` and `build:bin` all run the same steps.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });

run(["scripts/gen-sources.mjs"]);
run([path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
