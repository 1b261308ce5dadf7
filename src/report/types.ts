/**
 * The report's data: what the pass computes and every renderer reads. The
 * JSON format (render-json.ts) is this shape with documented field names.
 */
import type { CanonicalConfig, TorchaoVersion } from "../config/types.js";
import type { CheckpointFormat, TensorDtype } from "../checkpoint/types.js";
import type { ErrorFigures, StatSums } from "./stats.js";

/** What one column does to each tensor, by checkpoint index: the output of planning a config or recipe. */
export type TensorTarget =
  | { action: "quantize"; key: string | null; config: CanonicalConfig; /** The plan's first error for this tensor (torchao would refuse it). */ error?: string }
  | { action: "skip"; key: string | null; reason: string; /** The plan's error for this tensor (apply would refuse it). */ error?: string };

/** One config or recipe given on the command line. */
export interface ColumnInput {
  /** Short label shown in tables and the chart legend (unique within a report). */
  name: string;
  /** The file it came from. */
  source: string;
  kind: "config" | "recipe";
  /** One target per checkpoint tensor, in checkpoint order. */
  targets: readonly TensorTarget[];
}

export interface ReportColumn {
  name: string;
  source: string;
  kind: "config" | "recipe";
}

/** One tensor under one column. */
export interface ReportCell {
  /**
   * quantized: figures below; skipped: the column leaves the tensor alone
   * (reason); refused: torchao would raise on this tensor, or the plan is in
   * error for it as apply would refuse it (reason is the message).
   */
  status: "quantized" | "skipped" | "refused";
  /** The recipe key that decided ("--config" for a plain config); null when no key matched. */
  key: string | null;
  /** The config in short words ("int4 per_group 32 symmetric"), when one applies. */
  config: string | null;
  reason: string | null;
  sums: StatSums | null;
  figures: ErrorFigures | null;
  /** Bytes once quantized (sizes.ts); for a tensor left alone, its bytes as they are. */
  bytes: number;
}

export interface ReportTensor {
  name: string;
  dtype: TensorDtype;
  shape: readonly number[];
  elements: number;
  bytes: number;
  cells: ReportCell[];
}

export interface WorstTensor {
  name: string;
  sqnrDb: number | null;
}

export interface ColumnSummary {
  column: string;
  tensorsQuantized: number;
  /** Tensors torchao would refuse under this column. */
  tensorsRefused: number;
  elementsQuantized: number;
  /** Σ over quantized tensors of Σx² and Σe² (counted elements). */
  sumX2: number;
  sumE2: number;
  /** 10·log10(ΣΣx² / ΣΣe²) over the quantized tensors: parameter-weighted, like np_checkpoint's overall figure. */
  overallSqnrDb: number | null;
  /** The quantized tensors with the lowest SQNR, lowest first. */
  worst: WorstTensor[];
  /** Every tensor of the checkpoint as it is. */
  originalBytes: number;
  /** Quantized tensors at their quantized size, the others as they are. */
  quantizedBytes: number;
  nanInputs: number;
  infInputs: number;
  nonFiniteOutputs: number;
}

export interface Report {
  model: string;
  format: CheckpointFormat;
  torchao: TorchaoVersion;
  columns: ReportColumn[];
  tensors: ReportTensor[];
  summaries: ColumnSummary[];
}
