// esbuild plugin: `string-width` (used by yargs, cliui and wrap-ansi to lay out
// help text) builds Unicode-property regular expressions and an Intl.Segmenter
// as soon as it is imported: ~16 ms of every fqc start-up, measured, though a
// run rarely lays out any text. Each import gets a stand-in that measures
// printable ASCII itself (width = length, as string-width's own fast path
// does) and loads the real module, of the importer's own version, on the
// first other string.
import path from "node:path";

const NAMESPACE = "lazy-string-width";

export const lazyStringWidth = {
  name: NAMESPACE,
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === NAMESPACE) return undefined; // the stand-in's own import: the real module
      const real = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: NAMESPACE });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      resolveDir: path.dirname(args.path),
      contents: `
        let real;
        const printableAscii = /^[\\x20-\\x7e]*$/;
        export default function stringWidth(text, options) {
          if (typeof text === "string" && printableAscii.test(text)) return text.length;
          real ??= require(${JSON.stringify(args.path)}).default;
          return real(text, options);
        }
      `,
    }));
  },
};
