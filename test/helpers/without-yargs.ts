/** Runs `body` with the CLI's main loaded in a module graph where importing yargs throws: what it runs must not need yargs. */
import { vi } from "vitest";
import type { main as Main } from "../../src/cli/main.js";

export async function withoutYargs(body: (main: typeof Main) => Promise<void>): Promise<void> {
  vi.resetModules();
  vi.doMock("yargs", () => {
    throw new Error("yargs was loaded");
  });
  try {
    const { main } = await import("../../src/cli/main.js");
    await body(main);
  } finally {
    vi.doUnmock("yargs");
    vi.resetModules();
  }
}
