/** The README's Library API example: each call it shows gives the result its comment states. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fakeQuantize, normalize, validate } from "../../src/index.js";
import { ROOT } from "../helpers/cli.js";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const section = readme.split("\n## Library API\n")[1]?.split("\n## ")[0] ?? "";
const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";

/** The comment lines right after the line holding `call`, joined, without their `//`. */
function commentAfter(call: string): string {
  const lines = block.split("\n");
  const at = lines.findIndex((l) => l.includes(call));
  if (at < 0) throw new Error(`README's library example has no ${call}`);
  const comment: string[] = [];
  for (const l of lines.slice(at + 1)) {
    const m = /^\/\/ ?(.*)$/.exec(l.trim());
    if (!m) {
      if (comment.length) break;
      continue; // the call's own continuation lines
    }
    comment.push(m[1].trim());
  }
  return comment.join(" ");
}

describe("README: Library API example", () => {
  it("validate's first message is the one shown", () => {
    const call = `validate('{"dtype": "int4", "granularity": "per_channel", "group_size": 32}', { filename: "cfg.json" }).diagnostics[0].message`;
    expect(block).toContain(call);
    const message = validate('{"dtype": "int4", "granularity": "per_channel", "group_size": 32}', { filename: "cfg.json" }).diagnostics[0].message;
    expect(commentAfter(call)).toBe(JSON.stringify(message));
  });

  it("normalize gives the canonical config shown", () => {
    const call = `normalize({ dtype: "int4", group_size: 32 });`;
    expect(block).toContain(call);
    // The comment is a JavaScript object literal: quote its keys to read it as JSON.
    const shown = JSON.parse(commentAfter(call).replace(/([{,]\s*)([a-z_]+):/g, '$1"$2":'));
    expect(shown).toEqual(normalize({ dtype: "int4", group_size: 32 }));
  });

  it("fakeQuantize gives the output shown, to the digits shown", () => {
    const call = "fakeQuantize({ dtype: \"int4\", group_size: 4 },\n  new Float32Array([11.375, 9.858333587646484, 0, -1]), { shape: [1, 4] });";
    expect(block).toContain(call);
    const { output } = fakeQuantize({ dtype: "int4", group_size: 4 }, new Float32Array([11.375, 9.858333587646484, 0, -1]), { shape: [1, 4] });
    const shown = /^output: \[([^\]]*)\]/.exec(commentAfter("new Float32Array([11.375"))?.[1].split(",").map(Number);
    expect(shown).toEqual(Array.from(output, (v) => Number(v.toPrecision(8))));
  });
});
