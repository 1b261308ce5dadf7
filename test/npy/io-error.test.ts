/** ioError (src/npy/fail.ts): one message per failed file operation, naming the file, what was being done and why. */
import { mkdtempSync, openSync, readSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ioError } from "../../src/npy/fail.js";

/** The error Node throws for a read on a descriptor that is not open. */
function badDescriptorError(): unknown {
  try {
    readSync(987654, Buffer.alloc(1), 0, 1, 0);
  } catch (e) {
    return e;
  }
  throw new Error("descriptor 987654 is open");
}

describe("ioError", () => {
  it("names an errno code once when Node's message already starts with it (EBADF: bad file descriptor)", () => {
    const e = badDescriptorError();
    expect((e as NodeJS.ErrnoException).code).toBe("EBADF");
    const err = ioError("w.npy", "read", e);
    expect(err.message).toMatch(/^w\.npy: cannot read: EBADF: bad file descriptor/);
    expect(err.message).not.toContain("EBADF: EBADF");
  });

  it("prefixes the code when the message lacks it, and says 'error' when there is no code", () => {
    const coded = Object.assign(new Error("the device went away"), { code: "ENODEV" });
    expect(ioError("w.npy", "read", coded).message).toBe("w.npy: cannot read: ENODEV: the device went away");
    expect(ioError("w.npy", "write", new Error("odd")).message).toBe("w.npy: cannot write: error: odd");
  });

  it("uses its own words, and a hint, for the codes it knows", () => {
    const err = ioError("w.npy", "open", Object.assign(new Error("ENOENT: no such file or directory, open 'w.npy'"), { code: "ENOENT" }));
    expect(err.message).toBe("w.npy: cannot open: no such file or directory");
    expect(err.hint).toBe("Check the path.");
  });

  it("says what ELOOP means (a loop of links), without Node's raw `open 'path'` tail", () => {
    const dir = mkdtempSync(join(tmpdir(), "fqc-eloop-"));
    try {
      const a = join(dir, "a.npy");
      symlinkSync(join(dir, "b.npy"), a);
      symlinkSync(a, join(dir, "b.npy"));
      const err = ioError(a, "open", ((): unknown => { try { openSync(a, "r"); } catch (e) { return e; } throw new Error("opened a loop"); })());
      expect(err.message).toBe(`${a}: cannot open: too many levels of symbolic links (a loop of links)`);
      expect(err.hint).toContain("ls -l");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
