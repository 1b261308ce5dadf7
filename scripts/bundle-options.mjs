// esbuild options shared by the CLI bundle (dist/fqc.cjs) and the single-file executable.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lazyAssert, yargsShimPatches, lazyStringWidth } from "./stand-ins.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** One CommonJS file: loadable through vm.Script with a code cache (bin/load-cli.js) and by Node's SEA. For esbuild's async build(): plugins. */
export function cliBundleOptions(entry, outfile) {
  return {
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    // Node 20 has RegExp's v flag; without this esbuild rewrites /…/v literals (string-width's emoji
    // pattern) as new RegExp(…), which V8 compiles eagerly: ~20 ms of every start-up (measured).
    supported: { "regexp-set-notation": true },
    outfile: path.join(root, outfile),
    // Every run reads the whole bundle into a buffer and then a string, and each fresh 4 KiB page costs ~15 µs
    // here: without spaces and comments it is ~30% smaller (~270 fewer page faults, ~4 ms of every command).
    // Names stay as written: messages, stack traces and the start-up tests' checks read them.
    minifyWhitespace: true,
    minifySyntax: true,
    // yargs' ESM shim reads import.meta.url, which a CJS bundle lacks; give it this file's URL.
    define: { "import.meta.url": "__fqc_import_meta_url" },
    banner: { js: "const __fqc_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    plugins: [lazyStringWidth, lazyAssert, yargsShimPatches],
    logLevel: "error",
  };
}
