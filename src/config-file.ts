/**
 * Reading config files for the commands: text from a path or stdin, validated
 * into a canonical document, and the role picked out of a QAT pair.
 */
import { closeSync, constants, openSync, statSync, type Stats } from "node:fs";
import { FqcError } from "./errors.js";
import { ioError } from "./npy/fail.js";
import { boundedText, configTooLarge, MAX_CONFIG_BYTES, readBoundedFile } from "./config-size.js";
import { validate } from "./config/validate.js";
import type { CanonicalConfig, CanonicalDocument, Role, TorchaoVersion } from "./config/types.js";
import type { Diagnostic } from "./diagnostics/types.js";

export interface LoadedConfig {
  file: string;
  text: string;
  diagnostics: Diagnostic[];
  document?: CanonicalDocument;
}

/**
 * `stat`: the file's, when the caller has just taken it (one syscall fewer). `option`: the option that named the file
 * (`--config` of apply or report), whose hints cannot offer what only validate and normalize take (`-`, a glob).
 */
export function readTextFile(path: string, stat?: Stats, option?: string): string {
  try {
    const st = stat ?? statSync(path);
    if (st.isFile() && st.size > MAX_CONFIG_BYTES) throw configTooLarge(path, st.size);
    return readBoundedFile(path, st.size);
  } catch (e) {
    if (e instanceof FqcError) throw e;
    throw textFileError(path, e, option);
  }
}

/** A device (/dev/zero, a terminal, a disk) given as a config: reading it would never end, or block where no signal reaches. */
function deviceError(path: string, kind: string, option?: string): FqcError {
  return new FqcError("IO", `${path}: is a ${kind}, not a config file`, {
    file: path,
    hint: option === undefined ? "Give the path of a JSON or YAML file, or - to read standard input." : `Give ${option} the path of a JSON or YAML file.`,
  });
}

/**
 * readTextFile for the commands: a FIFO or a pipe (`<(cat cfg.json)`) is
 * read by the event loop, since opening or reading one waits for a writer,
 * and a thread blocked in that call never sees Ctrl-C or SIGTERM (nor can
 * the process exit while a thread waits in it). Other files are read at once.
 */
export async function readTextFileInterruptibly(path: string, option?: string): Promise<string> {
  let st: Stats | undefined;
  try {
    st = statSync(path);
    if (st.isCharacterDevice()) throw deviceError(path, "character device", option);
    if (st.isBlockDevice()) throw deviceError(path, "block device", option);
  } catch (e) {
    if (e instanceof FqcError) throw e;
    /* readTextFile reports it */
  }
  return st && (st.isFIFO() || st.isSocket()) ? readPipe(path) : readTextFile(path, st, option);
}

/** Read a FIFO to its end through a non-blocking descriptor (net only loads here: it is costly at start-up). */
function readPipe(path: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return Promise.reject(textFileError(path, e));
  }
  return new Promise((resolve, reject) => {
    let socket;
    try {
      socket = new (process.getBuiltinModule("node:net").Socket)({ fd, readable: true, writable: false });
    } catch (e) {
      closeSync(fd);
      reject(textFileError(path, e));
      return;
    }
    const text = boundedText(path, resolve, reject, () => socket.destroy());
    socket.on("data", text.add);
    socket.on("end", text.end);
    socket.on("error", (e) => reject(textFileError(path, e)));
  });
}

