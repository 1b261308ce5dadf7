/**
 * The comments and blank lines of a YAML config in its canonical form (src/yaml-comments.ts, through canonicalFileText as
 * `normalize --check/--write` calls it): none is lost, wherever the file puts it, and what `--write` writes passes `--check`.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { canonicalFileText } from "../../src/canonical-text.js";
import { normalizeDocument } from "../../src/config/normalize.js";
import { judge } from "../../src/config/validate.js";
import { BLOCK_YAML_MIN_LENGTH, FULL_YAML_MAX_LENGTH } from "../../src/diagnostics/source.js";

afterEach(() => vi.restoreAllMocks());

const canonical = (text: string, name = "c.yaml") => canonicalFileText(normalizeDocument(text, { filename: name }), text, name);
/** The canonical text, checked to be its own canonical form with the same config (`--check` passes what `--write` wrote). */
function settled(text: string, name = "c.yaml"): string {
  const once = canonical(text, name);
  expect(canonical(once, name), text).toBe(once);
  expect(normalizeDocument(once, { filename: name }), text).toEqual(normalizeDocument(text, { filename: name }));
  return once;
}
/** The comments `# c…` of a text, sorted. */
const comments = (text: string) => (text.match(/# c\d+/g) ?? []).sort();

describe("a YAML file's comments in its canonical form", () => {
  it("keeps a flow collection's comment on its line with its key, not above the next key (which it then seemed to speak of)", () => {
    expect(settled("dtype: int4\ngranularity: {type: PerGroup, group_size: 32} # c1\nis_symmetric: true\n")).toMatch(/^dtype: int4\ngranularity:\n {2}# c1\n {2}type: PerGroup\n/);
    const recipe = "fqn_to_config:\n  re:.*proj: {dtype: int4, group_size: 32} # c1\n  lm_head: {dtype: int8,\n    granularity: per_channel # c2\n  } # c3\n  model.norm: null\n";
    const out = settled(recipe, "r.yaml");
    expect(out).toMatch(/\n {2}re:\.\*proj:\n {4}# c1\n {4}dtype: int4\n/);
    expect(out).toMatch(/\n {2}lm_head:\n {4}# c3\n {4}dtype: int8\n {4}granularity:\n {6}# c2\n {6}type: PerAxis\n/);
    expect(out).toMatch(/\n {4}eps: null\n {2}model\.norm: null\n$/);
    // A comment on the line after a flow map is the next key's, as before.
    expect(settled("dtype: int4\ngranularity: {type: PerGroup, group_size: 32}\n# c1\nis_symmetric: true\n")).toMatch(/\n# c1\nmapping_type: SYMMETRIC\n/);
  });

  it("writes no blank line above a key that now comes first in its map (--check failed on what --write wrote)", () => {
    expect(settled("group_size: 32\n\ndtype: int4\n")).toMatch(/^dtype: int4\ngranularity:\n/);
    expect(settled("fqn_to_config:\n  a:\n    group_size: 32\n\n    dtype: int4\n", "r.yaml")).toMatch(/^fqn_to_config:\n {2}a:\n {4}dtype: int4\n/);
    const pair = "weight:\n  dtype: int4\n  group_size: 32\n\n# the activation\nactivation:\n  dtype: int8\n  granularity: per_token\n  mapping_type: ASYMMETRIC\n";
    expect(settled(pair)).toMatch(/^# the activation\nactivation:\n {2}dtype: int8\n/);
    // Above a key that is not first, it stays.
    expect(settled("dtype: int4\n\ngroup_size: 32\n\nscale_precision: float32\n")).toMatch(/\nmapping_type: SYMMETRIC\n\nscale_precision: float32\n/);
  });

  it("writes no blank line after the file's last comment, one ending a nested map before a blank line included (--check failed on it)", () => {
    expect(settled("fqn_to_config:\n  a: null\n  # c1\n\n", "r.yaml")).toBe("fqn_to_config:\n  a: null\n\n# c1\n");
    expect(settled("fqn_to_config:\n  a: null\n  # c1\n\n  # c2\n\n\n", "r.yaml")).toBe("fqn_to_config:\n  a: null\n\n# c1\n\n# c2\n");
  });

  it("keeps a comment of several lines in a CRLF file as its lines", () => {
    const text = "dtype: int4\r\n# c1\r\n# c2\r\ngroup_size: 32\r\n";
    const judged = judge(text, { filename: "c.yaml" });
    const out = canonicalFileText(judged.document!, text, "c.yaml", judged.source);
    expect(out).toMatch(/\r\n {2}# c1\r\n {2}# c2\r\n {2}group_size: 32\r\n/);
    expect(canonical(out)).toBe(out);
  });

  it("keeps a blank line of spaces in a file without comments", () => {
    expect(settled("dtype: int4\n  \nscale_precision: float32\ngroup_size: 32\n")).toMatch(/\nmapping_type: SYMMETRIC\n\nscale_precision: float32\n/);
  });

  it("keeps the comments between a key and a scalar value below it, or after `? key`, above the key", () => {
    expect(settled("dtype:\n  # c1\n  int4\ngroup_size: 32 # c2\n")).toMatch(/^# c1\ndtype: int4\ngranularity:\n {2}type: PerGroup\n {2}group_size: 32 # c2\n/);
    expect(settled("dtype: # c1\n  int4\ngroup_size: 32\n")).toMatch(/^# c1\ndtype: int4\n/);
    expect(settled("? dtype # c1\n# c2\n: int4\ngroup_size: 32\n")).toMatch(/^# c1\n# c2\ndtype: int4\n/);
    // `? key` alone has a null value.
    expect(settled("fqn_to_config:\n  # c1\n  ? lm_head # c2\n  b: null # c3\n", "r.yaml")).toBe("fqn_to_config:\n  # c1\n  # c2\n  lm_head: null\n  b: null # c3\n");
  });

  it("keeps the comments of a key written as an alias, a flow collection or a block scalar at the entry the key names", () => {
    const alias = "fqn_to_config:\n  x: {dtype: &d int4, group_size: 32}\n  # c1\n  *d : null # c2\n  y: null\n";
    expect(settled(alias, "r.yaml")).toMatch(/\n {2}# c1\n {2}int4: null # c2\n {2}y: null\n$/);
    expect(settled("fqn_to_config:\n  ? [a, b] # c1\n  : null # c2\n  c: null\n", "r.yaml")).toBe('fqn_to_config:\n  # c1\n  "[ a, b ]": null # c2\n  c: null\n');
    expect(settled("fqn_to_config:\n  ? |- # c1\n    multi\n  : null # c2\n  c: null\n", "r.yaml")).toBe("fqn_to_config:\n  # c1\n  multi: null # c2\n  c: null\n");
    expect(settled("fqn_to_config:\n  # c1\n  ~: null # c2\n  b: null\n", "r.yaml")).toBe('fqn_to_config:\n  # c1\n  "": null # c2\n  b: null\n');
    // A flow map key's entries, one of them with no value; a comment among them is written in the key too, as the yaml package names it.
    expect(settled("fqn_to_config:\n  b: null\n  ? {a, # c1\n     b: 2} # c2\n  : null\n", "r.yaml")).toMatch(/^fqn_to_config:\n {2}b: null\n {2}# c1\n {2}# c2\n {2}"\{/);
    expect(settled("fqn_to_config:\n  a: null\n\n  # c1\n  : null # c2\n", "r.yaml")).toBe('fqn_to_config:\n  a: null\n\n  # c1\n  "": null # c2\n');
  });

  it("keeps the comments after an anchor, a tag or a flow map's { at the root at the top, as after a ---", () => {
    for (const text of ["&a # c1\ndtype: int4\ngroup_size: 32\n", "!!map # c1\ndtype: int4\ngroup_size: 32\n", "# c1\n{dtype: int4, group_size: 32}\n"]) {
      expect(settled(text), text).toMatch(/^# c1\ndtype: int4\n/);
    }
    expect(settled("--- # c1\n# c2\ndtype: int4\ngroup_size: 32\n")).toMatch(/^---\n# c1\n# c2\ndtype: int4\n/);
  });

  it("keeps those of a torchao envelope, whose keys have no counterpart, at the end of the file", () => {
    const envelope = "# c1\n_type: IntxFakeQuantizeConfig # c2\n_version: 1\n_data:\n  # c3\n  dtype: {_type: torch.dtype, _data: int4} # c4\n  group_size: 32\n";
    const out = settled(envelope);
    expect(out).toMatch(/^# c1\ndtype: int4\n/);
    expect(out).toMatch(/\neps: null\n\n# c2\n# c3\n# c4\n$/);
  });

  it("reads them itself from a file fqc's large-file reader read (64 to 128 KiB), where validate kept no yaml document", () => {
    const entries = Array.from({ length: 1500 }, (_, i) => `  model.layers.${i}.mlp.up_proj:\n    dtype: int4\n    group_size: 32\n`).join("");
    // A key the yaml package reads for fqc's reader, and one it warns about (a collection key) unless told not to.
    const text = `fqn_to_config:\n  # c1\n  lm_head: null # c2\n${entries}  # c3\n  ? [a, b] # c4\n  : null\n`;
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    expect(text.length).toBeGreaterThan(BLOCK_YAML_MIN_LENGTH);
    expect(text.length).toBeLessThan(FULL_YAML_MAX_LENGTH);
    const judged = judge(text, { filename: "r.yaml" });
    expect(judged.source?.yamlDocument).toBeUndefined();
    const out = canonicalFileText(judged.document!, text, "r.yaml", judged.source);
    expect(out).toMatch(/^fqn_to_config:\n {2}# c1\n {2}lm_head: null # c2\n/);
    expect(out).toMatch(/\n {2}# c3\n {2}# c4\n {2}"\[ a, b \]": null\n$/);
    expect(warn).not.toHaveBeenCalled();
  });

  it("loses none and settles at once, wherever a comment or a blank line is put in a config, a pair or a recipe (the end included)", () => {
    const files: Array<[string, string[]]> = [
      ["c.yaml", ["dtype: int4", "granularity:", "  type: PerGroup", "  group_size: 32", "is_symmetric: false"]],
      ["c.yaml", ["weight:", "  dtype: int4", "  group_size: 32", "activation:", "  dtype: int8", "  granularity: per_token", "  mapping_type: ASYMMETRIC"]],
      ["c.yaml", ["weight: &w", "  dtype: int4", "  group_size: 32", "activation: *w"]],
      ["c.yaml", ["? dtype", ": int4", "group_size:", "  32"]],
      ["r.yaml", ["---", "fqn_to_config:", "  lm_head: {dtype: int8, granularity: per_channel}", "  ? [a, b]", "  : null", "  're:a\\.b':", "    dtype: int4", "    group_size: 32"]],
    ];
    let tried = 0;
    for (const [name, lines] of files) {
      const meaning = JSON.stringify(normalizeDocument(lines.join("\n"), { filename: name }));
      for (let at = 0; at <= lines.length; at++) {
        for (const [end, inserted] of lines.flatMap((_, i) => [[i, ["", "  # c2"]], [i, ["  # c2", ""]]] as const)) {
          const variant = [...lines];
          variant[end] += " # c1";
          variant.splice(at, 0, ...inserted);
          const text = `${variant.join("\n")}\n`;
          // Where a comment changes the config (a "#" in a flow collection, an indented line that continues a value), skip.
          let same = false;
          try {
            same = JSON.stringify(normalizeDocument(text, { filename: name })) === meaning;
          } catch {
            // not a config
          }
          if (!same) continue;
          tried++;
          expect(comments(settled(text, name)), text).toEqual(comments(text));
        }
      }
    }
    expect(tried).toBeGreaterThan(300);
  });
});
