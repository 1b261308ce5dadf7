/**
 * How a run ends early (stop.ts), in-process, where the moment can be chosen. A write error on stdout or stderr can
 * come while the run still has temp files open (a warning written to a closed stderr while apply fills its output):
 * the run ends as stop.ts says, and leaves none of them behind. On a signal, the listeners go only after the temp
 * files: until then a second signal waits (Node takes a signal without listeners at its default action, at once).
 */
import { existsSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { exitOnSignal, exitOnStreamError } from "../../src/cli/stop.js";
import { registerTemp, removeLiveTemps } from "../../src/npy/temp-files.js";
import { tempDir } from "../helpers/cli.js";
import { Ended, mockProcessEnd } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => {
  vi.restoreAllMocks();
  removeLiveTemps();
});

/** exitOnStreamError with a live temp file: the status the process ended with. */
function endOnWriteError(stream: "stdout" | "stderr", code: string, temp: string): number {
  registerTemp(temp, tmp.path("out.npy"));
  const exits: number[] = [];
  mockProcessEnd((status) => exits.push(status));
  expect(() => exitOnStreamError(stream, Object.assign(new Error(code), { code }))).toThrow(Ended);
  return exits[0];
}

describe("a write error on standard output or error", () => {
  it("a closed pipe (EPIPE) removes the run's temp files, then ends by SIGPIPE (141)", () => {
    const temp = tmp.write("out.npy.fqc-1-aaaaaaaaaaaa.tmp", "partial");
    expect(endOnWriteError("stdout", "EPIPE", temp)).toBe(141);
    expect(existsSync(temp)).toBe(false);
  });

  it("any other error (a full disk behind stderr) removes the run's temp files, then exits 2", () => {
    const temp = tmp.write("out.npy.fqc-1-bbbbbbbbbbbb.tmp", "partial");
    expect(endOnWriteError("stderr", "ENOSPC", temp)).toBe(2);
    expect(existsSync(temp)).toBe(false);
  });
});

describe("a signal", () => {
  it("takes the run's listeners off only once its temp files are gone", () => {
    const temp = tmp.write("out.npy.fqc-1-cccccccccccc.tmp", "partial");
    registerTemp(temp, tmp.path("out.npy"));
    mockProcessEnd(() => undefined);
    let tempAtUnlisten: boolean | undefined;
    expect(() => exitOnSignal("SIGTERM", () => void (tempAtUnlisten ??= existsSync(temp)))).toThrow(Ended);
    expect(tempAtUnlisten).toBe(false);
  });

  it("exits with 128 + n where another listener (a host process's) would take the signal raised again", () => {
    const host = () => undefined;
    process.on("SIGHUP", host);
    try {
      const exits: number[] = [];
      mockProcessEnd((status) => exits.push(status));
      expect(() => exitOnSignal("SIGHUP", () => undefined)).toThrow(Ended);
      expect(exits).toEqual([129]);
      expect(process.kill).not.toHaveBeenCalled();
    } finally {
      process.off("SIGHUP", host);
    }
  });
});
