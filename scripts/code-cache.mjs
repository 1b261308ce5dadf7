// Writes dist/fqc.cjs.cache: V8's code cache of the CLI bundle after a warm-up
// (validate, normalize and apply on the bundled examples, output discarded),
// so the cache holds the functions a run needs, not only the top level.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { CODE_CACHE, loadCli } from "../bin/load-cli.js";
import { root } from "./bundle-options.mjs";

const { main, script } = loadCli({ useCache: false });
const sink = () => new Writable({ write(_chunk, _encoding, done) { done(); } });
const io = { stdout: sink(), stderr: sink(), readStdin: async () => "", cwd: root, env: {} };
const ex = (f) => path.join(root, "examples", f);
const work = mkdtempSync(path.join(tmpdir(), "fqc-cache-"));
try {
  const runs = [
    ["validate", ex("int4-weight-per-group.json"), ex("8da4w.yaml"), ex("broken/*.json")],
    ["normalize", ex("8da4w.json")],
    ["apply", ex("weight.npy"), path.join(work, "w.npy"), "-c", ex("int4-weight-per-group.json"), "--scale-out", path.join(work, "s.npy")],
  ];
  for (const args of runs) await main(args, io);
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(CODE_CACHE, script.createCachedData());
