/**
 * The work behind `fqc validate`: expand globs, read each file (or stdin),
 * validate it, and optionally run torchao's forward shape checks against a
 * tensor's header. I/O problems become diagnostics so one bad path does not
 * hide the report for the others.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { applyRuleSettings, type RuleSettings } from "../config/rule-settings.js";
import picomatch from "picomatch";
import { globSync } from "tinyglobby";
import { judge } from "../config/validate.js";
import type { CanonicalConfig, CanonicalDocument, Role, TorchaoVersion } from "../config/types.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { locatePointer } from "../diagnostics/locate.js";
import type { UnlistedCount } from "../diagnostics/format-types.js";
import { capProblems, MAX_PROBLEMS_PER_FILE } from "../diagnostics/problem-cap.js";
import { FqcError } from "../errors.js";
import { readNpyHeader } from "../npy/header.js";
import { pathLeadsSomewhere } from "../npy/path-exists.js";
import { forwardProblems, type ComputeDtype } from "../quant/plan.js";
import { float64Hint } from "../input-dtype.js";
import { CLI_WORDS } from "../caller-words.js";
import { readTextFileInterruptibly, roleOnRecipe, roleOnSingleConfig } from "../config-file.js";
import type { TensorInfo } from "../checkpoint/types.js";
import { STDIO_ARG } from "./io.js";
import { configTensorDiagnostics, problemPointer, recipeTensorDiagnostics } from "./checkpoint-tensor-diagnostics.js";
import { readTensorList } from "./tensor-list.js";
import { yieldEvery } from "../parallel/share-work.js";
import { fileIdentity } from "./file-identity.js";

export interface LintOptions {
  files: string[];
  stdinFilename: string;
  tensor?: string;
  role?: Role;
  computeDtype?: ComputeDtype;
  torchao?: TorchaoVersion;
  readStdin: () => Promise<string>;
  /** Files never linted: globs, each relative to its own base directory. */
  ignore?: readonly IgnorePattern[];
  /** false: a path or glob matching no file is not an error (default true). */
  errorOnUnmatchedPattern?: boolean;
  /** Rule levels (--rule, the project file), applied before problems are capped and counted. */
  ruleSettings?: RuleSettings;
}

export interface IgnorePattern {
  pattern: string;
  /** The directory the pattern is relative to (the current one for --ignore-pattern, the project file's otherwise). */
  base: string;
}

export interface LintResult {
  files: string[];
  /** The files read, as paths (stdin and unmatched globs left out), for checking them against outputs. */
  readPaths: string[];
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  /** Problems found but not listed, per file (at most MAX_PROBLEMS_PER_FILE are listed). */
  unlisted: Map<string, UnlistedCount>;
  /** A file was missing/unreadable/not parseable, or a glob matched nothing: exit status 2. */
  ioFailure: boolean;
}

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * The glob budget. Symbolic links to directories are not followed (a link
 * loop, or a link to /, made '/**' run for minutes and report files many
 * times); a pattern whose fixed part is a link still works (`link/**`).
 * Directories deeper than MAX_GLOB_DEPTH below the pattern's base are not
 * entered, and a run checks at most MAX_GLOB_FILES files.
 */
export const MAX_GLOB_FILES = 10_000;
export const MAX_GLOB_DEPTH = 32;

export function expandPatterns(patterns: readonly string[], ignore: readonly IgnorePattern[] = []): { files: string[]; unmatched: Array<{ pattern: string; allIgnored: boolean }> } {
  const files: string[] = [];
  const unmatched: Array<{ pattern: string; allIgnored: boolean }> = [];
  // Each file once, however it is reached (two patterns, a hard or symbolic link, ./a and a).
  const seen = new Set<string>();
  const ignored = ignoreMatcher(ignore);
  const add = (f: string) => {
    const id = f === STDIO_ARG ? f : fileIdentity(f);
    if (seen.has(id)) return;
    seen.add(id);
    files.push(f);
    if (files.length > MAX_GLOB_FILES) {
      throw new FqcError("USAGE", `the files and patterns given match more than ${MAX_GLOB_FILES} files`, {
        hint: "Narrow the patterns (e.g. configs/**/*.json rather than /**/*.json), or run fqc on parts of the tree.",
      });
    }
  };
  for (const p of patterns) {
    if (p === STDIO_ARG || !GLOB_CHARS.test(p) || pathLeadsSomewhere(p)) {
      // A file named explicitly but ignored is skipped quietly: hooks pass every changed file.
      if (p === STDIO_ARG || !ignored(p)) add(p);
      continue;
    }
    const matches = globFiles(p);
    const kept = matches.filter((m) => !ignored(m));
    if (kept.length === 0) unmatched.push({ pattern: p, allIgnored: matches.length > 0 });
    kept.forEach(add);
  }
  return { files, unmatched };
}

