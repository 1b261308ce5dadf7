// `npm run demo`: the main jobs on the bundled examples, as a user would run them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readNpy } from "../dist/npy/whole.js";

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

/** How far the fake-quantized weight is from the original: what QAT trains against. */
function errorStats(label, file) {
  const x = readNpy(path.join(root, "examples/weight.npy")).data;
  const y = readNpy(file).data;
  let max = 0, sum = 0, sq = 0, ref = 0;
  const levels = new Set();
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(y[i] - x[i]);
    if (e > max) max = e;
    sum += e; sq += e * e; ref += x[i] * x[i];
    if (i < 32) levels.add(y[i]); // the first group of 32
  }
  const sqnr = 10 * Math.log10(ref / sq);
  console.log(`${label}: max |y-x| ${max.toExponential(3)}, mean |y-x| ${(sum / x.length).toExponential(3)}, SQNR ${sqnr.toFixed(1)} dB, ${levels.size} distinct values in the first group of 32 (int4: at most 16)`);
}

try {
  fqc(["validate", ...configs]);
  fqc(["validate", ...broken], 1);
  fqc(["normalize", "examples/8da4w.json"]);
  fqc(["apply", "examples/weight.npy", path.join(out, "weight.fq.npy"), "--config", "examples/8da4w.json", "--role", "weight",
    "--scale-out", path.join(out, "scale.npy"), "--zero-point-out", path.join(out, "zero_point.npy")]);
  errorStats("int4 per_group 32 symmetric", path.join(out, "weight.fq.npy"));
  // The scales that run wrote (--scale-out), printed under it: the tinygemm run below writes none.
  const s = readNpy(path.join(out, "scale.npy"));
  console.log(`scales: shape (${s.header.shape.join(", ")}) ${s.header.dtype}, from ${Math.min(...s.data).toExponential(3)} to ${Math.max(...s.data).toExponential(3)}`);
  fqc(["apply", "examples/weight.npy", path.join(out, "weight.tinygemm.npy"), "--config", "examples/uint4-asym-float-domain.json"]);
  errorStats("uint4 tinygemm (FLOAT zero point, bf16 qparams)", path.join(out, "weight.tinygemm.npy"));
  // A whole checkpoint: a small Llama-style bf16 model under the example recipe.
  fqc(["apply", "examples/llama-tiny/model.safetensors", path.join(out, "model.fq.safetensors"), "--recipe", "examples/llama-recipe.json", "--dry-run"]);
  fqc(["apply", "examples/llama-tiny/model.safetensors", path.join(out, "model.fq.safetensors"), "--recipe", "examples/llama-recipe.json",
    "--qparams-out", path.join(out, "qparams.safetensors")]);
  // Last: what two configs do to each tensor of the same checkpoint, read once (int4 groups of 32 against int8 per channel).
  fqc(["report", "examples/llama-tiny/model.safetensors", "-c", "examples/8da4w.json", "-c", "examples/int8-per-channel.json"]);
  console.log(`\ndemo: all steps behaved as expected (outputs in ${out}, removed now)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
