/**
 * `normalize --check/--write` reads a commented YAML config once: validate's reading gives the canonical form, the
 * "$schema" and the comments carried over (it was read three times: by validate, for the "$schema", for the comments).
 * Counted at the yaml package's parseDocument, which every reading of a config this size goes through.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const reads = vi.hoisted(() => ({ count: 0 }));
vi.mock("yaml", async (importOriginal) => {
  const yaml = await importOriginal<typeof import("yaml")>();
  return { ...yaml, parseDocument: (...args: Parameters<typeof yaml.parseDocument>) => (reads.count++, yaml.parseDocument(...args)) };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());
beforeEach(() => void (reads.count = 0));

const COMMENTED = "# yaml-language-server: $schema=x.json\n$schema: x.json\n# int4 weights\ndtype: int4 # four bits\n# a\n# b\ngroup_size: 32\n";

describe("normalize reads a commented YAML config once", () => {
  it.each([["LF", COMMENTED], ["CRLF", COMMENTED.replace(/\n/g, "\r\n")], ["a byte-order mark and CRLF", `\uFEFF${COMMENTED.replace(/\n/g, "\r\n")}`]])(
    "--check and --write (%s), the comments carried over as before",
    async (_, text) => {
      const f = tmp.write("c.fqc.yaml", text);
      const check = await runMain(["normalize", "--check", f], { cwd: tmp.dir });
      expect(check.code).toBe(1);
      expect(reads.count).toBe(1);
      reads.count = 0;
      expect((await runMain(["normalize", "--write", f], { cwd: tmp.dir })).code).toBe(0);
      expect(reads.count).toBe(1);
      const lf = readFileSync(f, "utf8").replace(/\r\n/g, "\n");
      expect(lf.replace(/^\uFEFF/, "")).toBe(
        "# yaml-language-server: $schema=x.json\n$schema: x.json\n# int4 weights\ndtype: int4 # four bits\ngranularity:\n  type: PerGroup\n  # a\n  # b\n  group_size: 32\n" +
          "mapping_type: SYMMETRIC\nscale_precision: float32\nzero_point_precision: int32\nzero_point_domain: INT\nis_dynamic: true\nrange_learning: false\neps: null\n",
      );
      // CRLF kept, with no stray CR from a comment of several lines.
      if (text.includes("\r\n")) expect(readFileSync(f, "utf8")).not.toMatch(/\r(?!\n)|[^\r]\n/);
    },
  );
});
