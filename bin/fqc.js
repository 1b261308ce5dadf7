#!/usr/bin/env node
// Thin launcher: all behaviour lives in the CLI module, bundled into dist/fqc.mjs by `npm run build`.
import { main } from "../dist/fqc.mjs";

process.exitCode = await main(process.argv.slice(2));
