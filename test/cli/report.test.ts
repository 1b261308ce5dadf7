import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readNpy } from "../../src/npy/whole.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { storedValues, weights, writeSafetensors, type TestTensor } from "../helpers/safetensors.js";
import { readSafetensors } from "../helpers/test-checkpoint.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const int4 = tmp.write("int4.json", JSON.stringify({ dtype: "int4", granularity: "per_group", group_size: 32 }));
const int8 = tmp.write("int8.json", JSON.stringify({ dtype: "int8", granularity: "per_channel" }));
const recipe = tmp.write("recipe.json", JSON.stringify({
  fqn_to_config: {
    "re:.*_proj": { dtype: "int4", granularity: "per_group", group_size: 32 },
    lm_head: { dtype: "int8", granularity: "per_channel" },
    "model.embed_tokens": null,
  },
}));
const tensors: TestTensor[] = [
  { name: "model.embed_tokens.weight", dtype: "BF16", shape: [64, 64], values: weights(64 * 64, 1) },
  { name: "model.layers.0.self_attn.q_proj.weight", dtype: "BF16", shape: [64, 64], values: weights(64 * 64, 2) },
  { name: "model.layers.0.mlp.up_proj.weight", dtype: "F16", shape: [128, 64], values: weights(128 * 64, 3) },
  { name: "model.layers.0.input_layernorm.weight", dtype: "BF16", shape: [64], values: weights(64, 4, 1) },
  { name: "model.layers.0.codebook.weight", dtype: "I64", shape: [4, 4], values: Array.from({ length: 16 }, (_, i) => i) },
  { name: "lm_head.weight", dtype: "F32", shape: [64, 64], values: weights(64 * 64, 5) },
];
const model = tmp.path("model.safetensors");
writeSafetensors(model, tensors);

function npy(name: string, shape: number[], values: Float32Array): string {
  const header = encodeNpyHeader({ descr: "<f4", fortranOrder: false, shape });
  const bytes = new Uint8Array(header.length + values.byteLength);
  bytes.set(header);
  bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), header.length);
  return tmp.write(name, bytes);
}

