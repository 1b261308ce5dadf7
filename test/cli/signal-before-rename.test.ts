/**
 * A signal that comes while a report is made (synchronous work: seconds for a
 * checkpoint of 100,000s of tensors, during which no handler runs) is handled
 * before any output is renamed into place: the run ends with 128 + n and
 * nothing written, not with its outputs written and a status saying it was
 * interrupted. Run in-process: the signal is emitted on the turn of the event
 * loop after the report's rendering, as a real one waiting meanwhile would be.
 */
import { existsSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

const arm = vi.hoisted(() => ({ signal: null as NodeJS.Signals | null }));

/** Queues `signal` for the next turn of the event loop, as the kernel does when one arrives mid-work. */
function queueSignal(): void {
  const signal = arm.signal;
  if (!signal) return;
  arm.signal = null;
  setImmediate(() => {
    try {
      process.emit(signal, signal);
    } catch (e) {
      if (!(e instanceof Ended)) throw e;
    }
  });
}

vi.mock("../../src/report/render.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/report/render.js")>();
  return { ...real, reportPiecesForCli: (...args: Parameters<typeof real.reportPiecesForCli>) => (queueSignal(), real.reportPiecesForCli(...args)) };
});
vi.mock("../../src/diagnostics/format.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/diagnostics/format.js")>();
  return { ...real, formatDiagnostics: (...args: Parameters<typeof real.formatDiagnostics>) => (queueSignal(), real.formatDiagnostics(...args)) };
});

const { tempDir } = await import("../helpers/cli.js");
const { Ended, mockProcessEnd, runMain } = await import("../helpers/in-process.js");
const { writeSafetensors, weights } = await import("../helpers/safetensors.js");

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => {
  vi.restoreAllMocks();
  arm.signal = null;
});

const cfg = tmp.write("cfg.json", JSON.stringify({ dtype: "int4", group_size: 32 }));
const model = tmp.path("m.safetensors");
writeSafetensors(model, [{ name: "a.weight", dtype: "F32", shape: [8, 64], values: weights(8 * 64, 1) }]);

/** Runs `args` with `signal` queued during the rendering; what the outputs were when fqc exited, and with which status. */
async function exitWhileRendering(args: string[], signal: NodeJS.Signals, outputs: string[]): Promise<{ code: number; existed: boolean[] }> {
  let seen: { code: number; existed: boolean[] } | undefined;
  mockProcessEnd((code) => {
    seen ??= { code, existed: outputs.map((o) => existsSync(o)) };
  });
  arm.signal = signal;
  // What fqc does after the exit it asked for (mocked here) is not the point: only its state at that exit.
  await runMain(args, { cwd: tmp.dir }).catch(() => undefined);
  expect(seen, "the signal was handled").toBeDefined();
  return seen!;
}

describe("a signal while the report is made", () => {
  it("report -o: exit 130 before the report is renamed into place", async () => {
    const out = tmp.path("r.html");
    const r = await exitWhileRendering(["report", model, "-c", cfg, "-o", out], "SIGINT", [out]);
    expect(r).toEqual({ code: 130, existed: [false] });
  });

  it("apply --report: exit 143 before any output is renamed (not 'came after every output was written')", async () => {
    const outs = [tmp.path("m.fq.safetensors"), tmp.path("q.safetensors"), tmp.path("a.md")];
    const r = await exitWhileRendering(["apply", model, outs[0], "-c", cfg, "--qparams-out", outs[1], "--report", outs[2], "-j", "1"], "SIGTERM", outs);
    expect(r).toEqual({ code: 143, existed: [false, false, false] });
  });

  it("validate -o: exit 129 before the report is written", async () => {
    const out = tmp.path("v.json");
    const r = await exitWhileRendering(["validate", cfg, "-o", out], "SIGHUP", [out]);
    expect(r).toEqual({ code: 129, existed: [false] });
  });
});
