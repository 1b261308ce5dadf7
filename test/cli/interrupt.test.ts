/**
 * Signals stop every command at any point, so that Ctrl-C and `timeout` work:
 * exit 128 + n, temp files removed, no output, no trace. A run killed with
 * SIGKILL leaves a temp file named with its pid, which the next run into the
 * same directory removes.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync, writeSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNpyHeader } from "../../src/npy/header.js";
import { tempOwner } from "../../src/npy/temp-files.js";
import { endedBy, FQC, ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { craftZip } from "../checkpoint/npz-helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
type Sig = (typeof SIGNALS)[number];
const SIGNAL_NUMBER: Record<Sig, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/**
 * A 512 MiB float32 tensor of zeros, sparse so the test writes almost nothing; with bfloat16
 * compute apply takes the general (slowest) kernel path, so a run lasts seconds, not milliseconds.
 */
function bigTensor(name: string): string {
  const rows = 131072;
  const cols = 1024;
  const input = tmp.path(name);
  if (existsSync(input)) return input;
  const header = encodeNpyHeader({ descr: "<f4", shape: [rows, cols] });
  const fd = openSync(input, "w");
  writeSync(fd, header);
  ftruncateSync(fd, header.length + rows * cols * 4);
  closeSync(fd);
  return input;
}
const cfg = tmp.write("cfg.json", '{"dtype": "int4", "group_size": 32}');

/**
 * A sharded checkpoint of two 128 MiB BF16 tensors of zeros (sparse files) in `name/`; with the JS kernel
 * a run lasts seconds. Returns its directory.
 */
function bigSharded(name: string): string {
  const dir = tmp.path(name);
  if (existsSync(dir)) return dir;
  execFileSync("mkdir", [dir]);
  const [rows, cols] = [32768, 2048];
  const weightMap: Record<string, string> = {};
  for (const k of [1, 2]) {
    const file = `model-0000${k}-of-00002.safetensors`;
    const json = JSON.stringify({ [`l${k}.weight`]: { dtype: "BF16", shape: [rows, cols], data_offsets: [0, rows * cols * 2] } });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const fd = openSync(path.join(dir, file), "w");
    writeSync(fd, Buffer.concat([len, Buffer.from(json)]));
    ftruncateSync(fd, 8 + json.length + rows * cols * 2);
    closeSync(fd);
    weightMap[`l${k}.weight`] = file;
  }
  writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  return dir;
}

