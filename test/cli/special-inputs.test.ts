/** Inputs that are no files: a Unix socket given as the tensor or checkpoint is refused with one plain message, exit 2. */
import { createServer, type Server } from "node:net";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ioError } from "../../src/npy/fail.js";
import { runFqc, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
const cfg = tmp.write("w.json", '{"dtype":"int4","group_size":32}');
let server: Server;
const sockets = ["s.npy", "s.safetensors"].map((n) => tmp.path(n));
const servers: Server[] = [];
beforeAll(async () => {
  for (const p of sockets) {
    server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(p, resolve));
  }
});
afterAll(async () => {
  for (const s of servers) await new Promise((resolve) => s.close(resolve));
  tmp.cleanup();
});

describe("a Unix socket given as the input", () => {
  for (const [i, name] of ["s.npy", "s.safetensors"].entries()) {
    it(`apply and report refuse ${name} (exit 2) saying it is no file to read, without a raw errno dump`, async () => {
      for (const args of [["apply", sockets[i], tmp.path(`o-${i}.npy`), "-c", cfg], ["report", sockets[i], "-c", cfg]]) {
        const r = await runMain(args, { cwd: tmp.dir });
        expect(r.code).toBe(2);
        const lines = r.stderr.trimEnd().split("\n");
        expect(lines[0]).toMatch(/^fqc: .*s\.(npy|safetensors): /);
        expect(r.stderr).toMatch(/is a socket|no such device or address \(a socket or a device file, not a file to read\)|not a regular file/);
        expect(r.stderr).not.toContain("ENXIO: ENXIO");
      }
      expect(existsSync(tmp.path(`o-${i}.npy`))).toBe(false);
    });
  }
});

describe("errno messages", () => {
  it("ENXIO and EIO are worded with a hint, not quoted raw", () => {
    const nx = ioError("f.npy", "open", Object.assign(new Error("ENXIO: no such device or address, open 'f.npy'"), { code: "ENXIO" }));
    expect(nx.message).toBe("f.npy: cannot open: no such device or address (a socket or a device file, not a file to read)");
    expect(nx.hint).toBe("Give the path of a regular file.");
    const eio = ioError("f.npy", "read", Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" }));
    expect(eio.message).toBe("f.npy: cannot read: input/output error (the disk or network file system failed)");
    expect(eio.hint).toContain("Check the device");
  });
});

describe("an output path that reaches a pipe through a link", () => {
  const devStdout = existsSync("/dev/stdout") && existsSync("/proc/self/fd");
  if (!devStdout) console.log("special-inputs: no /dev/stdout or /proc here: the /dev/stdout case is skipped");
  it.skipIf(!devStdout)("apply and report -o /dev/stdout with standard output on a pipe are refused as what the link reaches (exit 2), not as a missing directory", () => {
    const npy = tmp.write("p.npy", Buffer.concat([Buffer.from("\x93NUMPY\x01\x00\x76\x00", "latin1"),
      Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 32), }".padEnd(117, " ") + "\n"), Buffer.alloc(2 * 32 * 4)]));
    // runFqc pipes the child's standard output.
    for (const args of [["apply", npy, "/dev/stdout", "-c", cfg, "-q"], ["report", npy, "-c", cfg, "-o", "/dev/stdout"]]) {
      const r = runFqc(args, { cwd: tmp.dir, timeoutMs: 60_000 });
      expect(r.code).toBe(2);
      // A shell's pipe is a FIFO; Node gives its child a socket pair: refused alike.
      expect(r.stderr).toMatch(/^fqc: \/dev\/stdout: is a (FIFO \(named pipe\)|socket), not a regular file/);
      expect(r.stdout).toBe("");
    }
  });
});
