/** Atomic text output for reports and rewritten configs: temp file beside the target, then rename. */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { FqcError } from "../errors.js";

export function writeFileAtomic(target: string, text: string): void {
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.fqc-${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(tmp); } catch { /* never created */ }
    const err = e as NodeJS.ErrnoException;
    throw new FqcError("IO", `${target}: cannot write (${err.code ?? err.message})`, { file: target, cause: e });
  }
}
