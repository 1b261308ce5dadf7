import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { plainValidateArgs } from "../../src/cli/commands/validate.js";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { validateSarif } from "../helpers/sarif.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const write = tmp.write;

const exampleConfigs = readdirSync(path.join(ROOT, "examples"))
  .filter((f) => /\.(json|ya?ml)$/.test(f))
  .map((f) => `examples/${f}`);

describe("fqc validate", () => {
  it("accepts every bundled example config (exit 0)", () => {
    expect(exampleConfigs.length).toBeGreaterThanOrEqual(5);
    const r = runFqc(["validate", ...exampleConfigs, "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("reports torchao's message at file:line:col and exits 1", () => {
    const f = write("conflict.json", '{\n  "dtype": "int4",\n  "granularity": "per_channel",\n  "group_size": 32\n}\n');
    const r = runFqc(["validate", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("`group_size` conflicts with granularity 'per_channel'");
    expect(r.stdout).toMatch(/4:\d+/);
  });

  it("suggests the intended key for a typo", () => {
    const f = write("typo.json", '{"dtype": "int4", "group_szie": 32}');
    const r = runFqc(["validate", f, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const all = report.files.flatMap((x: { diagnostics: unknown[] }) => x.diagnostics);
    expect(JSON.stringify(all)).toContain("group_size");
  });

  it("reports the position of a JSON syntax error and exits 2", () => {
    const f = write("broken.json", '{\n  "dtype": "int4",\n  "group_size": 32,\n}\n');
    const r = runFqc(["validate", f, "--format", "json"]);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout).files[0].diagnostics[0];
    expect(d.ruleId).toBe("fqc/syntax");
    // The trailing comma, where it is (the parser stops at the `}` on line 4).
    expect([d.line, d.column]).toEqual([3, 19]);
  });

  it("exits 2 for a missing file but still reports the other files", () => {
    const good = write("good.json", '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["validate", good, path.join(tmp.dir, "nope.json"), "--format", "json"]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.files.map((f: { file: string }) => path.basename(f.file))).toEqual(expect.arrayContaining(["good.json", "nope.json"]));
  });

  it("a directory is an I/O error (exit 2) whose hint gives the glob to use", () => {
    const r = runFqc(["validate", "examples/", "--format", "json"]);
    expect(r.code).toBe(2);
    const d = JSON.parse(r.stdout).files[0].diagnostics[0];
    expect(d.ruleId).toBe("fqc/io");
    expect(d.hint).toContain("examples/**/*.{json,yaml,yml}");
    expect(runFqc(["validate", "examples/**/*.{json,yaml,yml}", "-q"]).code).toBe(1); // broken/ included
  });

  it("expands quoted globs and exits 2 when a glob matches nothing", () => {
    const r = runFqc(["validate", "examples/*.json", "--format", "json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).files.length).toBeGreaterThanOrEqual(4);
    const none = runFqc(["validate", "examples/*.nothing"]);
    expect(none.code).toBe(2);
    expect(none.stdout + none.stderr).toContain("no files match");
  });

  it("reads stdin with -, named by --stdin-filename (YAML by extension)", () => {
    const r = runFqc(["validate", "-", "--stdin-filename", "qat.yaml", "--format", "json"], { input: "dtype: int8\ngranularity: per_token\n" });
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout).files[0];
    expect(d.file).toBe("qat.yaml");
    expect(JSON.stringify(d.diagnostics)).toContain("Symmetric per token is not supported yet");
    expect(d.diagnostics[0].line).toBeGreaterThanOrEqual(1);
  });

  it("emits GitHub workflow commands", () => {
    const f = write("gh.json", '{"dtype": "int8", "granularity": "per_token"}');
    const r = runFqc(["validate", f, "--format", "github"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=[^,]+,line=\d+,endLine=\d+,col=\d+,endColumn=\d+,title=[^:]+::Symmetric per token is not supported yet/m);
  });

  it("with --format github in Actions, also appends every problem to the job summary", () => {
    const f = write("summary.json", '{"dtype": "int8", "granularity": "per_token"}');
    const summary = write("step-summary.md", "earlier step\n");
    const r = runFqc(["validate", f, "--format", "github"], { env: { GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    const md = readFileSync(summary, "utf8");
    expect(md.startsWith("earlier step\n")).toBe(true);
    expect(md).toContain("### fqc validate");
    expect(md).toContain("Symmetric per token is not supported yet");
  });

  it("leaves the job summary alone in any other format (the step summary is the github format's)", () => {
    const f = write("summary-stylish.json", '{"dtype": "int8", "granularity": "per_token"}');
    const summary = write("step-summary-stylish.md", "earlier step\n");
    for (const format of ["stylish", "json"]) {
      expect(runFqc(["validate", f, "--format", format], { env: { GITHUB_STEP_SUMMARY: summary } }).code).toBe(1);
    }
    expect(readFileSync(summary, "utf8")).toBe("earlier step\n");
  });

  it("a job summary that cannot be appended is a warning: the annotations are printed and the exit status is the lint's", () => {
    const bad = write("summary-bad.json", '{"dtype": "int8", "granularity": "per_token"}');
    const good = write("summary-good.json", '{"dtype": "int4", "group_size": 32}');
    // A directory cannot be appended to, whoever runs the test (root included).
    for (const [f, code] of [[bad, 1], [good, 0]] as const) {
      const r = runFqc(["validate", f, "--format", "github"], { env: { GITHUB_STEP_SUMMARY: tmp.dir } });
      expect(r.code, r.stderr).toBe(code);
      if (code === 1) expect(r.stdout).toMatch(/^::error file=/m);
      expect(r.stderr).toContain(`fqc: warning: ${tmp.dir}: cannot append the job summary to $GITHUB_STEP_SUMMARY: is a directory`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("writes SARIF 2.1.0 to --output-file", () => {
    const f = write("sarif.json", '{"dtype": "int4", "group_size": 32, "is_symmetric": false}');
    const out = path.join(tmp.dir, "report.sarif");
    const r = runFqc(["validate", f, "--format", "sarif", "-o", out]);
    expect(r.stdout).toBe("");
    const sarif = JSON.parse(readFileSync(out, "utf8"));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
    expect(r.code).toBe(0); // warnings only
  });

  it("SARIF of a run with a missing file says executionSuccessful false with an error notification, exit 2, schema-valid", () => {
    const f = write("sarif-ok.json", '{"dtype": "int4", "group_size": 32, "is_symmetric": false}');
    const missing = path.join(tmp.dir, "sarif-missing.json");
    const out = path.join(tmp.dir, "missing.sarif");
    const r = runFqc(["validate", f, missing, "--format", "sarif", "-o", out]);
    expect(r.code).toBe(2);
    const sarif = JSON.parse(readFileSync(out, "utf8"));
    expect(validateSarif(sarif) ? [] : validateSarif.errors).toEqual([]);
    const [inv] = sarif.runs[0].invocations;
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications).toHaveLength(1);
    expect(inv.toolExecutionNotifications[0].level).toBe("error");
    expect(inv.toolExecutionNotifications[0].message.text).toContain("could not analyse");
    expect(inv.toolExecutionNotifications[0].message.text).toContain("sarif-missing.json");
    // The readable file was still checked, and its run with no unreadable file succeeds.
    expect(sarif.runs[0].results.some((x: { ruleId: string }) => x.ruleId !== "fqc/io")).toBe(true);
    runFqc(["validate", f, "--format", "sarif", "-o", out]);
    expect(JSON.parse(readFileSync(out, "utf8")).runs[0].invocations).toEqual([{ executionSuccessful: true }]);
  });

  it("fails on warnings beyond --max-warnings", () => {
    const f = write("warn.json", '{"dtype": "int4", "group_size": 32, "is_symmetric": false}');
    expect(runFqc(["validate", f]).code).toBe(0);
    const r = runFqc(["validate", f, "--max-warnings", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--max-warnings");
  });

  it("no --max-warnings verdict when errors or an I/O failure fail the run already (on GitHub, no error annotation for it)", () => {
    const warn = write("warn-only.json", '{"dtype": "int4", "group_size": 32, "is_symmetric": false}');
    const error = write("error-too.json", '{"dtype": "int8", "granularity": "per_token"}');
    for (const [other, code] of [[error, 1], [tmp.path("missing.json"), 2]] as const) {
      const r = runFqc(["validate", warn, other, "--max-warnings", "0", "--format", "github"]);
      expect(r.code).toBe(code);
      expect(r.stdout).toMatch(/^::warning file=/m);
      expect(r.stdout + r.stderr).not.toContain("--max-warnings");
    }
  });

  it("a problem turned off with --rule is not reported again by the --tensor check (it skips a config that had errors)", () => {
    const f = write("sym-per-token.json", '{"dtype": "int8", "granularity": "per_token"}');
    const r = runFqc(["validate", f, "--tensor", "examples/weight.npy", "--rule", "forward/symmetric-per-token=off"]);
    expect([r.code, r.stdout]).toEqual([0, "✔ 1 file checked: no problems\n"]);
  });

  it("checks a config against a tensor's shape from the .npy header (--tensor)", () => {
    const cfg = write("pg.json", '{"dtype": "int4", "group_size": 48}');
    const tensor = path.join(ROOT, "examples/weight.npy");
    const r = runFqc(["validate", cfg, "--tensor", tensor, "--format", "json"]);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout).files[0].diagnostics.find((x: { ruleId: string }) => x.ruleId === "fqc/tensor-shape");
    expect(d.message).toContain("48");
    const ok = write("pg32.json", '{"dtype": "int4", "group_size": 32}');
    expect(runFqc(["validate", ok, "--tensor", tensor]).code).toBe(0);
    // Number-like choices stay strings: "0.18" once became 0.18 and failed the choices check.
    expect(runFqc(["validate", ok, "--tensor", tensor, "--torchao", "0.18"]).code).toBe(0);
    expect(runFqc(["validate", ok, "--tensor", tensor, "--torchao=0.12"]).code).toBe(0);
    const bad = runFqc(["validate", ok, "--tensor", tensor, "--torchao", "0.2"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not one of "0.12", "0.18"');
  });

  /** `fqc validate LINE -o OUT`, parsed plainly and (with a list option added) by yargs: exit 2, FIRST as the first line, HINT in it, no OUT. */
  function refusedOnBothParsers(line: string[], out: string, first: string, hint: string): void {
    const plain = [...line, "-o", out];
    // A list option sends the line to yargs (plain-args.ts).
    const viaYargs = [...plain, "--ignore-pattern", "nothing/**"];
    expect(plainValidateArgs(plain)).toBeDefined();
    expect(plainValidateArgs(viaYargs)).toBeUndefined();
    for (const args of [plain, viaYargs]) {
      const r = runFqc(["validate", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0]).toBe(first);
      expect(r.stderr).toContain(hint);
      expect(existsSync(out)).toBe(false);
    }
  }

  it("refuses --role with --tensor on a single config as apply does (exit 2, one line), on the plain line and on yargs' alike", () => {
    const single = write("single-role.json", '{"dtype": "int4", "group_size": 32}');
    const pair = path.join(ROOT, "examples/8da4w.json");
    const out = path.join(tmp.dir, "single-role.sarif");
    for (const tensor of [path.join(ROOT, "examples/weight.npy"), path.join(ROOT, "examples/llama-tiny/model.safetensors")]) {
      refusedOnBothParsers([single, "--tensor", tensor, "--role", "weight"], out, `fqc: --role selects a side of a QAT pair, and ${single} is a single config`, "Leave out --role");
      // Without --role, and on a pair, it is checked as before.
      expect(runFqc(["validate", single, "--tensor", tensor]).code).toBe(0);
      expect(runFqc(["validate", pair, "--tensor", tensor, "--role", "weight"]).code).toBe(0);
    }
  });

  it("refuses --role without --tensor, and with a recipe and --tensor, saying why (exit 2, one line), on the plain line and on yargs' alike", () => {
    const pair = path.join(ROOT, "examples/8da4w.json");
    const recipe = path.join(ROOT, "examples/llama-recipe.json");
    const model = path.join(ROOT, "examples/llama-tiny/model.safetensors");
    const out = path.join(tmp.dir, "role-refused.json");
    const cases: Array<[string[], string, string]> = [
      [[pair, "--role", "weight"], "fqc: --role selects the side of a QAT pair to check against --tensor, and no --tensor was given", "Add --tensor"],
      [[recipe, "--tensor", model, "--role", "weight"], `fqc: --role selects a side of a QAT pair, and ${recipe} is a recipe (its pairs are always used on their weight side)`, "Leave out --role"],
      [[recipe, "--tensor", path.join(ROOT, "examples/weight.npy"), "--role", "activation"], `fqc: --role selects a side of a QAT pair, and ${recipe} is a recipe (its pairs are always used on their weight side)`, "Leave out --role"],
    ];
    for (const [line, first, hint] of cases) {
      refusedOnBothParsers(line, out, first, hint);
      // Without --role it is checked as before.
      expect(runFqc(["validate", ...line.slice(0, -2)]).code, line.join(" ")).toBe(0);
    }
  });

  it("refuses --compute-dtype where no check would use it, as apply refuses it (exit 2, one line): without --tensor, with a checkpoint, with a recipe", () => {
    const cfg = write("cd-eps.json", '{"dtype": "int4", "group_size": 32, "eps": 70000}');
    const recipe = path.join(ROOT, "examples/llama-recipe.json");
    const model = path.join(ROOT, "examples/llama-tiny/model.safetensors");
    const npy = path.join(ROOT, "examples/weight.npy");
    const out = path.join(tmp.dir, "compute-dtype-refused.json");
    const cases: Array<[string[], string, string]> = [
      [[cfg, "--compute-dtype", "float16"], "fqc: --compute-dtype sets the dtype a config is checked in against a --tensor .npy, and no --tensor was given", "Add --tensor"],
      [[cfg, "--tensor", model, "--compute-dtype", "float16"], `fqc: --compute-dtype applies to a .npy --tensor, not to ${model}: a checkpoint's tensors are checked in their own dtype, as apply computes them`, "Leave out --compute-dtype"],
      [[recipe, "--tensor", npy, "--compute-dtype", "float16"], `fqc: --compute-dtype applies to a config checked against a .npy, and ${recipe} is a recipe (its tensors are checked in their own dtype, as apply --recipe computes them)`, "Leave out --compute-dtype"],
    ];
    for (const [line, first, hint] of cases) {
      refusedOnBothParsers(line, out, first, hint);
      expect(runFqc(["validate", ...line.slice(0, -2)]).code, line.join(" ")).toBe(0);
    }
  });

  it("flags an eps the tensor's dtype cannot hold (--tensor, --compute-dtype), pointing at eps", () => {
    const cfg = write("eps-big.json", '{"dtype": "int4", "group_size": 32, "eps": 70000}');
    const tensor = path.join(ROOT, "examples/weight.npy");
    expect(runFqc(["validate", cfg, "--tensor", tensor]).code).toBe(0); // float32 holds 70000
    const r = runFqc(["validate", cfg, "--tensor", tensor, "--compute-dtype", "float16", "--format", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout).files[0].diagnostics.find((x: { ruleId: string }) => x.ruleId === "fqc/tensor-shape");
    expect(d.message).toContain("value cannot be converted to type at::Half without overflow");
    expect(d.pointer).toBe("/eps");
    const recipe = write("eps-recipe.json", JSON.stringify({ fqn_to_config: { lm_head: { dtype: "int8", granularity: "per_channel", eps: 3.4e38 } } }));
    const ck = runFqc(["validate", recipe, "--tensor", path.join(ROOT, "examples/llama-tiny/model.safetensors"), "--format", "json"]);
    expect(ck.code, ck.stderr).toBe(1);
    const dk = JSON.parse(ck.stdout).files[0].diagnostics.find((x: { ruleId: string }) => x.ruleId === "fqc/tensor-shape");
    expect(dk.message).toContain("lm_head.weight (256, 64) BF16");
    expect(dk.message).toContain("at::BFloat16 without overflow");
    expect(dk.pointer).toBe("/fqn_to_config/lm_head/eps");
  });

  it.each([["<i4", "int32"], ["|b1", "bool"]])("flags a %s tensor that fqc apply would refuse (--tensor), whatever --compute-dtype says", (descr, dtype) => {
    const cfg = write("int-tensor.json", '{"dtype": "int4", "group_size": 32}');
    const tensor = write(`t-${dtype}.npy`, Buffer.concat([encodeNpyHeader({ descr, shape: [4, 64] }), Buffer.alloc(4 * 64 * (dtype === "bool" ? 1 : 4))]));
    for (const extra of [[], ["--compute-dtype", "float32"]]) {
      const r = runFqc(["validate", cfg, "--tensor", tensor, "--format", "json", ...extra]);
      expect(r.code, r.stderr).toBe(1);
      const d = JSON.parse(r.stdout).files[0].diagnostics.find((x: { ruleId: string }) => x.ruleId === "fqc/tensor-shape");
      expect(d.message).toContain(`dtype ${dtype} is not supported; fqc apply takes float32 or float16 tensors`);
    }
    const apply = runFqc(["apply", tensor, `${tensor}.out.npy`, "-c", cfg]);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain(`dtype ${dtype} is not supported`);
  });
});

describe("validate --tensor -", () => {
  it("is refused as a usage error naming the option (a tensor is read from a file), on the plain line and through yargs", () => {
    for (const extra of [[], ["--format=json"]]) {
      const r = runFqc(["validate", path.join(ROOT, "examples/int4-weight-per-group.json"), "--tensor", "-", ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("fqc validate reads --tensor from a file, not standard input (--tensor -)");
      expect(r.stderr).not.toContain("null bytes");
    }
  });
});
