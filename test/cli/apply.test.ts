import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeQuantize } from "../../src/fake-quantize.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { readNpy } from "../../src/npy/whole.js";
import { CONFORMANCE, ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { sameBits } from "../helpers/bits.js";
import { halfBits } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const t = tmp.path;
const write = tmp.write;
const manifest = JSON.parse(readFileSync(path.join(CONFORMANCE, "manifest.json"), "utf8")).cases as Array<{
  id: string; config: object; input: string; expected: string; scale: string | null; zero_point: string | null; input_dtype: string; mode: string;
  head: { stage: string; expected: string; scale: string | null } | null;
}>;
const noTemps = () => readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"));

describe("fqc apply (end to end)", () => {
  it("reproduces torchao bit-exactly on conformance cases, qparams included", () => {
    const picks = manifest.filter((c) => c.mode === "dynamic" && c.input_dtype !== "bfloat16").filter((_, i) => i % 37 === 0);
    expect(picks.length).toBeGreaterThan(10);
    for (const c of picks) {
      const cfg = write(`${c.id}.json`, JSON.stringify(c.config));
      const out = t(`${c.id}.out.npy`);
      const args = ["apply", path.join(CONFORMANCE, c.input), out, "-c", cfg, "--quiet", "--scale-out", t(`${c.id}.s.npy`), "--zero-point-out", t(`${c.id}.z.npy`)];
      const r = runFqc(args);
      expect(r.stderr, c.id).toBe("");
      expect(r.code, c.id).toBe(0);
      expect(sameBits(readNpy(out).data, readNpy(path.join(CONFORMANCE, c.expected)).data), c.id).toBeUndefined();
      if (c.scale) expect(sameBits(readNpy(t(`${c.id}.s.npy`)).data, readNpy(path.join(CONFORMANCE, c.scale)).data), c.id).toBeUndefined();
      if (c.zero_point) expect(sameBits(readNpy(t(`${c.id}.z.npy`)).data, readNpy(path.join(CONFORMANCE, c.zero_point)).data), c.id).toBeUndefined();
    }
  });

  it("reads big-endian Fortran-order tensors and writes C order in the input's dtype", () => {
    const c = manifest.find((x) => x.mode === "dynamic" && x.input_dtype === "float32" && x.id.includes("pg32_i4_sym"))!;
    const src = readNpy(path.join(CONFORMANCE, c.input));
    const [rows, cols] = src.header.shape;
    const body = Buffer.alloc(rows * cols * 4);
    for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) body.writeFloatBE((src.data as Float32Array)[r * cols + k], (k * rows + r) * 4);
    const input = write("fortran-be.npy", Buffer.concat([encodeNpyHeader({ descr: ">f4", fortranOrder: true, shape: [rows, cols] }), body]));
    const cfg = write("fortran.json", JSON.stringify(c.config));
    expect(runFqc(["apply", input, t("fortran-out.npy"), "-c", cfg, "-q"]).code).toBe(0);
    const out = readNpy(t("fortran-out.npy"));
    expect(out.header).toMatchObject({ descr: ">f4", fortranOrder: false, shape: [rows, cols] });
    expect(sameBits(out.data, readNpy(path.join(CONFORMANCE, c.expected)).data)).toBeUndefined();
  });

  it("zero rows give an empty output of the same shape; an empty last dimension is torchao's reduction error", () => {
    const cfg = write("empty.json", '{"dtype": "int8", "granularity": "per_token", "is_symmetric": false}');
    const rowsEmpty = write("rows0.npy", encodeNpyHeader({ descr: "<f4", shape: [0, 4] }));
    expect(runFqc(["apply", rowsEmpty, t("rows0-out.npy"), "-c", cfg, "--scale-out", t("rows0-s.npy"), "-q"]).code).toBe(0);
    expect(readNpy(t("rows0-out.npy")).header.shape).toEqual([0, 4]);
    expect(readNpy(t("rows0-s.npy")).header.shape).toEqual([0]);
    const colsEmpty = write("cols0.npy", encodeNpyHeader({ descr: "<f4", shape: [4, 0] }));
    const r = runFqc(["apply", colsEmpty, t("cols0-out.npy"), "-c", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("last dimension");
    expect(existsSync(t("cols0-out.npy"))).toBe(false);
  });

  it("simulates a bfloat16 tensor with --compute-dtype bfloat16", () => {
    const c = manifest.find((x) => x.input_dtype === "bfloat16" && x.mode === "dynamic")!;
    const cfg = write("bf16.json", JSON.stringify(c.config));
    const r = runFqc(["apply", path.join(CONFORMANCE, c.input), t("bf16.out.npy"), "-c", cfg, "--compute-dtype", "bfloat16", "--quiet"]);
    expect(r.code).toBe(0);
    expect(sameBits(readNpy(t("bf16.out.npy")).data, readNpy(path.join(CONFORMANCE, c.expected)).data)).toBeUndefined();
  });

  it("--torchao 0.18 reproduces the later default eps from the command line (the manifest's head entries)", () => {
    // A number-like choice: yargs used to turn "0.18" into the number 0.18 and reject it.
    const c = manifest.find((x) => x.mode === "dynamic" && x.input_dtype === "float32" && x.head?.stage === "ok" && x.head.scale !== x.scale)!;
    const cfg = write("head.json", JSON.stringify(c.config));
    const run = (version: string, out: string) =>
      runFqc(["apply", path.join(CONFORMANCE, c.input), t(`${out}.npy`), "-c", cfg, "--torchao", version, "--scale-out", t(`${out}.s.npy`), "-q"]);
    const r = run("0.18", "head");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(sameBits(readNpy(t("head.npy")).data, readNpy(path.join(CONFORMANCE, c.head!.expected)).data)).toBeUndefined();
    expect(sameBits(readNpy(t("head.s.npy")).data, readNpy(path.join(CONFORMANCE, c.head!.scale!)).data)).toBeUndefined();
    expect(run("0.12", "v012").code).toBe(0);
    expect(sameBits(readNpy(t("v012.s.npy")).data, readNpy(path.join(CONFORMANCE, c.scale!)).data)).toBeUndefined();
    const bad = run("0.19", "never");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not one of "0.12", "0.18"');
  });

  it("prints what it did, and a JSON summary with --json", () => {
    const r = runFqc(["apply", "examples/weight.npy", t("w.npy"), "-c", "examples/int4-weight-per-group.json"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/examples\/weight\.npy \(\d+×\d+ float32\) → .*int4 per_group/);
    const j = runFqc(["apply", "examples/weight.npy", t("w2.npy"), "-c", "examples/int4-weight-per-group.json", "--json"]);
    const s = JSON.parse(j.stdout);
    expect(s.shape.length).toBe(2);
    expect(s.config.dtype).toBe("int4");
    expect(readFileSync(t("w.npy"))).toEqual(readFileSync(t("w2.npy")));
  });

  it("needs --role for a QAT pair and applies the chosen side", () => {
    const r = runFqc(["apply", "examples/weight.npy", t("pair.npy"), "-c", "examples/8da4w.json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--role");
    expect(existsSync(t("pair.npy"))).toBe(false);
    expect(runFqc(["apply", "examples/weight.npy", t("pair.npy"), "-c", "examples/8da4w.json", "--role", "weight", "-q"]).code).toBe(0);
    expect(runFqc(["apply", "examples/weight.npy", t("pair-act.npy"), "-c", "examples/8da4w.json", "--role", "activation", "-q"]).code).toBe(0);
  });

  it("refuses --role on a single config with exit 2 and one line saying --role selects a side of a QAT pair, writing nothing", () => {
    const single = write("single-role.json", '{"dtype": "int4", "group_size": 32}');
    for (const role of ["weight", "activation"]) {
      const r = runFqc(["apply", "examples/weight.npy", t("single-role.npy"), "-c", single, "--role", role]);
      expect(r.code).toBe(2);
      expect(r.stderr.split("\n")[0]).toBe(`fqc: --role selects a side of a QAT pair, and ${single} is a single config`);
      expect(r.stderr).toContain("Leave out --role");
      expect(existsSync(t("single-role.npy"))).toBe(false);
    }
    // On a checkpoint too, and under --dry-run.
    const ck = runFqc(["apply", "examples/llama-tiny/model.safetensors", t("single-role.safetensors"), "-c", single, "--role", "weight", "--dry-run"]);
    expect(ck.code).toBe(2);
    expect(ck.stderr).toContain("--role selects a side of a QAT pair");
    expect(runFqc(["apply", "examples/weight.npy", t("single-role.npy"), "-c", single, "-q"]).code).toBe(0);
  });

  it("exits 1 with torchao's message for a forward error, writing nothing", () => {
    const cfg = write("pt-sym.json", '{"dtype": "int8", "granularity": "per_token"}');
    const r = runFqc(["apply", "examples/weight.npy", t("never.npy"), "-c", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Symmetric per token is not supported yet");
    expect(existsSync(t("never.npy"))).toBe(false);
  });

  it("refuses an eps beyond the tensor's dtype as torchao's clamp does, per compute dtype, writing nothing", () => {
    const cfg = write("eps-huge.json", '{"dtype": "int4", "group_size": 32, "eps": 3.4e38}');
    const bf16 = runFqc(["apply", "examples/weight.npy", t("never.npy"), "-c", cfg, "--compute-dtype", "bfloat16"]);
    expect(bf16.code).toBe(1);
    expect(bf16.stderr).toContain("value cannot be converted to type at::BFloat16 without overflow");
    expect(existsSync(t("never.npy"))).toBe(false);
    // float32 holds 3.4e38: torchao runs, and so does fqc.
    expect(runFqc(["apply", "examples/weight.npy", t("eps-f32.npy"), "-c", cfg, "-q"]).code).toBe(0);
    const ck = runFqc(["apply", "examples/llama-tiny/model.safetensors", t("never.safetensors"), "-c", cfg]);
    expect(ck.code).toBe(1);
    expect(ck.stderr).toContain("value cannot be converted to type at::BFloat16 without overflow");
    expect(existsSync(t("never.safetensors"))).toBe(false);
    // Static qparams are never clamped, so torchao runs them whatever eps says.
    const fixed = write("eps-huge-static.json", '{"dtype": "int4", "group_size": 32, "eps": 3.4e38, "is_dynamic": false}');
    const scale = write("eps-s.npy", Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [256, 16] }), Buffer.from(new Float32Array(256 * 16).fill(0.5).buffer)]));
    const zp = write("eps-z.npy", Buffer.concat([encodeNpyHeader({ descr: "<i4", shape: [256, 16] }), Buffer.alloc(256 * 16 * 4)]));
    const st = runFqc(["apply", "examples/weight.npy", t("eps-static.npy"), "-c", fixed, "--compute-dtype", "bfloat16", "--scale", scale, "--zero-point", zp, "-q"]);
    expect(st.code, st.stderr).toBe(0);
  });

  it("names the shape, group size and alternatives when the group size does not divide", () => {
    const cfg = write("g48.json", '{"dtype": "int4", "group_size": 48}');
    const r = runFqc(["apply", "examples/weight.npy", t("never.npy"), "-c", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/48/);
    expect(r.stderr).toMatch(/\d+, \d+/); // the tensor's shape
    expect(existsSync(t("never.npy"))).toBe(false);
  });

  it("refuses float64 like torchao, with the fix in the hint; --compute-dtype float32 casts first", () => {
    const e = JSON.parse(readFileSync(path.join(CONFORMANCE, "forward_errors.json"), "utf8")).find((x: { message: string }) => x.message.includes("float64"));
    const cfg = write("f64.json", JSON.stringify(e.config));
    const r = runFqc(["apply", path.join(CONFORMANCE, e.input), t("f64out.npy"), "-c", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Unsupported input dtype: torch.float64");
    expect(r.stderr).toContain("--compute-dtype float32");
    const ok = runFqc(["apply", path.join(CONFORMANCE, e.input), t("f64out.npy"), "-c", cfg, "--compute-dtype", "float32", "-q"]);
    expect(ok.code).toBe(0);
    const out = readNpy(t("f64out.npy"));
    expect(out.header.descr).toBe("<f8");
  });

  it("--compute-dtype float64 into a float16 file narrows through float32, as torch's .half() does (c10::Half takes a float)", () => {
    // Exact halves; under int4 per_token their float64 result holds a value whose float32 rounding is a half-way point.
    const values = [8.14199447631836e-5, -0.0027561187744140625, 0.012939453125, 0.01007080078125];
    const input = write("f16-row.npy", Buffer.concat([encodeNpyHeader({ descr: "<f2", shape: [1, 4] }), Buffer.from(new Uint16Array(values.map(halfBits)).buffer)]));
    const config = { dtype: "int4", granularity: "per_token", is_symmetric: false };
    const r = runFqc(["apply", input, t("f64-compute.npy"), "-c", write("f64-compute.json", JSON.stringify(config)), "--compute-dtype", "float64", "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const y = fakeQuantize(config, Float64Array.from(values), { shape: [1, 4], computeDtype: "float64" }).output;
    const viaFloat32 = Array.from(y, (v) => halfBits(Math.fround(v)));
    expect(viaFloat32).not.toEqual(Array.from(y, halfBits)); // one rounding straight to half gives another value here
    expect(Array.from(readNpy(t("f64-compute.npy")).data as Float32Array, halfBits)).toEqual(viaFloat32);
  });

  it("--kernel js (portable) and the default SIMD kernel write identical bytes, also with worker threads", () => {
    const cfgs = ["examples/int4-weight-per-group.json", "examples/8da4w.json"];
    for (const [i, cfg] of cfgs.entries()) {
      const role = cfg.includes("8da4w") ? ["--role", "activation"] : [];
      expect(runFqc(["apply", "examples/weight.npy", t(`k-auto-${i}.npy`), "-c", cfg, ...role, "-q", "-j", "2"]).code).toBe(0);
      expect(runFqc(["apply", "examples/weight.npy", t(`k-js-${i}.npy`), "-c", cfg, ...role, "-q", "--kernel", "js"]).code).toBe(0);
      expect(readFileSync(t(`k-auto-${i}.npy`)).equals(readFileSync(t(`k-js-${i}.npy`))), cfg).toBe(true);
    }
  });

  it("refuses usage it cannot honour with exit 2: stdin tensors, bad or absurd --threads", () => {
    const cfg = "examples/int8-per-channel.json";
    const stdin = runFqc(["apply", "-", t("never.npy"), "-c", cfg]);
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain("not standard input");
    const abc = runFqc(["apply", "examples/weight.npy", t("never.npy"), "-c", cfg, "-j", "abc"]);
    expect(abc.code).toBe(2);
    expect(abc.stderr).toContain('--threads must be a whole number ≥ 0 or "auto", not "abc"');
    const many = runFqc(["apply", "examples/weight.npy", t("never.npy"), "-c", cfg, "-j", "100000"]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain("at most");
    expect(existsSync(t("never.npy"))).toBe(false);
  });

  it("refuses - for a file option (config, recipe, qparams, report) as a usage error naming the option, exit 2, nothing written", () => {
    const cfg = "examples/int8-per-channel.json";
    const cases: Array<[string, string[]]> = [
      ["config", ["-c", "-"]], ["recipe", ["-r", "-"]], ["report", ["-c", cfg, "--report", "-"]],
      ["scale-out", ["-c", cfg, "--scale-out", "-"]], ["qparams-out", ["-c", cfg, "--qparams-out", "-"]],
    ];
    for (const [name, opts] of cases) {
      const r = runFqc(["apply", "examples/weight.npy", t("never.npy"), ...opts], { input: readFileSync(cfg, "utf8") });
      expect(r.code, opts.join(" ")).toBe(2);
      expect(r.stderr).toContain(`not standard input/output (--${name} -)`);
      expect(r.stderr).not.toContain("null bytes");
    }
    expect(existsSync(t("never.npy"))).toBe(false);
    expect(noTemps()).toEqual([]);
  });

  it("never starts more workers than the tensor has rows", () => {
    const r = runFqc(["apply", "examples/weight.npy", t("few.npy"), "-c", "examples/int8-per-channel.json", "-j", "64", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).threads).toBeLessThanOrEqual(64);
    const tiny = write("tiny.npy", Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [3, 4] }), Buffer.alloc(48)]));
    const r3 = runFqc(["apply", tiny, t("tiny-out.npy"), "-c", "examples/int8-per-channel.json", "-j", "8", "--json"]);
    expect(JSON.parse(r3.stdout).threads).toBe(3);
  });

  it("--fsync writes the same bytes (durably)", () => {
    expect(runFqc(["apply", "examples/weight.npy", t("nosync.npy"), "-c", "examples/int8-per-channel.json", "-q"]).code).toBe(0);
    expect(runFqc(["apply", "examples/weight.npy", t("sync.npy"), "-c", "examples/int8-per-channel.json", "-q", "--fsync"]).code).toBe(0);
    expect(readFileSync(t("sync.npy")).equals(readFileSync(t("nosync.npy")))).toBe(true);
  });

  it("refuses an OUT named for another format (w_fq.npz) as --dry-run says it would, exit 2, nothing written", () => {
    for (const name of ["w_fq.npz", "w_fq.safetensors"]) {
      const args = ["apply", "examples/weight.npy", t(name), "-c", "examples/int8-per-channel.json"];
      const run = runFqc(args);
      const dry = runFqc([...args, "--dry-run"]);
      expect(run.code, name).toBe(2);
      expect(run.stderr, name).toBe(`fqc: ${t(name)}: the output of a .npy tensor has the same form as examples/weight.npy, not ${name.split(".")[1]}\n` +
        "  hint: Name the output with .npy; fqc writes the input's layout, it does not convert between formats.\n");
      expect(dry, name).toEqual(run);
      expect(existsSync(t(name)), name).toBe(false);
    }
  });

  it("refuses --scale-out or --zero-point-out named for another format: each is a .npy, exit 2, nothing written", () => {
    const r = runFqc(["apply", "examples/weight.npy", t("q.npy"), "-c", "examples/int8-per-channel.json", "--scale-out", t("s.npz"), "--zero-point-out", t("z.npy")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fqc: --scale-out ${t("s.npz")}: fqc writes the scale as one .npy file, not npz\n  hint: Name it with .npy (numpy.load reads it).\n`);
    for (const f of ["q.npy", "s.npz", "z.npy"]) expect(existsSync(t(f)), f).toBe(false);
  });

  it("never overwrites its input unless --force", () => {
    const input = t("inplace.npy");
    copyFileSync(path.join(ROOT, "examples/weight.npy"), input);
    const before = readFileSync(input);
    const r = runFqc(["apply", input, input, "-c", "examples/int8-per-channel.json"]);
    expect(r.code).toBe(2);
    expect(readFileSync(input)).toEqual(before);
    expect(runFqc(["apply", input, input, "-c", "examples/int8-per-channel.json", "--force", "-q"]).code).toBe(0);
    expect(readFileSync(input)).not.toEqual(before);
    expect(noTemps()).toEqual([]);
  });

  it("uses static qparams given with --scale/--zero-point and checks their shape", () => {
    const cfg = write("static.json", '{"dtype": "int8", "granularity": "per_channel", "is_dynamic": false}');
    expect(runFqc(["apply", "examples/weight.npy", t("s1.npy"), "-c", cfg, "--scale-out", t("s.npy"), "--zero-point-out", t("z.npy"), "-q"]).code).toBe(0);
    const r = runFqc(["apply", "examples/weight.npy", t("s2.npy"), "-c", cfg, "--scale", t("s.npy"), "--zero-point", t("z.npy"), "-q"]);
    expect(r.code).toBe(0);
    expect(readFileSync(t("s1.npy"))).toEqual(readFileSync(t("s2.npy")));
    const grp = write("static-g.json", '{"dtype": "int8", "group_size": 32, "is_dynamic": false}');
    const bad = runFqc(["apply", "examples/weight.npy", t("s3.npy"), "-c", grp, "--scale", t("s.npy"), "--zero-point", t("z.npy")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/shape/);
    expect(existsSync(t("s3.npy"))).toBe(false);
  });
});

describe("fqc apply on hostile .npy input", () => {
  const cfg = () => write("h.json", '{"dtype": "int4", "group_size": 2}');
  const header = (dict: string) => {
    const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
    const b = Buffer.alloc(total, 0x20);
    b.write("\x93NUMPY", 0, "latin1");
    b[6] = 1;
    b.writeUInt16LE(total - 10, 8);
    b.write(dict, 10, "latin1");
    b[total - 1] = 0x0a;
    return b;
  };
  const cases: Array<[string, Uint8Array]> = [
    ["empty file", new Uint8Array(0)],
    ["not npy", Buffer.from("hello world, this is not a numpy file at all")],
    ["truncated data", Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }"), Buffer.alloc(20)])],
    ["header longer than file", (() => { const h = header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"); h.writeUInt16LE(60000, 8); return h; })()],
    ["pickled object array", Buffer.concat([header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), Buffer.from("\x80\x04\x95cos\nsystem\n.")])],
    ["absurd shape", header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }")],
    ["negative dimension", header("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 4), }")],
    ["non-ASCII header", Buffer.concat([header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), 'é': 1}"), Buffer.alloc(8)])],
    ["integer dtype", Buffer.concat([header("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }"), Buffer.alloc(16)])],
    ["structured dtype", Buffer.concat([header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2), }"), Buffer.alloc(16)])],
  ];
  it.each(cases)("%s: one clear message, exit 2, no output file, no stack trace", (name, bytes) => {
    const input = write(`hostile-${name.replace(/\W+/g, "-")}.npy`, bytes);
    const out = t(`hostile-out-${name.replace(/\W+/g, "-")}.npy`);
    const r = runFqc(["apply", input, out, "-c", cfg()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(path.basename(input));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
    expect(existsSync(out)).toBe(false);
    expect(noTemps()).toEqual([]);
  });
  const hasMkfifo = process.platform !== "win32" && spawnSync("mkfifo", ["--version"], { stdio: "ignore" }).status === 0;
  it.skipIf(!hasMkfifo)("a FIFO named as input or output: refused at once, exit 2, and left as it was", () => {
    const fifo = t("pipe.npy");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const big = write("fifo-big.npy", Buffer.concat([encodeNpyHeader({ descr: "<f4", shape: [1024, 1024] }), Buffer.alloc(4 << 20)]));
    // As the input, opening it to read would wait for a writer.
    const asInput = spawnSync(process.execPath, [path.join(ROOT, "bin/fqc.js"), "apply", fifo, t("fifo-out.npy"), "-c", cfg()], { encoding: "utf8", timeout: 20_000 });
    expect(asInput.status, asInput.stderr).toBe(2);
    expect(asInput.stderr).toContain(`${fifo}: is not a regular file`);
    // As the output, the rename would replace it (and the guess at apply's workers must not open it either).
    const asOutput = spawnSync(process.execPath, [path.join(ROOT, "bin/fqc.js"), "apply", big, fifo, "-c", cfg()], { encoding: "utf8", timeout: 20_000 });
    expect(asOutput.status, asOutput.stderr).toBe(2);
    expect(asOutput.stderr).toContain(`${fifo}: is a FIFO (named pipe), not a regular file`);
    expect(statSync(fifo).isFIFO()).toBe(true);
    expect(noTemps()).toEqual([]);
  });
  it("a missing input file: exit 2", () => {
    const r = runFqc(["apply", t("does-not-exist.npy"), t("o.npy"), "-c", cfg()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("does-not-exist.npy");
  });
});

describe("apply's summary line and its refusals of standard input/output", () => {
  const weight = path.join(ROOT, "examples/weight.npy");
  const cfg = path.join(ROOT, "examples/int4-weight-per-group.json");

  it("--quiet prints nothing on success; without it, one summary line", () => {
    expect(runFqc(["apply", weight, t("quiet.npy"), "-c", cfg, "-q"])).toMatchObject({ code: 0, stdout: "" });
    expect(runFqc(["apply", weight, t("loud.npy"), "-c", cfg]).stdout).toMatch(/^[^\n]+ → [^\n]+\n$/);
  });

  it("refuses - as OUT (standard output), exit 2, writing nothing", () => {
    const r = runFqc(["apply", weight, "-", "-c", cfg], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("fqc: fqc apply reads and writes files (.npy, .safetensors, a sharded checkpoint, .npz), not standard input/output");
    expect(noTemps()).toEqual([]);
  });
});
