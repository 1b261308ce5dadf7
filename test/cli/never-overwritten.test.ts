/**
 * What fqc never overwrites, and what an atomic replace keeps (spawned CLI):
 * no output may be an input or another output; the replaced file keeps its
 * mode and links; a file the user could not write is refused.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeSharded, type TensorSpec } from "../checkpoint/helpers.js";
import { FQC, ROOT, runFqc, tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const WEIGHT = path.join(ROOT, "examples/weight.npy");
const CFG = '{"dtype": "int4", "group_size": 32}\n';
let seq = 0;

/** A fresh directory holding w.npy and cfg.json; returns a path maker. */
function workdir(): (name: string) => string {
  const dir = tmp.path(`w${seq++}`);
  fs.mkdirSync(dir);
  fs.copyFileSync(WEIGHT, path.join(dir, "w.npy"));
  fs.writeFileSync(path.join(dir, "cfg.json"), CFG);
  return (name) => path.join(dir, name);
}
const WEIGHTS: TensorSpec[] = [{ name: "a.weight", dtype: "F32", shape: [4, 64] }, { name: "b.weight", dtype: "F32", shape: [4, 64] }];

/** A two-shard checkpoint in the work directory's `ck/` (plus recipe.json beside cfg.json); returns its index path. */
function sharded(at: (n: string) => string): string {
  fs.writeFileSync(at("recipe.json"), '{"fqn_to_config": {"_default": {"dtype": "int4", "group_size": 32}}}\n');
  return writeSharded(at("ck"), [{ file: "model-00001-of-00002.safetensors", tensors: [WEIGHTS[0]] }, { file: "model-00002-of-00002.safetensors", tensors: [WEIGHTS[1]] }]);
}

