import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { FqcError } from "../../src/errors.js";
import fc from "fast-check";
import { parseDescr } from "../../src/npy/dtype.js";
import { writeFully } from "../../src/npy/positional.js";
import { NpyValueWriter } from "../../src/npy/value-writer.js";
import { AtomicNpyWriter } from "../../src/npy/writer.js";
import { EXPECTED, expectedFloats, fixture, hexToF64, tempDir } from "./helpers.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let seq = 0;
const out = (name = "out.npy") => tmp.file(`${seq++}-${name}`);

function writeAll(target: string, descr: string, shape: number[], src: Float32Array | Float64Array, chunks = 1): void {
  const w = AtomicNpyWriter.create(target, { descr, shape });
  const step = Math.ceil(src.length / chunks);
  for (let i = 0; i < src.length; i += step) w.writeRows(src.subarray(i), Math.min(step, src.length - i));
  w.commit();
}

const tempsIn = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"));

/** The data section (after the 128-byte header) of a written file as uint16s. */
function halves(file: string): number[] {
  const b = fs.readFileSync(file).subarray(128);
  return Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16LE(2 * i));
}

describe("AtomicNpyWriter writes the same bytes as numpy.save", () => {
  const cases = ["le_f4_3x4.npy", "be_f4_3x4.npy", "le_f2_2x5.npy", "be_f2_2x5.npy", "le_f8_6.npy", "be_f8_2x3.npy", "scalar_f4.npy", "empty_f4_0x4.npy", "v3_f4_4.npy"];
  for (const name of cases) {
    for (const Src of [Float64Array, Float32Array]) {
      if (EXPECTED[name].descr.endsWith("f8") && Src === Float32Array) continue;
      it(`${name} from a ${Src.name}, written in 2 chunks`, () => {
        const want = EXPECTED[name];
        const target = out(name);
        writeAll(target, want.descr, want.shape, Src.from(expectedFloats(name)), 2);
        const numpyBytes = fs.readFileSync(fixture(name));
        const expectedBytes = name.startsWith("v3") ? numpyBytes.subarray(numpyBytes.length - 16) : numpyBytes;
        const got = fs.readFileSync(target);
        expect(name.startsWith("v3") ? got.subarray(got.length - 16) : got).toEqual(expectedBytes);
      });
    }
  }
  it("rounds float64 to float16 like numpy (ties, subnormals, overflow)", () => {
    const R = EXPECTED.float16_rounding;
    const target = out();
    writeAll(target, "<f2", [R.f64_inputs.length], Float64Array.from(R.f64_inputs, hexToF64), 3);
    expect(halves(target)).toEqual(R.f64_to_f2_bits);
  });
  it("keeps NaN sign and payload bits when narrowing to float16 (like numpy)", () => {
    const src = new Float32Array(2);
    new Uint32Array(src.buffer).set([0xffc00000, 0x7f802000]);
    const target = out();
    writeAll(target, "<f2", [2], src);
    expect(halves(target)).toEqual([0xfe00, 0x7c01]);
  });
  it("writes integer dtypes from float arrays holding whole numbers (zero points)", () => {
    const target = out();
    writeAll(target, "<i4", [3, 2], Float64Array.of(0, -8, 7, 2147483647, -2147483648, 3));
    expect(fs.readFileSync(target)).toEqual(fs.readFileSync(fixture("qparams_i4_3x2.npy")));
  });
});

