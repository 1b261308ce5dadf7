/**
 * Finding a project's fqc settings: the nearest `fqc.config.json`, or a
 * package.json with an "fqc" key, from the current directory up to the
 * repository root (the first directory holding .git) or the file-system root.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseProjectConfig, PROJECT_CONFIG_FILE, type ProjectConfig } from "../config/project-config.js";
import { FqcError } from "../errors.js";
import { parseJsonText } from "../diagnostics/source.js";

export function findProjectConfig(startDir: string): ProjectConfig | undefined {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const own = join(dir, PROJECT_CONFIG_FILE);
    if (existsSync(own)) return parseProjectConfig(readJson(own, true), own);
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      // package.json is npm's: a key repeated somewhere in it is npm's business (JSON.parse, the last one wins).
      // Object.hasOwn takes any JSON value but null (a string, number or array has no own "fqc").
      const value = readJson(pkg, false) as Record<string, unknown> | null;
      if (value !== null && Object.hasOwn(value, "fqc")) return parseProjectConfig(value.fqc, `${pkg}#fqc`);
    }
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) return undefined;
  }
}

function readJson(file: string, strict: boolean): unknown {
  let text: string;
  try {
    // A FIFO or device here would block the read for ever, deaf to Ctrl-C: settings are a regular file or nothing.
    if (!statSync(file).isFile()) {
      throw new FqcError("USAGE", `${file}: fqc settings must be a regular file`, { file, hint: "Replace it with a JSON file, or pass --no-project-config." });
    }
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof FqcError) throw e;
    throw new FqcError("IO", `${file}: cannot read fqc settings (${(e as NodeJS.ErrnoException).code ?? "error"})`, { file });
  }
  const hint = "Fix the file, or remove it to use fqc's defaults.";
  if (!strict) {
    try {
      return JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (e) {
      throw new FqcError("USAGE", `${file}: not valid JSON (${(e as Error).message.split("\n")[0]})`, { file, hint });
    }
  }
  // fqc.config.json is read as config files are: a repeated key ({"rules": {...}, "rules": {}}) is an error, not the last one silently winning.
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.doc.value;
  const { message, line, column } = parsed.error;
  throw new FqcError("USAGE", `${file}: not valid JSON at ${line}:${column}: ${message.replace(/^JSON syntax error: /, "")}`, { file, hint });
}
