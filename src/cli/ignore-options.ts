/**
 * The options validate and normalize share for the files a project leaves alone (project-ignore.ts reads them).
 * A module of its own, importing nothing: both commands' option tables load at start-up.
 */
import type { Options } from "yargs";
import type { PlainOption } from "./plain-args.js";

export const IGNORE_OPTIONS = {
  // nargs 1: one value each time; yargs would otherwise take the files after it into the list.
  "ignore-pattern": { type: "string", array: true, nargs: 1, default: [] as string[], describe: "Skip files matching this glob (repeatable; relative to the current directory)" },
  "error-on-unmatched-pattern": { type: "boolean", default: true, describe: "A glob matching no file is an error (exit 2); --no-error-on-unmatched-pattern allows it" },
  "project-config": { type: "boolean", default: true, describe: "Read fqc.config.json (or package.json's \"fqc\" key) from here up to the repository root; --no-project-config ignores it" },
} as const satisfies Record<string, Options & PlainOption>;

