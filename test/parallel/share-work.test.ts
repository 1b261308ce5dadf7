/** shareWork: the main thread's share beside the workers', stopping everyone on a failure or an abort, and the first failure thrown once no thread works. */
import { describe, expect, it } from "vitest";
import { shareWork } from "../../src/parallel/share-work.js";
import type { AbortSignalLike } from "../../src/host-types.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise with its resolve outside, for workers that finish when the test says so. */
function later<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A signal that shareWork may only poll: listening to it would warn past 10 concurrent calls sharing it. */
function polledSignal(): AbortSignalLike & { aborted: boolean } {
  return {
    aborted: false,
    addEventListener: () => { throw new Error("listened to the signal"); },
    removeEventListener: () => { throw new Error("listened to the signal"); },
  };
}

/** Whether `p` has settled after the event loop has turned a few times. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await sleep(20);
  return done;
}

describe("shareWork", () => {
  it("settles only once the workers have finished too, the main share done first", async () => {
    const workers = later<{ error: unknown } | undefined>();
    let mainDone = false;
    const run = shareWork(async () => { mainDone = true; }, { workers: workers.promise, stop: () => {}, pollMs: 5 });
    expect(await settled(run)).toBe(false);
    expect(mainDone).toBe(true);
    workers.resolve(undefined);
    await expect(run).resolves.toBeUndefined();
  });

  it("on the main share's failure asks the workers to stop, waits for them, then throws that failure (not theirs)", async () => {
    const workers = later<{ error: unknown } | undefined>();
    let stops = 0;
    const mine = new Error("main thread failed");
    const run = shareWork(async () => { throw mine; }, { workers: workers.promise, stop: () => stops++, pollMs: 5 });
    expect(await settled(run)).toBe(false);
    expect(stops).toBeGreaterThan(0);
    workers.resolve({ error: new Error("a worker failed as it stopped") });
    await expect(run).rejects.toBe(mine);
  });

  it("throws the workers' failure once the main share is done", async () => {
    const theirs = new Error("a worker failed");
    let stops = 0;
    await expect(shareWork(async () => {}, { workers: Promise.resolve({ error: theirs }), stop: () => stops++, pollMs: 5 })).rejects.toBe(theirs);
    // A worker's failure stops the others through the pool (runOnAll's onFailure), not here.
    expect(stops).toBe(0);
    await expect(shareWork(async () => {}, { workers: undefined, stop: () => {}, pollMs: 5 })).resolves.toBeUndefined();
  });

  it("an abort while the main share runs asks every thread to stop, by polling the signal", async () => {
    const signal = polledSignal();
    let stops = 0;
    let stoppedInTime = false;
    await shareWork(async () => {
      signal.aborted = true;
      // The main share runs on (yielding) until it sees the stop flag; it gives up after 2 s.
      for (const start = Date.now(); Date.now() - start < 2000 && stops === 0;) await sleep(1);
      stoppedInTime = stops > 0;
    }, { workers: Promise.resolve(undefined), stop: () => stops++, signal, pollMs: 5 });
    expect(stoppedInTime).toBe(true);
  });

  it("an abort that came during the main share's last chunk stops the workers before they are awaited, not a poll later", async () => {
    const signal = polledSignal();
    let stops = 0;
    let stopsWhenAwaited = -1;
    // A thenable: its then() runs when shareWork awaits the workers, before any timer could fire.
    const workers = { then: (resolve: (v: undefined) => void) => { stopsWhenAwaited = stops; resolve(undefined); } } as unknown as Promise<undefined>;
    await shareWork(async () => { signal.aborted = true; }, { workers, stop: () => stops++, signal, pollMs: 5 });
    expect(stopsWhenAwaited).toBe(1);
  });

  it("polls progress while the workers finish, not during the main share, and neither polls nor watches the signal once settled", async () => {
    const signal = polledSignal();
    const workers = later<{ error: unknown } | undefined>();
    let polls = 0;
    let pollsDuringMain = -1;
    let stops = 0;
    await shareWork(async () => {
      await sleep(30);
      pollsDuringMain = polls;
    }, {
      workers: workers.promise, stop: () => stops++, signal, pollMs: 2,
      // The workers finish after the third poll.
      poll: () => { if (++polls === 3) workers.resolve(undefined); },
    });
    expect(pollsDuringMain).toBe(0);
    expect(polls).toBeGreaterThanOrEqual(3);
    const after = polls;
    signal.aborted = true;
    await sleep(30);
    expect(polls).toBe(after);
    expect(stops).toBe(0);
  });

  it("clears its timers when the main share fails too", async () => {
    const signal = polledSignal();
    let polls = 0;
    let stops = 0;
    await expect(shareWork(async () => { throw new Error("failed"); }, {
      workers: Promise.resolve(undefined), stop: () => stops++, signal, pollMs: 2, poll: () => polls++,
    })).rejects.toThrow("failed");
    const [p, s] = [polls, stops];
    signal.aborted = true;
    await sleep(30);
    expect([polls, stops]).toEqual([p, s]);
  });
});
