/**
 * A settings file that exists but cannot be read (a failing disk's EIO; EACCES, which no test running as root can
 * make on a real file) is an I/O error naming the file and the errno, injected into node:fs here.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { FqcError } from "../../src/errors.js";
import { findProjectConfig } from "../../src/cli/find-project-config.js";
import { tempDir } from "../helpers/cli.js";

const failing = vi.hoisted(() => ({ path: /$^/, code: "" }));

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const readFileSync = ((p: import("node:fs").PathOrFileDescriptor, ...rest: unknown[]) => {
    if (failing.path.test(String(p))) throw Object.assign(new Error(`${failing.code}: injected read failure`), { code: failing.code });
    return (fs.readFileSync as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe("project settings that cannot be read", () => {
  it.each([["fqc.config.json", "EIO"], ["package.json", "EACCES"]])("%s failing with %s is an I/O error naming the file and the code", (name, code) => {
    const dir = path.join(tmp.dir, code);
    mkdirSync(path.join(dir, ".git"), { recursive: true });
    writeFileSync(path.join(dir, name), "{}");
    Object.assign(failing, { path: new RegExp(`${code}/${name.replace(".", "\\.")}$`), code });
    let thrown: unknown;
    try {
      findProjectConfig(dir);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(FqcError);
    expect(thrown).toMatchObject({ code: "IO", message: `${path.join(dir, name)}: cannot read fqc settings (${code})` });
  });
});
