// Entry of the single-file executable (CommonJS bundle: no top-level await allowed there).
import { main } from "./main.js";

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
