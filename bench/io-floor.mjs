// The I/O floor of `fqc apply`: a minimal Node program (no fqc code) that
// moves the file's bytes the way apply does — the main thread plus
// (threads − 1) workers claim chunks (4 MiB, or chunkKiB) from a shared counter, read each
// with a positional read into page-aligned memory (a WebAssembly.Memory, as
// apply's kernel memory is: a plain ArrayBuffer measured ~30% slower to read
// into and write from here) and write it at the same offset of a temp file,
// renamed at the end — and computes nothing. What apply costs beyond this
// row is fqc: start-up, checks and the kernel.
//
//   node bench/io-floor.mjs in.npy out.npy [threads] [chunkKiB]
import fs from "node:fs";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

function copyChunks({ inFd, outFd, size, counter, chunk }) {
  const buf = new Uint8Array(new WebAssembly.Memory({ initial: Math.ceil(chunk / 65536) }).buffer);
  for (;;) {
    const at = Atomics.add(counter, 0, 1) * chunk;
    if (at >= size) return;
    const n = Math.min(chunk, size - at);
    for (let done = 0; done < n; ) done += fs.readSync(inFd, buf, done, n - done, at + done);
    for (let done = 0; done < n; ) done += fs.writeSync(outFd, buf, done, n - done, at + done);
  }
}

if (isMainThread) {
  const [input, output, threadsArg = "1", chunkKiB = "4096"] = process.argv.slice(2);
  const threads = Math.max(1, Number(threadsArg));
  const chunk = Math.max(1, Number(chunkKiB)) * 1024;
  const inFd = fs.openSync(input, "r");
  const size = fs.fstatSync(inFd).size;
  const temp = `${output}.floor-${process.pid}.tmp`;
  const outFd = fs.openSync(temp, "wx");
  const job = { inFd, outFd, size, counter: new Int32Array(new SharedArrayBuffer(4)), chunk };
  const workers = Array.from({ length: threads - 1 }, () => new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: job });
    w.on("message", resolve);
    w.on("error", reject);
  }));
  copyChunks(job);
  await Promise.all(workers);
  fs.closeSync(outFd);
  fs.closeSync(inFd);
  fs.renameSync(temp, output);
} else {
  copyChunks(workerData);
  parentPort.postMessage("done");
}
