// Every case of the conformance corpus through the CLI a user runs (`fqc apply` in a process of its
// own per case, with --scale-out/--zero-point-out; a static second call with --scale/--zero-point),
// compared as test/fixtures/conformance/README.md says. The test suite runs every case through
// applyFile and a sample through the CLI; this runs them all (~1.5 min).
//   npm run build && node scripts/conformance-cli.mjs
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const C = path.join(ROOT, "test/fixtures/conformance");
const T = fs.mkdtempSync(path.join(os.tmpdir(), "fqc-conformance-"));
const { readNpy } = await import(`${ROOT}/dist/npy/whole.js`);
const cases = JSON.parse(fs.readFileSync(path.join(C, "manifest.json"), "utf8")).cases;
// The conformance README's rule: bit-exact, except that any NaN matches any NaN (and ±0 for implementation-defined scales).
function same(got, want, ignoreZeroSign) {
  const a = readNpy(got), b = readNpy(path.join(C, want));
  if (JSON.stringify(a.header.shape) !== JSON.stringify(b.header.shape)) return "shape";
  if (a.data.length !== b.data.length) return "length";
  for (let i = 0; i < a.data.length; i++) {
    const x = Number(a.data[i]), y = Number(b.data[i]);
    const eq = Number.isNaN(x) ? Number.isNaN(y) : ignoreZeroSign ? x === y : Object.is(x, y);
    if (!eq) return `at ${i}: ${x} vs ${y}`;
  }
  return null;
}
let pass = 0; const fail = [];
for (const c of cases) {
  const cfg = path.join(T, `${c.id}.json`); fs.writeFileSync(cfg, JSON.stringify(c.config));
  const out = path.join(T, `${c.id}.out.npy`), s = path.join(T, `${c.id}.s.npy`), z = path.join(T, `${c.id}.z.npy`);
  const extra = c.input_dtype === "bfloat16" ? ["--compute-dtype", "bfloat16"] : [];
  let r = spawnSync(process.execPath, [path.join(ROOT, "bin/fqc.js"), "apply", path.join(C, c.input), out, "-c", cfg, "--quiet", "--scale-out", s, "--zero-point-out", z, ...extra], { encoding: "utf8" });
  if (r.status === 0 && c.mode === "static_second_call") {
    r = spawnSync(process.execPath, [path.join(ROOT, "bin/fqc.js"), "apply", path.join(C, c.input), out, "-c", cfg, "--quiet", "--force", "--scale", s, "--zero-point", z, ...extra], { encoding: "utf8" });
  }
  if (r.status !== 0) { fail.push(`${c.id}: exit ${r.status} ${r.stderr.slice(0, 200)}`); continue; }
  const m = [same(out, c.expected, false) && "output", c.scale && same(s, c.scale, c.implementation_defined) && "scale", c.zero_point && same(z, c.zero_point, false) && "zp"].filter(Boolean);
  if (m.length) fail.push(`${c.id}: ${m.join(",")}`); else pass++;
}
fs.rmSync(T, { recursive: true, force: true });
console.log(`${pass} passed, ${fail.length} failed of ${cases.length}`);
if (fail.length) {
  console.log(fail.join("\n"));
  process.exitCode = 1;
}
