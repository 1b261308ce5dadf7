// esbuild plugins that swap a dependency for a stand-in which does the common
// case itself and loads the real module only when it must. Each saves start-up
// time on every fqc run (measured), where a run rarely needs the real module.
import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * A plugin resolving `filter` (imported by a file matching `importer`) to a
 * stand-in made by `contents(realPath)`; the stand-in's own import of the
 * real path resolves normally.
 */
function standIn(name, filter, contents, importer = /./) {
  return {
    name,
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.pluginData === name || !importer.test(args.importer)) return undefined;
        const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: name });
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: name };
      });
      build.onLoad({ filter: /.*/, namespace: name }, (args) => ({ resolveDir: path.dirname(args.path), contents: contents(args.path) }));
    },
  };
}

// `string-width` (used by yargs, cliui and wrap-ansi to lay out help text) builds
// Unicode-property regular expressions and an Intl.Segmenter as soon as it is
// imported: ~16 ms of every start-up. The stand-in measures printable ASCII
// itself (width = length, string-width's own fast path) and loads the real
// module, of the importer's own version, on the first other string. Not for cli-progress (see below).
export const lazyStringWidth = standIn("lazy-string-width", /^string-width$/, (real) => `
  let real;
  const printableAscii = /^[\\x20-\\x7e]*$/;
  export default function stringWidth(text, options) {
    if (typeof text === "string" && printableAscii.test(text)) return text.length;
    real ??= require(${JSON.stringify(real)}).default;
    return real(text, options);
  }
`, /^(?![\s\S]*[\\/]cli-progress[\\/])/); // cli-progress require()s string-width as CommonJS: an ES default export would crash it; it loads only with the progress bar

// yargs' platform shim imports strictEqual and notStrictEqual from node:assert, whose
// loading costs ~2.5 ms of every start-up. yargs calls them on every run; they fail on a
// yargs bug, or when no package.json lies above the working directory (yargs looks for
// one, catches the failure and goes on: the usual case in a Python project). Building
// node:assert's AssertionError there cost ~5 ms more (it loads the module and sets up
// colours on stderr). The stand-in compares as they do (Object.is) and throws a plain
// error with the same name, code and fields instead.
export const lazyAssert = standIn("lazy-assert", /^(node:)?assert$/, () => `
  const show = (v) => { try { return String(v); } catch { return typeof v; } };
  class AssertionError extends Error {
    constructor(message, actual, expected, operator) {
      super(message ?? \`Expected \${show(actual)} \${operator} \${show(expected)}\`);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      Object.assign(this, { actual, expected, operator, generatedMessage: message === undefined });
    }
  }
  export function strictEqual(actual, expected, message) {
    if (!Object.is(actual, expected)) throw new AssertionError(message, actual, expected, "strictEqual");
  }
  export function notStrictEqual(actual, expected, message) {
    if (Object.is(actual, expected)) throw new AssertionError(message, actual, expected, "notStrictEqual");
  }
`, /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/);

// Two patches to yargs' platform shim; if a yargs release changes either line, the build fails here.
// - It reads process.stdout.columns when it loads, which makes Node build the stdout stream (a pipe's
//   costs ~2-3 ms: the net and stream modules) on every run, though yargs uses the value only to size
//   help when no width is set (fqc sets one): the patch turns it into a getter.
// - On every parse yargs reads the nearest package.json above the working directory (for parser settings
//   under a "yargs" key): the user's file, not fqc's, and a FIFO named package.json blocked that read for
//   ever, deaf to Ctrl-C and SIGTERM. fqc passes its version and settings itself, so the patched findUp
//   finds nothing (yargs then goes on as when no package.json exists).
const STD_COLUMNS = "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null";
const FIND_UP = "findUp: escalade,";
export const yargsShimPatches = {
  name: "yargs-shim-patches",
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      for (const line of [STD_COLUMNS, FIND_UP]) {
        if (!text.includes(line)) return { errors: [{ text: `yargs' platform shim no longer has "${line}": update scripts/stand-ins.mjs` }] };
      }
      const contents = text
        .replace(STD_COLUMNS, `get stdColumns() { return ${STD_COLUMNS.slice("stdColumns: ".length)}; }`)
        .replace(FIND_UP, "findUp: () => undefined,");
      return { contents, loader: "js" };
    });
  },
};
