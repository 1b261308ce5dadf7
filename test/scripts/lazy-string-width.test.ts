/** The build's string-width stand-in (scripts/lazy-string-width.mjs) measures every string as the real module does. */
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
// @ts-expect-error -- a build script in plain JS
import { lazyStringWidth } from "../../scripts/lazy-string-width.mjs";

type Width = (text: unknown, options?: object) => number;

/** Bundles "string-width" as the importer in `dir` sees it, once through the stand-in and once directly. */
async function pair(dir: string): Promise<{ lazy: Width; real: Width }> {
  const realPath = createRequire(path.join(ROOT, dir, "index.js")).resolve("string-width");
  const out = await build({
    stdin: {
      contents: `export { default as lazy } from "string-width"; export { default as real } from ${JSON.stringify(realPath)};`,
      resolveDir: path.join(ROOT, dir),
      loader: "js",
    },
    bundle: true, platform: "node", format: "esm", write: false, plugins: [lazyStringWidth], logLevel: "silent",
    supported: { "regexp-set-notation": true },
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`) as Promise<{ lazy: Width; real: Width }>;
}

const samples: unknown[] = [
  "", "fqc apply <input> <output>", "  --threads  Threads that compute", "~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
  "\u001B[31mred\u001B[39m", "tab\there", "new\nline", "→ ✔ ✖ ⚠", "日本語のテキスト", "한국어", "e\u0301", "👍🏽", "👨‍👩‍👧",
  "ｶﾞ", "\u200B", "\u0000", 42, undefined,
];

describe("string-width stand-in", () => {
  for (const dir of ["node_modules/yargs", "node_modules/cliui", "node_modules/wrap-ansi"]) {
    it(`gives the real widths for ${dir}'s copy, ASCII and not`, async () => {
      const { lazy, real } = await pair(dir);
      expect(lazy.toString()).toContain("printableAscii"); // the stand-in, not the module itself
      for (const s of samples) {
        expect(lazy(s), JSON.stringify(s)).toBe(real(s));
        expect(lazy(s, { ambiguousIsNarrow: false }), JSON.stringify(s)).toBe(real(s, { ambiguousIsNarrow: false }));
      }
      expect(lazy("\u001B[31mred\u001B[39m", { countAnsiEscapeCodes: true })).toBe(real("\u001B[31mred\u001B[39m", { countAnsiEscapeCodes: true }));
    });
  }
});
