/**
 * The output format when --format is not given: the one `-o`'s extension names
 * (`-o fqc.sarif` writes SARIF, `-o report.html` HTML), else the command's default.
 * Writing a terminal table into `results.sarif` is never what was meant.
 */
export function formatFor<F extends string>(given: F | undefined, output: string | undefined, byExtension: Readonly<Record<string, F>>, fallback: F): F {
  if (given !== undefined) return given;
  const ext = /\.([A-Za-z0-9]+)$/.exec(output ?? "")?.[1]?.toLowerCase();
  return ext !== undefined && Object.hasOwn(byExtension, ext) ? byExtension[ext] : fallback;
}