/** Every file in the directory with its bytes, to compare before and after a refused run. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.lstatSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f)).toString("base64") : "(not a file)"]));
}

describe("no output may be an input or another output (exit 2, nothing changes)", () => {
  const cases: Array<[string, (at: (n: string) => string) => string[], string]> = [
    ["apply's OUT is the config", (at) => ["apply", at("w.npy"), at("cfg.json"), "-c", at("cfg.json")], "OUT"],
    ["apply's --scale-out is the config", (at) => ["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "--scale-out", at("cfg.json")], "--scale-out"],
    ["apply's --zero-point-out is the tensor, even with --force", (at) => ["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "--zero-point-out", at("w.npy"), "--force"], "--zero-point-out"],
    ["apply's --scale-out and --zero-point-out are one new file", (at) => ["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "--scale-out", at("q.npy"), "--zero-point-out", `${path.dirname(at("q.npy"))}/./q.npy`], "are the same file"],
    ["apply's OUT and --scale-out are one file through a link", (at) => {
      fs.symlinkSync("o.npy", at("o-link.npy"));
      return ["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "--scale-out", at("o-link.npy")];
    }, "are the same file"],
    ["validate's report is the config validated", (at) => ["validate", at("cfg.json"), "-o", at("cfg.json")], "the report (-o)"],
    ["validate's report is a config a glob matched", (at) => ["validate", path.join(path.dirname(at("x")), "*.json"), "-o", at("cfg.json")], "is the same file as the config"],
    ["validate's report is the --tensor", (at) => ["validate", at("cfg.json"), "--tensor", at("w.npy"), "-o", at("w.npy")], "--tensor"],
    // Checkpoints: the model's files (shards and index), the config or recipe, and every output.
    ["apply's checkpoint OUT is the config", (at) => ["apply", sharded(at), at("cfg.json"), "-c", at("cfg.json")], "OUT"],
    ["apply's checkpoint OUT is the recipe, even with --force", (at) => ["apply", sharded(at), at("recipe.json"), "--recipe", at("recipe.json"), "--force"], "--recipe"],
    ["apply's --qparams-out is the config", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--qparams-out", at("cfg.json")], "--qparams-out"],
    ["apply's --qparams-out is a shard of IN", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--qparams-out", at("ck/model-00002-of-00002.safetensors")], "--qparams-out"],
    ["apply's --report is a shard of IN, even with --force", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--report", at("ck/model-00001-of-00002.safetensors"), "--force"], "--report"],
    ["apply's --report is IN's index", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--report", at("ck/model.safetensors.index.json")], "--report"],
    ["apply's --report is the config", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--report", at("cfg.json")], "--report"],
    ["apply's --report is --qparams-out", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--qparams-out", at("q.safetensors"), "--report", at("q.safetensors")], "are the same file"],
    ["apply's --report is OUT", (at) => {
      const index = sharded(at);
      fs.copyFileSync(path.join(path.dirname(index), "model-00001-of-00002.safetensors"), at("one.safetensors"));
      return ["apply", at("one.safetensors"), at("o.safetensors"), "-c", at("cfg.json"), "--report", at("o.safetensors")];
    }, "are the same file"],
    ["apply's --report is a file a shard of OUT would be, even with --force", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--report", at("out/model-00002-of-00002.safetensors"), "--force"], "give each output its own path"],
    ["apply's --report is the index OUT would get", (at) => ["apply", sharded(at), at("out"), "-c", at("cfg.json"), "--report", at("out/model.safetensors.index.json")], "--report"],
    ["report's -o is a shard of MODEL", (at) => ["report", sharded(at), "-c", at("cfg.json"), "-o", at("ck/model-00002-of-00002.safetensors")], "the report (-o)"],
    ["report's -o is MODEL's index", (at) => ["report", sharded(at), "-c", at("cfg.json"), "-o", at("ck/model.safetensors.index.json")], "MODEL"],
    ["report's -o is the config of a column", (at) => ["report", at("w.npy"), "-c", at("cfg.json"), "-o", at("cfg.json")], "--config"],
    ["report's -o is the .npy MODEL", (at) => ["report", at("w.npy"), "-c", at("cfg.json"), "-o", at("w.npy")], "MODEL"],
    ["report's -o is the recipe", (at) => ["report", sharded(at), "--recipe", at("recipe.json"), "-o", at("recipe.json")], "--recipe"],
  ];
  it.each(cases)("%s", (_, args, says) => {
    const at = workdir();
    const made = args(at);
    const before = snapshot(path.dirname(at("x")));
    const r = runFqc(made);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(says);
    expect(r.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(path.dirname(at("x")))).toEqual(before);
  });

  it("--qparams-out or --report inside a new OUT directory is refused before any work, by --dry-run too; into an existing OUT they land", () => {
    const at = workdir();
    const index = sharded(at);
    const before = snapshot(path.dirname(at("x")));
    for (const [flag, file] of [["--qparams-out", "q.safetensors"], ["--report", "sub/r.json"]]) {
      for (const dry of [[], ["--dry-run"]]) {
        const r = runFqc(["apply", index, at("out"), "-c", at("cfg.json"), flag, at(`out/${file}`), ...dry]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`fqc: ${flag} ${at(`out/${file}`)} is inside OUT ${at("out")}, which does not exist yet`);
        expect(r.stderr).toContain(`hint: Create ${at("out")} first`);
      }
    }
    expect(snapshot(path.dirname(at("x")))).toEqual(before);
    fs.mkdirSync(at("out"));
    const r = runFqc(["apply", index, at("out"), "-c", at("cfg.json"), "--qparams-out", at("out/q.safetensors"), "--report", at("out/r.json"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(at("out")).sort()).toEqual(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "q.safetensors", "r.json"]);
  });

  it("an output apply could not create (no such directory, a directory given for a file, a file's path used as a directory) is refused by --dry-run as by the run, in the same words", () => {
    const cases: Array<[string, (at: (n: string) => string) => string[], string]> = [
      ["OUT in a missing directory", (at) => [sharded(at), at("nodir/out"), "-c", at("cfg.json")], "nodir/out: cannot create a temporary directory beside it: no such file or directory"],
      ["a .npy OUT in a missing directory", (at) => [at("w.npy"), at("nodir/o.npy"), "-c", at("cfg.json")], "nodir/o.npy: cannot create a temporary file in its directory: no such file or directory"],
      ["--qparams-out in a missing directory", (at) => [sharded(at), at("out"), "-c", at("cfg.json"), "--qparams-out", at("nodir/q.safetensors")], "nodir/q.safetensors: cannot create a temporary file in its directory: no such file or directory"],
      ["--report in a missing directory", (at) => [sharded(at), at("out"), "-c", at("cfg.json"), "--report", at("nodir/r.json")], "nodir/r.json: cannot create a temporary file in its directory: no such file or directory"],
      ["--report names a directory", (at) => [sharded(at), at("out"), "-c", at("cfg.json"), "--report", path.dirname(at("x"))], ": is a directory"],
      ["--qparams-out under a file", (at) => [sharded(at), at("out"), "-c", at("cfg.json"), "--qparams-out", `${at("cfg.json")}/q.safetensors`], "cfg.json/q.safetensors: cannot create a temporary file in its directory: a component of the path is not a directory"],
    ];
    for (const [name, args, says] of cases) {
      const at = workdir();
      const made = args(at);
      const before = snapshot(path.dirname(at("x")));
      const dry = runFqc(["apply", ...made, "--dry-run", "-q"]);
      const real = runFqc(["apply", ...made, "-q"]);
      expect(dry.code, `${name}: ${dry.stderr}`).toBe(2);
      expect(real.code, `${name}: ${real.stderr}`).toBe(2);
      expect(dry.stderr, name).toContain(says);
      expect(dry.stderr, name).toBe(real.stderr);
      expect(snapshot(path.dirname(at("x"))), name).toEqual(before);
    }
  });

  it("a checkpoint written into a directory whose loaders would read another checkpoint there is refused before any work, by --dry-run too", () => {
    const at = workdir();
    const index = sharded(at);
    const shard = path.join(path.dirname(index), "model-00001-of-00002.safetensors");
    // A sharded OUT beside a stale model.safetensors: transformers would load that file.
    fs.mkdirSync(at("a"));
    fs.copyFileSync(shard, at("a/model.safetensors"));
    // A model.safetensors (its source given as a directory) beside a stale index: fqc would read the index.
    fs.mkdirSync(at("single"));
    fs.copyFileSync(shard, at("single/model.safetensors"));
    fs.mkdirSync(at("b"));
    fs.copyFileSync(index, at("b/model.safetensors.index.json"));
    const before = snapshot(path.dirname(at("x")));
    for (const dry of [[], ["--dry-run"]]) {
      const a = runFqc(["apply", index, at("a"), "-c", at("cfg.json"), "--force", ...dry]);
      expect(a.code, a.stderr).toBe(2);
      expect(a.stderr).toContain(`fqc: ${at("a")}: holds model.safetensors, which transformers loads before any index`);
      const b = runFqc(["apply", at("single"), at("b"), "-c", at("cfg.json"), ...dry]);
      expect(b.code, b.stderr).toBe(2);
      expect(b.stderr).toContain(`fqc: ${at("b")}: holds model.safetensors.index.json, which index-first readers take before a lone model.safetensors`);
      // The same file named as OUT itself, with --force too.
      const c = runFqc(["apply", at("single/model.safetensors"), at("b/model.safetensors"), "-c", at("cfg.json"), "--force", ...dry]);
      expect(c.code, c.stderr).toBe(2);
      expect(c.stderr).toContain(`fqc: ${at("b")}: holds model.safetensors.index.json, which index-first readers take before a lone model.safetensors`);
    }
    expect(snapshot(path.dirname(at("x")))).toEqual(before);
    expect(fs.readdirSync(at("a"))).toEqual(["model.safetensors"]);
    expect(fs.readdirSync(at("b"))).toEqual(["model.safetensors.index.json"]);
    // Files no loader picks over the output are no reason to refuse: Mistral's consolidated.safetensors beside the shards.
    fs.renameSync(at("a/model.safetensors"), at("a/consolidated.safetensors"));
    const ok = runFqc(["apply", index, at("a"), "-c", at("cfg.json"), "-q"]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it("apply's OUT may replace IN with --force (as documented), and is refused without it", () => {
    const at = workdir();
    const refused = runFqc(["apply", at("w.npy"), at("w.npy"), "-c", at("cfg.json")]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --force to replace IN");
    const forced = runFqc(["apply", at("w.npy"), at("w.npy"), "-c", at("cfg.json"), "--force", "-q"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.readFileSync(at("w.npy")).equals(fs.readFileSync(WEIGHT))).toBe(false);
  });
});

describe("an atomic replace keeps what the user had", () => {
  it("normalize --write keeps a config's mode (0600 stays 0600)", () => {
    const at = workdir();
    fs.chmodSync(at("cfg.json"), 0o600);
    const r = runFqc(["normalize", "--write", at("cfg.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("rewritten");
    expect(fs.statSync(at("cfg.json")).mode & 0o777).toBe(0o600);
  });

  it("apply over an existing output keeps its mode", () => {
    const at = workdir();
    fs.writeFileSync(at("o.npy"), "old");
    fs.chmodSync(at("o.npy"), 0o640);
    const r = runFqc(["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.statSync(at("o.npy")).mode & 0o777).toBe(0o640);
    expect(fs.statSync(at("o.npy")).size).toBeGreaterThan(3);
  });

  it("normalize --write refuses a hard-linked config (both names unchanged) and still rewrites the other files", () => {
    const at = workdir();
    fs.linkSync(at("cfg.json"), at("other-name.json"));
    fs.writeFileSync(at("b.json"), CFG);
    const r = runFqc(["normalize", "--write", at("cfg.json"), at("b.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${at("cfg.json")}: has 2 hard links`);
    expect(r.stderr).toContain(`${at("b.json")}: rewritten`);
    expect(fs.readFileSync(at("cfg.json"), "utf8")).toBe(CFG);
    expect(fs.statSync(at("cfg.json")).ino).toBe(fs.statSync(at("other-name.json")).ino);
  });

  it("apply --force over a hard-linked OUT replaces that name only", () => {
    const at = workdir();
    fs.writeFileSync(at("o.npy"), "old");
    fs.linkSync(at("o.npy"), at("o-other.npy"));
    expect(runFqc(["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "-q"]).code).toBe(2);
    const r = runFqc(["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "-q", "--force"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(at("o-other.npy"), "utf8")).toBe("old");
  });

  it("a dangling link as OUT creates the file it names, and the link stays", () => {
    const at = workdir();
    fs.symlinkSync("made.npy", at("link.npy"));
    const r = runFqc(["apply", at("w.npy"), at("link.npy"), "-c", at("cfg.json"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.lstatSync(at("link.npy")).isSymbolicLink()).toBe(true);
    expect(fs.statSync(at("made.npy")).size).toBe(fs.statSync(WEIGHT).size);
  });

  it("an output name of 255 bytes (the limit) is written", () => {
    const at = workdir();
    const long = at(`${"x".repeat(251)}.npy`);
    const r = runFqc(["apply", at("w.npy"), long, "-c", at("cfg.json"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.statSync(long).size).toBe(fs.statSync(WEIGHT).size);
    const report = at(`${"r".repeat(255)}`);
    expect(runFqc(["validate", at("cfg.json"), "-o", report]).code).toBe(0);
    expect(fs.readFileSync(report, "utf8")).toContain("no problems");
  });
});

describe("a file the user could not write is refused unless --force", () => {
  // Root may write any file, so as root the run is made as nobody (65534), in a directory nobody may write.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) fs.chmodSync(tmp.dir, 0o711); // mkdtemp made it 0700: let nobody through
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [FQC, ...args], { encoding: "utf8", cwd: ROOT, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    return { code: r.status, stderr: r.stderr };
  };
  it("apply refuses a read-only OUT naming its mode, and replaces it with --force keeping its mode", () => {
    const at = workdir();
    fs.chmodSync(path.dirname(at("x")), 0o777);
    fs.writeFileSync(at("o.npy"), "old");
    fs.chmodSync(at("o.npy"), 0o444);
    // A group nobody belongs to, so that the replacement may keep it (the owner, root, it cannot).
    if (asRoot) fs.chownSync(at("o.npy"), 0, 65534);
    const refused = run(["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "-q"]);
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`${at("o.npy")}: is not writable by you (mode 0444)`);
    expect(fs.readFileSync(at("o.npy"), "utf8")).toBe("old");
    const forced = run(["apply", at("w.npy"), at("o.npy"), "-c", at("cfg.json"), "-q", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.statSync(at("o.npy")).mode & 0o777).toBe(0o444);
  });

  it("normalize --write refuses a read-only config, like an editor would", () => {
    const at = workdir();
    fs.chmodSync(path.dirname(at("x")), 0o777);
    fs.chmodSync(at("cfg.json"), 0o444);
    const r = run(["normalize", "--write", at("cfg.json")]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("is not writable by you");
    expect(fs.readFileSync(at("cfg.json"), "utf8")).toBe(CFG);
  });
});

describe("an input named like a killed run's leftover is never swept away", () => {
  /** A temp-file name whose owner pid is a process that has exited. */
  const leftoverName = (base: string) => `.${base}.fqc-${spawnSync(process.execPath, ["-e", "0"]).pid!}-0123456789ab.tmp`;

  it("apply keeps a shard named like a leftover when --qparams-out goes into the checkpoint's directory", () => {
    const at = workdir();
    const shard = leftoverName("s");
    writeSharded(at("ck"), [{ file: shard, tensors: [WEIGHTS[0]] }, { file: "model-00002-of-00002.safetensors", tensors: [WEIGHTS[1]] }]);
    const before = snapshot(at("ck"));
    const r = runFqc(["apply", at("ck"), at("out"), "-c", at("cfg.json"), "--qparams-out", at("ck/q.safetensors"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    const after = snapshot(at("ck"));
    delete after["q.safetensors"];
    expect(after).toEqual(before);
    expect(fs.existsSync(at(`out/${shard}`))).toBe(true);
  });

  it("apply keeps a checkpoint directory named like a leftover when OUT is a new directory beside it", () => {
    const at = workdir();
    const ck = leftoverName("ck");
    writeSharded(at(ck), [{ file: "model-00001-of-00002.safetensors", tensors: [WEIGHTS[0]] }, { file: "model-00002-of-00002.safetensors", tensors: [WEIGHTS[1]] }]);
    const before = snapshot(at(ck));
    const r = runFqc(["apply", at(ck), at("out"), "-c", at("cfg.json"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(snapshot(at(ck))).toEqual(before);
  });

  it("apply keeps a tensor file named like a leftover when OUT is beside it", () => {
    const at = workdir();
    const input = at(leftoverName("w.npy"));
    fs.renameSync(at("w.npy"), input);
    const bytes = fs.readFileSync(input);
    const r = runFqc(["apply", input, at("o.npy"), "-c", at("cfg.json"), "-q"]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(input)).toEqual(bytes);
  });

  it("validate -o keeps a config named like a leftover beside the report", () => {
    const at = workdir();
    const cfg = at(leftoverName("cfg.json"));
    fs.renameSync(at("cfg.json"), cfg);
    const r = runFqc(["validate", cfg, "-o", at("report.txt")]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(cfg, "utf8")).toBe(CFG);
  });

  it("normalize --write keeps a config named like a leftover beside a file it rewrites first", () => {
    const at = workdir();
    const cfg = at(leftoverName("cfg.json"));
    fs.renameSync(at("cfg.json"), cfg);
    fs.writeFileSync(at("short.json"), '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["normalize", "--write", at("short.json"), cfg]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${at("short.json")}: rewritten`);
    expect(fs.existsSync(cfg)).toBe(true);
  });
});