describe("fqc report", () => {
  it("prints a table with one column per config and a summary line each", () => {
    const r = runFqc(["report", model, "-c", int4, "-c", int8]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s+int4\s+int8$/m);
    expect(r.stdout).toMatch(/^model\.layers\.0\.self_attn\.q_proj\.weight\s+64×64\s+BF16\s+\d+\.\d\d\s/m);
    expect(r.stdout).toMatch(/^int4: 4 tensors fake-quantized, overall SQNR \d+\.\d\d dB, /m);
    expect(r.stdout).toMatch(/^int8: 4 tensors fake-quantized, overall SQNR \d+\.\d\d dB, /m);
  });

  it("gives SQNR, RMSE and max error as recomputed from the .npy that fqc apply writes for the same config", () => {
    const x = weights(96 * 128, 9);
    const input = npy("w.npy", [96, 128], x);
    const out = tmp.path("w.fq.npy");
    expect(runFqc(["apply", input, out, "-c", int4, "--quiet"]).code).toBe(0);
    const y = readNpy(out).data as Float32Array;
    let sx = 0, se = 0, max = 0;
    for (let i = 0; i < x.length; i++) {
      const e = x[i] - y[i];
      sx += x[i] * x[i];
      se += e * e;
      max = Math.max(max, Math.abs(e));
    }
    const r = runFqc(["report", input, "-c", int4, "-f", "json"]);
    expect(r.code).toBe(0);
    const cell = JSON.parse(r.stdout).tensors[0].cells[0];
    expect(cell.sqnr_db).toBeCloseTo(10 * Math.log10(sx / se), 9);
    expect(cell.rmse / Math.sqrt(se / x.length)).toBeCloseTo(1, 12);
    expect(cell.max_abs_error).toBe(max);
  });

  it("gives every tensor of a checkpoint (BF16, F16, F32; I64 passed through) the figures recomputed from what fqc apply writes under the same recipe", () => {
    const out = tmp.path("model.fq.safetensors");
    const a = runFqc(["apply", model, out, "-r", recipe, "--quiet"]);
    expect(a.stderr).toBe("");
    expect(a.code).toBe(0);
    const written = readSafetensors(out).tensors;
    const r = runFqc(["report", model, "-r", recipe, "-f", "json"]);
    expect(r.code).toBe(0);
    const cells = JSON.parse(r.stdout).tensors.map((t: { cells: unknown[] }) => t.cells[0]);
    let compared = 0;
    tensors.forEach((t, i) => {
      const cell = cells[i];
      if (cell.status !== "quantized") {
        expect(cell.sqnr_db, t.name).toBeNull();
        return;
      }
      const x = storedValues(t);
      const y = storedValues({ ...t, values: undefined, raw: written[i].data });
      let sx = 0, se = 0, max = 0, zeroed = 0;
      for (let k = 0; k < x.length; k++) {
        const e = x[k] - y[k];
        sx += x[k] * x[k];
        se += e * e;
        max = Math.max(max, Math.abs(e));
        if (y[k] === 0 && x[k] !== 0) zeroed++;
      }
      expect(cell.sqnr_db, t.name).toBeCloseTo(10 * Math.log10(sx / se), 9);
      expect(cell.rmse / Math.sqrt(se / x.length), t.name).toBeCloseTo(1, 12);
      expect(cell.max_abs_error, t.name).toBe(max);
      expect(cell.zeroed_share, t.name).toBe(zeroed / x.length);
      compared++;
    });
    expect(compared).toBe(3);
  });

  it("apply --report writes the same report as fqc report, from the apply pass itself, for any thread count", () => {
    const want = runFqc(["report", model, "-r", recipe, "-f", "json"]);
    expect(want.code).toBe(0);
    for (const j of ["1", "3"]) {
      const out = tmp.path(`with-report-${j}.safetensors`);
      const rep = tmp.path(`apply-report-${j}.json`);
      const a = runFqc(["apply", model, out, "-r", recipe, "--report", rep, "--quiet", "-j", j]);
      expect(a.stderr).toBe("");
      expect(a.code).toBe(0);
      expect(readFileSync(rep, "utf8")).toBe(want.stdout);
    }
    const html = tmp.path("apply-report.html");
    expect(runFqc(["apply", model, tmp.path("with-report.safetensors"), "-c", int4, "--report", html, "--quiet"]).code).toBe(0);
    expect(readFileSync(html, "utf8")).toContain("<svg");
    const table = tmp.path("apply-report.txt");
    expect(runFqc(["apply", model, tmp.path("with-report2.safetensors"), "-c", int4, "--report", table, "--quiet"]).code).toBe(0);
    expect(readFileSync(table, "utf8")).toBe(runFqc(["report", model, "-c", int4]).stdout);
  });

  it("apply --report --kernel js writes the same report as fqc report --kernel js (JS statistics on both sides)", () => {
    const want = runFqc(["report", model, "-r", recipe, "-f", "json", "--kernel", "js"]);
    expect(want.code).toBe(0);
    const rep = tmp.path("apply-report-js.json");
    const a = runFqc(["apply", model, tmp.path("with-report-js.safetensors"), "-r", recipe, "--report", rep, "--quiet", "--kernel", "js"]);
    expect(a.code).toBe(0);
    expect(readFileSync(rep, "utf8")).toBe(want.stdout);
  });

  it("reads a recipe per column and shows which key matched", () => {
    const r = runFqc(["report", model, "-r", recipe, "-f", "json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.columns).toEqual([{ name: "recipe", source: recipe, kind: "recipe" }]);
    expect(j.tensors.map((t: { cells: Array<{ key: string | null; status: string }> }) => [t.cells[0].key, t.cells[0].status])).toEqual([
      ["model.embed_tokens", "skipped"], ["re:.*_proj", "quantized"], ["re:.*_proj", "quantized"], [null, "skipped"], [null, "skipped"], ["lm_head", "quantized"],
    ]);
    const table = runFqc(["report", model, "-r", recipe]);
    expect(table.stdout).toMatch(/^lm_head\.weight\s+64×64\s+F32\s+lm_head\s+\d+\.\d\d/m);
  });

  it("writes the report atomically with -o, in the format asked for", () => {
    const out = tmp.path("report.html");
    const r = runFqc(["report", model, "-c", int4, "-c", int8, "-f", "html", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    const html = readFileSync(out, "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<svg");
    expect(readdirSync(tmp.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    for (const format of ["csv", "markdown", "json"]) {
      const f = runFqc(["report", model, "-c", int4, "-f", format, "-o", tmp.path(`report.${format}`)]);
      expect(f.code, format).toBe(0);
    }
    expect(readFileSync(tmp.path("report.csv"), "utf8").split("\n")[0]).toMatch(/^tensor,shape,dtype,/);
    expect(readFileSync(tmp.path("report.markdown"), "utf8")).toMatch(/^### fqc report: /);
  });

  it("--fail-under exits 1 and names every tensor below the threshold", () => {
    const r = runFqc(["report", model, "-c", int4, "-c", int8, "--fail-under", "20", "-f", "json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fqc: 4 tensors below --fail-under 20 dB:\n/);
    expect(r.stderr).toContain("  model.layers.0.self_attn.q_proj.weight (int4): ");
    expect(r.stderr).not.toContain("(int8)");
    expect(JSON.parse(r.stdout).version).toBe(1);
    expect(runFqc(["report", model, "-c", int4, "--fail-under", "5"]).code).toBe(0);
  });

  it("--fail-under at a tensor's SQNR rounded up: exit 1, its figure shown with the digits that put it below, not equal", () => {
    const j = JSON.parse(runFqc(["report", model, "-c", int4, "-f", "json"]).stdout) as { tensors: Array<{ name: string; cells: Array<{ sqnr_db: unknown }> }> };
    // A tensor whose SQNR two decimals round up (x.xx5 and above): that rounded figure is the threshold.
    const t = j.tensors.find((x) => typeof x.cells[0].sqnr_db === "number" && Number((x.cells[0].sqnr_db as number).toFixed(2)) > (x.cells[0].sqnr_db as number))!;
    const sqnr = t.cells[0].sqnr_db as number;
    const threshold = (sqnr).toFixed(2);
    const r = runFqc(["report", model, "-c", int4, "--fail-under", threshold, "-f", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const shown = new RegExp(`\n  ${t.name.replace(/\./g, "\\.")} \\(int4\\): ([\\d.]+) dB\n`).exec(r.stderr)![1];
    expect(Number(shown)).toBeLessThan(Number(threshold));
    expect(shown.startsWith(threshold.slice(0, -1))).toBe(true);
    // At the SQNR itself: not below, exit 0 (other tensors of lower SQNR fail; this one is not named).
    expect(runFqc(["report", model, "-c", int4, "--fail-under", String(sqnr), "-f", "json"]).stderr).not.toContain(`  ${t.name} (int4)`);
  });

  it("identical JSON for 1, 2 and 3 threads", () => {
    const runs = ["1", "2", "3"].map((j) => runFqc(["report", model, "-c", int4, "-c", int8, "-f", "json", "-j", j]).stdout);
    expect(runs[1]).toBe(runs[0]);
    expect(runs[2]).toBe(runs[0]);
  });

  it("refuses --config with --recipe, and a run with neither (exit 2), as a usage error without a stack trace", () => {
    const both = runFqc(["report", model, "-c", int4, "-r", recipe]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("not both");
    expect(both.stderr).not.toContain("internal error");
    expect(both.stderr).not.toMatch(/\n\s+at /);
    const none = runFqc(["report", model]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("at least one --config or --recipe");
    expect(none.stderr).not.toContain("internal error");
  });

  it("refuses a config or recipe from standard input (-c -, -r -) as a usage error naming it, exit 2", () => {
    for (const flag of ["-c", "-r"]) {
      const r = runFqc(["report", model, flag, "-"], { input: readFileSync(flag === "-c" ? int4 : recipe, "utf8") });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`fqc report reads ${flag === "-c" ? "config" : "recipe"} files, not standard input`);
      expect(r.stderr).not.toContain("\\u0000");
      expect(r.stderr).not.toContain("null bytes");
    }
  });

  it("names a config given as a recipe (and the reverse) with the fix", () => {
    const a = runFqc(["report", model, "-r", int4]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("is a config, not a recipe");
    const b = runFqc(["report", model, "-c", recipe]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("is a recipe (fqn_to_config), not a config");
  });

  it("reports an invalid config's problems and exits 1 without reading the model", () => {
    const bad = tmp.write("bad.json", JSON.stringify({ dtype: "int4", granularity: "per_group" }));
    const r = runFqc(["report", path.join(tmp.dir, "missing.safetensors"), "-c", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad.json");
  });

  it("exits 2 naming a model that does not exist", () => {
    const r = runFqc(["report", tmp.path("nope.safetensors"), "-c", int4]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nope.safetensors");
  });

  it("reads a Fortran-order .npy as its C-order copy: the same JSON report, exit 0", () => {
    const header = encodeNpyHeader({ descr: "<f4", fortranOrder: true, shape: [4, 64] });
    const values = weights(256, 7);
    // Fortran bytes of the C-order values: column j holds values[i * 64 + j] for i = 0..3.
    const fortranValues = Float32Array.from({ length: 256 }, (_, k) => values[(k % 4) * 64 + Math.floor(k / 4)]);
    const bytes = new Uint8Array(header.length + fortranValues.byteLength);
    bytes.set(header);
    bytes.set(new Uint8Array(fortranValues.buffer), header.length);
    mkdirSync(tmp.path("f"), { recursive: true });
    mkdirSync(tmp.path("c"), { recursive: true });
    const fortran = tmp.write("f/w.npy", bytes);
    const cHeader = encodeNpyHeader({ descr: "<f4", shape: [4, 64] });
    const cBytes = new Uint8Array(cHeader.length + values.byteLength);
    cBytes.set(cHeader);
    cBytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), cHeader.length);
    const c = tmp.write("c/w.npy", cBytes);
    const rf = runFqc(["report", fortran, "-c", int4, "--format", "json"]);
    const rc = runFqc(["report", c, "-c", int4, "--format", "json"]);
    expect(rf.stderr).toBe("");
    expect(rf.code).toBe(0);
    const strip = (out: string) => ({ ...JSON.parse(out), model: null });
    expect(strip(rf.stdout)).toEqual(strip(rc.stdout));
    expect(JSON.parse(rf.stdout).tensors[0].cells[0].status).toBe("quantized");
  });

  it("--fail-under fails a tensor whose finite inputs became NaN (eps 0 on an all-zero row), though its SQNR is above", () => {
    const values = weights(8 * 64, 9);
    values.fill(0, 3 * 64, 4 * 64);
    const padded = tmp.path("padded.safetensors");
    writeSafetensors(padded, [{ name: "embed.weight", dtype: "F32", shape: [8, 64], values }]);
    const eps0 = tmp.write("eps0.json", JSON.stringify({ dtype: "int8", granularity: "per_channel", eps: 0 }));
    const r = runFqc(["report", padded, "-c", eps0, "--fail-under", "20"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^eps0: 1 tensor fake-quantized, overall SQNR [\d.]+ dB, 64 non-finite outputs left out, /m);
    // After the config's lint/eps warning (eps 0 is what made those NaN).
    expect(r.stderr).toContain("lint/eps");
    expect(r.stderr).toMatch(/\nfqc: 1 tensor below --fail-under 20 dB:\n {2}embed\.weight \(eps0\): [\d.]+ dB, 64 finite inputs fake-quantized to NaN or inf\n$/);
  });

  it("warns on stderr, as apply's dry run words it, about each recipe key that matches no tensor; --fail-under still passes", () => {
    const typo = tmp.write("typo-recipe.json", JSON.stringify({ fqn_to_config: { lm_haed: { dtype: "int8", granularity: "per_channel" }, "re:.*_proj": { dtype: "int4", granularity: "per_group", group_size: 32 } } }));
    const r = runFqc(["report", model, "-r", typo, "--fail-under", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("warning: recipe key lm_haed matches no tensor\n");
    // Two recipes: each line names its file.
    const two = runFqc(["report", model, "-r", typo, "-r", recipe, "-f", "json"]);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stderr).toBe(`warning: recipe key lm_haed matches no tensor (${typo})\n`);
  });

  it("warns on stderr about a column that fake-quantizes no tensor (--fail-under would pass on nothing measured); -q hides it", () => {
    const biases = tmp.path("biases.safetensors");
    writeSafetensors(biases, [{ name: "proj.bias", dtype: "F32", shape: [64], values: weights(64, 3) }]);
    const int8 = tmp.write("none-int8.json", JSON.stringify({ dtype: "int8", granularity: "per_channel" }));
    const nulls = tmp.write("none-nulls.json", JSON.stringify({ fqn_to_config: { _default: null } }));
    const r = runFqc(["report", biases, "-c", int8, "--fail-under", "20", "-f", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`warning: ${int8} fake-quantizes no tensor of ${biases} (a config takes each 2-D floating *.weight; a recipe names the tensors)\n`);
    const n = runFqc(["report", model, "-r", nulls, "-r", recipe, "-f", "csv"]);
    expect(n.code, n.stderr).toBe(0);
    expect(n.stderr).toBe(`warning: ${nulls} fake-quantizes no tensor of ${model}\n`);
    expect(runFqc(["report", biases, "-c", int8, "-q"]).stderr).toBe("");
  });

  it("shows a config's or recipe's warnings on stderr as apply does (eps: 0), and still exits 0", () => {
    const eps0 = tmp.write("warn-eps0.json", JSON.stringify({ dtype: "int8", granularity: "per_channel", eps: 0 }));
    const eps0Recipe = tmp.write("warn-eps0-recipe.json", JSON.stringify({ fqn_to_config: { lm_head: { dtype: "int8", granularity: "per_channel", eps: 0 } } }));
    for (const [flag, file] of [["-c", eps0], ["-r", eps0Recipe]]) {
      const r = runFqc(["report", model, flag, file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("lint/eps");
      expect(r.stderr).toContain("removes the minimum-scale floor");
      // The same lines apply prints for the same file (its dry run shows the config's diagnostics and nothing else on stderr).
      const applied = runFqc(["apply", model, tmp.path("warn-out.safetensors"), flag === "-c" ? "--config" : "--recipe", file, "--dry-run"]);
      expect(applied.stderr).toContain("lint/eps");
      expect(r.stderr).toBe(applied.stderr);
    }
  });

  it("-q/--quiet hides config warnings and unmatched recipe keys, as apply -q does, keeping the report and exit 0", () => {
    const eps0 = tmp.write("quiet-eps0.json", JSON.stringify({ dtype: "int8", granularity: "per_channel", eps: 0 }));
    const typo = tmp.write("quiet-typo.json", JSON.stringify({ fqn_to_config: { lm_haed: { dtype: "int8", granularity: "per_channel", eps: 0 } } }));
    for (const [flag, file] of [["-c", eps0], ["-r", typo]]) {
      const loud = runFqc(["report", model, flag, file, "-f", "json"]);
      expect(loud.stderr).not.toBe("");
      for (const q of ["-q", "--quiet"]) {
        const r = runFqc(["report", model, flag, file, "-f", "json", q]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe(loud.stdout);
      }
    }
  });

  it("-q/--quiet still prints errors and the problems behind exit 1 (refused tensors, --fail-under)", () => {
    const bad = tmp.write("quiet-bad.json", JSON.stringify({ dtype: "int4", granularity: "per_row" }));
    const r = runFqc(["report", model, "-c", bad, "-q"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("quiet-bad.json");
    const odd = tmp.path("quiet-odd.safetensors");
    writeSafetensors(odd, [{ name: "a.weight", dtype: "F32", shape: [4, 40], values: weights(160, 1) }, { name: "b.weight", dtype: "F32", shape: [4, 64], values: weights(256, 2) }]);
    const refused = runFqc(["report", odd, "-c", int4, "-f", "json", "-q", "--fail-under", "99"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/torchao would refuse 1 tensor:\n {2}a\.weight \(int4\): /);
    expect(refused.stderr).toMatch(/1 tensor below --fail-under 99 dB:\n {2}b\.weight \(int4\)/);
  });

  it("exits 1 and names tensors torchao would refuse, still writing the report", () => {
    const odd = tmp.path("odd.safetensors");
    writeSafetensors(odd, [{ name: "a.weight", dtype: "F32", shape: [4, 40], values: weights(160, 1) }, { name: "b.weight", dtype: "F32", shape: [4, 64], values: weights(256, 2) }]);
    const r = runFqc(["report", odd, "-c", int4, "-f", "json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/torchao would refuse 1 tensor:\n {2}a\.weight \(int4\): /);
    expect(JSON.parse(r.stdout).tensors[1].cells[0].status).toBe("quantized");
  });
});
