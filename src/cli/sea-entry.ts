// Entry of the single-file executable (CommonJS bundle: no top-level await allowed there).
import { startEarlyWorkers } from "../parallel/early-workers.js";
import { main } from "./main.js";

const args = process.argv.slice(2);
main(args, undefined, { workers: startEarlyWorkers(args) }).then((code) => {
  process.exitCode = code;
});