describe("AtomicNpyWriter is atomic", () => {
  it("writes to .<base>.fqc-<pid>-<random>.tmp beside the target and renames on commit", () => {
    const target = out("t.npy");
    const w = AtomicNpyWriter.create(target, { descr: "<f4", shape: [2] });
    expect(path.dirname(w.tempPath)).toBe(path.dirname(target));
    expect(path.basename(w.tempPath)).toMatch(new RegExp(`^\\.${path.basename(target).replace(".", "\\.")}\\.fqc-${process.pid}-[0-9a-f]+\\.tmp$`));
    w.writeRows(Float32Array.of(1, 2), 2);
    expect(fs.existsSync(w.tempPath)).toBe(true);
    expect(fs.existsSync(target)).toBe(false);
    w.commit();
    expect(fs.existsSync(w.tempPath)).toBe(false);
    expect(fs.statSync(target).size).toBe(136);
  });
  it("replaces an existing target only on commit", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    const w = AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] });
    w.writeRows(Float32Array.of(5), 1);
    expect(fs.readFileSync(target, "utf8")).toBe("old");
    w.commit();
    expect(fs.readFileSync(target).length).toBe(132);
  });
  it("abort removes the temp file and leaves the target alone; abort is idempotent and a no-op after commit", () => {
    const target = out();
    fs.writeFileSync(target, "old");
    const w = AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] });
    w.abort();
    w.abort();
    expect(fs.existsSync(w.tempPath)).toBe(false);
    expect(fs.readFileSync(target, "utf8")).toBe("old");
    expect(() => w.writeRows(Float32Array.of(1), 1)).toThrow("already aborted");
    const w2 = AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] });
    w2.writeRows(Float32Array.of(1), 1);
    w2.commit();
    w2.abort();
    expect(fs.readFileSync(target).length).toBe(132);
    expect(() => w2.commit()).toThrow("already committed");
  });
  it("commit refuses a short write and removes the temp file", () => {
    const w = AtomicNpyWriter.create(out(), { descr: "<f4", shape: [2, 3] });
    w.writeRows(new Float32Array(5), 5);
    expect(() => w.commit()).toThrow("only 5 of 6 values were written for shape (2, 3)");
    expect(fs.existsSync(w.tempPath)).toBe(false);
    expect(fs.existsSync(w.targetPath)).toBe(false);
  });
  it("refuses more values than the shape holds and removes the temp file", () => {
    const w = AtomicNpyWriter.create(out(), { descr: "<f2", shape: [2] });
    expect(() => w.writeRows(new Float32Array(3), 3)).toThrow("3 values written, but shape (2,) holds 2");
    expect(fs.existsSync(w.tempPath)).toBe(false);
  });
  it("refuses non-integers and out-of-range values for integer dtypes", () => {
    const w = AtomicNpyWriter.create(out(), { descr: "|i1", shape: [3] });
    expect(() => w.writeRows(Float32Array.of(1, 2.5, 3), 3)).toThrow("value 2.5 at index 1 cannot be stored as int8");
    expect(fs.existsSync(w.tempPath)).toBe(false);
    const w2 = AtomicNpyWriter.create(out(), { descr: "|u1", shape: [1] });
    expect(() => w2.writeRows(Float64Array.of(256), 1)).toThrow("value 256 at index 0 cannot be stored as uint8");
    const w3 = AtomicNpyWriter.create(out(), { descr: "<i4", shape: [1] });
    expect(() => w3.writeRows(Float64Array.of(NaN), 1)).toThrow("value NaN");
  });
  it("rejects invalid elementCount arguments", () => {
    const w = AtomicNpyWriter.create(out(), { descr: "<f4", shape: [2] });
    expect(() => w.writeRows(new Float32Array(1), 2)).toThrow(RangeError);
    w.abort();
  });
  it("refuses unsupported descrs and bad shapes before creating anything", () => {
    const dir = tmp.file("empty-dir");
    fs.mkdirSync(dir);
    expect(() => AtomicNpyWriter.create(path.join(dir, "a.npy"), { descr: "|O", shape: [1] })).toThrow("pickle");
    expect(() => AtomicNpyWriter.create(path.join(dir, "a.npy"), { descr: "<f4", shape: [-2] })).toThrow("negative");
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("AtomicNpyWriter protects inputs", () => {
  const input = tmp.file("input.npy");
  fs.copyFileSync(fixture("le_f4_3x4.npy"), input);
  const refuse = (target: string, protect: string[]) => {
    try {
      AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] }, { protect, forceStep: "pass --force" });
    } catch (e) {
      expect((e as FqcError).code).toBe("IO");
      expect((e as FqcError).message).toContain("--force");
      return (e as FqcError).message;
    }
    throw new Error("expected a refusal");
  };
  it("refuses the same path, a relative spelling, a symlink and a hard link to an input", () => {
    expect(refuse(input, [input])).toBe(`the output ${input} is the same file as the input ${input}: refusing to overwrite an input; write the output elsewhere, or pass --force to replace the input`);
    expect(refuse(path.relative(process.cwd(), input), [input])).toContain("refusing to overwrite");
    const link = tmp.file("link.npy");
    fs.symlinkSync(input, link);
    expect(refuse(link, [input])).toContain("refusing");
    expect(refuse(input, [link])).toContain("refusing");
    const hard = tmp.file("hard.npy");
    fs.linkSync(input, hard);
    expect(refuse(hard, [input])).toContain("refusing");
    expect(tempsIn(tmp.dir)).toEqual([]);
  });
  it("allows it with force, and allows other files", () => {
    const w = AtomicNpyWriter.create(input, { descr: "<f4", shape: [1] }, { protect: [input], force: true });
    w.abort();
    const other = AtomicNpyWriter.create(out(), { descr: "<f4", shape: [1] }, { protect: [input, tmp.file("missing.npy")] });
    other.abort();
  });
});

