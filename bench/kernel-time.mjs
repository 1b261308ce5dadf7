// The part of `fqc apply` on a .npy that no I/O floor contains: the kernel's own time. Reads the tensor in apply's chunks
// (NPY_CHUNK_ELEMENTS values) into the wasm kernel's memory, as apply does, and times only the fake-quantize calls, one
// thread, warm (a first pass over the file is not timed: apply's first chunk pays the module's compile, counted in its start-up).
// Prints {"seconds": …}. The bench adds it to Node's floor: the time one thread cannot go below, however little else fqc did.
//   node bench/kernel-time.mjs in.npy config.json
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { performance } from "node:perf_hooks";

const root = new URL("..", import.meta.url);
const { normalize } = await import(new URL("dist/index.js", root).href);
const { makePlan } = await import(new URL("dist/quant/plan.js", root).href);
const { fakeQuantizeRows } = await import(new URL("dist/quant/kernel.js", root).href);
const { wasmChunkViews } = await import(new URL("dist/quant/wasm/kernel-wasm.js", root).href);
const { readNpyHeader } = await import(new URL("dist/npy/header.js", root).href);
const { NPY_CHUNK_ELEMENTS } = await import(new URL("dist/apply.js", root).href);

const [input, configFile] = process.argv.slice(2);
const header = readNpyHeader(input);
if (header.dtype !== "float32" || header.fortranOrder || header.shape.length < 1) throw new Error(`${input}: a C-order float32 .npy is expected`);
const shape = header.shape;
const plan = makePlan(normalize(JSON.parse(readFileSync(configFile, "utf8"))), shape, { compute: "float32", torchao: "0.12" });
const rowsPerChunk = Math.max(1, Math.min(plan.rows, Math.floor(NPY_CHUNK_ELEMENTS / plan.rowLength)));
const fd = openSync(input, "r");
let seconds = 0;
for (const timed of [false, true]) {
  for (let row = 0; row < plan.rows; row += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, plan.rows - row);
    const v = wasmChunkViews(rows * plan.rowLength, rows * plan.groupsPerRow);
    const bytes = new Uint8Array(v.values.buffer, v.values.byteOffset, rows * plan.rowLength * 4);
    const at = header.dataOffset + row * plan.rowLength * 4;
    for (let done = 0; done < bytes.length; ) done += readSync(fd, bytes, done, bytes.length - done, at + done);
    const t0 = performance.now();
    fakeQuantizeRows(plan, v.values, v.values, rows, v.scale, v.zeroPoint, "compute");
    if (timed) seconds += (performance.now() - t0) / 1000;
  }
}
closeSync(fd);
console.log(JSON.stringify({ seconds }));
