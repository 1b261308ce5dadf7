/** Issue 13 item 4: a .npy header whose numbers are huge never makes fqc loop for a number of steps read from the file. */
import { existsSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { craftNpy } from "../npy/helpers.js";
import { tempDir } from "../helpers/cli.js";
import { runMain } from "../helpers/in-process.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const header = (shape: string, fortran = false) => `{'descr': '<f4', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shape}, }`;
const g32 = tmp.write("g32.json", '{"dtype":"int4","group_size":32}');
let outputs = 0;
const pc = tmp.write("pc.json", '{"dtype":"int8","granularity":"per_channel"}');

describe("tensors with huge dimensions and no data", () => {
  const shapes = ["(0, 9007199254740991)", "(9007199254740991, 0)", "(0, 4503599627370496, 2)", "(2, 0, 4503599627370496)"];
  for (const shape of shapes) {
    for (const fortran of [false, true]) {
      it(`apply and validate --tensor on shape ${shape}${fortran ? " (Fortran order)" : ""} finish with exit 0 or 1`, async () => {
        const f = tmp.write(`t${shapes.indexOf(shape)}${fortran}.npy`, craftNpy(header(shape, fortran), new Uint8Array(0), { pad: true }));
        for (const cfg of [g32, pc]) {
          const out = tmp.path(`out-${++outputs}.npy`); // a fresh name: a failed run must leave none
          const a = await runMain(["apply", f, out, "-c", cfg, "-q"], { cwd: tmp.dir });
          expect([0, 1]).toContain(a.code);
          if (a.code !== 0) expect(existsSync(out)).toBe(false);
          const v = await runMain(["validate", cfg, "--tensor", f], { cwd: tmp.dir });
          expect([0, 1]).toContain(v.code);
        }
      });
    }
  }

  it("the 128-byte file of the issue, shape (0, 2^53 - 1): exit 1 with the group-size hint", async () => {
    const f = tmp.write("issue.npy", craftNpy(header("(0, 9007199254740991)"), new Uint8Array(0), { pad: true }));
    const r = await runMain(["validate", g32, "--tensor", f], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("e.g. 6361, 1416003655831");
  });
});
