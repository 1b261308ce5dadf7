/** Figures and messages the README quotes in its prose (not as pasted runs), against the built CLI: they drift silently otherwise. */
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../src/index.js";
import { FQC, ROOT, runFqc, tempDir, type TempDir } from "../helpers/cli.js";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\n/g, " ");
const MODEL = "examples/llama-tiny/model.safetensors";

/** The first match of `re` in the README (line breaks read as spaces), failing the test when the sentence is gone. */
function quoted(re: RegExp): RegExpExecArray {
  const m = re.exec(readme);
  if (!m) throw new Error(`README no longer says ${re}`);
  return m;
}

/** The overall SQNR of each column, to two decimals as the README gives it, and each column's share of zeroed values. */
function reportFigures(args: string[]): Array<{ sqnr: string; zeroed: number }> {
  const r = runFqc(["report", MODEL, ...args, "-f", "json"]);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as {
    tensors: Array<{ cells: Array<{ status: string; zeroed?: number; counted?: number }> }>;
    summary: Array<{ overall_sqnr_db: number }>;
  };
  return report.summary.map((s, i) => {
    const cells = report.tensors.map((t) => t.cells[i]).filter((c) => c.status === "quantized");
    const zeroed = cells.reduce((a, c) => a + c.zeroed!, 0) / cells.reduce((a, c) => a + c.counted!, 0);
    return { sqnr: s.overall_sqnr_db.toFixed(2), zeroed };
  });
}

