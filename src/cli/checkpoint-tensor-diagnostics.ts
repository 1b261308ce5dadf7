/**
 * `fqc validate FILE --tensor MODEL`: the plan of a recipe (or of a config, as
 * `apply --config` targets a checkpoint) on the model's tensors (headers only),
 * as diagnostics placed in the file — keys that match no tensor (warning),
 * exact keys naming a non-float tensor and torchao's forward problems (errors,
 * at the deciding key's config). One diagnostic per key and problem, naming
 * the first tensor and how many more.
 */
import type { TensorInfo } from "../checkpoint/types.js";
import type { CanonicalConfig, CanonicalDocument, Recipe, Role, TorchaoVersion } from "../config/types.js";
import { RECIPE_KEY } from "../config/vocabulary.js";
import { weightlessPair } from "../config-file.js";
import { childPointer, locatePointer, type PointerPart } from "../diagnostics/locate.js";
import type { Diagnostic, Severity } from "../diagnostics/types.js";
import { planTensors, planTensorsAsync, shadowedRecipeKeysAsync, unmatchedRecipeKeysAsync, type PlanIssue, type TensorPlanEntry } from "../tensor-plan/plan-tensors.js";

export interface RecipeTensorInput {
  file: string;
  text: string;
  recipe: Recipe;
  tensors: readonly TensorInfo[];
  /** The model path as given (named in messages). */
  model: string;
  torchao?: TorchaoVersion;
}

export async function recipeTensorDiagnostics(input: RecipeTensorInput): Promise<Diagnostic[]> {
  const { file, text, recipe, tensors, model } = input;
  const out: Diagnostic[] = [];
  const place = (ruleId: string, severity: Severity, pointer: string, part: PointerPart, message: string, hint?: string): Diagnostic => {
    const { line, column, endLine, endColumn } = locatePointer(text, file, pointer, part);
    const d: Diagnostic = { ruleId, severity, message, file, pointer, line, column, endLine, endColumn };
    if (hint) d.hint = hint;
    return d;
  };
  const keyPointer = (key: string) => childPointer(childPointer("", RECIPE_KEY), key);

  // Matching thousands of re: keys against a large checkpoint takes minutes: the event loop gets turns meanwhile (signals).
  const plan = await planTensorsAsync(tensors, { recipe }, { torchao: input.torchao });
  for (const key of await unmatchedRecipeKeysAsync(tensors, recipe, plan)) {
    out.push(place("fqc/recipe-unmatched", "warning", keyPointer(key), "key", `\`${key}\` matches no tensor of ${model} (${tensors.length} tensor${tensors.length === 1 ? "" : "s"})`,
      "Check the spelling against the checkpoint's names (fqc apply MODEL OUT --recipe R --dry-run lists them); torchao ignores such keys silently."));
  }

  for (const s of await shadowedRecipeKeysAsync(recipe, plan)) {
    const why = s.by !== undefined ? `\`${s.by}\` takes precedence` : "torchao skips it for that module (a parameter key matches a sibling, or a module key took the module)";
    out.push(place("fqc/recipe-shadowed", "warning", keyPointer(s.key), "key", `\`${s.key}\` matches tensors of ${model} but decides none: for ${s.tensor}, ${why}`,
      "Precedence: parameter name, module name, first matching re: key on the parameter name (file order), then on the module name, then _default. Move the key up, narrow the earlier one, or remove this one."));
  }
  const valueOf = new Map(recipe.entries.map((e) => [e.key, e.value]));
  for (const g of groupIssues(plan)) {
    if (g.nonFloat) {
      out.push(place("fqc/recipe-non-float", "error", keyPointer(g.key), "key", `${g.issue.message}${moreText(g.tensors)}`, g.issue.hint));
      continue;
    }
    if (g.moduleSwap) {
      // The key, not the config, is what torchao refuses: it takes a module that is no Linear.
      out.push(place("fqc/tensor-shape", "error", keyPointer(g.key), "key", forwardMessage(g, model), g.issue.hint));
      continue;
    }
    const v = valueOf.get(g.key);
    const base = v && v.kind === "pair" ? childPointer(keyPointer(g.key), "weight") : keyPointer(g.key);
    out.push(place("fqc/tensor-shape", "error", problemPointer(text, file, base, g.issue.key), "value", forwardMessage(g, model), g.issue.hint));
  }
  return out;
}

