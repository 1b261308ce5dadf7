// `npm run demo`: the main jobs on the bundled examples, as a user would run them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = mkdtempSync(path.join(tmpdir(), "fqc-demo-"));
const configs = readdirSync(path.join(root, "examples")).filter((f) => /\.(json|ya?ml)$/.test(f)).map((f) => `examples/${f}`);
const broken = readdirSync(path.join(root, "examples/broken")).map((f) => `examples/broken/${f}`);

function fqc(args, expectCode = 0) {
  console.log(`\n$ fqc ${args.join(" ")}`);
  const r = spawnSync(process.execPath, [path.join(root, "bin/fqc.js"), ...args], { cwd: root, stdio: "inherit" });
  if (r.status !== expectCode) {
    console.error(`demo: expected exit ${expectCode}, got ${r.status}`);
    process.exit(1);
  }
  console.log(`(exit ${r.status})`);
}

try {
  fqc(["validate", ...configs]);
  fqc(["validate", ...broken], 1);
  fqc(["normalize", "examples/8da4w.json"]);
  fqc(["apply", "examples/weight.npy", path.join(out, "weight.fq.npy"), "--config", "examples/8da4w.json", "--role", "weight",
    "--scale-out", path.join(out, "scale.npy"), "--zero-point-out", path.join(out, "zero_point.npy")]);
  fqc(["apply", "examples/weight.npy", path.join(out, "weight.tinygemm.npy"), "--config", "examples/uint4-asym-float-domain.json"]);
  console.log(`\ndemo: all steps behaved as expected (outputs in ${out}, removed now)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
