/** The options validate and normalize share for the files a project leaves alone (src/cli/ignore-options.ts), as --help tells them. */
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

describe("validate --help and normalize --help", () => {
  it.each(["validate", "normalize"])("%s --help says what each option for ignored files does, and how to turn the default ones off", async (command) => {
    const r = await runMain([command, "--help"], { cwd: ROOT });
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toMatch(/--ignore-pattern Skip files matching this glob \(repeatable; relative to the current directory\) \[array\] \[default: \[\]\]/);
    expect(help).toMatch(/--error-on-unmatched-pattern A glob matching no file is an error \(exit 2\); --no-error-on-unmatched-pattern allows it \[boolean\] \[default: true\]/);
    expect(help).toMatch(/--project-config Read fqc\.config\.json \(or package\.json's "fqc" key\) from here up to the repository root; --no-project-config ignores it \[boolean\] \[default: true\]/);
  });
});
