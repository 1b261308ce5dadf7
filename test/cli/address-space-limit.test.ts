/**
 * A virtual-memory limit (`ulimit -v`, usual on shared clusters) below the
 * ~10 GiB of address space V8 reserves for each WebAssembly memory: the SIMD
 * kernel cannot be set up, and apply and report run the JS kernel instead,
 * with its results, rather than ending in an internal error.
 */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { FQC, runFqc, tempDir } from "../helpers/cli.js";
import { weights, writeSafetensors } from "../helpers/safetensors.js";
import { writeNpyAtomic } from "../../src/npy/whole.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());

// ~2.9 GiB: room for Node and its worker threads, not for one wasm memory's reservation.
const LIMIT_KIB = 3_000_000;
const limited = (args: string[]) => runFqc(args, {
  cwd: tmp.dir,
  exe: ["sh", "-c", `ulimit -v ${LIMIT_KIB} && exec "$@"`, "sh", process.execPath, FQC],
  timeoutMs: 60_000,
});

describe.skipIf(process.platform !== "linux")("under ulimit -v of ~2.9 GiB (no room for a WebAssembly memory)", () => {
  const rows = 64;
  const cols = 256;
  writeNpyAtomic(tmp.path("w.npy"), "<f4", [rows, cols], Array.from(weights(rows * cols, 3, 1)));
  writeSafetensors(tmp.path("m.safetensors"), [
    { name: "a.weight", dtype: "BF16", shape: [rows, cols], values: weights(rows * cols, 5, 1) },
    { name: "b.weight", dtype: "F32", shape: [rows, cols], values: weights(rows * cols, 7, 1) },
  ]);
  tmp.write("g32.json", '{"dtype": "int4", "group_size": 32}');

  it("the limit is one fqc's wasm kernel cannot live under (else this test proves nothing)", () => {
    const probe = runFqc(["-e", "new WebAssembly.Memory({ initial: 1 }); console.log('ok')"], {
      exe: ["sh", "-c", `ulimit -v ${LIMIT_KIB} && exec "$@"`, "sh", process.execPath],
    });
    expect(probe.code).not.toBe(0);
    expect(probe.stderr).toMatch(/RangeError/);
  });

  for (const threads of ["1", "2"]) {
    it(`apply -j ${threads} (.npy and safetensors) writes what --kernel js writes, exit 0`, () => {
      for (const [input, out] of [["w.npy", "o.npy"], ["m.safetensors", "o.safetensors"]]) {
        const r = limited(["apply", input, `lim-${threads}-${out}`, "-c", "g32.json", "-j", threads, "-q"]);
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const ref = runFqc(["apply", input, `js-${out}`, "-c", "g32.json", "--kernel", "js", "-q"], { cwd: tmp.dir });
        expect(ref.code, ref.stderr).toBe(0);
        expect(readFileSync(tmp.path(`lim-${threads}-${out}`)).equals(readFileSync(tmp.path(`js-${out}`)))).toBe(true);
      }
    });

    it(`report -j ${threads} gives the figures of --kernel js, exit 0`, () => {
      const r = limited(["report", "m.safetensors", "-c", "g32.json", "-j", threads, "-f", "json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const ref = runFqc(["report", "m.safetensors", "-c", "g32.json", "--kernel", "js", "-f", "json"], { cwd: tmp.dir });
      expect(ref.code, ref.stderr).toBe(0);
      const figures = (text: string) => (JSON.parse(text) as { tensors: unknown }).tensors;
      expect(figures(r.stdout)).toEqual(figures(ref.stdout));
    });
  }
});
