/** writeNow (src/cli/io.ts): apply's summary line by write(2), without Node's stdout stream. */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { fullWrites, writeNow } from "../../src/cli/io.js";

/** A stream that collects what it is given. */
function sink(): { stream: Writable; got: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { parts.push(Buffer.from(chunk)); done(); } });
  return { stream, got: () => Buffer.concat(parts).toString() };
}

describe("writeNow", () => {
  it("writes the whole text, through as many partial writes as the descriptor takes, and builds no stream", () => {
    const written: string[] = [];
    let built = false;
    writeNow(1, "héllo, world\n", () => { built = true; return sink().stream; }, ((_fd: number, b: Uint8Array, off: number, len: number) => {
      const n = Math.min(3, len);
      written.push(Buffer.from(b.subarray(off, off + n)).toString("latin1"));
      return n;
    }) as never);
    expect(Buffer.from(written.join(""), "latin1").toString()).toBe("héllo, world\n");
    expect(built).toBe(false);
  });

  it("a descriptor that would block (EAGAIN) gets the rest through the stream, nothing lost or repeated", () => {
    const s = sink();
    let calls = 0;
    writeNow(1, "0123456789\n", () => s.stream, ((_fd: number, _b: Uint8Array, _off: number, len: number) => {
      if (++calls === 1) return Math.min(4, len);
      throw Object.assign(new Error("EAGAIN: resource temporarily unavailable, write"), { code: "EAGAIN" });
    }) as never);
    expect(s.got()).toBe("456789\n");
  });
});

describe("fullWrites (stdout over a file)", () => {
  it("writes the rest of a chunk a short write left, and reports the error that stops it (a full disk) to the stream", async () => {
    const got: string[] = [];
    let room = 5;
    const stream = fullWrites(1, ((_fd: number, b: Uint8Array, off: number, len: number) => {
      if (room === 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      const n = Math.min(room, 3, len);
      got.push(Buffer.from(b.subarray(off, off + n)).toString());
      room -= n;
      return n;
    }) as never);
    const error = new Promise<NodeJS.ErrnoException>((resolve) => stream.on("error", resolve));
    stream.write("0123456789");
    expect((await error).code).toBe("ENOSPC");
    expect(got.join("")).toBe("01234");
  });
});
