/** One config file's diagnostics on stderr, in the stylish format (apply and normalize). */
import { RULES } from "../config/rules.js";
import { capProblems } from "../diagnostics/problem-cap.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { VERSION } from "../version.generated.js";
import { useColor, type CliIO } from "./io.js";

export async function reportConfigDiagnostics(io: CliIO, file: string, text: string, diagnostics: Diagnostic[]): Promise<void> {
  if (diagnostics.length === 0) return;
  // The formatters (SARIF's hashing among them) load only when there is something to show.
  const { formatDiagnostics } = await import("../diagnostics/format.js");
  const { listed, unlisted } = capProblems(diagnostics);
  io.stderr.write(formatDiagnostics("stylish", {
    diagnostics: listed, sources: new Map([[file, text]]), filesChecked: [file], rules: RULES, toolVersion: VERSION, cwd: io.cwd,
    unlisted: new Map([[file, unlisted]]),
  }, { color: useColor(io.stderr, io.env) }));
}
