/**
 * `fqc validate recipe.json --tensor MODEL`: the plan of the recipe on the
 * model's tensors (headers only), as diagnostics placed in the recipe —
 * keys that match no tensor (warning), exact keys naming a non-float tensor
 * and torchao's forward problems (errors, at the deciding key's config).
 * One diagnostic per key and problem, naming the first tensor and how many more.
 */
import type { TensorInfo } from "../checkpoint/types.js";
import type { Recipe, TorchaoVersion } from "../config/types.js";
import { RECIPE_KEY } from "../config/vocabulary.js";
import { childPointer, locatePointer, type PointerPart } from "../diagnostics/locate.js";
import type { Diagnostic, Severity } from "../diagnostics/types.js";
import { planTensors, shadowedRecipeKeys, unmatchedRecipeKeys, type PlanIssue } from "../tensor-plan/plan-tensors.js";

export interface RecipeTensorInput {
  file: string;
  text: string;
  recipe: Recipe;
  tensors: readonly TensorInfo[];
  /** The model path as given (named in messages). */
  model: string;
  torchao?: TorchaoVersion;
}

export function recipeTensorDiagnostics(input: RecipeTensorInput): Diagnostic[] {
  const { file, text, recipe, tensors, model } = input;
  const out: Diagnostic[] = [];
  const place = (ruleId: string, severity: Severity, pointer: string, part: PointerPart, message: string, hint?: string): Diagnostic => {
    const { line, column, endLine, endColumn } = locatePointer(text, file, pointer, part);
    const d: Diagnostic = { ruleId, severity, message, file, pointer, line, column, endLine, endColumn };
    if (hint) d.hint = hint;
    return d;
  };
  const keyPointer = (key: string) => childPointer(childPointer("", RECIPE_KEY), key);

  for (const key of unmatchedRecipeKeys(tensors, recipe)) {
    out.push(place("fqc/recipe-unmatched", "warning", keyPointer(key), "key", `\`${key}\` matches no tensor of ${model} (${tensors.length} tensor${tensors.length === 1 ? "" : "s"})`,
      "Check the spelling against the checkpoint's names (fqc apply MODEL OUT --recipe R --dry-run lists them); torchao ignores such keys silently."));
  }

  const plan = planTensors(tensors, { recipe }, { torchao: input.torchao });
  for (const s of shadowedRecipeKeys(recipe, plan)) {
    const why = s.by !== undefined ? `\`${s.by}\` takes precedence` : "torchao skips it for that module (a parameter key matches a sibling, or a module key took the module)";
    out.push(place("fqc/recipe-shadowed", "warning", keyPointer(s.key), "key", `\`${s.key}\` matches tensors of ${model} but decides none: for ${s.tensor}, ${why}`,
      "Precedence: parameter name, module name, first matching re: key on the parameter name (file order), then on the module name, then _default. Move the key up, narrow the earlier one, or remove this one."));
  }
  const groups = new Map<string, { key: string; issue: PlanIssue; nonFloat: boolean; tensors: TensorInfo[] }>();
  const valueOf = new Map(recipe.entries.map((e) => [e.key, e.value]));
  for (const e of plan) {
    for (const issue of e.errors) {
      const id = `${e.key}\u0000${issue.message}`;
      const g = groups.get(id);
      if (g) g.tensors.push(e.tensor);
      else groups.set(id, { key: e.key!, issue, nonFloat: e.reason === "non-float", tensors: [e.tensor] });
    }
  }
  for (const g of groups.values()) {
    const t = g.tensors[0];
    const more = g.tensors.length > 1 ? ` (and ${g.tensors.length - 1} more)` : "";
    if (g.nonFloat) {
      out.push(place("fqc/recipe-non-float", "error", keyPointer(g.key), "key", `${g.issue.message}${more}`, g.issue.hint));
      continue;
    }
    const v = valueOf.get(g.key);
    const base = v && v.kind === "pair" ? childPointer(keyPointer(g.key), "weight") : keyPointer(g.key);
    out.push(place("fqc/tensor-shape", "error", granularityPointer(text, file, base), "value",
      `${t.name}${more} (${t.shape.join(", ")}) ${t.dtype} in ${model}: ${g.issue.message}`, g.issue.hint));
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
