/** What `fqc normalize` does once its arguments are parsed (loaded when the command runs). */
import { canonicalFileText } from "../../canonical-text.js";
import { canonicalJson } from "../../config/normalize.js";
import { statSync } from "node:fs";
import { readTextFileInterruptibly } from "../../config-file.js";
import { judge } from "../../config/validate.js";
import { ruleInfo } from "../../config/rules.js";
import { EXIT, FqcError } from "../../errors.js";
import { reportConfigDiagnostics } from "../config-report.js";
import { reportError } from "../report-error.js";
import { STDIO_ARG, type CliIO } from "../io.js";
import { writeFileAtomic } from "../write-file.js";
import { expandPatterns } from "../lint-files.js";
import { ignorePatterns, projectSettings, unmatchedIsError } from "../project-ignore.js";
import { shellWord } from "../shell-word.js";
import { yieldEvery } from "../../parallel/share-work.js";
import { checkAtomicTarget } from "../../npy/atomic.js";
import type { NormalizeArgs } from "./normalize.js";
import type { Diagnostic } from "../../diagnostics/types.js";

export async function runNormalize(argv: NormalizeArgs, io: CliIO, setExit: (code: number) => void): Promise<void> {
  if (argv.write && argv.files.includes(STDIO_ARG)) throw new FqcError("USAGE", "--write needs file paths, not stdin");
  let status: number = EXIT.OK;
  // Quoted globs are expanded as validate expands them (each file once), skipping the files it skips (a file named
  // explicitly included, quietly); a pattern matching nothing, or only ignored files, is an error unless the
  // command line or the project allows it, as for validate.
  const project = projectSettings(argv, io.cwd);
  const { files, unmatched } = expandPatterns(argv.files, ignorePatterns(project, argv, io.cwd));
  for (const { pattern, allIgnored } of unmatchedIsError(project, argv) ? unmatched : []) {
    status = reportError(io, allIgnored
      ? new FqcError("USAGE", `every file matching ${pattern} is ignored`, { hint: "Check --ignore-pattern and the project's ignorePatterns, or pass --no-error-on-unmatched-pattern (or --no-project-config)." })
      : new FqcError("USAGE", `no files match ${pattern}`, { hint: "Check the pattern; quote it so the shell does not expand it first (or pass --no-error-on-unmatched-pattern)." }));
  }
  // A turn of the event loop between files (reading and rewriting one never waits on it): a signal stops the run
  // between two files, not after every file was rewritten.
  const pause = yieldEvery();
  // A file's report ends with its own summary line: a blank line sets the next one apart, as validate's files are.
  let reported = false;
  const report = async (name: string, text: string, diagnostics: Diagnostic[]) => {
    if (diagnostics.length === 0) return;
    if (reported) io.stderr.write("\n");
    reported = true;
    await reportConfigDiagnostics(io, name, text, diagnostics);
  };
  for (const f of files) {
    await pause();
    const name = f === STDIO_ARG ? argv["stdin-filename"] : f;
    let text: string;
    try {
      // A FIFO or device cannot be rewritten (the rename would replace it): refused before it is read, not after its
      // content was taken from the writer (or the run waited for one that never comes).
      if (argv.write && isSpecialFile(f)) checkAtomicTarget(f);
      text = f === STDIO_ARG ? await io.readStdin() : await readTextFileInterruptibly(f);
    } catch (e) {
      // A missing or unreadable file is reported; the other files are still normalized or checked.
      if (!(e instanceof FqcError)) throw e;
      status = Math.max(status, reportError(io, e));
      continue;
    }
    // judge, not loadConfigText: its reading of the text (`source`) is what the rewrite below carries comments from.
    const loaded = judge(text, { filename: name });
    const errors = loaded.diagnostics.filter((d) => d.severity === "error");
    // Only what stops torchao's constructor stops normalize: a config that constructs has a canonical form,
    // even when every forward would fail (that is reported, as torchao would raise it later).
    const blocking = errors.filter((d) => ruleInfo(d.ruleId).stage !== "forward");
    if (!loaded.document || blocking.length > 0) {
      await report(name, text, blocking.length > 0 ? blocking : errors);
      status = Math.max(status, errors.some((d) => d.ruleId === "fqc/syntax") ? EXIT.USAGE_OR_IO : EXIT.PROBLEMS);
      continue;
    }
    await report(name, text, errors);
    // Printing gives the canonical config itself; --check/--write judge the file, which keeps its "$schema" and YAML modeline.
    let canonical: string;
    try {
      canonical = argv.check || argv.write ? canonicalFileText(loaded.document, text, name, loaded.source) : canonicalJson(loaded.document);
    } catch (e) {
      // A file whose comments the rewrite could not keep is reported; the others are still checked or rewritten.
      if (!(e instanceof FqcError)) throw e;
      status = Math.max(status, reportError(io, e));
      continue;
    }
    // Judging a file is synchronous (seconds for the largest): a signal that came meanwhile stops the run now, before
    // this file is rewritten or printed.
    await pause();
    if (argv.check) {
      if (text !== canonical) {
        // Quoted for pasting; a name starting with - (after --, or a glob's match) gets ./ so it is not read as an option.
        io.stderr.write(`${name}: not canonical (run: fqc normalize --write ${shellWord(name)})\n`);
        status = Math.max(status, EXIT.PROBLEMS);
      }
    } else if (argv.write) {
      if (text !== canonical) {
        try {
          writeFileAtomic(f, canonical, { keep: files });
        } catch (e) {
          // A file that cannot be replaced (read-only, hard-linked, a full disk) is reported; the others are still rewritten.
          if (!(e instanceof FqcError)) throw e;
          status = Math.max(status, reportError(io, e));
          continue;
        }
        io.stderr.write(`${name}: rewritten\n`);
      }
    } else {
      io.stdout.write(canonical);
    }
  }
  setExit(status);
}

/** Neither a regular file nor a directory (a FIFO, a device, a socket), as the path reaches it; false when it is not there. */
function isSpecialFile(f: string): boolean {
  try {
    const st = statSync(f);
    return !st.isFile() && !st.isDirectory();
  } catch {
    return false;
  }
}
