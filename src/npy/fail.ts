/**
 * Error construction for the npy layer: one place that turns "what is wrong
 * with this file" and Node's errno errors into FqcError with a hint.
 */
import { FqcError } from "../errors.js";
import { oneLine } from "../diagnostics/one-line.js";

/** A malformed, hostile or unsupported .npy file. */
export function npyError(file: string, what: string, hint?: string): FqcError {
  return new FqcError("NPY", `${file}: ${oneLine(what)}`, { file, hint });
}

const IO_TEXT: Record<string, { what: string; hint?: string }> = {
  ENOENT: { what: "no such file or directory", hint: "Check the path." },
  EACCES: { what: "permission denied", hint: "Check the file and directory permissions." },
  EPERM: { what: "operation not permitted", hint: "Check the file and directory permissions." },
  EISDIR: { what: "is a directory", hint: "Give the path of a file, not a directory." },
  ENOTDIR: { what: "a component of the path is not a directory", hint: "Check the path." },
  ENOSPC: { what: "no space left on device", hint: "Free some disk space or write to another device." },
  EDQUOT: { what: "disk quota exceeded", hint: "Free some space or write elsewhere." },
  // write(2) past RLIMIT_FSIZE (Node ignores the SIGXFSZ that would end the process) or past the file system's largest file.
  EFBIG: { what: "file too large (past the file-size limit, ulimit -f, or the largest file the file system holds)", hint: "Raise the limit (ulimit -f unlimited) or write to another file system." },
  EROFS: { what: "read-only file system", hint: "Write the output to a writable location." },
  EMFILE: { what: "too many open files", hint: "Raise the open-file limit (ulimit -n)." },
  ENAMETOOLONG: { what: "file name too long", hint: "Use a shorter path." },
  ELOOP: { what: "too many levels of symbolic links (a loop of links)", hint: "Check where the links lead (ls -l), and give the file's own path." },
  EXDEV: { what: "cannot rename across devices", hint: "Keep the output in one file system." },
  // open(2) on a Unix socket, or on a device file whose driver is missing.
  ENXIO: { what: "no such device or address (a socket or a device file, not a file to read)", hint: "Give the path of a regular file." },
  EIO: { what: "input/output error (the disk or network file system failed)", hint: "Check the device (dmesg, the file system's health), then run again." },
};

/** Turn a Node fs error into an FqcError("IO") naming the file; never a raw stack. */
export function ioError(file: string, doing: string, err: unknown): FqcError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? IO_TEXT[code] : undefined;
  const message = (err as Error | undefined)?.message ?? String(err);
  // Node's own messages start with their code ("EBADF: bad file descriptor, read"): name it once.
  const what = known ? known.what : code && message.startsWith(`${code}:`) ? message : `${code ?? "error"}: ${message}`;
  return new FqcError("IO", `${file}: cannot ${doing}: ${what}`, { file, hint: known?.hint, cause: err });
}

/** Run a filesystem call, converting any thrown Node error into ioError. */
export function io<T>(file: string, doing: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FqcError) throw err;
    throw ioError(file, doing, err);
  }
}

/** An IO-class failure we detect ourselves (no errno), e.g. a directory where a file was expected. */
export function ioFailure(file: string, what: string, hint?: string): FqcError {
  return new FqcError("IO", `${file}: ${what}`, { file, hint });
}

/**
 * `err` with a hint saying which files the run holds open at once (`held`) and a limit that fits `files` of them
 * (with room for Node's own), when it is "too many open files"; any other error as it is.
 */
export function withOpenFilesHint(err: unknown, held: string, files: number): unknown {
  if (!(err instanceof FqcError) || (err.cause as NodeJS.ErrnoException | undefined)?.code !== "EMFILE") return err;
  return new FqcError(err.code, err.message, { file: err.file, cause: err.cause, hint: `${held}: raise the open-file limit (ulimit -n ${files + 64}).` });
}
