/**
 * Runs action.yml's composite steps as GitHub's runner would, without a runner: each `run:` step becomes a
 * bash script (`bash --noprofile --norc -eo pipefail`, as for `shell: bash`) with the `${{ inputs.* }}` and
 * `${{ github.* }}` expressions substituted, in its working-directory, with the runner's environment files.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ROOT } from "./cli.js";

export interface ActionStep {
  name?: string;
  id?: string;
  shell?: string;
  "working-directory"?: string;
  env?: Record<string, string>;
  run?: string;
  uses?: string;
}

export interface ActionDefinition {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { value: string; description: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export const ACTION: ActionDefinition = parse(readFileSync(path.join(ROOT, "action.yml"), "utf8"));

/** The glob the action validates when its files input is absent, empty or blank (the validate step's FQC_DEFAULT_FILES). */
export const ACTION_DEFAULT_FILES: string = ACTION.runs.steps.find((s) => s.id === "validate")!.env!.FQC_DEFAULT_FILES;

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The step outputs written to $GITHUB_OUTPUT, by step id. */
  outputs: Record<string, Record<string, string>>;
  /** What the steps appended to $GITHUB_STEP_SUMMARY. */
  summary: string;
}

/** Replaces every `${{ … }}` expression; one this harness does not know is an error, not an empty string. */
export function substitute(text: string, inputs: Record<string, string>, github: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const m = /^(inputs|github)\.([A-Za-z0-9_-]+)$/.exec(expr);
    const value = m ? (m[1] === "inputs" ? inputs : github)[m[2]] : undefined;
    if (value === undefined) throw new Error(`action.yml: unknown expression \${{ ${expr} }}`);
    return value;
  });
}

/**
 * Runs the action's steps in order until one fails. `workspace` is the repository (GITHUB_WORKSPACE),
 * `actionPath` the action's checkout; `skip` leaves out steps (e.g. the install, when actionPath is built).
 */
export function runAction(opts: {
  workspace: string;
  actionPath: string;
  inputs?: Record<string, string>;
  skip?: (step: ActionStep) => boolean;
  runnerTemp: string;
}): ActionRun {
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(ACTION.inputs)) inputs[k] = v.default ?? "";
  Object.assign(inputs, opts.inputs);
  const github = { action_path: opts.actionPath, workspace: opts.workspace };
  mkdirSync(opts.runnerTemp, { recursive: true });
  const summaryFile = path.join(opts.runnerTemp, "step-summary.md");
  writeFileSync(summaryFile, "");
  const result: ActionRun = { code: 0, stdout: "", stderr: "", outputs: {}, summary: "" };
  ACTION.runs.steps.forEach((step, i) => {
    if (result.code !== 0 || opts.skip?.(step)) return;
    if (step.uses || step.shell !== "bash" || step.run === undefined) throw new Error(`step ${i}: only bash run steps are supported here`);
    const outputFile = path.join(opts.runnerTemp, `output-${i}`);
    writeFileSync(outputFile, "");
    const script = path.join(opts.runnerTemp, `step-${i}.sh`);
    writeFileSync(script, substitute(step.run, inputs, github));
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), inputs, github)]));
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd: path.resolve(opts.workspace, substitute(step["working-directory"] ?? ".", inputs, github)),
      env: {
        ...process.env,
        NO_COLOR: "1",
        FORCE_COLOR: "",
        CI: "true",
        GITHUB_ACTIONS: "true",
        GITHUB_WORKSPACE: opts.workspace,
        GITHUB_ACTION_PATH: opts.actionPath,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: opts.runnerTemp,
        ...stepEnv,
      },
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    if (r.error) throw r.error;
    result.code = r.status ?? -1;
    result.stdout += r.stdout;
    result.stderr += r.stderr;
    if (step.id) {
      result.outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
    }
  });
  result.summary = readFileSync(summaryFile, "utf8");
  return result;
}

/** The action's output `name`, as its `value:` expression resolves against the step outputs. */
export function actionOutput(run: ActionRun, name: string): string | undefined {
  const m = /^\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(ACTION.outputs[name]?.value ?? "");
  return m ? run.outputs[m[1]]?.[m[2]] : undefined;
}
