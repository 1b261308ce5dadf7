// Loads the CLI bundle (dist/fqc.cjs) with V8's code cache (dist/fqc.cjs.cache,
// written by `npm run build`). Node 20 has no module compile cache, and
// compiling the bundle's functions took about a third of fqc's start-up
// (measured: ~35 ms of ~150 ms). V8 rejects a cache made by another Node
// version or with other V8 flags; the bundle then compiles as usual.
// CommonJS (bin/package.json), like the launcher: Node's ESM loader alone costs ~10 ms.
"use strict";
const { readFileSync } = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const vm = require("node:vm");

const BUNDLE = path.join(__dirname, "..", "dist", "fqc.cjs");
/** src/parallel/early-workers.ts on its own, loaded before the CLI bundle. */
const EARLY = path.join(__dirname, "..", "dist", "fqc-early.cjs");
const CODE_CACHE = `${BUNDLE}.cache`;
// apply's own cache, made after apply runs only: V8 deserializes a whole cache up front, and this one
// holds half as much (no yargs, no report formatters), ~3 ms less per apply (measured).
const APPLY_CODE_CACHE = `${BUNDLE}.apply.cache`;

// report's own, with the yargs parser its lines go through: the general cache, for validate and normalize, whose
// usual lines skip yargs, then holds 0.96 MB instead of 1.23.
const REPORT_CODE_CACHE = `${BUNDLE}.report.cache`;

/** The code cache for a run of `fqc <args>`. */
function codeCacheFor(args) {
  return args[0] === "apply" ? APPLY_CODE_CACHE : args[0] === "report" ? REPORT_CODE_CACHE : CODE_CACHE;
}

/** Evaluate the bundle; `script` can make a new cache (scripts/code-cache.mjs). Throws ENOENT when not built. */
function loadCli({ cache = CODE_CACHE } = {}) {
  // The bundle is ASCII (esbuild escapes the rest; the build checks): latin1 skips UTF-8 decoding, ~3 ms.
  const source = readFileSync(BUNDLE, "latin1");
  let cachedData;
  if (cache) {
    try { cachedData = readFileSync(cache); } catch { /* no cache: compile */ }
  }
  // The build stored the bundle wrapped in Node's CommonJS function wrapper (scripts/build.mjs).
  const script = new vm.Script(source, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return { main: module.exports.main, script };
}

/** Starts the worker threads `args` will use (see src/parallel/early-workers.ts). Throws MODULE_NOT_FOUND when not built. */
function startEarlyWorkers(args) {
  // Only apply starts workers, and never on one core or with one thread asked for: other runs do not load
  // that bundle at all (~7 ms, measured).
  return args[0] === "apply" && require("node:os").availableParallelism() > 1 && !oneThreadAsked(args) ? require(EARLY).startEarlyWorkers(args) : undefined;
}

/** Whether the last --threads/-j value of `args` is 1, read as early-workers.ts's threadsArgument reads it (a test holds them alike). */
function oneThreadAsked(args) {
  let value;
  for (let i = 0; i < args.length; i++) {
    const m = /^(?:--threads|-j)(?:=(.*))?$/.exec(args[i]) ?? /^-j(\d+)$/.exec(args[i]);
    if (m) value = m[1] ?? args[++i];
  }
  return value !== undefined && /^\d+$/.test(value) && Number(value) <= 1;
}

/** The oldest Node fqc runs on: package.json's engines (a test holds them alike). */
const MIN_NODE = "20.19";

/** fqc's message for a Node older than MIN_NODE (`version` as in process.versions.node), or undefined. */
function unsupportedNode(version) {
  const [major, minor] = String(version).split(".").map(Number);
  const [minMajor, minMinor] = MIN_NODE.split(".").map(Number);
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
  return `fqc: needs Node.js ${MIN_NODE} or later; this is Node.js ${version} (${process.execPath})\n` +
    `  hint: Install Node.js ${MIN_NODE}+ (e.g. \`nvm install 20\`, or actions/setup-node with node-version 20) and run fqc with it.\n`;
}

module.exports = { APPLY_CODE_CACHE, BUNDLE, CODE_CACHE, EARLY, REPORT_CODE_CACHE, MIN_NODE, codeCacheFor, loadCli, oneThreadAsked, startEarlyWorkers, unsupportedNode };