/** A test of a path against every ignore pattern, each relative to its own base directory. */
function ignoreMatcher(ignore: readonly IgnorePattern[]): (file: string) => boolean {
  if (ignore.length === 0) return () => false;
  const tests = ignore.map(({ pattern, base }) => {
    // "dir/" means everything under dir, as in .gitignore and ESLint.
    const glob = pattern.endsWith("/") ? `${pattern}**` : pattern;
    return { base: resolve(base), match: picomatch(glob, { dot: true }) };
  });
  return (file) => {
    const abs = resolve(file);
    return tests.some(({ base, match }) => {
      const rel = relative(base, abs);
      return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) && match(rel.split(sep).join("/"));
    });
  };
}

/**
 * The files a pattern matches. Its fixed part (the directories before the
 * first glob character) is resolved first, so a link named there is
 * followed; links met while walking are not.
 */
function globFiles(pattern: string): string[] {
  const parts = pattern.split("/");
  const firstGlob = parts.findIndex((part) => GLOB_CHARS.test(part));
  const base = parts.slice(0, firstGlob).join("/");
  const options = { ignore: ["**/node_modules/**"], onlyFiles: true, expandDirectories: false, followSymbolicLinks: false, deep: MAX_GLOB_DEPTH };
  let real: string | undefined;
  try {
    real = base === "" ? undefined : realpathSync(base);
  } catch {
    real = undefined;
  }
  if (real === undefined || firstGlob <= 0) return globSync(pattern, options).sort();
  const rest = parts.slice(firstGlob).join("/");
  return globSync(rest, { ...options, cwd: real }).sort().map((f) => `${base}/${f}`);
}

function fileDiagnostic(file: string, ruleId: string, message: string, hint?: string): Diagnostic {
  return { ruleId, severity: "error", message, hint, file, pointer: "", line: 1, column: 1, endLine: 1, endColumn: 1 };
}

