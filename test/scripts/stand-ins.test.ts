/** The build's stand-ins (scripts/stand-ins.mjs) behave as the modules they replace. */
import assert from "node:assert";
import { createRequire } from "node:module";
import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
// @ts-expect-error -- a build script in plain JS
import { lazyAssert, lazyStringWidth } from "../../scripts/stand-ins.mjs";

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

type Check = (actual: unknown, expected: unknown, message?: string) => void;

/** Bundles an "assert" import made from yargs' platform shim directory, through the stand-in. */
async function assertAsYargsSees(): Promise<{ strictEqual: Check; notStrictEqual: Check; code: string }> {
  const out = await build({
    stdin: {
      contents: `export { strictEqual, notStrictEqual } from "assert";`,
      resolveDir: path.join(ROOT, "node_modules/yargs/lib/platform-shims"),
      sourcefile: path.join(ROOT, "node_modules/yargs/lib/platform-shims/probe.mjs"),
      loader: "js",
    },
    bundle: true, platform: "node", format: "cjs", write: false, plugins: [lazyAssert], logLevel: "silent",
  });
  const code = out.outputFiles[0].text;
  const module = { exports: {} as Record<string, Check> };
  new Function("module", "exports", "require", code)(module, module.exports, createRequire(import.meta.url));
  return { strictEqual: module.exports.strictEqual, notStrictEqual: module.exports.notStrictEqual, code };
}

describe("assert stand-in (yargs' strictEqual / notStrictEqual)", () => {
  const pairs: Array<[unknown, unknown]> = [
    [1, 1], [1, 2], ["a", "a"], ["1", 1], [NaN, NaN], [0, -0], [null, undefined], [undefined, undefined], [{}, {}],
  ];

  it("is the stand-in, and passes and fails exactly where node:assert does, with its error's name, code and fields", async () => {
    const { strictEqual, notStrictEqual, code } = await assertAsYargsSees();
    expect(code).toContain("Object.is");
    const outcome = (f: Check, a: unknown, b: unknown, message?: string): object => {
      try {
        f(a, b, message);
        return { ok: true };
      } catch (e) {
        const err = e as Error & { code?: string; actual?: unknown; expected?: unknown; operator?: string; generatedMessage?: boolean };
        const { name, code, actual, expected, operator, generatedMessage } = err;
        return { name, code, actual, expected, operator, generatedMessage };
      }
    };
    for (const [a, b] of pairs) {
      for (const message of [undefined, "probe"]) {
        expect(outcome(strictEqual, a, b, message), `strictEqual(${String(a)}, ${String(b)})`).toEqual(outcome(assert.strictEqual, a, b, message));
        expect(outcome(notStrictEqual, a, b, message), `notStrictEqual(${String(a)}, ${String(b)})`).toEqual(outcome(assert.notStrictEqual, a, b, message));
      }
    }
    expect(() => strictEqual(1, 2, "probe")).toThrow(/^probe$/);
    expect(() => notStrictEqual(Object.create(null), Object.create(null) as unknown)).not.toThrow();
    const bare = Object.create(null) as object;
    expect(() => notStrictEqual(bare, bare)).toThrow(/^Expected object notStrictEqual object$/);
  });

  it("leaves other importers' assert alone", async () => {
    const out = await build({
      stdin: { contents: `export { strictEqual } from "assert";`, resolveDir: ROOT, loader: "js" },
      bundle: true, platform: "node", format: "cjs", write: false, plugins: [lazyAssert], logLevel: "silent",
    });
    expect(out.outputFiles[0].text).not.toContain("Object.is");
    expect(out.outputFiles[0].text).toMatch(/require\("assert"\)/);
  });
});