/** Where the granularity is spelled: `granularity`, else the `group_size` shorthand, else the config object. */
export function granularityPointer(text: string, file: string, prefix: string): string {
  for (const key of ["granularity", "group_size"]) {
    const p = `${prefix}/${key}`;
    if (locatePointer(text, file, p).found) return p;
  }
  return prefix;
}

/** Where a forward problem points: the key it names (eps), else the granularity. */
export function problemPointer(text: string, file: string, prefix: string, key: string | undefined): string {
  if (key !== undefined && locatePointer(text, file, `${prefix}/${key}`).found) return `${prefix}/${key}`;
  return granularityPointer(text, file, prefix);
}

export interface ConfigTensorInput {
  file: string;
  text: string;
  /** A single config or a QAT pair: its weight side is checked (a checkpoint holds weights), or the side --role names. */
  document: Exclude<CanonicalDocument, { kind: "recipe" }>;
  role?: Role;
  tensors: readonly TensorInfo[];
  model: string;
  torchao?: TorchaoVersion;
}

/**
 * A config against a checkpoint: torchao's forward checks on every tensor `apply --config` would
 * fake-quantize (each 2-D floating *.weight), one diagnostic per problem at the config's granularity.
 */
export function configTensorDiagnostics(input: ConfigTensorInput): Diagnostic[] {
  const { file, text, document, tensors, model } = input;
  let config: CanonicalConfig | undefined;
  let role: Role | undefined;
  if (document.kind === "single") config = document.config;
  else {
    // As apply takes a pair on a model: its weight side unless --role names the other (a pair with none is refused).
    if (input.role === undefined && !document.pair.weight) throw weightlessPair(file);
    role = input.role ?? "weight";
    config = document.pair[role];
  }
  // A pair without the side --role names: the file's own problems say what it holds.
  if (!config) return [];
  return groupIssues(planTensors(tensors, { config }, { torchao: input.torchao })).map((g) => {
    const pointer = problemPointer(text, file, role ? `/${role}` : "", g.issue.key);
    const { line, column, endLine, endColumn } = locatePointer(text, file, pointer, "value");
    const d: Diagnostic = {
      ruleId: "fqc/tensor-shape", severity: "error", message: `${role ? `[${role}] ` : ""}${forwardMessage(g, model)}`,
      file, pointer, line, column, endLine, endColumn,
    };
    if (g.issue.hint) d.hint = g.issue.hint;
    return d;
  });
}

interface IssueGroup {
  key: string;
  issue: PlanIssue;
  nonFloat: boolean;
  /** A module key took a module whose weight is not 2-D (torchao's QAT module swap refuses it). */
  moduleSwap: boolean;
  tensors: TensorInfo[];
}

/** The plan's problems, one group per deciding key and message, tensors in the plan's order. */
function groupIssues(plan: readonly TensorPlanEntry[]): IssueGroup[] {
  const groups = new Map<string, IssueGroup>();
  for (const e of plan) {
    for (const issue of e.errors) {
      const id = `${e.key}\u0000${issue.message}`;
      const g = groups.get(id);
      if (g) g.tensors.push(e.tensor);
      else groups.set(id, { key: e.key!, issue, nonFloat: e.reason === "non-float", moduleSwap: e.reason === "not-linear-weight", tensors: [e.tensor] });
    }
  }
  return [...groups.values()];
}

function moreText(tensors: readonly TensorInfo[]): string {
  return tensors.length > 1 ? ` (and ${tensors.length - 1} more)` : "";
}

/** `name (and N more) (shape) DTYPE in MODEL: message`, naming the group's first tensor. */
function forwardMessage(g: IssueGroup, model: string): string {
  const t = g.tensors[0];
  return `${t.name}${moreText(g.tensors)} (${t.shape.join(", ")}) ${t.dtype} in ${model}: ${g.issue.message}`;
}