export async function lintFiles(opts: LintOptions): Promise<LintResult> {
  const result: LintResult = { files: [], readPaths: [], diagnostics: [], sources: new Map(), unlisted: new Map(), ioFailure: false };
  if (opts.files.length === 0) {
    throw new FqcError("USAGE", "no files to validate", { hint: "Name config files or globs, or - to read stdin: fqc validate configs/*.json" });
  }
  const { files, unmatched } = expandPatterns(opts.files, opts.ignore);
  for (const { pattern: p, allIgnored } of unmatched) {
    if (opts.errorOnUnmatchedPattern === false) continue;
    result.ioFailure = true;
    result.files.push(p);
    result.diagnostics.push(allIgnored
      ? fileDiagnostic(p, "fqc/io", `every file matching ${p} is ignored`, "Check --ignore-pattern and the project's ignorePatterns, or pass --no-error-on-unmatched-pattern.")
      : fileDiagnostic(p, "fqc/io", `no files match ${p}`, "Check the pattern; quote it so the shell does not expand it first (or pass --no-error-on-unmatched-pattern)."));
  }
  let tensorShape: { shape: number[]; dtype: string } | undefined;
  let tensors: readonly TensorInfo[] | undefined;
  if (opts.tensor) {
    // A single config is checked against one .npy's header; a recipe against every tensor of a checkpoint (or of a .npy
    // as a one-tensor checkpoint named after its file), and a config against every tensor of a checkpoint it targets.
    if (/\.npy$/i.test(opts.tensor)) {
      const h = readNpyHeader(opts.tensor);
      tensorShape = { shape: h.shape, dtype: h.dtype };
    }
    tensors = readTensorList(opts.tensor);
    // As apply refuses it on a checkpoint: its tensors compute in their own dtype, so the check would ignore it.
    if (opts.computeDtype !== undefined && tensorShape === undefined) throw computeDtypeOnCheckpoint(opts.tensor);
  }
  // Reading a regular file and judging it never wait on the event loop, so without a turn of it between files a
  // signal would only be handled once every file was checked (seconds for thousands, minutes for large ones).
  const pause = yieldEvery();
  for (const f of files) {
    await pause();
    const name = f === STDIO_ARG ? opts.stdinFilename : f;
    result.files.push(name);
    if (f !== STDIO_ARG) result.readPaths.push(f);
    let text: string;
    try {
      text = f === STDIO_ARG ? await opts.readStdin() : await readTextFileInterruptibly(f);
    } catch (e) {
      if (!(e instanceof FqcError)) throw e;
      result.ioFailure = true;
      result.diagnostics.push(fileDiagnostic(name, "fqc/io", e.message.replace(`${f}: `, ""), e.hint));
      continue;
    }
    result.sources.set(name, text);
    // Rule levels, then the per-file cap, inside validate: a rule turned off is neither listed nor counted, and
    // past the cap problems are only counted (a file of 500,000 unknown keys is not worded or placed 500,000 times).
    const judged = judge(text, { filename: name, ruleSettings: opts.ruleSettings, maxProblems: MAX_PROBLEMS_PER_FILE, torchao: opts.torchao });
    const { document, unlisted } = judged;
    // As apply refuses it: a single config has no side for --role to pick, so the check would not be the one asked for.
    if (opts.role && opts.tensor && document?.kind === "single") throw roleOnSingleConfig(name);
    // Nor has a recipe: its pairs are checked on their weight side, as apply uses them.
    if (opts.role && opts.tensor && document?.kind === "recipe") throw roleOnRecipe(name);
    // A recipe's tensors compute in their own dtype (apply --recipe refuses --compute-dtype too).
    if (opts.computeDtype !== undefined && opts.tensor && document?.kind === "recipe") throw computeDtypeOnRecipe(name);
    const listed = judged.diagnostics;
    if (listed.some((d) => d.ruleId === "fqc/syntax")) result.ioFailure = true;
    const more: Diagnostic[] = [];
    if (document && !judged.errorsBeforeRuleSettings) {
      if (document.kind === "recipe" && tensors) {
        for (const d of await recipeTensorDiagnostics({ file: name, text, recipe: document.recipe, tensors, model: opts.tensor!, torchao: opts.torchao })) more.push(d);
      } else if (document.kind !== "recipe" && tensorShape) {
        for (const d of tensorDiagnostics(name, text, document, tensorShape, opts)) more.push(d);
      } else if (document.kind !== "recipe" && tensors) {
        for (const d of configTensorDiagnostics({ file: name, text, document, role: opts.role, tensors, model: opts.tensor!, torchao: opts.torchao })) more.push(d);
      }
    }
    // The tensor checks come after the file's own problems, under the same levels and the same cap.
    const rest = capProblems(opts.ruleSettings ? applyRuleSettings(more, opts.ruleSettings) : more, MAX_PROBLEMS_PER_FILE - listed.length);
    for (const d of listed) result.diagnostics.push(d);
    for (const d of rest.listed) result.diagnostics.push(d);
    const errorCount = unlisted.errorCount + rest.unlisted.errorCount;
    const warningCount = unlisted.warningCount + rest.unlisted.warningCount;
    if (errorCount + warningCount > 0) result.unlisted.set(name, { errorCount, warningCount });
  }
  return result;
}

/** The .npy dtypes fqc apply takes (input-dtype.ts). */
const FLOAT_NPY_DTYPES = new Set(["float32", "float16", "float64"]);

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
    const compute = opts.computeDtype ?? (tensor.dtype === "float32" || tensor.dtype === "float16" ? tensor.dtype : undefined);
    const problems = forwardProblems(t.config, tensor.shape, { torchao: opts.torchao, compute });
    if (problems.length === 0 && tensor.dtype === "float64" && !opts.computeDtype) {
      problems.push({ message: "Unsupported input dtype: torch.float64", hint: float64Hint(CLI_WORDS) });
    }
    if (!FLOAT_NPY_DTYPES.has(tensor.dtype)) {
      // fqc apply refuses it before any forward check (resolveComputeDtype), whatever --compute-dtype says.
      problems.unshift({ message: `dtype ${tensor.dtype} is not supported; fqc apply takes float32 or float16 tensors (float64 with --compute-dtype)`, hint: "Convert the tensor first, e.g. np.save(path, x.astype(np.float32))." });
    }
    for (const p of problems) {
      const pointer = problemPointer(text, file, t.prefix, p.key);
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

function computeDtypeOnCheckpoint(model: string): FqcError {
  return new FqcError("USAGE", `--compute-dtype applies to a .npy --tensor, not to ${model}: a checkpoint's tensors are checked in their own dtype, as apply computes them`, {
    hint: "Leave out --compute-dtype with a checkpoint.",
  });
}

function computeDtypeOnRecipe(file: string): FqcError {
  return new FqcError("USAGE", `--compute-dtype applies to a config checked against a .npy, and ${file} is a recipe (its tensors are checked in their own dtype, as apply --recipe computes them)`, {
    file, hint: "Leave out --compute-dtype with a recipe.",
  });
}
