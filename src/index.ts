/** fqc's public API. The CLI is a thin layer over these functions. */
export { normalize, normalizeDocument, canonicalJson, type NormalizeOptions } from "./config/normalize.js";
export { validate, type ValidateOptions, type ValidateResult } from "./config/validate.js";
export { RULES } from "./config/rules.js";
export { buildSchema } from "./config/schema-source.js";
export { fakeQuantize, type FakeQuantizeOptions, type FakeQuantizeResult } from "./fake-quantize.js";
export { applyFile, type ApplyOptions, type ApplyResult } from "./apply.js";
export { applyCheckpoint, type ApplyCheckpointOptions, type ApplyCheckpointResult, type CheckpointSelection } from "./apply/checkpoint.js";
export { runCheckpoint, type CheckpointRunOptions, type CheckpointRunResult, type OutputLayout, type TensorOutcome } from "./apply/checkpoint-run.js";
export { forwardProblems, makePlan, type ComputeDtype, type QuantPlan, type ForwardProblem } from "./quant/plan.js";
export { formatDiagnostics } from "./diagnostics/format.js";
export type { FormatInput } from "./diagnostics/format-types.js";
export { reportCheckpoint, type ReportOptions } from "./report/pass.js";
export { columnTargets, configTargets, recipeTargets } from "./report/targets.js";
export { renderReport, reportPieces, REPORT_FORMATS, type ReportFormat } from "./report/render.js";
export type { HtmlOptions as RenderReportOptions } from "./report/render-html.js";
export { reportJsonValue, REPORT_JSON_VERSION } from "./report/render-json.js";
export { tensorsBelow, type BelowThreshold } from "./report/threshold.js";
export type { ColumnInput, ColumnSummary, Report, ReportCell, ReportColumn, ReportTensor, TensorTarget } from "./report/types.js";
export type { ErrorFigures, StatSums } from "./report/stats.js";
export { compileRecipe, primeRecipe, moduleKeys, resolveTensor, keyMatchesTensor, recipeKeyKind, splitTensorName, appliedConfig, type CompiledRecipe, type MatchTier, type ModuleKeys, type Resolution, type RecipeKeyKind } from "./config/recipe.js";
export { translatePythonRegex, compilePythonRegex, MAX_PATTERN_LENGTH, type TranslatedRegex, type RegexRefusal } from "./config/recipe-regex.js";
export { configSummary } from "./config/summary.js";
export {
  planTensors, planTensorsAsync, unmatchedRecipeKeys, unmatchedRecipeKeysAsync, shadowedRecipeKeys, shadowedRecipeKeysAsync, planErrors, isFloatDtype, CONFIG_KEY,
  type PlanSource, type PlanOptions, type TensorPlanEntry, type SkipReason, type PlanIssue, type ShadowedKey,
} from "./tensor-plan/plan-tensors.js";
export { renderPlanTable, renderPlanJson, planToJson, summarizePlan, type PlanRenderExtras, type PlanSummary } from "./tensor-plan/render-plan.js";
export { dtypeInfo, DTYPE_NAMES, type DtypeInfo } from "./config/dtypes.js";
export { FqcError, type FqcErrorCode, EXIT } from "./errors.js";
export type { Diagnostic, Severity, RuleInfo } from "./diagnostics/types.js";
export type * from "./config/types.js";
export type { TensorInfo, TensorDtype, Checkpoint, CheckpointTensor, CheckpointFormat, CheckpointWriter, TensorSink } from "./checkpoint/types.js";
export { openCheckpoint, createCheckpointWriter, ACCEPTED_FORMS } from "./checkpoint/open.js";
export { VERSION } from "./version.generated.js";
