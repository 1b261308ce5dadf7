#!/usr/bin/env node
// Thin launcher: all behaviour lives in the library's CLI module.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
