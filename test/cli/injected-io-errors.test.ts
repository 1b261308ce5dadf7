/**
 * I/O errors no test can make on a real disk without root (a failing disk's
 * EIO, a network file system reporting a deferred write error at close),
 * injected into node:fs: every command that writes ends with exit 2 and one
 * message naming the file, the previous outputs stay as they were, and no
 * temp file remains. Runs stay on the main thread (-j 1): workers load their
 * own bundle, which this mock does not reach.
 */
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

/** Which calls fail: a path pattern, the errno code, and (reads/writes) from which file offset on. */
const inject = vi.hoisted(() => ({
  open: null as null | { path: RegExp; code: string },
  read: null as null | { path: RegExp; code: string; from: number },
  write: null as null | { path: RegExp; code: string; from: number },
  close: null as null | { path: RegExp; code: string },
  /** The paths fsync was called on, in order (what a --fsync run makes durable). */
  synced: [] as string[],
}));

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const paths = new Map<number, string>();
  /** Descriptors opened to write: only their close reports deferred write errors. */
  const writing = new Set<number>();
  const fail = (code: string, call: string, path: string) => Object.assign(new Error(`${code}: injected ${call} failure, ${path}`), { code, syscall: call });
  const openSync = ((p: import("node:fs").PathLike, ...rest: unknown[]) => {
    if (inject.open && inject.open.path.test(String(p))) throw fail(inject.open.code, "open", String(p));
    const fd = (fs.openSync as (...a: unknown[]) => number)(p, ...rest);
    paths.set(fd, String(p));
    if (typeof rest[0] === "string" && /[wa+]/.test(rest[0])) writing.add(fd);
    return fd;
  }) as typeof fs.openSync;
  const readSync = ((fd: number, buffer: NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    const p = paths.get(fd) ?? "";
    const position = typeof rest[2] === "number" ? rest[2] : typeof rest[0] === "object" && rest[0] !== null ? Number((rest[0] as { position?: number }).position ?? 0) : 0;
    if (inject.read && inject.read.path.test(p) && position >= inject.read.from) throw fail(inject.read.code, "read", p);
    return (fs.readSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
  }) as typeof fs.readSync;
  const writeSync = ((fd: number, buffer: unknown, ...rest: unknown[]) => {
    const p = paths.get(fd) ?? "";
    const position = typeof rest[2] === "number" ? rest[2] : 0;
    if (inject.write && inject.write.path.test(p) && position >= inject.write.from) throw fail(inject.write.code, "write", p);
    return (fs.writeSync as (...a: unknown[]) => number)(fd, buffer, ...rest);
  }) as typeof fs.writeSync;
  const closeSync = ((fd: number) => {
    const p = paths.get(fd) ?? "";
    const wrote = writing.delete(fd);
    paths.delete(fd);
    fs.closeSync(fd);
    if (wrote && inject.close && inject.close.path.test(p)) throw fail(inject.close.code, "close", p);
  }) as typeof fs.closeSync;
  const fsyncSync = ((fd: number) => {
    inject.synced.push(paths.get(fd) ?? "");
    return fs.fsyncSync(fd);
  }) as typeof fs.fsyncSync;
  const mocked = { ...fs, openSync, readSync, writeSync, closeSync, fsyncSync };
  return { ...mocked, default: mocked };
});

const { readdirSync, readFileSync, realpathSync, writeFileSync, copyFileSync, mkdirSync, existsSync } = await import("node:fs");
const { tempDir } = await import("../helpers/cli.js");
const { runMain } = await import("../helpers/in-process.js");
const { writeSafetensors } = await import("../helpers/test-checkpoint.js");
const { craftZip } = await import("../checkpoint/npz-helpers.js");
const { writeSharded } = await import("../checkpoint/helpers.js");

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => {
  inject.open = inject.read = inject.write = inject.close = null;
});

const cfg = tmp.write("w.json", '{"dtype":"int4","group_size":32}');
const ROWS = 64;
const npy = tmp.write("in.npy", Buffer.concat([Buffer.from("\x93NUMPY\x01\x00\x76\x00", "latin1"),
  Buffer.from(`{'descr': '<f4', 'fortran_order': False, 'shape': (${ROWS}, 256), }`.padEnd(117, " ") + "\n"),
  Buffer.from(Float32Array.from({ length: ROWS * 256 }, (_, i) => Math.sin(i)).buffer)]));
const st = tmp.path("in.safetensors");
writeSafetensors(st, ["a.weight", "b.weight"].map((name, k) => ({
  name, dtype: "F32" as const, shape: [ROWS, 256], data: new Uint8Array(Float32Array.from({ length: ROWS * 256 }, (_, i) => Math.cos(i + k)).buffer),
})));

