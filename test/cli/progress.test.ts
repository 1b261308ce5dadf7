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

  it("stays silent when stderr is not a terminal (logs, CI)", () => {
    expect(progressReporter(fakeStream(false).s)).toBeUndefined();
  });
});