function start(args: string[], stdin: "ignore" | "pipe" = "ignore"): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [FQC, ...args], { cwd: ROOT, stdio: [stdin, "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  // "close", not "exit": the pipes are read to their end, so what the run printed is all there.
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function until(what: string, ready: () => boolean, ms = 30_000): Promise<void> {
  const started = Date.now();
  while (!ready()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Linux: the process catches all four signals now (its handlers are installed), read from /proc. */
function catchesSignals(pid: number): boolean {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("SigCgt:"));
    const caught = BigInt(`0x${line!.slice(7).trim()}`);
    return Object.values(SIGNAL_NUMBER).every((n) => (caught >> BigInt(n - 1)) & 1n);
  } catch {
    return false;
  }
}
const hasProc = existsSync("/proc/self/status");
if (!hasProc) console.log("interrupt.test: no /proc: the tests that wait for a run's handlers are skipped");

const tempsIn = (dir: string) => readdirSync(dir).filter((f) => tempOwner(f) !== undefined);

describe("a signal during apply's computation", () => {
  it.each(["1", "2"])("SIGINT with --threads %s: exit 130, no output, no temp file", async (threads) => {
    const output = tmp.path(`out-int-${threads}.npy`);
    const run = start(["apply", bigTensor("big.npy"), output, "-c", cfg, "--threads", threads, "--compute-dtype", "bfloat16"]);
    await until("the temp output", () => tempsIn(tmp.dir).length > 0);
    run.child.kill("SIGINT");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGINT"));
    expect(run.stderr()).toBe(`fqc: interrupted by SIGINT; not written: ${output}\n`);
    expect(existsSync(output)).toBe(false);
    expect(tempsIn(tmp.dir)).toEqual([]);
  });

  it.each(["SIGTERM", "SIGHUP", "SIGQUIT"] as const)("%s: exit 128 + n, no output, no temp file", async (sig) => {
    const output = tmp.path(`out-${sig}.npy`);
    const run = start(["apply", bigTensor("big.npy"), output, "-c", cfg, "--threads", "2", "--compute-dtype", "bfloat16", "--scale-out", tmp.path(`s-${sig}.npy`)]);
    await until("the temp outputs", () => tempsIn(tmp.dir).length === 2);
    run.child.kill(sig);
    expect(await run.exit, run.stderr()).toEqual(endedBy(sig));
    expect(run.stderr()).toContain(`fqc: interrupted by ${sig}; not written: `);
    expect(existsSync(output)).toBe(false);
    expect(tempsIn(tmp.dir)).toEqual([]);
  });
});

describe("a signal during a sharded apply into a new directory", () => {
  it("SIGINT: exit 130, names OUT as not written, and removes the temp directory it was filled in", async () => {
    const dir = tmp.path("sharded-int");
    execFileSync("mkdir", [dir]);
    const output = path.join(dir, "out");
    const qparams = path.join(dir, "q.safetensors");
    const run = start(["apply", bigSharded("big-sharded"), output, "-c", cfg, "--kernel", "js", "--threads", "1", "--qparams-out", qparams]);
    await until("the temp directory and the temp qparams", () => tempsIn(dir).length === 2);
    run.child.kill("SIGINT");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGINT"));
    expect(run.stderr()).toBe(`fqc: interrupted by SIGINT; not written: ${output}, ${qparams}\n`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe.skipIf(!hasProc)("a signal while a command waits for input", () => {
  it.each(SIGNALS)("validate - waiting on stdin stops on %s", async (sig) => {
    const run = start(["validate", "-"], "pipe"); // stdin stays open: validate waits for its end
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    run.child.kill(sig);
    expect(await run.exit, run.stderr()).toEqual(endedBy(sig));
    expect(run.stderr()).toBe(`fqc: interrupted by ${sig}\n`);
  });

  // Node sets every signal but SIGPIPE and SIGXFSZ back to its default action as it starts, undoing what nohup ignores:
  // the README says so, and gives setsid or a terminal multiplexer instead.
  it.skipIf(spawnSync("nohup", ["true"]).status !== 0)("under nohup, SIGHUP still stops a run, as it stops any Node program", async () => {
    const child = spawn("nohup", [process.execPath, FQC, "validate", "-"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
    await until("the signal handlers", () => catchesSignals(child.pid!));
    child.kill("SIGHUP");
    expect(await exit, stderr).toEqual(endedBy("SIGHUP"));
    expect(stderr).toBe("fqc: interrupted by SIGHUP\n");
  });

  it("normalize - waiting on stdin stops on SIGTERM", async () => {
    const run = start(["normalize", "-"], "pipe");
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    run.child.kill("SIGTERM");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGTERM"));
    expect(run.stderr()).toBe("fqc: interrupted by SIGTERM\n");
  });

  it("validate of a FIFO no one writes to stops on SIGTERM; one that is written is read", async () => {
    const fifo = tmp.path("pipe.json");
    execFileSync("mkfifo", [fifo]);
    const waiting = start(["validate", fifo]);
    await until("the signal handlers", () => catchesSignals(waiting.child.pid!));
    await new Promise((r) => setTimeout(r, 200)); // let it reach the FIFO
    waiting.child.kill("SIGTERM");
    expect(await waiting.exit, waiting.stderr()).toEqual(endedBy("SIGTERM"));

    const read = start(["validate", fifo]);
    await writeFile(fifo, '{"dtype": "int4", "group_size": 32}'); // opens when the reader does (off the main thread: the test's timeout still works)
    expect((await read.exit).code, read.stderr()).toBe(0);
  });

  it("report given one FIFO twice (or under two names) reads it once: two columns alike, no wait for a second writer", async () => {
    const fifo = tmp.path("twice.json");
    execFileSync("mkfifo", [fifo]);
    const run = start(["report", path.join(ROOT, "examples/weight.npy"), "-c", fifo, "-c", path.join(path.dirname(fifo), ".", "twice.json"), "-f", "json"]);
    let stdout = "";
    run.child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    await writeFile(fifo, '{"dtype": "int4", "group_size": 32}');
    try {
      expect((await run.exit).code, run.stderr()).toBe(0);
    } finally {
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
    const cells = JSON.parse(stdout).tensors[0].cells as Array<{ config: string; sqnr_db: number }>;
    expect(cells.map((c) => c.config)).toEqual(["int4 per_group 32 symmetric", "int4 per_group 32 symmetric"]);
    expect(cells[1].sqnr_db).toBe(cells[0].sqnr_db);
  }, 20_000);

  it("normalize --write refuses a FIFO before reading it (no wait for a writer, no content taken from one); the other files are rewritten", () => {
    const fifo = tmp.path("write-pipe.json");
    execFileSync("mkfifo", [fifo]);
    const other = tmp.write("write-other.json", '{"dtype": "int4", "group_size": 32}');
    const r = runFqc(["normalize", "--write", fifo, other], { timeoutMs: 15_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`fqc: ${fifo}: is a FIFO (named pipe), not a regular file`);
    expect(r.stderr).toContain(`${other}: rewritten`);
  });

  it("apply waiting for its config on a FIFO stops on SIGINT, writing nothing", async () => {
    const fifo = tmp.path("cfg-pipe.json");
    execFileSync("mkfifo", [fifo]);
    const dir = tmp.path("fifo-out");
    const run = start(["apply", path.join(ROOT, "examples/weight.npy"), path.join(dir, "o.npy"), "-c", fifo]);
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill("SIGINT");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGINT"));
    expect(existsSync(dir)).toBe(false);
  });

  const model = path.join(ROOT, "examples/llama-tiny/model.safetensors");
  const weight = path.join(ROOT, "examples/weight.npy");
  it.each([
    ["apply CHECKPOINT --recipe", (f: string, out: string) => ["apply", model, out, "--recipe", f]],
    ["apply CHECKPOINT -c", (f: string, out: string) => ["apply", model, out, "-c", f]],
    ["report -c", (f: string, out: string) => ["report", weight, "-c", f, "-o", path.join(out, "r.md")]],
    ["report --recipe", (f: string, out: string) => ["report", model, "--recipe", f, "-o", path.join(out, "r.md")]],
  ])("%s waiting for its file on a FIFO stops on SIGINT, writing nothing", async (name, args) => {
    const fifo = tmp.path(`${name.replace(/\W+/g, "-")}.json`);
    execFileSync("mkfifo", [fifo]);
    const dir = tmp.path(`${name.replace(/\W+/g, "-")}-out`);
    const run = start(args(fifo, dir));
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill("SIGINT");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGINT"));
    expect(existsSync(dir)).toBe(false);
  });
});

/** The pids whose parent is `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command's name, which is in parentheses and may hold anything: state, then ppid.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

const hasBash = spawnSync("bash", ["-c", "true"]).status === 0;
if (!hasBash) console.log("interrupt.test: no bash: the shell-loop test is skipped");

describe.skipIf(!hasProc || !hasBash)("Ctrl-C on a shell script that runs fqc", () => {
  // A terminal sends Ctrl-C's SIGINT to the whole foreground process group: the shell and fqc both get it. Bash then
  // waits for fqc and goes on with the script when fqc exited, whatever the status (it takes the signal as handled);
  // it stops only when fqc was killed by SIGINT.
  it("stops the whole loop, not only the run of fqc it was in", async () => {
    const script = 'for i in 1 2 3; do "$0" "$1" validate -; echo "after run $i: $?"; done; echo "loop done"';
    const bash = spawn("bash", ["-c", script, process.execPath, FQC], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    bash.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    bash.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    let closed: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const exit = new Promise<void>((resolve) => bash.on("close", (code, signal) => resolve(void (closed = { code, signal }))));
    try {
      let fqc: number | undefined;
      await until("fqc's signal handlers", () => (fqc = childrenOf(bash.pid!)[0]) !== undefined && catchesSignals(fqc));
      process.kill(-bash.pid!, "SIGINT");
      // The next run of the loop would wait on stdin for ever: look for the loop going on, not for its end.
      await until("the shell to end or go on", () => closed !== undefined || stdout.includes("after run"));
    } finally {
      if (!closed) process.kill(-bash.pid!, "SIGKILL");
      await exit;
    }
    expect(stdout, stderr).toBe("");
    expect(stderr).toBe("fqc: interrupted by SIGINT\n");
    expect(closed).toEqual({ code: null, signal: "SIGINT" });
  });
});

describe.skipIf(!hasProc)("a signal while many files are checked or rewritten (each read and judged without waiting)", () => {
  const SAMPLE = '{"dtype": "int4", "group_size": 32}';
  /** `n` copies of a (non-canonical) config in a fresh directory. */
  function configs(name: string, n: number): string[] {
    execFileSync("mkdir", [tmp.path(name)]);
    return Array.from({ length: n }, (_, i) => tmp.write(`${name}/c${i}.json`, SAMPLE));
  }

  it("validate -o stops between two files: exit 143, no report written (not every file checked first, then the report)", async () => {
    const files = configs("many-validate", 1500);
    const fifo = tmp.path("first.json");
    execFileSync("mkfifo", [fifo]);
    const out = tmp.path("many-validate.json");
    const run = start(["validate", fifo, ...files, "-o", out]);
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    await writeFile(fifo, SAMPLE); // read, the other 1,500 files follow at once, with no more waiting on input
    run.child.kill("SIGTERM");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGTERM"));
    expect(run.stderr()).toBe("fqc: interrupted by SIGTERM\n");
    expect(existsSync(out)).toBe(false);
  });

  it("normalize --write stops between two files: exit 130, the files before rewritten, the rest as they were, no temp file", async () => {
    const files = configs("many-normalize", 1000);
    const run = start(["normalize", "--write", ...files]);
    await until("the first rewrite", () => run.stderr().includes(": rewritten\n"));
    run.child.kill("SIGINT");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGINT"));
    const rewritten = new Set(run.stderr().split("\n").filter((l) => l.endsWith(": rewritten")).map((l) => l.slice(0, -": rewritten".length)));
    expect(run.stderr().endsWith("fqc: interrupted by SIGINT\n")).toBe(true);
    expect(rewritten.size).toBeGreaterThan(0);
    expect(rewritten.size).toBeLessThan(files.length);
    for (const f of files) {
      if (rewritten.has(f)) expect(readFileSync(f, "utf8"), f).not.toBe(SAMPLE);
      else expect(readFileSync(f, "utf8"), f).toBe(SAMPLE);
    }
    expect(tempsIn(tmp.path("many-normalize"))).toEqual([]);
  });
});

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!hasScript) console.log("interrupt.test: no `script` (util-linux): the terminal test is skipped");

describe.skipIf(!hasScript)("Ctrl-C on a terminal (a pty made by script)", () => {
  it("apply draws its progress bar, then on Ctrl-C shows the cursor again before its message, exit 130", async () => {
    const output = tmp.path("tty-out.npy");
    const line = [process.execPath, FQC, "apply", bigTensor("big.npy"), output, "-c", cfg, "--threads", "1", "--compute-dtype", "bfloat16"].map((a) => `'${a}'`).join(" ");
    const child = spawn("script", ["-qefc", line, "/dev/null"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    let sent = false;
    child.stdout.on("data", (d: Buffer) => {
      screen += d.toString();
      if (!sent && screen.includes("fake-quantizing")) {
        sent = true;
        child.stdin.write("\x03"); // the terminal turns it into SIGINT for the foreground process
      }
    });
    const exit = await new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    // script(1) ends as its child did, and says so with the status 128 + n.
    expect(exit, screen).toEqual({ code: 130, signal: null });
    expect(screen).not.toContain("internal error");
    const shown = screen.lastIndexOf("\x1b[?25h");
    expect(shown).toBeGreaterThan(screen.indexOf("\x1b[?25l"));
    expect(screen.indexOf("fqc: interrupted by SIGINT")).toBeGreaterThan(shown);
    expect(existsSync(output)).toBe(false);
  });
});

describe("a run killed with SIGKILL", () => {
  it("leaves a temp file named with its pid, which the next run writing into the directory removes", async () => {
    const dir = tmp.path("killed");
    execFileSync("mkdir", [dir]);
    const run = start(["apply", bigTensor("big.npy"), path.join(dir, "o.npy"), "-c", cfg, "--compute-dtype", "bfloat16", "--threads", "1"]);
    await until("the temp output", () => tempsIn(dir).length > 0);
    run.child.kill("SIGKILL");
    await run.exit;
    const left = tempsIn(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.o\\.npy\\.fqc-${run.child.pid}-[0-9a-f]{12}\\.tmp$`));
    expect(tempOwner(left[0])).toBe(run.child.pid);

    const next = runFqc(["apply", path.join(ROOT, "examples/weight.npy"), path.join(dir, "other.npy"), "-c", cfg, "-q"]);
    expect(next.code, next.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["other.npy"]);
  });

  it("leaves a sharded output's temp directory named with its pid, which the next run writing beside it removes", async () => {
    const dir = tmp.path("killed-sharded");
    execFileSync("mkdir", [dir]);
    const run = start(["apply", bigSharded("big-sharded"), path.join(dir, "out"), "-c", cfg, "--kernel", "js", "--threads", "1"]);
    await until("the temp directory", () => tempsIn(dir).length > 0);
    run.child.kill("SIGKILL");
    await run.exit;
    const left = tempsIn(dir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^\\.out\\.fqc-${run.child.pid}-[0-9a-f]{12}\\.tmp$`));

    const next = runFqc(["apply", path.join(ROOT, "examples/llama-tiny"), path.join(dir, "tiny"), "-c", cfg, "-q"]);
    expect(next.code, next.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(["tiny"]);
  });
});

describe.skipIf(!hasProc)("a signal while a compressed Fortran member is read from its spill file", () => {
  /** An .npz whose one member, 32 MiB of float32 zeros in Fortran order, is deflated (to ~32 KiB): `apply` spills it, then reads it for seconds with the JS kernel. */
  function bigDeflatedFortran(): string {
    const file = tmp.path("big-fortran.npz");
    if (existsSync(file)) return file;
    const shape = [4096, 2048];
    const header = encodeNpyHeader({ descr: "<f4", shape, fortranOrder: true });
    writeFileSync(file, craftZip([{ name: "w.weight.npy", payload: Buffer.concat([header, Buffer.alloc(shape[0] * shape[1] * 4)]), method: 8 }]));
    return file;
  }
  /** The spill file as /proc shows the run's descriptors: open, and already without a name. */
  const spillOpen = (pid: number) => {
    try {
      return readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return /\.spill\.fqc-\d+-[0-9a-f]{12}\.tmp \(deleted\)$/.test(readlinkSync(`/proc/${pid}/fd/${fd}`));
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };

  /** An apply of the deflated Fortran member into a new directory, once its spill file is open. */
  const spillingRun = async (name: string) => {
    const dir = tmp.path(name);
    execFileSync("mkdir", [dir]);
    const run = start(["apply", bigDeflatedFortran(), path.join(dir, "o.npz"), "-c", cfg, "--kernel", "js", "--threads", "1"]);
    await until("the spill file", () => spillOpen(run.child.pid!));
    return { dir, run };
  };

  it("SIGTERM: exit 143, no output, and nothing left in OUT's directory", async () => {
    const { dir, run } = await spillingRun("spill-term");
    run.child.kill("SIGTERM");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGTERM"));
    expect(run.stderr()).toBe(`fqc: interrupted by SIGTERM; not written: ${path.join(dir, "o.npz")}\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("SIGKILL leaves the output's temp file only: the spill file never had a lasting name", async () => {
    const { dir, run } = await spillingRun("spill-kill");
    run.child.kill("SIGKILL");
    await run.exit;
    expect(readdirSync(dir)).toEqual([expect.stringMatching(new RegExp(`^\\.o\\.npz\\.fqc-${run.child.pid}-[0-9a-f]{12}\\.tmp$`))]);
  });
});

/**
 * A safetensors file of `count` F32 [1] tensors named by `name`, its data a sparse run of zeros: a large header
 * (70–80 bytes a tensor) for a file that costs no writing.
 */
function manyTinyTensors(file: string, count: number, name: (i: number) => string): string {
  if (existsSync(file)) return file;
  const entries: string[] = [];
  for (let i = 0; i < count; i++) entries.push(`${JSON.stringify(name(i))}:{"dtype":"F32","shape":[1],"data_offsets":[${4 * i},${4 * i + 4}]}`);
  let text = `{${entries.join(",")}}`;
  text += " ".repeat((8 - (text.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  const fd = openSync(file, "w");
  writeSync(fd, Buffer.concat([len, Buffer.from(text)]));
  ftruncateSync(fd, 8 + text.length + 4 * count);
  closeSync(fd);
  return file;
}

describe("a signal during synchronous work (parsing a large header)", () => {
  /** 400,000 tensors: the 30 MB header takes seconds to parse, with no handler running meanwhile. */
  const bigHeader = () => manyTinyTensors(tmp.path("big-header.safetensors"), 400_000, (i) => `model.layers.${i}.weight`);

  it.skipIf(!hasProc).each([
    ["validate --tensor", () => ["validate", cfg, "--tensor", bigHeader()]],
    ["apply --dry-run", () => ["apply", bigHeader(), tmp.path("never.safetensors"), "-c", cfg, "--dry-run"]],
  ])("SIGINT while %s parses the header ends the run with 130 once the parse is done, printing nothing of its result", async (_, args) => {
    const run = start(args());
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    await new Promise((r) => setTimeout(r, 200));
    run.child.kill("SIGINT");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGINT"));
    expect(run.stderr()).toBe("fqc: interrupted by SIGINT\n");
    expect(run.stdout()).toBe("");
  });

  it.skipIf(!hasProc)("SIGTERM while normalize --write judges a large config stops before that file is rewritten", async () => {
    // 60,000 recipe entries one key per line (not canonical): judging takes a second or more, with no handler running meanwhile.
    const entries = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`model.layers.${i}.mlp.up_proj`, { dtype: "int4", group_size: 32 }]));
    const text = JSON.stringify({ fqn_to_config: entries }, null, 1);
    const file = tmp.write("big-recipe.json", text);
    const run = start(["normalize", "--write", file]);
    await until("the signal handlers", () => catchesSignals(run.child.pid!));
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill("SIGTERM");
    expect(await run.exit, run.stderr()).toEqual(endedBy("SIGTERM"));
    expect(run.stderr()).toBe("fqc: interrupted by SIGTERM\n");
    expect(readFileSync(file, "utf8")).toBe(text);
  });
});

describe("a signal while a recipe's re: keys are matched (minutes of regex tests)", () => {
  /** 100,000 F32 [1] tensors and 1,000 `re:` keys matching none of them: ~200 million regex tests, over a minute here. */
  function manyNamesAndKeys(): { model: string; recipe: string } {
    const model = manyTinyTensors(tmp.path("many-names.safetensors"), 100_000, (i) => `model.layers.${i}.mlp.up_proj.weight`);
    const table: Record<string, unknown> = {};
    for (let k = 0; k < 1000; k++) table[`re:.*nomatch_${k}\\.weight`] = { dtype: "int4", group_size: 32 };
    return { model, recipe: tmp.write("many-keys.json", JSON.stringify({ fqn_to_config: table })) };
  }

  /** CPU seconds the process has used (user + system), from /proc. */
  function cpuSeconds(pid: number): number {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  }

  it.skipIf(!hasProc)("SIGTERM stops apply at once, not when the matching is done: exit 143, nothing written", async () => {
    const { model, recipe } = manyNamesAndKeys();
    const output = tmp.path("many-out.safetensors");
    const run = start(["apply", model, output, "--recipe", recipe]);
    try {
      // Past the header's parse and into the matching (a fraction of a CPU second gets there).
      await until("3 CPU seconds of work", () => cpuSeconds(run.child.pid!) >= 3, 60_000);
      run.child.kill("SIGTERM");
      expect(await run.exit, run.stderr()).toEqual(endedBy("SIGTERM"));
      expect(run.stderr()).toBe("fqc: interrupted by SIGTERM\n");
      expect(existsSync(output)).toBe(false);
    } finally {
      // A run that did not stop would otherwise match on for a minute after the test.
      if (run.child.exitCode === null) run.child.kill("SIGKILL");
    }
  }, 40_000);
});