/** The same values in Fortran order (np.savez_compressed(path, w=a.T) saves so). */
const fortranNpy = Buffer.concat([Buffer.from("\x93NUMPY\x01\x00\x76\x00", "latin1"),
  Buffer.from(`{'descr': '<f4', 'fortran_order': True, 'shape': (${ROWS}, 256), }`.padEnd(117, " ") + "\n"),
  Buffer.from(Float32Array.from({ length: ROWS * 256 }, (_, i) => Math.sin(i)).buffer)]);

const temps = () => readdirSync(tmp.dir).filter((n) => n.includes(".fqc-"));
/** Outputs that exist before the run, with their content, to check they survive. */
function previous(...names: string[]): () => void {
  for (const n of names) writeFileSync(tmp.path(n), `old ${n}`);
  return () => {
    for (const n of names) expect(readFileSync(tmp.path(n), "utf8"), n).toBe(`old ${n}`);
  };
}
const TEMP = /\.fqc-\d+-[0-9a-f]{12}\.tmp$/;

describe("injected I/O errors", () => {
  it("EIO reading a .npy's data: exit 2 naming the input, OUT and --scale-out as they were, no temp file", async () => {
    const same = previous("o1.npy", "s1.npy");
    inject.read = { path: /in\.npy$/, code: "EIO", from: 128 }; // the data, after the header
    const r = await runMain(["apply", npy, tmp.path("o1.npy"), "-c", cfg, "--scale-out", tmp.path("s1.npy"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`fqc: ${npy}: cannot read: input/output error (the disk or network file system failed)`);
    same();
    expect(temps()).toEqual([]);
  });

  it("ENOSPC writing the output's data: exit 2 saying the disk is full, OUT as it was, no temp file", async () => {
    const same = previous("o2.npy");
    inject.write = { path: TEMP, code: "ENOSPC", from: 128 }; // the data, after the header
    const r = await runMain(["apply", npy, tmp.path("o2.npy"), "-c", cfg, "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("o2.npy")}: cannot write: no space left on device`);
    same();
    expect(temps()).toEqual([]);
  });

  it("ENOSPC inflating a compressed Fortran member (apply beside OUT, report in $TMPDIR): exit 2 naming the member, nothing left", async () => {
    const npz = tmp.write("fz.npz", craftZip([{ name: "w.weight.npy", payload: fortranNpy, method: 8 }]));
    const same = previous("o11.npz");
    inject.write = { path: /\.fz\.npz\.spill\.fqc-/, code: "ENOSPC", from: 0 };
    const r = await runMain(["apply", npz, tmp.path("o11.npz"), "-c", cfg, "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    const dir = realpathSync(tmp.dir);
    expect(r.stderr).toContain(`fqc: ${npz}: member 'w.weight.npy': cannot write its inflated copy in ${dir}: no space left on device`);
    expect(r.stderr).toContain(`hint: A deflated member stored in Fortran order is read from an inflated copy (65,536 bytes) in ${dir} (apply's is beside OUT`);
    same();
    expect(temps()).toEqual([]);
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = tmp.dir;
    try {
      const rep = await runMain(["report", npz, "-c", cfg, "-j", "1"], { cwd: tmp.dir });
      expect(rep.code).toBe(2);
      expect(rep.stderr).toContain(`fqc: ${npz}: member 'w.weight.npy': cannot write its inflated copy in ${tmp.dir}: no space left on device`);
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
    expect(temps()).toEqual([]);
  });

  it("EIO at close (a network file system's deferred write error): nothing is renamed into place, every output as it was", async () => {
    const same = previous("o3.safetensors", "q3.safetensors");
    inject.close = { path: /\.q3\.safetensors\.fqc-/, code: "EIO" };
    const r = await runMain(["apply", st, tmp.path("o3.safetensors"), "-c", cfg, "--qparams-out", tmp.path("q3.safetensors"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("q3.safetensors")}: cannot close: input/output error`);
    same();
    expect(temps()).toEqual([]);
  });

  it("ENOSPC writing --qparams-out: neither OUT, nor the qparams, nor the report appear", async () => {
    const same = previous("o4.safetensors");
    inject.write = { path: /\.q4\.safetensors\.fqc-/, code: "ENOSPC", from: 1 };
    const r = await runMain(["apply", st, tmp.path("o4.safetensors"), "-c", cfg, "--qparams-out", tmp.path("q4.safetensors"), "--report", tmp.path("r4.json"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no space left on device");
    same();
    expect(readdirSync(tmp.dir).filter((n) => n.startsWith("q4") || n.startsWith("r4"))).toEqual([]);
    expect(temps()).toEqual([]);
  });

  it("EIO writing report -o and validate -o: exit 2 naming the file, the old file as it was, no temp file", async () => {
    const same = previous("r5.csv", "v5.json");
    inject.write = { path: TEMP, code: "EIO", from: 0 };
    const r = await runMain(["report", st, "-c", cfg, "-o", tmp.path("r5.csv"), "-j", "1"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("r5.csv")}: cannot write: input/output error`);
    const v = await runMain(["validate", cfg, "-o", tmp.path("v5.json")], { cwd: tmp.dir });
    expect(v.code).toBe(2);
    expect(v.stderr + v.stdout).toContain(`${tmp.path("v5.json")}: cannot write: input/output error`);
    same();
    expect(temps()).toEqual([]);
  });

  it("EIO while normalize --write rewrites a config: exit 2, the config as it was, no temp file", async () => {
    const f = tmp.path("n6.json");
    copyFileSync(cfg, f);
    inject.write = { path: TEMP, code: "EIO", from: 0 };
    const r = await runMain(["normalize", "--write", f], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}: cannot write: input/output error`);
    expect(readFileSync(f, "utf8")).toBe(readFileSync(cfg, "utf8"));
    expect(temps()).toEqual([]);
  });
});

describe("several outputs are closed before any is renamed (all or nothing up to the renames)", () => {
  it("a checkpoint's OUT failing at close leaves --qparams-out and --report as they were (they were written whole first)", async () => {
    const same = previous("o7.safetensors", "q7.safetensors", "r7.json");
    inject.close = { path: /\.o7\.safetensors\.fqc-/, code: "EIO" };
    const r = await runMain(["apply", st, tmp.path("o7.safetensors"), "-c", cfg, "--qparams-out", tmp.path("q7.safetensors"), "--report", tmp.path("r7.json"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("o7.safetensors")}: cannot close: input/output error`);
    same();
    expect(temps()).toEqual([]);
  });

  it("a checkpoint's --report failing at close leaves OUT and --qparams-out as they were", async () => {
    const same = previous("o8.safetensors", "q8.safetensors", "r8.csv");
    inject.close = { path: /\.r8\.csv\.fqc-/, code: "EDQUOT" };
    const r = await runMain(["apply", st, tmp.path("o8.safetensors"), "-c", cfg, "--qparams-out", tmp.path("q8.safetensors"), "--report", tmp.path("r8.csv"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("r8.csv")}: cannot close: disk quota exceeded`);
    same();
    expect(temps()).toEqual([]);
  });

  it("a .npy's OUT failing at close leaves --scale-out and --zero-point-out as they were", async () => {
    const same = previous("o9.npy", "s9.npy", "z9.npy");
    inject.close = { path: /\.o9\.npy\.fqc-/, code: "EIO" };
    const r = await runMain(["apply", npy, tmp.path("o9.npy"), "-c", cfg, "--scale-out", tmp.path("s9.npy"), "--zero-point-out", tmp.path("z9.npy"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("o9.npy")}: cannot close: input/output error`);
    same();
    expect(temps()).toEqual([]);
  });

  it("an .npz OUT failing at close leaves --qparams-out as it was", async () => {
    const npz = tmp.path("in.npz");
    writeFileSync(npz, craftZip([{ name: "w.weight.npy", payload: readFileSync(npy) }]));
    const same = previous("o10.npz", "q10.safetensors");
    inject.close = { path: /\.o10\.npz\.fqc-/, code: "EIO" };
    const r = await runMain(["apply", npz, tmp.path("o10.npz"), "-c", cfg, "--qparams-out", tmp.path("q10.safetensors"), "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path("o10.npz")}: cannot close: input/output error`);
    same();
    expect(temps()).toEqual([]);
  });
});

const shard = (k: number) => `model-0000${k}-of-00002.safetensors`;
// A sharded checkpoint; its second shard holds a tensor written positionally in chunks (a 64×256 F32 weight) and one copied as it is.
const src = tmp.path("sharded-src");
writeSharded(src, [
  { file: shard(1), tensors: [{ name: "a.weight", dtype: "F32", shape: [ROWS, 256] }] },
  { file: shard(2), tensors: [{ name: "b.weight", dtype: "F32", shape: [ROWS, 256] }, { name: "b.bias", dtype: "F32", shape: [ROWS] }] },
]);

describe("a sharded OUT: errors name the shard being written, never the output directory or its temp directory", () => {
  const dirTemps = () => readdirSync(tmp.dir).filter((n) => n.includes(".fqc-"));

  for (const existing of [false, true]) {
    const where = existing ? "an existing directory" : "a new directory (filled as a temp directory beside it)";
    it(`ENOSPC writing the second shard into ${where}: exit 2 naming OUT/<that shard>`, async () => {
      const out = tmp.path(`sharded-enospc-${existing}`);
      if (existing) mkdirSync(out);
      inject.write = { path: /model-00002-of-00002\.safetensors/, code: "ENOSPC", from: 1 };
      const r = await runMain(["apply", src, out, "-c", cfg, "-j", "1", "-q"], { cwd: tmp.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`fqc: ${path.join(out, shard(2))}: cannot write: no space left on device`);
      // Nothing appears: an existing OUT stays empty, a new one is not created.
      if (existing) expect(readdirSync(out)).toEqual([]);
      else expect(existsSync(out)).toBe(false);
      expect(dirTemps()).toEqual([]);
    });

    it(`EIO closing the second shard in ${where}: exit 2 naming OUT/<that shard>`, async () => {
      const out = tmp.path(`sharded-eio-${existing}`);
      if (existing) mkdirSync(out);
      inject.close = { path: /model-00002-of-00002\.safetensors/, code: "EIO" };
      const r = await runMain(["apply", src, out, "-c", cfg, "-j", "1", "-q"], { cwd: tmp.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`fqc: ${path.join(out, shard(2))}: cannot close: input/output error`);
      // Nothing appears: an existing OUT stays empty, a new one is not created.
      if (existing) expect(readdirSync(out)).toEqual([]);
      else expect(existsSync(out)).toBe(false);
      expect(dirTemps()).toEqual([]);
    });
  }
});

describe("--fsync on a sharded OUT", () => {
  it("a new directory: after its temp directory is renamed into place, the parent directory is flushed too", async () => {
    const out = tmp.path("sharded-fsync");
    inject.synced = [];
    const r = await runMain(["apply", src, out, "-c", cfg, "--fsync", "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    // The shards and the index, then the directory they were renamed in, then (last) the one that now holds OUT.
    expect(inject.synced.filter((p) => /model-0000[12]-of-00002\.safetensors\.fqc-|model\.safetensors\.index\.json\.fqc-/.test(p))).toHaveLength(3);
    expect(inject.synced[inject.synced.length - 1]).toBe(tmp.dir);
  });
});

describe("too many open files with a sharded checkpoint", () => {
  it("opening a shard: the hint counts the shards held open and gives a limit that fits", async () => {
    inject.open = { path: /sharded-src\/model-00002-of-00002\.safetensors$/, code: "EMFILE" };
    const r = await runMain(["report", src, "-c", cfg, "-j", "1"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`fqc: ${path.join(src, shard(2))}: cannot open: too many open files`);
    expect(r.stderr).toContain("hint: fqc holds the checkpoint's 2 shards open together (and apply as many outputs): raise the open-file limit (ulimit -n 68).");
  });

  it("creating an output shard: the hint counts OUT's files held open", async () => {
    const out = tmp.path("sharded-emfile");
    inject.open = { path: /model-00002-of-00002\.safetensors\.fqc-/, code: "EMFILE" };
    const r = await runMain(["apply", src, out, "-c", cfg, "-j", "1", "-q"], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`fqc: ${path.join(out, shard(2))}: cannot create a temporary file in its directory: too many open files`);
    expect(r.stderr).toContain(`hint: fqc holds the 3 files of ${out} open together until they are renamed into place, and the files it reads: raise the open-file limit (ulimit -n 70).`);
    expect(readdirSync(tmp.dir).filter((n) => n.includes(".fqc-"))).toEqual([]);
  });
});

describe("a config that cannot be read for another reason than a missing file or a permission", () => {
  it("too many open files (apply) or an I/O error (validate): named as for any other file, with the fix", async () => {
    inject.open = { path: /w\.json$/, code: "EMFILE" };
    const a = await runMain(["apply", npy, tmp.path("cfg-emfile.npy"), "-c", cfg, "-j", "1"], { cwd: tmp.dir });
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`fqc: ${cfg}: cannot read: too many open files\n  hint: Raise the open-file limit (ulimit -n).\n`);
    inject.open = null;
    inject.read = { path: /w\.json$/, code: "EIO", from: 0 };
    const v = await runMain(["validate", cfg], { cwd: tmp.dir });
    expect(v.code).toBe(2);
    expect(v.stdout).toContain("cannot read: input/output error (the disk or network file system failed)");
    expect(v.stdout).toContain("hint: Check the device (dmesg, the file system's health), then run again.");
    expect(existsSync(tmp.path("cfg-emfile.npy"))).toBe(false);
  });
});
