/**
 * The work behind `fqc validate`: expand globs, read each file (or stdin),
 * validate it, and optionally run torchao's forward shape checks against a
 * tensor's header. I/O problems become diagnostics so one bad path does not
 * hide the report for the others.
 */
import { statSync } from "node:fs";
import { globSync } from "tinyglobby";
import { validate } from "../config/validate.js";
import type { CanonicalConfig, CanonicalDocument, Role, TorchaoVersion } from "../config/types.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { locatePointer } from "../diagnostics/locate.js";
import { FqcError } from "../errors.js";
import { readNpyHeader } from "../npy/header.js";
import { forwardProblems, type ComputeDtype } from "../quant/plan.js";
import { FLOAT64_HINT } from "../input-dtype.js";
import { readTextFile } from "../config-file.js";
import type { TensorInfo } from "../checkpoint/types.js";
import { STDIO_ARG } from "./io.js";
import { granularityPointer, recipeTensorDiagnostics } from "./recipe-tensor-diagnostics.js";
import { readTensorList } from "./tensor-list.js";

export interface LintOptions {
  files: string[];
  stdinFilename: string;
  tensor?: string;
  role?: Role;
  computeDtype?: ComputeDtype;
  torchao?: TorchaoVersion;
  readStdin: () => Promise<string>;
}

export interface LintResult {
  files: string[];
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  /** A file was missing/unreadable/not parseable, or a glob matched nothing: exit status 2. */
  ioFailure: boolean;
}

const GLOB_CHARS = /[*?[\]{}]/;

export function expandPatterns(patterns: readonly string[]): { files: string[]; unmatched: string[] } {
  const files: string[] = [];
  const unmatched: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  for (const p of patterns) {
    if (p === STDIO_ARG || !GLOB_CHARS.test(p) || exists(p)) {
      add(p);
      continue;
    }
    const matches = globSync(p, { ignore: ["**/node_modules/**"], onlyFiles: true, expandDirectories: false }).sort();
    if (matches.length === 0) unmatched.push(p);
    matches.forEach(add);
  }
  return { files, unmatched };
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function fileDiagnostic(file: string, ruleId: string, message: string, hint?: string): Diagnostic {
  return { ruleId, severity: "error", message, hint, file, pointer: "", line: 1, column: 1, endLine: 1, endColumn: 1 };
}

export async function lintFiles(opts: LintOptions): Promise<LintResult> {
  const result: LintResult = { files: [], diagnostics: [], sources: new Map(), ioFailure: false };
  if (opts.files.length === 0) {
    throw new FqcError("USAGE", "no files to validate", { hint: "Name config files or globs, or - to read stdin: fqc validate configs/*.json" });
  }
  const { files, unmatched } = expandPatterns(opts.files);
  for (const p of unmatched) {
    result.ioFailure = true;
    result.files.push(p);
    result.diagnostics.push(fileDiagnostic(p, "fqc/io", `no files match ${p}`, "Check the pattern; quote it so the shell does not expand it first."));
  }
  let tensorShape: { shape: number[]; dtype: string } | undefined;
  let tensors: readonly TensorInfo[] | undefined;
  if (opts.tensor) {
    // A single config is checked against one .npy (as before); a recipe against every tensor of a checkpoint.
    if (/\.npy$/i.test(opts.tensor)) {
      const h = readNpyHeader(opts.tensor);
      tensorShape = { shape: h.shape, dtype: h.dtype };
    }
    tensors = readTensorList(opts.tensor);
  }
  for (const f of files) {
    const name = f === STDIO_ARG ? opts.stdinFilename : f;
    result.files.push(name);
    let text: string;
    try {
      text = f === STDIO_ARG ? await opts.readStdin() : readTextFile(f);
    } catch (e) {
      if (!(e instanceof FqcError)) throw e;
      result.ioFailure = true;
      result.diagnostics.push(fileDiagnostic(name, "fqc/io", e.message.replace(`${f}: `, ""), e.hint));
      continue;
    }
    result.sources.set(name, text);
    const { diagnostics, document } = validate(text, { filename: name });
    if (diagnostics.some((d) => d.ruleId === "fqc/syntax")) result.ioFailure = true;
    result.diagnostics.push(...diagnostics);
    if (!document || diagnostics.some((d) => d.severity === "error")) continue;
    if (document.kind === "recipe" && tensors) {
      result.diagnostics.push(...recipeTensorDiagnostics({ file: name, text, recipe: document.recipe, tensors, model: opts.tensor!, torchao: opts.torchao }));
    } else if (document.kind !== "recipe" && tensorShape) {
      result.diagnostics.push(...tensorDiagnostics(name, text, document, tensorShape, opts));
    } else if (document.kind !== "recipe" && opts.tensor) {
      result.diagnostics.push(fileDiagnostic(name, "fqc/tensor-shape", `--tensor ${opts.tensor}: a config (not a recipe) is checked against one .npy tensor`, "Give a .npy with a config, or a recipe with a checkpoint."));
    }
  }
  return result;
}

/** torchao's forward checks for this tensor, located at the granularity of each config checked. */
function tensorDiagnostics(
  file: string,
  text: string,
  doc: Exclude<CanonicalDocument, { kind: "recipe" }>,
  tensor: { shape: number[]; dtype: string },
  opts: LintOptions,
): Diagnostic[] {
  const targets: Array<{ prefix: string; role?: Role; config: CanonicalConfig }> =
    doc.kind === "single"
      ? [{ prefix: "", config: doc.config }]
      : (["activation", "weight"] as const)
          .filter((r) => doc.pair[r] && (!opts.role || opts.role === r))
          .map((r) => ({ prefix: `/${r}`, role: r, config: doc.pair[r]! }));
  const out: Diagnostic[] = [];
  const shapeText = `(${tensor.shape.join(", ")})`;
  for (const t of targets) {
    const problems = forwardProblems(t.config, tensor.shape, { torchao: opts.torchao });
    if (problems.length === 0 && tensor.dtype === "float64" && !opts.computeDtype) {
      problems.push({ message: "Unsupported input dtype: torch.float64", hint: FLOAT64_HINT });
    }
    for (const p of problems) {
      const pointer = granularityPointer(text, file, t.prefix);
      const { line, column, endLine, endColumn } = locatePointer(text, file, pointer);
      out.push({
        ruleId: "fqc/tensor-shape",
        severity: "error",
        message: `${t.role ? `[${t.role}] ` : ""}${opts.tensor} ${shapeText} ${tensor.dtype}: ${p.message}`,
        hint: p.hint,
        file,
        pointer,
        line,
        column,
        endLine,
        endColumn,
      });
    }
  }
  return out;
}
