// Assemble a .wat and compare speed + bits against the committed build's module.
import wabtInit from "wabt";
import { readFileSync } from "node:fs";
import { FQ_WASM_BASE64 } from "../dist/quant/wasm/fq-wasm.generated.js";
const wabt = await wabtInit();
const watFile = process.argv[2];
const m = wabt.parseWat(watFile, readFileSync(watFile, "utf8"), { simd: true, sat_float_to_int: true });
m.resolveNames(); m.validate();
const newBytes = Buffer.from(m.toBinary({}).buffer);
const inst = (b) => new WebAssembly.Instance(new WebAssembly.Module(b), {}).exports;
const A = inst(Buffer.from(FQ_WASM_BASE64, "base64")), B = inst(newBytes);
const N = 1 << 16;
for (const e of [A, B]) e.memory.grow(Math.ceil((N * 4 + N * 4) / 65536) + 2);
const src = new Float32Array(N);
let seed = 1; const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
for (let i = 0; i < N; i++) { const k = i % 211; src[i] = k === 0 ? 0 : k === 1 ? -0 : k === 2 ? NaN : k === 3 ? Infinity : k === 4 ? 1e-40 : (rnd() - 0.5) * (k % 7 === 0 ? 1e4 : 3); }
// some all-zero groups
for (let i = 320; i < 352; i++) src[i] = i % 2 ? -0 : 0;
for (const [name, g, div, qmin, qmax] of [["sym_groups", 32, 7.5, -8, 7], ["sym_groups", 128, 127.5, -128, 127], ["asym_tokens", 1024, 255, -128, 127]]) {
  const groups = N / g; const sp = N * 4, zp = sp + groups * 8, tmp = zp + groups * 8;
  const run = (e) => e[name](0, groups, g, div, 1.1920928955078125e-7, qmin, qmax, sp, zp, tmp);
  const res = [];
  for (const e of [A, B]) {
    const f = new Uint8Array(e.memory.buffer, 0, N * 4 + groups * 16);
    new Float32Array(e.memory.buffer, 0, N).set(src);
    run(e); res.push(f.slice());
  }
  const same = Buffer.from(res[0]).equals(Buffer.from(res[1]));
  const speed = [];
  for (const e of [A, B]) {
    const f = new Float32Array(e.memory.buffer, 0, N);
    for (let w = 0; w < 300; w++) { f.set(src); run(e); }
    const R = 1500; const t = performance.now();
    for (let w = 0; w < R; w++) { f.set(src); run(e); }
    speed.push((N * R / (performance.now() - t) / 1e3).toFixed(0));
  }
  console.log(name, g, "identical:", same, "old", speed[0], "new", speed[1], "M elem/s (incl. refill copy)");
}
