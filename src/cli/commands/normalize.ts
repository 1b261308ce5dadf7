/** `fqc normalize`: print the canonical form; --check for CI, --write to fix in place. */
import type { Argv, CommandModule } from "yargs";
import { EXIT, FqcError } from "../../errors.js";
import { canonicalJson } from "../../config/normalize.js";
import { canonicalFileText } from "../../canonical-text.js";
import { RULES } from "../../config/rules.js";
import { formatDiagnostics } from "../../diagnostics/format.js";
import { loadConfigText, readTextFile } from "../../config-file.js";
import { VERSION } from "../../version.generated.js";
import type { CliIO } from "../io.js";
import { STDIO_ARG, useColor } from "../io.js";
import { writeFileAtomic } from "../write-file.js";

interface NormalizeArgs {
  files: string[];
  check?: boolean;
  write?: boolean;
  "stdin-filename": string;
}

export function normalizeCommand(io: CliIO, setExit: (code: number) => void): CommandModule<object, NormalizeArgs> {
  return {
    command: "normalize <files..>",
    describe: "Print the canonical form of configs (shorthand resolved, every field explicit)",
    builder: (y: Argv) =>
      y
        .positional("files", { type: "string", array: true, demandOption: true, describe: "Config files, or - for stdin" })
        .option("check", { type: "boolean", describe: "Print nothing; exit 1 if a file is not already canonical" })
        .option("write", { type: "boolean", describe: "Rewrite files in place (atomically) in canonical form" })
        .option("stdin-filename", { type: "string", default: "<stdin>", describe: "Name for stdin input (its extension selects JSON or YAML)" })
        .conflicts("check", "write")
        .example("$0 normalize qat.json", "Print the canonical JSON")
        .example("$0 normalize --check configs/*.json", "CI: fail when a config is not canonical")
        .example("$0 normalize --write configs/*.yaml", "Rewrite configs in canonical form"),
    handler: async (argv) => {
      let status: number = EXIT.OK;
      for (const f of argv.files) {
        const name = f === STDIO_ARG ? argv["stdin-filename"] : f;
        if (argv.write && f === STDIO_ARG) throw new FqcError("USAGE", "--write needs file paths, not stdin");
        const text = f === STDIO_ARG ? await io.readStdin() : readTextFile(f);
        const loaded = loadConfigText(name, text);
        const errors = loaded.diagnostics.filter((d) => d.severity === "error");
        if (!loaded.document || errors.length > 0) {
          io.stderr.write(formatDiagnostics("stylish", {
            diagnostics: errors, sources: new Map([[name, text]]), filesChecked: [name], rules: RULES, toolVersion: VERSION, cwd: io.cwd,
          }, { color: useColor(io.stderr, io.env) }));
          status = Math.max(status, errors.some((d) => d.ruleId === "fqc/syntax") ? EXIT.USAGE_OR_IO : EXIT.PROBLEMS);
          continue;
        }
        // Printing gives the canonical config itself; --check/--write judge the file, which keeps its "$schema" and YAML modeline.
        const canonical = argv.check || argv.write ? canonicalFileText(loaded.document, text, name) : canonicalJson(loaded.document);
        if (argv.check) {
          if (text !== canonical) {
            io.stderr.write(`${name}: not canonical (run: fqc normalize --write ${name})\n`);
            status = Math.max(status, EXIT.PROBLEMS);
          }
        } else if (argv.write) {
          if (text !== canonical) {
            writeFileAtomic(f, canonical);
            io.stderr.write(`${name}: rewritten\n`);
          }
        } else {
          io.stdout.write(canonical);
        }
      }
      setExit(status);
    },
  };
}