describe("AtomicNpyWriter filesystem errors", () => {
  it("a directory as target is an IO error", () => {
    expect(() => AtomicNpyWriter.create(tmp.dir, { descr: "<f4", shape: [1] })).toThrow(`${tmp.dir}: is a directory`);
  });
  it("a missing directory is an IO error naming the target", () => {
    const target = tmp.file("no/such/dir/out.npy");
    try {
      AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] });
      expect.unreachable();
    } catch (e) {
      expect((e as FqcError).code).toBe("IO");
      expect((e as FqcError).message).toBe(`${target}: cannot create a temporary file in its directory: no such file or directory`);
    }
  });
});

describe("AtomicNpyWriter temp names", () => {
  afterEach(() => vi.restoreAllMocks());
  // Math.random() = 0 names the temp file ...-000000000000.tmp; 0.5 gives ...-800000800000.tmp.
  const tempName = (target: string, hex: string) => path.join(path.dirname(target), `.${path.basename(target)}.fqc-${process.pid}-${hex}.tmp`);

  it("takes another name when the first exists, leaving that file alone", () => {
    const target = out();
    const taken = tempName(target, "000000000000");
    fs.writeFileSync(taken, "someone else's");
    vi.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValue(0.5);
    const w = AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] });
    expect(w.tempPath).toBe(tempName(target, "800000800000"));
    w.writeRows(Float32Array.of(1), 1);
    w.commit();
    expect(fs.readFileSync(taken, "utf8")).toBe("someone else's");
    fs.rmSync(taken);
  });

  it("gives up with an IO error naming the target when every name it tries exists", () => {
    const target = out();
    const taken = tempName(target, "000000000000");
    fs.writeFileSync(taken, "x");
    vi.spyOn(Math, "random").mockReturnValue(0);
    expect(() => AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] })).toThrow(`${target}: cannot create a temporary file in its directory`);
    expect(Math.random).toHaveBeenCalledTimes(16); // 8 names, 2 calls each
    expect(fs.existsSync(target)).toBe(false);
    fs.rmSync(taken);
  });

  it("never follows a link planted at the temp name", () => {
    const target = out();
    const victim = out("victim.txt");
    fs.writeFileSync(victim, "keep");
    fs.symlinkSync(victim, tempName(target, "000000000000"));
    vi.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValue(0.5);
    const w = AtomicNpyWriter.create(target, { descr: "<f4", shape: [1] });
    w.writeRows(Float32Array.of(1), 1);
    w.commit();
    expect(fs.readFileSync(victim, "utf8")).toBe("keep");
    fs.rmSync(tempName(target, "000000000000"));
  });
});

describe("AtomicNpyWriter targets that are links or special files", () => {
  it("writes through a symbolic link: the link stays, the file it names is replaced (temp file beside that one)", () => {
    const dir = tmp.file(`real-${seq++}`);
    fs.mkdirSync(dir);
    const real = path.join(dir, "real.npy");
    fs.writeFileSync(real, "old");
    const link = out("link.npy");
    fs.symlinkSync(real, link);
    const w = AtomicNpyWriter.create(link, { descr: "<f4", shape: [1] });
    expect(path.dirname(w.tempPath)).toBe(fs.realpathSync(dir));
    w.writeRows(Float32Array.of(1), 1);
    w.commit();
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(real).size).toBe(132);
  });

  it("a dangling link as target creates the file it names; the link stays", () => {
    const link = out("dangling.npy");
    const named = out("named-by-link.npy");
    fs.symlinkSync(named, link);
    writeAll(link, "<f4", [1], Float32Array.of(2));
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.statSync(named).size).toBe(132);
  });

  it("a dangling link into a missing directory is an IO error naming the target, and the link stays", () => {
    const link = out("dangling-dir.npy");
    fs.symlinkSync(tmp.file("nowhere/x.npy"), link);
    expect(() => writeAll(link, "<f4", [1], Float32Array.of(2))).toThrow(`${link}: cannot create a temporary file in ${tmp.file("nowhere")}, the directory its symbolic link leads to: no such file or directory`);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it("refuses a device (here /dev/null), naming what it is, before creating anything", () => {
    if (!fs.existsSync("/dev/null")) return;
    expect(() => AtomicNpyWriter.create("/dev/null", { descr: "<f4", shape: [1] })).toThrow("/dev/null: is a character device, not a regular file");
    const viaLink = out("null-link.npy");
    fs.symlinkSync("/dev/null", viaLink);
    expect(() => AtomicNpyWriter.create(viaLink, { descr: "<f4", shape: [1] })).toThrow(`${viaLink}: is a character device, not a regular file`);
    expect(fs.lstatSync(viaLink).isSymbolicLink()).toBe(true);
    expect(tempsIn(tmp.dir)).toEqual([]);
  });
});

