// Build: generate the worker source module, compile the library with tsc.
// Kept as a script so the same steps run in `npm test`, `.ci/run` and `build:bin`.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

if (existsSync(path.join(root, "scripts/gen-worker-source.mjs"))) run(process.execPath, ["scripts/gen-worker-source.mjs"]);
run(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