describe("README prose figures and quoted messages", () => {
  let tmp: TempDir;
  beforeAll(() => {
    tmp = tempDir();
    symlinkSync(path.join(ROOT, "examples"), tmp.path("examples"));
  });
  afterAll(() => tmp.cleanup());

  it("gives the demo checkpoint's overall SQNR under torchao 0.12 and 0.18, and the share of values zeroed, as report computes them", () => {
    const m = quoted(/in the run above a third of the int4 values and (\d+)% of the int8 values became 0, and int8 per_channel reaches ([\d.]+) dB overall where\s+`--torchao 0\.18` \(eps = the smallest normal\) gives ([\d.]+) dB; int4 g32 gets ([\d.]+) dB with 0\.12 and ([\d.]+) dB with 0\.18/);
    const columns = ["-c", "examples/8da4w.json", "-c", "examples/int8-per-channel.json"];
    const [int4, int8] = reportFigures(columns);
    const [int4v18, int8v18] = reportFigures([...columns, "--torchao", "0.18"]);
    expect([int8.sqnr, int8v18.sqnr, int4.sqnr, int4v18.sqnr]).toEqual([m[2], m[3], m[4], m[5]]);
    expect(Math.floor(int8.zeroed * 100)).toBe(Number(m[1]));
    expect(Math.round(int4.zeroed * 3)).toBe(1); // "a third"
  });

  it("lists the qparams file's tensors as apply --qparams-out writes them", () => {
    const m = quoted(/`qparams\.safetensors` then holds `([\w.]+)` \((\w+), (\d+) × (\d+)\), `….zero_point` \((\w+), (\d+) × (\d+)\), …,\s+`([\w.]+)` \((\w+), (\d+) × (\d+)\) and `([\w.]+)`, in the checkpoint's order/);
    const r = runFqc(["apply", MODEL, "model.fq.safetensors", "--recipe", "examples/llama-recipe.json", "--qparams-out", "qparams.safetensors", "-q"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const q = openCheckpoint(tmp.path("qparams.safetensors"));
    try {
      const byName = new Map(q.tensors.map((t) => [t.name, t]));
      const show = (name: string) => [byName.get(name)?.dtype, ...(byName.get(name)?.shape.map(String) ?? [])];
      expect(show(m[1])).toEqual([m[2], m[3], m[4]]);
      expect(show(m[1].replace(/\.scale$/, ".zero_point"))).toEqual([m[5], m[6], m[7]]);
      expect(show(m[8])).toEqual([m[9], m[10], m[11]]);
      expect(q.tensors.map((t) => t.name).slice(0, 2)).toEqual([m[1], m[1].replace(/\.scale$/, ".zero_point")]);
      expect(q.tensors.map((t) => t.name).slice(-2)).toEqual([m[8], m[12]]);
    } finally {
      q.close();
    }
  });

  it("quotes the warning for a recipe key that matches no tensor as apply prints it", () => {
    const line = quoted(/`(warning: recipe key (\S+) matches no tensor)`/);
    writeFileSync(tmp.path("typo.json"), JSON.stringify({ fqn_to_config: { [line[2]]: null } }));
    const r = runFqc(["apply", MODEL, "typo.fq.safetensors", "--recipe", "typo.json"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split("\n")).toContain(line[1]);
  });

  it("quotes report's warning for a config that fake-quantizes no tensor as the CLI prints it", () => {
    const m = quoted(/`(warning: (\S+) fake-quantizes no tensor of (\S+) \([^`]+\))`/);
    // numpy's own stored archive: its members are no 2-D *.weight, so a config targets none of them.
    copyFileSync(path.join(ROOT, "test/fixtures/npz/stored.npz"), tmp.path(m[3]));
    writeFileSync(tmp.path(m[2]), '{"dtype": "int8", "granularity": "per_channel"}');
    const r = runFqc(["report", m[3], "-c", m[2]], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split("\n")).toContain(m[1]);
  });

  it("quotes the refusal of a large YAML file the yaml package alone would read as validate words it", () => {
    const m = quoted(/`from line \d+ on, this YAML \([\d.]+ MB\) (holds what fqc's\s+large-file reader [^`]+)`/);
    // Past 64 KiB fqc's own reader takes the plain entries; a tag on each one leaves them to the yaml package, past its 128 KiB.
    const lines = ["dtype: int4", "group_size: 32", ...Array.from({ length: 12_000 }, (_, i) => `key_${String(i).padStart(8, "0")}: !!str v${i % 10}`)];
    writeFileSync(tmp.path("tagged.fqc.yaml"), `${lines.join("\n")}\n`);
    const r = runFqc(["validate", "tagged.fqc.yaml", "-f", "json"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    const message = (JSON.parse(r.stdout) as { files: Array<{ diagnostics: Array<{ message: string }> }> }).files[0].diagnostics[0].message;
    expect(message).toMatch(/^from line \d+ on, this YAML \([\d.]+ MB\) /);
    expect(message.endsWith(m[1].replace(/\s+/g, " "))).toBe(true);
  });

  it("quotes validate's --max-warnings messages as the CLI prints them", () => {
    writeFileSync(tmp.path("w.json"), '{"dtype": "int4", "group_size": 32, "is_symmetric": false}\n');
    writeFileSync(tmp.path("e.json"), '{"dtype": "int4", "group_size": 32, "eps": 0}\n');
    const annotation = quoted(/\(`(::error title=fqc::2 warnings exceed --max-warnings 1)`\)/)[1];
    const github = runFqc(["validate", "w.json", "e.json", "-f", "github", "--max-warnings", "1"], { cwd: tmp.dir, env: { GITHUB_STEP_SUMMARY: "" } });
    expect(github.code).toBe(1);
    expect(github.stdout.split("\n")).toContain(annotation);
    const notShown = quoted(/the line saying so adds `(\(not shown: [^`]+\))`/)[1];
    const quiet = runFqc(["validate", "w.json", "-q", "--max-warnings", "0"], { cwd: tmp.dir });
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toBe("");
    expect(quiet.stderr.trimEnd().endsWith(` ${notShown}`)).toBe(true);
  });

  it("names the limit that fits in the open-file message as the CLI words it, one that lets apply run", () => {
    const m = quoted(/\(`ulimit -n (\d+)` for (\d+) shards\)/);
    const dir = tmp.path("shards");
    const shards = Number(m[2]);
    const index: Record<string, string> = {};
    // One tiny F32 tensor per shard; the limit is set far below what so many shards need.
    mkdirSync(dir);
    for (let i = 0; i < shards; i++) {
      const file = `model-${String(i + 1).padStart(5, "0")}-of-${String(shards).padStart(5, "0")}.safetensors`;
      const header = Buffer.from(JSON.stringify({ [`l${i}.weight`]: { dtype: "F32", shape: [1, 32], data_offsets: [0, 128] } }));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(header.length));
      writeFileSync(path.join(dir, file), Buffer.concat([len, header, Buffer.alloc(128)]));
      index[`l${i}.weight`] = file;
    }
    writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: index }));
    writeFileSync(tmp.path("g32.json"), '{"dtype": "int4", "group_size": 32}');
    const limited = (limit: number, args: string[]) => runFqc(args, { cwd: tmp.dir, exe: ["sh", "-c", `ulimit -n ${limit} && exec "$@"`, "sh", process.execPath, FQC] });
    for (const args of [["report", "shards/", "-c", "g32.json"], ["apply", "shards/", "out/", "-c", "g32.json"]]) {
      const r = limited(150, args);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toContain(`(ulimit -n ${m[1]})`);
    }
    const fits = limited(Number(m[1]), ["apply", "shards/", "out/", "-c", "g32.json", "-q"]);
    expect(fits.code, fits.stderr).toBe(0);
  });
});
