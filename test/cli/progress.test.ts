import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { progressReporter } from "../../src/cli/progress.js";

function fakeStream(isTTY: boolean) {
  let text = "";
  const s = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean };
  s.isTTY = isTTY;
  s.columns = 100;
  s.cursorTo = () => true;
  s.clearLine = () => true;
  s.moveCursor = () => true;
  return { s, text: () => text };
}

describe("progress bar", () => {
  it("draws rows done / total on a terminal", () => {
    const { s, text } = fakeStream(true);
    const p = progressReporter(s)!;
    expect(p).toBeDefined();
    p.update(10, 40);
    p.update(40, 40);
    p.stop();
    expect(text()).toMatch(/40\/40 rows/);
  });

  it("draws one bar, hiding the cursor while it shows, and leaves the line clear with the cursor back when stopped", () => {
    const { s, text } = fakeStream(true);
    const p = progressReporter(s, "tensors")!;
    p.update(1, 3);
    p.update(2, 3);
    const drawn = text();
    expect(drawn.split("\u001b[?25l")).toHaveLength(2); // hidden once: one bar, not one per update
    expect(drawn).toMatch(/\/3 tensors/);
    p.stop();
    const last = text().slice(drawn.length);
    expect(last).toContain("\u001b[?25h");
    expect(last.endsWith("\u001b[2K")).toBe(true); // the bar's line erased
  });

  it("after stop, draws nothing more and a second stop does nothing (a run's last update may follow it)", () => {
    const { s, text } = fakeStream(true);
    const p = progressReporter(s)!;
    p.update(1, 2);
    p.stop();
    const after = text();
    p.update(2, 2);
    p.stop();
    expect(text()).toBe(after);
    const never = fakeStream(true);
    const q = progressReporter(never.s)!;
    q.stop();
    q.update(1, 2);
    expect(never.text()).toBe("");
  });

  it("stays silent when stderr is not a terminal (logs, CI)", () => {
    expect(progressReporter(fakeStream(false).s)).toBeUndefined();
  });
});
