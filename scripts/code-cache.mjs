// Writes V8's code caches of the CLI bundle, each after a warm-up run in this
// process (outputs discarded), so a cache holds the functions a run needs, not
// only the top level:
//   node scripts/code-cache.mjs        dist/fqc.cjs.cache: validate, normalize and apply on the examples
//   node scripts/code-cache.mjs apply  dist/fqc.cjs.apply.cache: apply only (bin/load-cli.js uses it for apply)
//   node scripts/code-cache.mjs report dist/fqc.cjs.report.cache: report only, through yargs (for report)
// One process per cache: a cache holds whatever this process compiled.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { APPLY_CODE_CACHE, CODE_CACHE, REPORT_CODE_CACHE, loadCli } from "../bin/load-cli.js";
import { root } from "./bundle-options.mjs";

const only = process.argv[2]; // "apply", "report" or none
const { main, script } = loadCli({ cache: null });
const sink = () => new Writable({ write(_chunk, _encoding, done) { done(); } });
const io = { stdout: sink(), stderr: sink(), readStdin: async () => "", cwd: root, env: {} };
const ex = (f) => path.join(root, "examples", f);
const work = mkdtempSync(path.join(tmpdir(), "fqc-cache-"));
try {
  const apply = (threads) => ["apply", ex("weight.npy"), path.join(work, `w${threads}.npy`), "-c", ex("int4-weight-per-group.json"), "--scale-out", path.join(work, "s.npy"), "--threads", threads];
  const report = (format) => ["report", ex("weight.npy"), "-c", ex("int4-weight-per-group.json"), "-c", ex("int8-per-channel.json"), "-f", format];
  const runs = only === "apply" ? [apply("1"), apply("2")]
    : only === "report" ? [report("table"), report("json")]
    : [["validate", ex("int4-weight-per-group.json"), ex("8da4w.yaml"), ex("broken/*.json")], ["normalize", ex("8da4w.json")], apply("1")];
  for (const args of runs) await main(args, io);
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(only === "apply" ? APPLY_CODE_CACHE : only === "report" ? REPORT_CODE_CACHE : CODE_CACHE, script.createCachedData());
