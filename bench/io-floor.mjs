// The I/O floor of `fqc apply`: the same streaming reader and atomic writer,
// the same chunking, no kernel. What apply costs beyond this is compute.
import { NpyRowReader } from "../dist/npy/reader.js";
import { AtomicNpyWriter } from "../dist/npy/writer.js";

const [input, output] = process.argv.slice(2);
const reader = NpyRowReader.open(input);
const writer = AtomicNpyWriter.create(output, { descr: reader.header.descr, shape: reader.header.shape });
const rowsPerChunk = Math.max(1, Math.floor((4 * 1024 * 1024) / reader.rowLength));
const buf = new Float32Array(new SharedArrayBuffer(rowsPerChunk * reader.rowLength * 4));
for (let r = 0; r < reader.rows; r += rowsPerChunk) {
  const n = Math.min(rowsPerChunk, reader.rows - r);
  reader.readRows(r, n, buf);
  writer.writeRows(buf, n * reader.rowLength);
}
writer.commit();
reader.close();
