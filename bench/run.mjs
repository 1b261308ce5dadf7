// fqc benchmarks. Everything is measured in this run, side by side, and
// reported as ratios against baselines (cp, NumPy, ajv-cli) timed on the same
// files: absolute numbers swing with machine load, ratios much less.
//
//   npm run bench                 # apply (256 MiB) + checkpoint (~1 GiB bf16) + validate (1,000 files)
//   npm run bench -- --large      # also a > 2 GiB .npy and a 2 GiB-embedding checkpoint: streaming and peak RSS
//   npm run bench -- --quick      # smaller inputs, one repetition (smoke run)
//   npm run bench -- --only validate   (or apply, checkpoint, report, large): one part only
//
// The NumPy baselines (bench/np_fakequant.py, np_checkpoint.py) and the checkpoint generator
// (bench/make_checkpoint.py) need python3 with numpy; without it their rows are left out.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, readSync, closeSync, statSync, mkdirSync, ftruncateSync, readFileSync } from "node:fs";
import { tmpdir, cpus, availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
/** The floor's chunk sizes on a .npy: 4 MiB, and apply's own (NPY_CHUNK_ELEMENTS float32 values). */
const FLOOR_CHUNKS_KIB = [4096, 1024];
const floorKey = (threads, kib) => `floor${threads}-${kib}`;
const reps = quick ? 1 : 5;
const fqc = path.join(root, "bin/fqc.js");
const work = mkdtempSync(path.join(process.env.FQC_BENCH_DIR ?? tmpdir(), "fqc-bench-"));
const hasTime = existsSync("/usr/bin/time");
const hasDd = spawnSync("dd", ["--version"], { stdio: "ignore" }).status === 0;
const hasSync = spawnSync("sync", [], { stdio: "ignore" }).status === 0;
const python = findPython();
// Node parses the whole CA bundle named by NODE_EXTRA_CA_CERTS at every start, before any
// script runs (~50 ms on the machine in the README); fqc opens no network connection. Some
// sandboxes and CI images set it. Every command is timed without it, and one row shows its cost.
const extraCaCerts = process.env.NODE_EXTRA_CA_CERTS;
const benchEnv = { ...process.env };
delete benchEnv.NODE_EXTRA_CA_CERTS;

console.log(`fqc bench — ${new Date().toISOString()}`);
console.log(`machine: ${cpus()[0]?.model ?? "?"} × ${availableParallelism()} cores, node ${process.version}${python ? `, ${python.version}` : ", no numpy"}`);
console.log(`work dir: ${work}`);
if (hasSync) console.log("each timed command starts after `sync` (untimed): none pays for writing back an earlier one's output");
console.log(extraCaCerts ? `NODE_EXTRA_CA_CERTS is set (${extraCaCerts}): commands run without it; a row shows what it adds to every Node start\n` : "");

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
try {
  if (!only || only === "apply") benchApply();
  if (!only || only === "checkpoint") benchCheckpoint();
  if (!only || only === "many") benchManyTensors();
  if (!only || only === "report") benchReport();
  if (!only || only === "validate") benchValidate();
  if (!only || only === "big-config") benchBigConfigs();
  if ((args.has("--large") && !only) || only === "large") {
    benchLarge();
    benchLargeCheckpoint();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------

function benchApply() {
  const rows = quick ? 8192 : 65536;
  const cols = 1024;
  const input = path.join(work, "x.npy");
  writeGaussianNpy(input, rows, cols);
  const bytes = statSync(input).size;
  const elements = rows * cols;
  const runs = quick ? 1 : 7;
  console.log(`## apply: ${rows}×${cols} float32 (${(bytes / 2 ** 20).toFixed(0)} MiB), median of ${runs}, commands interleaved`);

  // Every run writes a new file (the previous output is removed, untimed), as a user's run would.
  const fresh = (p) => { rmSync(p, { force: true }); return p; };
  const threadCounts = [...new Set([1, availableParallelism()])];
  const cases = [
    { name: "int4 per_group 32 symmetric", config: { dtype: "int4", group_size: 32 }, numpy: "group_sym", variant: "int4-group" },
    { name: "int8 per_token asymmetric", config: { dtype: "int8", granularity: "per_token", is_symmetric: false }, numpy: "token_asym", variant: "int8-token" },
  ];
  const jobs = [
    { key: "cp", label: "cp (baseline)", run: () => timeCmd("cp", [input, fresh(path.join(work, "cp.npy"))]) },
    // The same copy through user space, in C: what moving the bytes costs without Node.
    ...(hasDd ? [{ key: "dd", label: "dd bs=4M (user-space copy, in C)", run: () => timeCmd("dd", [`if=${input}`, `of=${fresh(path.join(work, "dd.npy"))}`, "bs=4M", "status=none"]) }] : []),
    { key: "start", label: "node start-up alone (node -e 0)", run: () => timeCmd(process.execPath, ["-e", "0"]) },
    ...(extraCaCerts ? [{ key: "startCa", label: "the same with NODE_EXTRA_CA_CERTS", run: () => timeCmd(process.execPath, ["-e", "0"], { env: { ...benchEnv, NODE_EXTRA_CA_CERTS: extraCaCerts } }) }] : []),
    // In 4 MiB chunks, and in apply's own chunks of a .npy (256 Ki float32 values, 1 MiB), which measured faster here
    // (fewer fresh pages per thread): the floor is the faster of all.
    ...threadCounts.flatMap((t) => FLOOR_CHUNKS_KIB.map((kib) => ({
      key: floorKey(t, kib), label: `node read+write floor, ${t} thread${t > 1 ? "s" : ""}${kib === 4096 ? "" : `, ${kib / 1024} MiB chunks`}`,
      run: () => timeCmd(process.execPath, [path.join(root, "bench/io-floor.mjs"), input, fresh(path.join(work, "floor.npy")), String(t), String(kib)]),
    }))),
  ];
  for (const c of cases) {
    const cfg = (c.configFile = path.join(work, `${c.numpy}.json`));
    writeFileSync(cfg, JSON.stringify(c.config));
    for (const t of threadCounts) {
      jobs.push({ key: `${c.numpy}${t}`, label: `fqc apply --threads ${t}`, run: () => timeCmd(process.execPath, [fqc, "apply", input, fresh(path.join(work, "out.npy")), "-c", cfg, "--threads", String(t), "--quiet"]) });
    }
    if (python) {
      jobs.push({ key: `${c.numpy}np`, label: "numpy (vectorised, same formulas)", run: () => timeCmd(python.exe, [path.join(root, "bench/numpy_fakequant.py"), c.numpy, input, fresh(path.join(work, "np.npy"))]) });
      // The yardstick: NumPy at its best (streaming blocks, x * (1/s) as torchao computes it).
      jobs.push({ key: `${c.numpy}npbest`, label: "numpy stream --recip (best NumPy)", run: () => timeCmd(python.exe, [path.join(root, "bench/np_fakequant.py"), input, fresh(path.join(work, "npbest.npy")), "--variant", c.variant, "--impl", "stream", "--recip"]) });
    }
  }
  // Round robin, so that a slow spell of the machine hits every command alike.
  const samples = new Map(jobs.map((j) => [j.key, []]));
  for (let r = 0; r < runs; r++) for (const j of jobs) samples.get(j.key).push(j.run());
  const res = Object.fromEntries(jobs.map((j) => [j.key, medianOf(samples.get(j.key))]));
  const label = Object.fromEntries(jobs.map((j) => [j.key, j.label]));
  const cp = res.cp;
  const floorKeys = threadCounts.flatMap((t) => FLOOR_CHUNKS_KIB.map((kib) => floorKey(t, kib)));
  for (const k of ["cp", ...(hasDd ? ["dd"] : []), "start", ...(extraCaCerts ? ["startCa"] : []), ...floorKeys]) console.log(row(label[k], res[k], elements, bytes, k === "cp" ? undefined : cp));
  for (const c of cases) {
    console.log(`\n### ${c.name}`);
    let best;
    for (const t of threadCounts) {
      const r = res[`${c.numpy}${t}`];
      console.log(row(label[`${c.numpy}${t}`], r, elements, bytes, cp));
      if (!best || r.seconds < best.seconds) best = r;
    }
    const floor = Math.min(...floorKeys.map((k) => res[k].seconds));
    const np = res[`${c.numpy}np`];
    const npBest = res[`${c.numpy}npbest`];
    if (np) console.log(row(label[`${c.numpy}np`], np, elements, bytes, cp));
    if (npBest) console.log(row(label[`${c.numpy}npbest`], npBest, elements, bytes, cp));
    console.log(`ratio: fqc takes ${(best.seconds / cp.seconds).toFixed(2)}x cp's time (Node's start-up alone ${(res.start.seconds / cp.seconds).toFixed(2)}x, ` +
      `its read+write floor ${(floor / cp.seconds).toFixed(2)}x)${np ? `; fqc is ${(np.seconds / best.seconds).toFixed(2)}x NumPy's speed` : " (NumPy not available: no NumPy ratio)"}`);
    console.log(`targets: fqc / Node's floor (the fastest of its thread counts and chunk sizes) ${(best.seconds / floor).toFixed(2)}x (target ≤ 1.15x)` +
      `${npBest ? `; fqc / best NumPy ${(best.seconds / npBest.seconds).toFixed(2)}x (target ≤ 0.5x)` : ""}`);
    // What no floor contains: the kernel's own time (bench/kernel-time.mjs, apply's chunks, one thread, warm; median of 3).
    const kernel = medianOf([0, 1, 2].map(() => ({ seconds: JSON.parse(execFileSync(process.execPath, [path.join(root, "bench/kernel-time.mjs"), input, c.configFile], { encoding: "utf8", env: benchEnv })).seconds }))).seconds;
    console.log(`bound: the floor plus the kernel's own time (${kernel.toFixed(3)} s) is ${(floor + kernel).toFixed(3)} s, ${((floor + kernel) / floor).toFixed(2)}x the floor, ` +
      `what one thread cannot beat; fqc takes ${(best.seconds / (floor + kernel)).toFixed(2)}x that (the rest: start-up, checks, opening and renaming files)`);
  }
  console.log();
}

/**
 * A whole checkpoint: the ~1 GiB bf16 Llama-style safetensors of make_checkpoint.py (default size),
 * int4 per_group 32 on every 2-D *.weight (what np_checkpoint.py does), fqc against NumPy writing the
 * checkpoint, Node's read+write floor on the same file (2 threads) and cp.
 */
function benchCheckpoint() {
  if (!python) {
    console.log("## checkpoint: skipped (python3 with numpy makes the checkpoint)\n");
    return;
  }
  const input = checkpointInput();
  const bytes = statSync(input).size;
  const header = readSafetensorsHeader(input);
  const targeted = Object.entries(header).filter(([k, v]) => k !== "__metadata__" && k.endsWith(".weight") && v.shape.length === 2);
  const elements = targeted.reduce((a, [, v]) => a + v.shape[0] * v.shape[1], 0);
  const cfg = path.join(work, "ckpt-int4.json");
  writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
  const runs = quick ? 1 : 5;
  console.log(`## checkpoint: ${path.basename(input)}, ${Object.keys(header).length - 1} bf16 tensors (${(bytes / 2 ** 30).toFixed(2)} GiB), ` +
    `int4 per_group 32 on the ${targeted.length} 2-D *.weight (${(elements / 1e6).toFixed(0)} M elements), median of ${runs}, commands interleaved`);
  const fresh = (p) => { rmSync(p, { force: true }); return p; };
  const jobs = [
    { key: "cp", label: "cp (baseline)", run: () => timeCmd("cp", [input, fresh(path.join(work, "ckpt-cp.safetensors"))]) },
    { key: "floor", label: "node read+write floor, 2 threads", run: () => timeCmd(process.execPath, [path.join(root, "bench/io-floor.mjs"), input, fresh(path.join(work, "ckpt-floor.safetensors")), "2"]) },
    { key: "fqc", label: "fqc apply (threads auto)", run: () => timeCmd(process.execPath, [fqc, "apply", input, fresh(path.join(work, "ckpt-out.safetensors")), "-c", cfg, "--quiet"]) },
    { key: "np", label: "np_checkpoint.py --out (NumPy)", run: () => timeCmd(python.exe, [path.join(root, "bench/np_checkpoint.py"), input, "--out", fresh(path.join(work, "ckpt-np.safetensors"))]) },
  ];
  const samples = new Map(jobs.map((j) => [j.key, []]));
  for (let r = 0; r < runs; r++) for (const j of jobs) samples.get(j.key).push(j.run());
  const res = Object.fromEntries(jobs.map((j) => [j.key, medianOf(samples.get(j.key))]));
  for (const j of jobs) console.log(row(j.label, res[j.key], elements, bytes, j.key === "cp" ? undefined : res.cp));
  console.log(`ratios: fqc is ${(res.np.seconds / res.fqc.seconds).toFixed(2)}x NumPy's speed (target ≥ 4x); ` +
    `fqc / Node's floor ${(res.fqc.seconds / res.floor.seconds).toFixed(2)}x (target ≤ 1.3x); fqc / cp ${(res.fqc.seconds / res.cp.seconds).toFixed(2)}x; ` +
    `peak RSS ${fmtRss(res.fqc.rss)} (target ≤ 300 MiB)`);
  console.log(`(elements/s count the fake-quantized values; GB/s the whole file)\n`);
}

/**
 * A checkpoint of very many tiny tensors (300,000 F32/BF16 [1, 32], a 32 MB header: what the 100 MB header
 * bound allows a third of): the per-tensor costs of apply, its dry run and report, which the data-sized
 * rows above do not show. Made here, without Python.
 */
function benchManyTensors() {
  const count = quick ? 20_000 : 300_000;
  const input = path.join(work, "many.safetensors");
  const header = {};
  let at = 0;
  for (let i = 0; i < count; i++) {
    const dtype = i % 4 === 3 ? "BF16" : "F32";
    const size = dtype === "F32" ? 128 : 64;
    header[`model.layers.${i}.mlp.up_proj.weight`] = { dtype, shape: [1, 32], data_offsets: [at, at + size] };
    at += size;
  }
  let text = JSON.stringify(header);
  text += " ".repeat((8 - (text.length % 8)) % 8);
  const data = new Uint8Array(at);
  const f32 = new Float32Array(data.buffer, 0, at >> 2);
  for (let i = 0; i < f32.length; i++) f32[i] = Math.sin(i) * 0.1; // BF16 tensors read these bytes as other (finite) values
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(input, Buffer.concat([length, Buffer.from(text), data]));
  const bytes = statSync(input).size;
  const cfg = path.join(work, "many-int4.json");
  writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
  const runs = quick ? 1 : 3;
  console.log(`## many tensors: ${count.toLocaleString("en-US")} tensors of [1, 32] (F32 and BF16; header ${(text.length / 2 ** 20).toFixed(0)} MiB, ` +
    `${(bytes / 2 ** 20).toFixed(0)} MiB in all), int4 per_group 32 on every one, median of ${runs}`);
  const fresh = (p) => { rmSync(p, { force: true }); return p; };
  const jobs = [
    { key: "cp", label: "cp (baseline)", run: () => timeCmd("cp", [input, fresh(path.join(work, "many-cp.safetensors"))]) },
    { key: "apply", label: "fqc apply (threads auto)", run: () => timeCmd(process.execPath, [fqc, "apply", input, fresh(path.join(work, "many-out.safetensors")), "-c", cfg, "--quiet"]) },
    { key: "dry", label: "fqc apply --dry-run", run: () => timeCmd(process.execPath, [fqc, "apply", input, path.join(work, "many-dry.safetensors"), "-c", cfg, "--dry-run"]) },
    { key: "report", label: "fqc report (table)", run: () => timeCmd(process.execPath, [fqc, "report", input, "-c", cfg, "--no-progress"]) },
  ];
  const samples = new Map(jobs.map((j) => [j.key, []]));
  for (let r = 0; r < runs; r++) for (const j of jobs) samples.get(j.key).push(j.run());
  for (const j of jobs) {
    const r = medianOf(samples.get(j.key));
    const perTensor = `${((r.seconds / count) * 1e6).toFixed(1)} µs/tensor`;
    console.log(`${j.label.padEnd(36)} ${r.seconds.toFixed(3)} s  ${(count / r.seconds / 1e3).toFixed(0).padStart(4)} k tensors/s  ${perTensor}  peak RSS ${fmtRss(r.rss)}`);
  }
  console.log();
}

/** The ~1 GiB bf16 checkpoint of make_checkpoint.py (default size; small with --quick), made once per bench run. */
function checkpointInput() {
  const input = path.join(work, "ckpt", "model.safetensors");
  if (existsSync(input)) return input;
  const size = quick ? ["--layers", "2", "--hidden", "512", "--mlp", "1408", "--vocab", "4096"] : [];
  execFileSync(python.exe, [path.join(root, "bench/make_checkpoint.py"), path.dirname(input), ...size], { stdio: "ignore" });
  return input;
}

/**
 * fqc report on the same checkpoint: one int4 per_group 32 column against np_checkpoint.py without --out
 * (what it computes is that column's SQNR), three columns against one (the read is shared), peak RSS, and
 * the overall SQNR against np_checkpoint's (it computes scales in float32; torchao v0.12 floors scales at
 * the bf16 eps, v0.18 at the smallest normal: both are shown).
 */
function benchReport() {
  if (!python) {
    console.log("## report: skipped (python3 with numpy makes the checkpoint)\n");
    return;
  }
  const input = checkpointInput();
  const bytes = statSync(input).size;
  const header = readSafetensorsHeader(input);
  const elements = Object.entries(header)
    .filter(([k, v]) => k !== "__metadata__" && k.endsWith(".weight") && v.shape.length === 2)
    .reduce((a, [, v]) => a + v.shape[0] * v.shape[1], 0);
  const cfg = (name, c) => { const f = path.join(work, `report-${name}.json`); writeFileSync(f, JSON.stringify(c)); return f; };
  const g32 = cfg("int4-g32", { dtype: "int4", group_size: 32 });
  const g128 = cfg("int4-g128", { dtype: "int4", group_size: 128 });
  const int8 = cfg("int8-channel", { dtype: "int8", granularity: "per_channel" });
  const runs = quick ? 1 : 3;
  console.log(`## report: ${path.basename(input)} (${(bytes / 2 ** 30).toFixed(2)} GiB bf16), ${(elements / 1e6).toFixed(0)} M elements per column, median of ${runs}, commands interleaved`);
  const out = path.join(work, "report.json");
  const jobs = [
    { key: "np", label: "np_checkpoint.py (NumPy, no --out)", run: () => timeCmd(python.exe, [path.join(root, "bench/np_checkpoint.py"), input, "--json"]) },
    { key: "one", label: "fqc report, 1 column (int4 pg32)", run: () => timeCmd(process.execPath, [fqc, "report", input, "-c", g32, "-f", "json", "-o", out, "--no-progress"], { okCodes: [0, 1] }) },
    { key: "three", label: "fqc report, 3 columns (+ g128, int8)", run: () => timeCmd(process.execPath, [fqc, "report", input, "-c", g32, "-c", g128, "-c", int8, "-f", "json", "-o", out, "--no-progress"], { okCodes: [0, 1] }) },
  ];
  const samples = new Map(jobs.map((j) => [j.key, []]));
  for (let r = 0; r < runs; r++) for (const j of jobs) samples.get(j.key).push(j.run());
  const res = Object.fromEntries(jobs.map((j) => [j.key, medianOf(samples.get(j.key))]));
  for (const j of jobs) console.log(row(j.label, res[j.key], elements * (j.key === "three" ? 3 : 1), bytes));
  const npOverall = JSON.parse(execFileSync(python.exe, [path.join(root, "bench/np_checkpoint.py"), input, "--json"], { encoding: "utf8", maxBuffer: 1 << 26 })).overall_sqnr_db;
  const overall = (torchao) => {
    spawnSync(process.execPath, [fqc, "report", input, "-c", g32, "-f", "json", "-o", out, "--no-progress", "--torchao", torchao]);
    return JSON.parse(readFileSync(out, "utf8")).summary[0].overall_sqnr_db;
  };
  const o12 = overall("0.12");
  const o18 = overall("0.18");
  console.log(`ratios: fqc report is ${(res.np.seconds / res.one.seconds).toFixed(2)}x NumPy's speed (target ≥ 5x); ` +
    `3 columns / 1 column ${(res.three.seconds / res.one.seconds).toFixed(2)}x (target < 2x); peak RSS ${fmtRss(Math.max(res.one.rss ?? 0, res.three.rss ?? 0))} (target ≤ 300 MiB)`);
  console.log(`overall SQNR, int4 pg32: np_checkpoint ${npOverall.toFixed(3)} dB; fqc --torchao 0.12 ${o12.toFixed(3)} dB (${(o12 - npOverall).toFixed(3)} dB: ` +
    `v0.12 floors bf16 scales at 2^-7); fqc --torchao 0.18 ${o18.toFixed(3)} dB (${(o18 - npOverall).toFixed(3)} dB; target within 0.1 dB)\n`);
}

/** One 2 GiB bf16 embedding (sparse zeros: the file costs no disk) fake-quantized: peak RSS must not grow with the tensor. */
function benchLargeCheckpoint() {
  const rows = 1 << 20;
  const cols = 1024;
  const input = path.join(work, "embedding.safetensors");
  const json = JSON.stringify({ "model.embed_tokens.weight": { dtype: "BF16", shape: [rows, cols], data_offsets: [0, rows * cols * 2] } });
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fd = openSync(input, "w");
  writeSync(fd, Buffer.concat([len, Buffer.from(json)]));
  ftruncateSync(fd, 8 + json.length + rows * cols * 2);
  closeSync(fd);
  const cfg = path.join(work, "emb-int4.json");
  writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
  const bytes = statSync(input).size;
  console.log(`## large checkpoint: one ${rows}×${cols} bf16 embedding (${(bytes / 2 ** 30).toFixed(2)} GiB, sparse zeros)`);
  const r = timeCmd(process.execPath, [fqc, "apply", input, path.join(work, "embedding-out.safetensors"), "-c", cfg, "--quiet"]);
  console.log(row("fqc apply int4 pg32", r, rows * cols, bytes));
  console.log(`peak RSS ${fmtRss(r.rss)} (target ≤ 300 MiB whatever the tensor size)\n`);
  rmSync(path.join(work, "embedding-out.safetensors"), { force: true });
  rmSync(input, { force: true });
}

function readSafetensorsHeader(file) {
  const fd = openSync(file, "r");
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    const h = Buffer.alloc(n);
    readSync(fd, h, 0, n, 8);
    return JSON.parse(h.toString("utf8"));
  } finally {
    closeSync(fd);
  }
}

function benchValidate() {
  const n = quick ? 200 : 1000;
  const dir = path.join(work, "configs");
  mkdirSync(dir);
  const variants = [
    { dtype: "int4", group_size: 32 },
    { dtype: "int8", granularity: "per_token", is_symmetric: false },
    { activation: { dtype: "int8", granularity: "per_token", mapping_type: "ASYMMETRIC" }, weight: { dtype: "int4", granularity: { type: "PerGroup", group_size: 64 } } },
    { dtype: "uint4", group_size: 128, is_symmetric: false, zero_point_domain: "FLOAT", scale_precision: "bfloat16", zero_point_precision: "bfloat16" },
    { dtype: "int8", granularity: "per_channel", is_dynamic: false, range_learning: true, zero_point_precision: "float32" },
  ];
  for (let i = 0; i < n; i++) writeFileSync(path.join(dir, `c${String(i).padStart(4, "0")}.json`), JSON.stringify(variants[i % variants.length], null, 2));
  console.log(`## validate: ${n} small config files in one call, median of ${reps}`);
  const glob = path.join(dir, "*.json");
  const ours = median(reps, () => timeCmd(process.execPath, [fqc, "validate", glob, "--format", "json", "-o", path.join(work, "report.json")], { okCodes: [0, 1] }));
  console.log(`fqc validate            ${ours.seconds.toFixed(3)} s  (${(n / ours.seconds).toFixed(0)} files/s, peak RSS ${fmtRss(ours.rss)})`);
  const ajvBin = path.join(root, "node_modules/ajv-cli/dist/index.js");
  if (existsSync(ajvBin)) {
    const schema = path.join(root, "schema/fqc.schema.json");
    const ajv = median(reps, () => timeCmd(process.execPath, [ajvBin, "validate", "--spec=draft2020", "--strict=false", "--all-errors", "-c", "ajv-formats", "-s", schema, "-d", glob], { okCodes: [0, 1], quiet: true }));
    console.log(`ajv-cli validate        ${ajv.seconds.toFixed(3)} s  (${(n / ajv.seconds).toFixed(0)} files/s, peak RSS ${fmtRss(ajv.rss)})`);
    console.log(`ratio: fqc validate is ${(ajv.seconds / ours.seconds).toFixed(2)}x ajv-cli's speed (schema only in ajv-cli; fqc also runs torchao's rules and locates every problem)`);
  } else {
    console.log("ajv-cli not installed: no ratio");
  }
  console.log();
}

/**
 * Hostile config shapes of 10 MB each (README "Limits": judged in under 5 s and 500 MB): time and peak RSS of
 * `fqc validate` on each, against that target. Exit 1 or 2 is expected (they are full of problems).
 */
function benchBigConfigs() {
  const size = quick ? 2 * 2 ** 20 : 10 * 2 ** 20;
  const target = { seconds: 5 * (size / (10 * 2 ** 20)), rss: 500 * 2 ** 20 };
  const base = '{"dtype": "int4", "group_size": 32, ';
  const fill = (unit, n) => Array.from({ length: n }, (_, i) => unit(i)).join(", ");
  const lines = (unit, n) => Array.from({ length: n }, (_, i) => unit(i)).join("\n");
  const perKey = 20;
  const shapes = {
    "many unknown keys": () => `${base}${fill((i) => `"key_${String(i).padStart(8, "0")}": ${i % 10}`, Math.floor(size / perKey))}}`,
    "one huge key": () => `${base}"${"k".repeat(size)}": 1}`,
    "huge array": () => `${base}"x": [${fill((i) => String(i % 1000), Math.floor(size / 5))}]}`,
    "deep nesting": () => `${base}"x": ${"[".repeat(99)}${fill(() => "0", Math.floor(size / 3))}${"]".repeat(99)}}`,
    "QAT pair, many keys": () => `{"weight": ${base}${fill((i) => `"key_${String(i).padStart(8, "0")}": ${i % 10}`, Math.floor(size / perKey))}}}`,
    "recipe, many rules": () => `{"fqn_to_config": {${fill((i) => `"${i % 4 ? `model.layers.${i}.mlp.up_proj` : `re:model\\\\.layers\\\\.${i}\\\\..*_proj`}": {"dtype": "int4", "group_size": 32}`, Math.floor(size / 70))}}}`,
    "recipe, every rule bad": () => `{"fqn_to_config": {${fill((i) => `"l.${i}": {"dtype": "int4", "group_size": 32, "granularity": "per_channel"}`, Math.floor(size / 72))}}}`,
    "YAML recipe, all bad": () => `fqn_to_config:\n${lines((i) => `  l.${i}:\n    dtype: int4\n    group_size: 32\n    granularity: per_channel`, Math.floor(size / 75))}\n`,
    "YAML, many keys": () => `dtype: int4\ngroup_size: 32\n${fill((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 18)).replaceAll(", ", "\n")}\n`,
    "YAML, trailing comment": () => `dtype: int4  # note\ngroup_size: 32\n${fill((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 18)).replaceAll(", ", "\n")}\n`,
    // Quoted keys and values, flow collections, block sequences and floats: read by fqc's own reader too (src/diagnostics/yaml-block.ts).
    "YAML, quoted values": () => `dtype: "int4"\ngroup_size: 32\n${lines((i) => `"key_${String(i).padStart(8, "0")}": ${i % 2 ? `'v${i % 10}'` : `"v\\t${i % 10}"`}`, Math.floor(size / 23))}\n`,
    "YAML, flow collections": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: {bits: ${i % 8}, axis: [0, ${i % 4}], tag: "x"}`, Math.floor(size / 46))}\n`,
    "YAML, indented JSON": () => `${JSON.stringify({ dtype: "int4", group_size: 32, ...Object.fromEntries(Array.from({ length: Math.floor(size / 21) }, (_, i) => [`key_${String(i).padStart(8, "0")}`, i % 10])) }, null, 2)}\n`,
    "YAML, deep nesting": () => `dtype: int4\ngroup_size: 32\nx: ${"[".repeat(99)}${fill(() => "0", Math.floor(size / 3))}${"]".repeat(99)}\n`,
    "YAML, seqs and floats": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}:\n  - 0.${i % 10}5\n  - [1.5e-3, .inf]`, Math.floor(size / 43))}\n`,
    // Tabs, scalars over several lines, block scalars, aliases and a syntax error at the end: read by fqc's reader too.
    "YAML, alias per key": () => `dtype: &d int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: *d`, Math.floor(size / 17))}\n`,
    "YAML, block scalars": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: ${["|", ">", "|-", ">+", "|2"][i % 5]}\n   line ${i % 10}\n   more`, Math.floor(size / 35))}\n`,
    "YAML, tab in a value": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 16))}\nx: a\tb\n`,
    "YAML, 2-line plain": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: word\n  more words`, Math.floor(size / 32))}\n`,
    "YAML, error at the end": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 16))}\nbad: [1, 2\n`,
    // A leading document marker is read by fqc's reader; what only the yaml package reads is refused past 128 KiB (FULL_YAML_MAX_LENGTH).
    "YAML, --- first": () => `---\ndtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 16))}\n`,
    "YAML, tag per key": () => `dtype: int4\ngroup_size: 32\n${lines((i) => `key_${String(i).padStart(8, "0")}: !!str v${i % 10}`, Math.floor(size / 23))}\n`,
    "YAML, error at the top": () => `dtype: int4\ngroup_size: [32\n${lines((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 16))}\n`,
    // 63 entries only the yaml package reads (dense flow sequences, a node per 3 bytes): 129 KB, under the bound while only the
    // entries counted; each is now parsed again with the line after it, which counts too, so the file is refused from the 32nd on.
    "YAML, 63 odd entries": () => `dtype: int4\ngroup_size: 32\n${lines((j) => `odd_${j}: !!seq [${Array.from({ length: 680 }, (_, k) => k % 10).join(", ")}]`, 63)}\n${lines((i) => `key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor((size - 129_000) / 16))}\n`,
    "YAML, sequence root": () => `- !!str a\n${lines((i) => `- key_${String(i).padStart(8, "0")}: ${i % 10}`, Math.floor(size / 18))}\n`,
  };
  console.log(`## validate: hostile configs of ${(size / 2 ** 20).toFixed(0)} MB, median of ${Math.min(reps, 3)}; target under ${target.seconds.toFixed(1)} s and ${fmtRss(target.rss)}`);
  for (const [name, make] of Object.entries(shapes)) {
    const file = path.join(work, `big-${name.replace(/[^a-z]+/gi, "-")}.${name.startsWith("YAML") ? "yaml" : "json"}`);
    writeFileSync(file, make());
    const r = median(Math.min(reps, 3), () => timeCmd(process.execPath, [fqc, "validate", file, "--format", "json", "-o", path.join(work, "big-report.json")], { okCodes: [0, 1, 2] }));
    const ok = r.seconds <= target.seconds && (r.rss === undefined || r.rss <= target.rss);
    console.log(`${name.padEnd(22)} ${(statSync(file).size / 2 ** 20).toFixed(1).padStart(5)} MB  ${r.seconds.toFixed(2).padStart(6)} s  peak RSS ${fmtRss(r.rss)}  ${ok ? "within target" : "OVER TARGET"}`);
    rmSync(file);
  }
  console.log();
}

function benchLarge() {
  const rows = 2 * 1024 * 1024 + 65536; // × 256 float32 = 2.06 GiB + a bit: past the 2 GiB readFileSync limit
  const cols = 256;
  const input = path.join(work, "large.npy");
  writeGaussianNpy(input, rows, cols);
  const bytes = statSync(input).size;
  const cfg = path.join(work, "large.json");
  writeFileSync(cfg, JSON.stringify({ dtype: "int4", group_size: 32 }));
  console.log(`## large file: ${rows}×${cols} float32 (${(bytes / 2 ** 30).toFixed(2)} GiB)`);
  const cp = timeCmd("cp", [input, path.join(work, "large-cp.npy")]);
  console.log(row("cp (baseline)", cp, rows * cols, bytes));
  rmSync(path.join(work, "large-cp.npy"));
  const r = timeCmd(process.execPath, [fqc, "apply", input, path.join(work, "large-out.npy"), "-c", cfg, "--quiet"]);
  console.log(row("fqc apply int4 pg32 sym", r, rows * cols, bytes, cp));
  console.log(`output size ${statSync(path.join(work, "large-out.npy")).size} bytes (input ${bytes})\n`);
}

// ---------------------------------------------------------------------------

function writeGaussianNpy(file, rows, cols) {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  const h = Buffer.alloc(total, 0x20);
  h.write("\x93NUMPY", 0, "latin1");
  h[6] = 1; h[7] = 0;
  h.writeUInt16LE(total - 10, 8);
  h.write(header, 10, "latin1");
  h[total - 1] = 0x0a;
  const fd = openSync(file, "w");
  writeSync(fd, h);
  // Deterministic pseudo-gaussian data (sum of uniforms), written in 16 MiB blocks.
  let s = 0x9e3779b9;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const block = new Float32Array(4 * 1024 * 1024);
  let left = rows * cols;
  while (left > 0) {
    const n = Math.min(left, block.length);
    for (let i = 0; i < n; i++) block[i] = (rnd() + rnd() + rnd() + rnd() - 2) * 0.05;
    writeSync(fd, new Uint8Array(block.buffer, 0, n * 4));
    left -= n;
  }
  closeSync(fd);
}

function timeCmd(cmd, argv, opts = {}) {
  const okCodes = opts.okCodes ?? [0];
  const full = hasTime ? ["/usr/bin/time", ["-f", "%e %M", cmd, ...argv]] : [cmd, argv];
  // Untimed: flush what earlier commands wrote. Otherwise the kernel writes back the previous command's
  // 256 MiB output during the next one, a tax on whichever command happens to follow; each command's
  // own output is flushed after it ends (by the next sync), cp's and fqc's alike.
  if (hasSync) spawnSync("sync", [], { stdio: "ignore" });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: "utf8", maxBuffer: 1 << 28, env: opts.env ?? benchEnv });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!okCodes.includes(r.status ?? -1)) {
    throw new Error(`${cmd} ${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  }
  let rss;
  if (hasTime) {
    const last = r.stderr.trim().split("\n").pop() ?? "";
    const m = /([\d.]+) (\d+)$/.exec(last);
    if (m) rss = Number(m[2]) * 1024;
  }
  return { seconds: wall, rss };
}

function median(n, fn) {
  return medianOf(Array.from({ length: n }, fn));
}

/** Median time; peak RSS over all runs. */
function medianOf(samples) {
  const runs = [...samples].sort((a, b) => a.seconds - b.seconds);
  const mid = runs[Math.floor(runs.length / 2)];
  return { seconds: mid.seconds, rss: Math.max(...runs.map((r) => r.rss ?? 0)) || undefined };
}

function row(name, r, elements, bytes, cp) {
  const eps = elements / r.seconds / 1e6;
  const gbs = bytes / r.seconds / 1e9;
  return `${name.padEnd(36)} ${r.seconds.toFixed(3)} s  ${eps.toFixed(0).padStart(5)} M elem/s  ${gbs.toFixed(2)} GB/s  peak RSS ${fmtRss(r.rss)}${cp ? `  ${(r.seconds / cp.seconds).toFixed(2)}x cp` : ""}`;
}

function fmtRss(b) {
  return b ? `${(b / 2 ** 20).toFixed(0)} MiB` : "n/a";
}

function findPython() {
  for (const exe of ["python3", "python"]) {
    try {
      const v = execFileSync(exe, ["-c", "import numpy, sys; print(f'python {sys.version.split()[0]} numpy {numpy.__version__}')"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      return { exe, version: v.trim() };
    } catch { /* next */ }
  }
  return undefined;
}
