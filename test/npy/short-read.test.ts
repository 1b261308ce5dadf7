/** readFully on a file cut since it was opened: the message gives the byte where the file now ends. */
import { closeSync, openSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { readFully } from "../../src/npy/positional.js";
import { tempDir } from "../helpers/cli.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("readFully past the end of a file", () => {
  const file = tmp.write("hundred.bin", new Uint8Array(100));
  const read = (position: number, length: number) => {
    const fd = openSync(file, "r");
    try {
      readFully(fd, new Uint8Array(length), position, file);
    } finally {
      closeSync(fd);
    }
  };

  it("a read that runs off the end names that end", () => {
    expect(() => read(60, 90)).toThrow(`${file}: the file ended early at byte 100: it was truncated while fqc read it`);
  });

  it("a read that starts past the end names where the file ends, not where the read began", () => {
    expect(() => read(200, 10)).toThrow(`${file}: the file ended early at byte 100, before the bytes fqc was reading (from byte 200): it was truncated while fqc read it`);
  });
});
