// Builds the standalone `build/fqc` executable for this platform with Node's
// single-executable-application support: esbuild bundle (CommonJS, workers are
// already an inlined string) → SEA blob → copy of this node binary + postject.
// pkg cannot be used offline here (see README, "Standalone binary").
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync, chmodSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { cliBundleOptions, root } from "./bundle-options.mjs";

const out = path.join(root, "build");
mkdirSync(out, { recursive: true });

const started = Date.now();
await build(cliBundleOptions("src/cli/sea-entry.ts", "build/fqc.cjs"));

const seaConfig = path.join(out, "sea-config.json");
writeFileSync(seaConfig, JSON.stringify({
  main: path.join(out, "fqc.cjs"),
  output: path.join(out, "fqc.blob"),
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
}));
execFileSync(process.execPath, ["--experimental-sea-config", seaConfig], { stdio: "inherit" });

const exe = path.join(out, "fqc");
copyFileSync(process.execPath, exe);
chmodSync(exe, 0o755);
const fuse = readFileSync(process.execPath).includes("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2");
if (!fuse) throw new Error(`${process.execPath} has no single-executable fuse; use an official Node build`);
execFileSync(process.execPath, [
  path.join(root, "node_modules/postject/dist/cli.js"), exe, "NODE_SEA_BLOB", path.join(out, "fqc.blob"),
  "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
], { stdio: ["ignore", "ignore", "inherit"] });
const mb = (statSync(exe).size / 1e6).toFixed(1);
console.log(`built ${path.relative(root, exe)} (${mb} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
