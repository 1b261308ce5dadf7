/** main() called in-process, as the standalone binary and library users call it. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { ROOT, tempDir } from "../helpers/cli.js";

function io(): CliIO & { err: () => string } {
  let err = "";
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const stderr = new Writable({ write: (c, _e, done) => void ((err += String(c)), done()) });
  return { stdout: sink, stderr, readStdin: async () => "", cwd: ROOT, env: {}, err: () => err };
}

const listeners = () => (["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const).map((s) => process.listenerCount(s));

describe("main", () => {
  it("names an unknown command and the nearest one, exit 2", async () => {
    const cli = io();
    expect(await main(["valdate", "x.json"], cli)).toBe(2);
    expect(cli.err()).toContain("fqc: unknown command 'valdate'; did you mean 'validate'?");
  });

  it("leaves no signal handler behind, whichever way a run ends", async () => {
    const before = listeners();
    const tmp = tempDir();
    try {
      await main(["valdate"], io()); // unknown command: returned before the handlers were removed once
      await main(["apply", `${ROOT}/examples/weight.npy`, tmp.path("w.npy"), "-c", `${ROOT}/examples/int4-weight-per-group.json`, "-q"], io()); // plain line
      await main(["apply", "missing.npy", tmp.path("w.npy"), "-c", "missing.json", "--quiet=true"], io()); // through yargs, failing
      await main(["--version"], io());
    } finally {
      tmp.cleanup();
    }
    expect(listeners()).toEqual(before);
  });
});
