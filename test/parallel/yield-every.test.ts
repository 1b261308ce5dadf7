import { describe, expect, it } from "vitest";
import { yieldEvery } from "../../src/parallel/share-work.js";

describe("yieldEvery", () => {
  it("lets the event loop run only once `ms` have passed since it last did", async () => {
    const pause = yieldEvery(50);
    let turned = false;
    setImmediate(() => (turned = true));
    // Many chunks within 50 ms: no turn of the event loop in between.
    const start = performance.now();
    for (let i = 0; i < 1000 && performance.now() - start < 20; i++) await pause();
    expect(turned).toBe(false);
    while (performance.now() - start < 60) { /* a long chunk */ }
    await pause();
    expect(turned).toBe(true);
    // The clock starts again at that turn: the next chunks within 50 ms do not yield either.
    let again = false;
    setImmediate(() => (again = true));
    const restart = performance.now();
    for (let i = 0; i < 1000 && performance.now() - restart < 20; i++) await pause();
    expect(again).toBe(false);
  });
});
