/** Issue 13 item 7: malformed or foreign-encoded config text is a syntax diagnostic at its place, never an internal error. */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { validate } from "../../src/config/validate.js";
import { findEncodingProblem } from "../../src/diagnostics/encoding.js";
import { messageText, oneLine } from "../../src/diagnostics/one-line.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const GOOD = '{"dtype":"int4","group_size":32}';
const syntax = (text: string, filename = "c.json") => {
  const { diagnostics } = validate(text, { filename });
  expect(diagnostics).toHaveLength(1);
  expect(diagnostics[0].ruleId).toBe("fqc/syntax");
  return diagnostics[0];
};

describe("malformed config text", () => {
  it("a key cut short is a syntax error at the end of the text", () => {
    expect(syntax('{"dtype')).toMatchObject({ line: 1, column: 8 });
  });

  it("a control character inside a key is a syntax error at its line and column, without quoting the text", () => {
    const d = syntax('{\n  "dt\u0001ype": "int4"}');
    expect(d).toMatchObject({ line: 2, column: 6 });
    expect(d.message).toBe("JSON syntax error: Bad control character in string literal");
  });

  it("a raw newline inside a key is a one-line syntax message", () => {
    const d = syntax('{"dt\nype": "int4"}');
    expect(d.message).not.toMatch(/[\n\r]/);
    expect(d.line).toBe(1);
  });

  it("a bad escape in a key is a syntax error at the escape", () => {
    expect(syntax('{"dt\\qype": "int4"}')).toMatchObject({ line: 1, column: 5 });
  });

  it("a bad escape in a key after a valid member is still located (the duplicate-key scan stops there)", () => {
    expect(syntax('{"dtype": "int4", "gr\\x": 1}')).toMatchObject({ line: 1 });
  });
});

