/**
 * A config or recipe is read whole, so what fqc reads as one is bounded: a
 * device (/dev/zero), a huge file given by mistake (a checkpoint as the
 * config) or an endless stream ends with exit 2 and one message naming it,
 * instead of filling memory until the process aborts.
 */
import { closeSync, existsSync, openSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { boundedText, MAX_CONFIG_BYTES } from "../../src/config-size.js";
import { FqcError } from "../../src/errors.js";
import { readTextFile } from "../../src/config-file.js";
import { FQC, tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const tensor = tmp.path("t.npy");
writeFileSync(tensor, Buffer.concat([Buffer.from("\x93NUMPY\x01\x00\x76\x00", "latin1"),
  Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 32), }".padEnd(117, " ") + "\n"), Buffer.alloc(2 * 32 * 4)]));

const noDevZero = !existsSync("/dev/zero");
if (noDevZero) console.log("config-size: no /dev/zero here; the device cases are skipped");

describe.skipIf(noDevZero)("a character device given as the config", () => {
  // The hint offers `-` only where the command reads standard input (validate, normalize).
  for (const [command, args, hint] of [
    ["apply", ["apply", tensor, tmp.path("o.npy"), "-c", "/dev/zero"], "Give --config the path of a JSON or YAML file."],
    ["apply --recipe", ["apply", tensor, tmp.path("o.npy"), "-r", "/dev/zero"], "Give --recipe the path of a JSON or YAML file."],
    ["report", ["report", tensor, "-c", "/dev/zero"], "Give --config the path of a JSON or YAML file."],
    ["normalize", ["normalize", "/dev/zero"], "or - to read standard input"],
    ["validate", ["validate", "/dev/zero"], "or - to read standard input"],
  ] as const) {
    it(`${command} refuses /dev/zero at once (exit 2, naming it) instead of reading it for ever`, async () => {
      const r = await runMain([...args], { cwd: tmp.dir });
      expect(r.code).toBe(2);
      expect(r.stderr + r.stdout).toContain("is a character device, not a config file");
      expect(r.stderr + r.stdout).toContain("/dev/zero");
      expect(r.stderr + r.stdout).toContain(hint);
    });
  }

  it("validate - with standard input from /dev/zero stops past the bound: exit 2, one message", () => {
    const zero = openSync("/dev/zero", "r");
    try {
      const r = spawnSync(process.execPath, [FQC, "validate", "-"], { stdio: [zero, "pipe", "pipe"], encoding: "utf8", timeout: 60_000, killSignal: "SIGKILL" });
      expect(r.status).toBe(2);
      expect(r.stdout).toContain("standard input: holds more than the 64 MiB fqc reads as a config or recipe");
    } finally {
      closeSync(zero);
    }
  });
});

describe("a config file larger than the bound", () => {
  it("is refused before it is read, naming its size (a sparse file of 64 MiB + 1 byte)", async () => {
    const big = tmp.path("big.json");
    writeFileSync(big, "");
    truncateSync(big, MAX_CONFIG_BYTES + 1);
    const r = await runMain(["apply", tensor, tmp.path("o2.npy"), "-c", big], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`big.json: is 67,108,865 bytes, more than the 64 MiB fqc reads as a config or recipe`);
    expect(existsSync(tmp.path("o2.npy"))).toBe(false);
  });

  it("one of exactly the bound is read (and judged as the text it is)", async () => {
    const edge = tmp.path("edge.json");
    writeFileSync(edge, "");
    truncateSync(edge, MAX_CONFIG_BYTES);
    const r = await runMain(["validate", edge], { cwd: tmp.dir });
    expect(r.stdout).not.toContain("MiB fqc reads");
  });
});

describe("a config file that grows after its size was taken", () => {
  it("is read up to the bound and refused there, not read to its new end (a 64 MiB + 1 byte file its stat said was 2 bytes)", () => {
    const growing = tmp.path("growing.json");
    writeFileSync(growing, "{}");
    const before = statSync(growing);
    truncateSync(growing, MAX_CONFIG_BYTES + 1);
    expect(() => readTextFile(growing, before)).toThrow("growing.json: holds more than the 64 MiB fqc reads as a config or recipe");
  });

  it("a file that grew within the bound is read to its end; one whose size says 0 (/proc's) is read whole", () => {
    const grew = tmp.path("grew.json");
    writeFileSync(grew, "{}");
    const before = statSync(grew);
    const text = `{"dtype": "int4", "group_size": 32, "note": "${"x".repeat(200_000)}"}`;
    writeFileSync(grew, text);
    expect(readTextFile(grew, before)).toBe(text);
    if (existsSync("/proc/self/status")) expect(readTextFile("/proc/self/status")).toMatch(/^Name:[^]*\nPid:/);
  });

  it("closes the file it read, and the one it refused", () => {
    if (!existsSync("/proc/self/fd")) return;
    const fds = () => readdirSync("/proc/self/fd").length;
    const small = tmp.write("small.json", "{}");
    const big = tmp.path("big-closed.json");
    writeFileSync(big, "{}");
    const stat = statSync(big);
    truncateSync(big, MAX_CONFIG_BYTES + 1);
    const before = fds();
    for (let i = 0; i < 20; i++) readTextFile(small);
    expect(() => readTextFile(big, stat)).toThrow(/holds more than/);
    expect(fds()).toBe(before);
  });
});

describe("boundedText", () => {
  const run = (chunks: Buffer[]) => {
    let text: string | undefined;
    let error: FqcError | undefined;
    let stops = 0;
    const t = boundedText("pipe", (s) => (text = s), (e) => (error = e), () => stops++);
    for (const c of chunks) t.add(c);
    t.end();
    return { text, error, stops };
  };

  it("gives the text of chunks up to the bound, decoded as UTF-8 across chunk boundaries", () => {
    const euro = Buffer.from("€");
    const r = run([Buffer.from("{\"a\": \""), euro.subarray(0, 1), euro.subarray(1), Buffer.from("\"}")]);
    expect(r).toEqual({ text: "{\"a\": \"€\"}", error: undefined, stops: 0 });
  });

  it("gives the text of a stream of exactly the bound", () => {
    const half = Buffer.alloc(MAX_CONFIG_BYTES / 2, 0x20);
    const r = run([half, half]);
    expect([r.text?.length, r.error, r.stops]).toEqual([MAX_CONFIG_BYTES, undefined, 0]);
  });

  it("refuses the stream once past the bound, stops it once, and never resolves", () => {
    const half = Buffer.alloc(MAX_CONFIG_BYTES / 2);
    const r = run([half, half, Buffer.alloc(1), Buffer.alloc(10)]);
    expect(r.text).toBeUndefined();
    expect(r.stops).toBe(1);
    expect(r.error?.code).toBe("IO");
    expect(r.error?.message).toBe("pipe: holds more than the 64 MiB fqc reads as a config or recipe");
    expect([r.error?.file, r.error?.hint]).toEqual(["pipe", "A config or recipe is a few KB to a few MB of JSON or YAML: check that this is the file you meant."]);
  });
});
