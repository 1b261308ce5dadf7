/**
 * A real signal that arrives during the run's last synchronous step is only handled on the next turn of the event
 * loop. main() takes that turn before it removes its handlers (deliverPendingSignal), so the run still ends with
 * 128 + n rather than with its result, or its error, as if the signal never came. In-process, so the signal can be
 * raised at that exact point.
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CliIO } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { ROOT } from "../helpers/cli.js";

// Keeps the test process alive should fqc's handlers be gone when the signal is handled (then nothing else takes it).
const keepAlive = () => undefined;
afterEach(() => {
  process.off("SIGTERM", keepAlive);
  vi.restoreAllMocks();
});

/** `validate -` in-process, reading `stdin` and calling `onStdout` on each write to stdout; the statuses exited with. */
async function validateStdin(stdin: () => Promise<string>, onStdout: () => void): Promise<{ code: number; exits: number[] }> {
  process.on("SIGTERM", keepAlive);
  const exits: number[] = [];
  // Recorded, not thrown: fqc's signal handler calls it from the event loop, where a throw would escape the test.
  vi.spyOn(process, "exit").mockImplementation(((status?: number) => void exits.push(status ?? 0)) as never);
  const sink = (onWrite: () => void) => new Writable({ write: (_c, _e, done) => void (onWrite(), done()) });
  const io: CliIO = { stdout: sink(onStdout), stderr: sink(() => undefined), readStdin: stdin, cwd: ROOT, env: { NO_COLOR: "1" } };
  const code = await main(["validate", "-"], io);
  return { code, exits };
}

const sigterm = () => void process.kill(process.pid, "SIGTERM");

describe("a signal pending when the run ends", () => {
  it("raised during the report's write (the last step), it still ends the run with 143", async () => {
    let raised = false;
    const r = await validateStdin(async () => '{"dtype": "int4", "group_size": 32}', () => {
      if (!raised) sigterm();
      raised = true;
    });
    expect(raised).toBe(true);
    expect(r.exits).toEqual([143]);
  });

  it("raised just before the run fails, it ends the run with 143, not the failure's status", async () => {
    const r = await validateStdin(async () => {
      sigterm();
      throw new Error("standard input went away");
    }, () => undefined);
    expect(r.exits).toEqual([143]);
  });
});