describe("text that is not UTF-8", () => {
  const utf16le = (s: string, bom: boolean) => Buffer.concat([Buffer.from(bom ? [0xff, 0xfe] : []), Buffer.from(s, "utf16le")]);
  const swap16 = (b: Buffer) => Buffer.from(b).swap16();
  const utf32le = (s: string, bom: boolean) => {
    const cps = [...(bom ? [0xfeff] : []), ...[...s].map((c) => c.codePointAt(0)!)];
    const out = Buffer.alloc(cps.length * 4);
    cps.forEach((cp, i) => out.writeUInt32LE(cp, i * 4));
    return out;
  };
  const asRead = (b: Buffer) => b.toString("utf8");
  const cases: Array<[string, Buffer, string]> = [
    ["UTF-16LE with a byte-order mark", utf16le(GOOD, true), "UTF-16LE (it starts with a byte-order mark)"],
    ["UTF-16LE without a mark", utf16le(GOOD, false), "UTF-16LE;"],
    ["UTF-16BE with a byte-order mark", swap16(utf16le("\ufeff" + GOOD, false)), "UTF-16BE (it starts with a byte-order mark)"],
    ["UTF-16BE without a mark", swap16(utf16le(GOOD, false)), "UTF-16BE;"],
    ["UTF-32LE with a byte-order mark", utf32le(GOOD, true), "UTF-32LE (it starts with a byte-order mark)"],
    ["UTF-32LE without a mark", utf32le(GOOD, false), "UTF-32LE;"],
    ["UTF-32BE with a byte-order mark", Buffer.from(utf32le(GOOD, true)).swap32(), "UTF-32BE (it starts with a byte-order mark)"],
    ["UTF-32BE without a mark", Buffer.from(utf32le(GOOD, false)).swap32(), "UTF-32BE;"],
  ];
  for (const [what, bytes, found] of cases) {
    it(`a ${what} config says "not UTF-8", names the encoding and how to convert`, () => {
      for (const name of ["c.json", "c.yaml"]) {
        const d = syntax(asRead(bytes), name);
        expect(d.message).toContain(`not UTF-8: the file is ${found}`);
        expect(d.hint).toMatch(/^Convert it: iconv -f UTF-(16|32)(LE|BE)? -t UTF-8/);
        expect(d).toMatchObject({ line: 1, column: 1 });
      }
    });
  }

  it("NUL bytes in no known pattern: not UTF-8 text, encoding unnamed", () => {
    expect(findEncodingProblem("{}\u0000\u0000\u0000\u0000")).toMatchObject({ encoding: undefined, bom: false });
    expect(syntax('{"a":1}\u0000').message).toContain("contains NUL bytes");
  });

  it("a checkpoint given as a config (a safetensors file: an 8-byte little-endian length, then '{') is a binary file, not UTF-32LE to convert with iconv", () => {
    for (const length of [0x58, 0x05f5e100]) {
      const header = Buffer.alloc(8);
      header.writeBigUInt64LE(BigInt(length));
      const d = syntax(asRead(Buffer.concat([header, Buffer.from('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), Buffer.alloc(4)])), "model.safetensors");
      expect(d.message).toBe("not UTF-8 text: the file contains NUL bytes (a binary file, or text in an encoding fqc does not read)");
    }
  });
});

describe("the CLI over a binary file given as a config", () => {
  it("says what the file is without a code frame of its bytes (a .npy tensor, a UTF-16 config): the frame would be noise", async () => {
    const npy = tmp.write("w.npy", Buffer.concat([Buffer.from("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "latin1"), Buffer.alloc(8, 0x3f)]));
    const u16 = tmp.write("u16frame.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD, "utf16le")]));
    for (const [file, found] of [[npy, "contains NUL bytes"], [u16, "UTF-16LE"]]) {
      const r = await runMain(["validate", file], { cwd: tmp.dir });
      expect(r.code, file).toBe(2);
      expect(r.stdout, file).toContain(found);
      expect(r.stdout, file).not.toMatch(/> +1 \||NUMPY|dtype/);
      expect(r.stdout.trimEnd().split("\n").at(-1), file).toBe("✖ 1 problem (1 error, 0 warnings)");
    }
  });
});

describe("the CLI over malformed files", () => {
  const files = {
    cut: tmp.write("cut.json", '{"dtype'),
    ctl: tmp.write("ctl.json", '{"dt\u0001ype":"int4"}'),
    esc: tmp.write("esc.json", '{"dt\\qype":"int4"}'),
    u16: tmp.write("u16.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD, "utf16le")])),
    good: tmp.write("good.json", GOOD),
    bad: tmp.write("bad.json", '{"dtype":"int3x","group_size":32}'),
  };
  const all = Object.values(files);

  for (const format of ["stylish", "json", "sarif", "github"]) {
    it(`validate --format ${format} reports every file of a multi-file run, malformed ones as syntax errors, exit 2`, async () => {
      const r = await runMain(["validate", "--format", format, ...all], { cwd: tmp.dir });
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/internal error|at .*\(.*:\d+:\d+\)/);
      for (const f of ["cut.json", "ctl.json", "esc.json", "u16.json", "bad.json"]) expect(r.stdout).toContain(f);
      if (format === "json") {
        const report = JSON.parse(r.stdout) as { files: Array<{ file: string; errorCount: number }> };
        expect(report.files.map((f) => f.file.split("/").pop()).sort()).toEqual(["bad.json", "ctl.json", "cut.json", "esc.json", "good.json", "u16.json"]);
      }
      if (format === "sarif") {
        const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: unknown[] }> };
        expect(sarif.runs[0].results.length).toBe(5);
      }
    });
  }

  it("normalize and apply name a malformed config as a syntax error, exit 2, no trace", async () => {
    for (const args of [["normalize", "--check", files.cut, files.good], ["normalize", files.u16], ["apply", "w.npy", "o.npy", "-c", files.ctl]]) {
      const r = await runMain(args, { cwd: tmp.dir });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});

describe("a UTF-8 byte-order mark", () => {
  it("does not count as a column, in YAML as in JSON (editors hide it), and the code frame's caret stays under the value", async () => {
    const cases: [string, string, number][] = [
      ["bom-col.json", '{"dtype": "int9", "group_size": 32}\n', 11],
      ["bom-col.yaml", "dtype: int9\ngroup_size: 32\n", 8],
      // Past the large-file reader's threshold: the same column.
      ["bom-col-large.yaml", `dtype: int9\ngroup_size: 32\n${"# padding\n".repeat(7000)}`, 8],
    ];
    for (const [name, text, column] of cases) {
      const plain = await runMain(["validate", "-f", "github", tmp.write(`plain-${name}`, text)], { cwd: tmp.dir });
      const bom = await runMain(["validate", "-f", "github", tmp.write(name, `\ufeff${text}`)], { cwd: tmp.dir });
      expect(bom.code, name).toBe(1);
      expect(bom.stdout, name).toContain(`line=1,endLine=1,col=${column},`);
      expect(bom.stdout.replace(name, "x"), name).toBe(plain.stdout.replace(`plain-${name}`, "x"));
      const frame = (await runMain(["validate", "--no-color", tmp.path(name)], { cwd: tmp.dir })).stdout.split("\n");
      const at = frame.findIndex((l) => l.startsWith("    > 1 | "));
      expect(frame[at], name).toBe(`    > 1 | ${text.split("\n")[0]}`); // no invisible mark printed
      expect(frame[at + 1].indexOf("^"), name).toBe("    > 1 | ".length + column - 1);
    }
  });

  it("normalize --check accepts a canonical file that starts with a byte-order mark", async () => {
    const canonical = (await runMain(["normalize", tmp.write("plain.json", GOOD)], { cwd: tmp.dir })).stdout;
    const f = tmp.write("bom-canonical.json", `\ufeff${canonical}`);
    const r = await runMain(["normalize", "--check", f], { cwd: tmp.dir });
    expect([r.code, r.stderr]).toEqual([0, ""]);
  });

  it("normalize --write rewrites a JSON or YAML file with a byte-order mark and keeps the mark", async () => {
    for (const [name, text] of [["bom.json", GOOD], ["bom.yaml", "# modeline\ndtype: int4\ngroup_size: 32\n"]]) {
      const f = tmp.write(name, `\ufeff${text}`);
      const r = await runMain(["normalize", "--write", f], { cwd: tmp.dir });
      expect(r.code, r.stderr).toBe(0);
      const out = readFileSync(f);
      expect([...out.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(out.toString("utf8").slice(1)).toContain("group_size");
      if (name.endsWith(".yaml")) expect(out.toString("utf8").slice(1)).toMatch(/^# modeline\n/);
      expect((await runMain(["normalize", "--check", f], { cwd: tmp.dir })).code).toBe(0);
    }
  });
});

describe("oneLine", () => {
  it("shows line breaks and control characters in quoted text as escapes, and keeps tabs and other text", () => {
    expect(oneLine("a\nb\r\u0001\u2028c\td é")).toBe("a\\nb\\r\\u0001\\u2028c\td é");
  });
});

describe("messageText", () => {
  it("cuts a message quoting a huge key in the middle and says how much was left out", () => {
    const out = messageText(`unknown key \`${"k".repeat(10_000)}\``);
    expect(out.length).toBeLessThan(520);
    expect(out).toMatch(/^unknown key `k+…\(\d+ characters\)…k+`$/);
    expect(messageText("short")).toBe("short");
  });
});

describe("one-line messages", () => {
  it("an error naming a file whose name holds a newline stays one line (the name shows \\n)", async () => {
    const r = await runMain(["apply", tmp.path("we\nird.npy"), tmp.path("o.npy"), "-c", tmp.write("g.json", GOOD)], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    const [first, ...rest] = r.stderr.trimEnd().split("\n");
    expect(first).toContain("we\\nird.npy");
    expect(rest.every((l) => l.startsWith("  hint:"))).toBe(true);
  });
});