function textFileError(path: string, e: unknown, option?: string): FqcError {
  const code = (e as NodeJS.ErrnoException).code;
  // A config's own words for these; others (too many open files, an I/O error, …) as every other file fqc reads says them.
  // A name a glob found holds U+FFFD where Node.js decoded bytes that are not UTF-8: the file exists under those bytes.
  if (code === "ENOENT" && path.includes("\uFFFD")) {
    return new FqcError("IO", `${path}: no such file under this name: the name on disk likely holds bytes that are not valid UTF-8 (shown as \uFFFD), which Node.js, which runs fqc, cannot pass back to the file system`, {
      file: path, hint: "Rename the file to a UTF-8 name (convmv -f latin1 -t utf8 FILE, or mv with a glob).", cause: e,
    });
  }
  if (code === "ENOENT") return new FqcError("IO", `${path}: no such file`, { file: path, hint: "Check the path (a relative one starts from the current directory).", cause: e });
  if (code === "EACCES") return new FqcError("IO", `${path}: permission denied`, { file: path, hint: "Check the file's permissions.", cause: e });
  if (code === "EISDIR") {
    const dir = path.replace(/\/+$/, "");
    // The naming convention's glob first: every JSON file of a project's root includes package.json and tsconfig.json.
    const hint = option === undefined
      ? `To check the configs inside, give a glob: '${dir}/**/*.fqc.{json,yaml,yml}' (fqc's naming convention), or '${dir}/**/*.{json,yaml,yml}'`
      : `Give ${option} the path of one JSON or YAML file.`;
    return new FqcError("IO", `${path}: is a directory, expected a file`, { file: path, hint, cause: e });
  }
  return ioError(path, "read", e);
}

export function loadConfigText(file: string, text: string, torchao?: TorchaoVersion): LoadedConfig {
  const { diagnostics, document } = validate(text, { filename: file, torchao });
  return { file, text, diagnostics, document };
}

export function selectRole(doc: CanonicalDocument, role: Role | undefined, file: string): CanonicalConfig {
  if (doc.kind === "single") {
    if (role) throw roleOnSingleConfig(file);
    return doc.config;
  }
  if (doc.kind === "recipe") {
    throw new FqcError("USAGE", `${file} is a recipe (fqn_to_config), not a config`, {
      file,
      hint: "A recipe maps a checkpoint's tensor names to configs: give it with --recipe and a checkpoint.",
    });
  }
  const { activation, weight } = doc.pair;
  if (role) {
    const c = doc.pair[role];
    if (!c) throw new FqcError("USAGE", `${file}: the QAT pair has no "${role}" config`, { file, hint: `It has: ${Object.keys(doc.pair).join(", ")}.` });
    return c;
  }
  if (activation && weight) {
    throw new FqcError("USAGE", `${file} is a QAT pair (activation + weight); say which config to apply`, {
      file,
      hint: "Pass --role weight (for a weight tensor) or --role activation.",
    });
  }
  return (activation ?? weight)!;
}

/**
 * The config a file gives a model's weights (`--config` with a checkpoint): a QAT pair's weight side, or the side
 * `role` names. A model holds weights, so a pair with only an activation config is refused unless `role` asks for it.
 */
export function selectWeightRole(doc: CanonicalDocument, role: Role | undefined, file: string): CanonicalConfig {
  if (doc.kind !== "pair" || role !== undefined) return selectRole(doc, role, file);
  if (!doc.pair.weight) throw weightlessPair(file);
  return doc.pair.weight;
}

export function weightlessPair(file: string): FqcError {
  return new FqcError("USAGE", `${file}: the QAT pair has no "weight" config, and a model holds weights`, { file, hint: "Give a config with a weight side." });
}

/**
 * --role given with a single config, which has no sides: the wrong file was given (or the flag is a leftover), and
 * using the config anyway could put an activation config on a weight. apply and validate --tensor refuse it alike.
 */
export function roleOnSingleConfig(file: string): FqcError {
  return new FqcError("USAGE", `--role selects a side of a QAT pair, and ${file} is a single config`, {
    file,
    hint: `Leave out --role (a single config is used as it is), or give the QAT pair file ({"activation": {...}, "weight": {...}}).`,
  });
}

/**
 * --role given with a recipe: a recipe names each tensor's config and uses its QAT pairs' weight side, so there is no
 * side to pick. apply --recipe and validate --tensor refuse it alike, rather than ignore it.
 */
export function roleOnRecipe(file: string): FqcError {
  return new FqcError("USAGE", `--role selects a side of a QAT pair, and ${file} is a recipe (its pairs are always used on their weight side)`, {
    file,
    hint: "Leave out --role with a recipe, or give a QAT pair file (not a recipe) to pick one of its sides with --role.",
  });
}
