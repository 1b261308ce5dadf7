/**
 * The files a project says no command touches: `ignorePatterns` of its settings file (relative to that file's
 * directory) and `--ignore-pattern` (relative to the current one). validate and normalize read both options
 * from here and skip the same files, so a pre-commit run of either hook leaves the same files alone.
 */
import { dirname } from "node:path";
import type { ProjectConfig } from "../config/project-config.js";
import { findProjectConfig } from "./find-project-config.js";
import type { IgnorePattern } from "./lint-files.js";

/** The project's settings, unless --no-project-config. */
export function projectSettings(argv: { "project-config": boolean }, cwd: string): ProjectConfig | undefined {
  return argv["project-config"] ? findProjectConfig(cwd) : undefined;
}

/** Whether a glob matching no file (or only ignored ones) is an error: the command line's --no-error-on-unmatched-pattern wins,
 * then the project's `errorOnUnmatchedPattern: false` when the flag is left at its default. */
export function unmatchedIsError(project: ProjectConfig | undefined, argv: { "error-on-unmatched-pattern": boolean }): boolean {
  return argv["error-on-unmatched-pattern"] && (project?.errorOnUnmatchedPattern ?? true);
}

/** The project's ignore patterns, then the command line's, each with the directory it is relative to. */
export function ignorePatterns(project: ProjectConfig | undefined, argv: { "ignore-pattern": readonly string[] }, cwd: string): IgnorePattern[] {
  return [
    // dirname of "…/package.json#fqc" is package.json's directory: the "#fqc" is part of the name it drops.
    ...(project?.ignorePatterns ?? []).map((pattern) => ({ pattern, base: dirname(project!.file) })),
    ...argv["ignore-pattern"].map((pattern) => ({ pattern, base: cwd })),
  ];
}