describe("AtomicNpyWriter shared with threads (positional writes through its descriptor)", () => {
  const cases: Array<[string, number]> = [["<f4", 1], [">f4", 1], ["<f2", 1], [">f8", 1], ["<i4", 0], ["|u1", 0]];
  for (const [descr, isFloat] of cases) {
    it(`${descr}: chunks written in any order give the bytes of one sequential write`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (chunk, seed) => {
          const n = 23;
          const src = isFloat ? Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0 : (i - 11) * 0.37)) : Float64Array.from({ length: n }, (_, i) => i * 7 % 200);
          const seqTarget = out("seq.npy");
          const w0 = AtomicNpyWriter.create(seqTarget, { descr, shape: [n] });
          w0.writeValues(src, n);
          w0.commit();
          const parTarget = out("par.npy");
          const w = AtomicNpyWriter.create(parTarget, { descr, shape: [n] });
          const shared = w.shareWithThreads();
          expect(shared).toMatchObject({ file: parTarget, descr, elementCount: n, dataOffset: w.dataOffset });
          const info = parseDescr(descr);
          if (!info.ok) throw new Error(descr);
          const vw = new NpyValueWriter(shared.file, (bytes, pos) => writeFully(shared.fd, bytes, pos, shared.file), shared.dataOffset, info.info, chunk);
          const starts = Array.from({ length: Math.ceil(n / chunk) }, (_, i) => i * chunk);
          // A seeded shuffle: the order in which threads happen to finish.
          let s = seed;
          for (let i = starts.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const j = s % (i + 1);
            [starts[i], starts[j]] = [starts[j], starts[i]];
          }
          for (const at of starts) vw.writeAt(at, src.subarray(at), Math.min(chunk, n - at));
          w.recordSharedWrites(n);
          w.commit();
          expect(fs.readFileSync(parTarget).equals(fs.readFileSync(seqTarget))).toBe(true);
        }),
        { numRuns: 40 },
      );
    });
  }

  it("commit still requires every value: shared writes must be recorded, and never more than the shape holds", () => {
    const target = out();
    const w = AtomicNpyWriter.create(target, { descr: "<f4", shape: [4] });
    w.shareWithThreads();
    expect(() => w.commit()).toThrow("only 0 of 4 values were written");
    expect(fs.existsSync(target)).toBe(false);
    expect(tempsIn(tmp.dir)).toEqual([]);
    const w2 = AtomicNpyWriter.create(target, { descr: "<f4", shape: [4] });
    w2.recordSharedWrites(3);
    expect(() => w2.recordSharedWrites(2)).toThrow("5 values written, but shape (4,) holds 4");
    expect(tempsIn(tmp.dir)).toEqual([]);
  });

  it("the descriptor is handed out only while the output is open", () => {
    const w = AtomicNpyWriter.create(out(), { descr: "<f4", shape: [1] });
    w.abort();
    expect(() => w.shareWithThreads()).toThrow("already aborted");
  });

  it("a value an integer dtype cannot hold names the target and the element index", () => {
    const target = out();
    const w = AtomicNpyWriter.create(target, { descr: "<i2", shape: [6] });
    const info = parseDescr("<i2");
    if (!info.ok) throw new Error("<i2");
    const shared = w.shareWithThreads();
    const vw = new NpyValueWriter(shared.file, (bytes, pos) => writeFully(shared.fd, bytes, pos, shared.file), shared.dataOffset, info.info, 6);
    expect(() => vw.writeAt(3, [1, 2.5], 2)).toThrow(`${target}: value 2.5 at index 4 cannot be stored as int16`);
    w.abort();
  });
});
