/** The README's "Use fqc in your repository" section and its code blocks, for the tests that run what it tells users to do. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { ROOT } from "./cli.js";

export const USE_SECTION = (() => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Use fqc in your repository\n");
  if (start < 0) throw new Error("README has no '## Use fqc in your repository' section");
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
})();

/** Fenced code blocks of the section, in order. */
export const USE_BLOCKS: { lang: string; text: string }[] = [...USE_SECTION.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));

/** The one block of `lang` whose text contains `marker`. */
export function useBlock(lang: string, marker: string): string {
  const found = USE_BLOCKS.filter((b) => b.lang === lang && b.text.includes(marker));
  if (found.length !== 1) throw new Error(`README: expected one ${lang} block with ${JSON.stringify(marker)}, found ${found.length}`);
  return found[0].text;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export const PRE_COMMIT_CONFIG: { repos: { repo: string; rev: string; hooks: { id: string }[] }[] } = parse(useBlock("yaml", "repos:"));
export const WORKFLOW: any = parse(useBlock("yaml", "jobs:"));
