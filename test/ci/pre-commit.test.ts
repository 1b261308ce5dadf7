/**
 * The pre-commit hooks run by the real `pre-commit` (Debian's package) in a scratch repository, configured
 * with the README's entry pointing at a clone of this checkout. pre-commit installs the node hooks with npm
 * (devDependencies from the registry, the build), ~40 s here: this runs wherever pre-commit is installed
 * (FQC_INSTALL_TESTS=0 opts out), and says why it is skipped otherwise.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runFqc, tempDir } from "../helpers/cli.js";
import { PRE_COMMIT_CONFIG, USE_SECTION } from "../helpers/readme-snippets.js";
import { snapshotRepo } from "../helpers/snapshot.js";

const HAS_PRE_COMMIT = spawnSync("pre-commit", ["--version"]).status === 0;
const ENABLED = process.env.FQC_INSTALL_TESTS !== "0";
const SKIP_REASON = !HAS_PRE_COMMIT
  ? "pre-commit is not installed (Debian: apt-get install pre-commit)"
  : !ENABLED
    ? "FQC_INSTALL_TESTS=0 opts out of letting pre-commit npm-install the hooks"
    : "";
if (SKIP_REASON) console.log(`test/ci/pre-commit: skipped; ${SKIP_REASON}`);

describe("the pre-commit hooks' definitions", () => {
  it("run fqc once for all the files (require_serial), so --max-warnings counts every warning", () => {
    const hooks: { id: string; require_serial?: boolean }[] = parse(readFileSync(path.join(ROOT, ".pre-commit-hooks.yaml"), "utf8"));
    for (const h of hooks) expect(h.require_serial, h.id).toBe(true);
  });
});

describe.skipIf(SKIP_REASON !== "")("the pre-commit hooks, run by pre-commit", () => {
  const tmp = tempDir();
  let repo: string;
  /** The README's entry, pointing at the local clone. */
  let config: typeof PRE_COMMIT_CONFIG;
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@fqc.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: repo, stdio: "pipe" });
  const preCommit = (...args: string[]) => {
    const r = spawnSync("pre-commit", args, { cwd: repo, encoding: "utf8", env: { ...process.env, PRE_COMMIT_HOME: path.join(tmp.dir, "cache"), NO_COLOR: "1" } });
    if (r.error) throw r.error;
    return { code: r.status ?? -1, out: r.stdout + r.stderr };
  };
  const write = (f: string, content: string) => {
    mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
    writeFileSync(path.join(repo, f), content);
  };

  beforeAll(() => {
    const source = snapshotRepo(path.join(tmp.dir, "fqc"));
    const rev = execFileSync("git", ["rev-parse", "HEAD"], { cwd: source, encoding: "utf8" }).trim();
    repo = path.join(tmp.dir, "user");
    mkdirSync(repo);
    git("init", "-q");
    // The README's entry, with the repository and revision of the local clone.
    config = { repos: PRE_COMMIT_CONFIG.repos.map((r) => ({ ...r, repo: source, rev })) };
    write(".pre-commit-config.yaml", stringify(config));
    const canonical = runFqc(["normalize", "-", "--stdin-filename", "w.fqc.json"], { input: '{"dtype": "int4", "group_size": 32}' });
    expect(canonical.code).toBe(0);
    write("qat/w.fqc.json", canonical.stdout);
    write("-x.fqc.json", canonical.stdout); // pre-commit passes it as "-x.fqc.json": a file, not an option
    write("notes.json", '{"dtype": "int9"}'); // not named *.fqc.*: no hook looks at it
    git("add", "-A");
    git("commit", "-q", "-m", "good config");
  });
  afterAll(() => tmp.cleanup());

  it("passes both hooks on a repository whose configs are valid and canonical, one named like an option at the root included", () => {
    const r = preCommit("run", "--all-files", "--verbose");
    expect(r.out).toContain("2 files checked");
    expect(r.out).toMatch(/^fqc validate\.+Passed$/m);
    expect(r.out).toMatch(/^fqc normalize --check\.+Passed$/m);
    expect(r.code).toBe(0);
  }, 15 * 60_000);

  it("fails validate on a committed bad config, naming the file and torchao's message; normalize --check fails on shorthand", () => {
    write("qat/act.fqc.yaml", "dtype: int8\ngranularity: per_token\n");
    git("add", "-A");
    git("commit", "-q", "--no-verify", "-m", "bad config");
    const r = preCommit("run", "--all-files");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^fqc validate\.+Failed$/m);
    expect(r.out).toContain("qat/act.fqc.yaml");
    expect(r.out).toContain("Symmetric per token is not supported yet");
    expect(r.out).toMatch(/^fqc normalize --check\.+Failed$/m);
    expect(r.out).not.toContain("notes.json");
  }, 15 * 60_000);

  it("as a git hook, stops a commit that adds a bad config", () => {
    expect(preCommit("install").code).toBe(0);
    const head = git("rev-parse", "HEAD").toString();
    write("qat/typo.fqc.json", '{"dtype": "int4", "group_sise": 32}\n');
    git("add", "qat/typo.fqc.json");
    const r = spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@fqc.invalid", "commit", "-q", "-m", "typo"], {
      cwd: repo, encoding: "utf8", env: { ...process.env, PRE_COMMIT_HOME: path.join(tmp.dir, "cache"), NO_COLOR: "1" },
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("did you mean `group_size`");
    expect(git("rev-parse", "HEAD").toString()).toBe(head);
  }, 15 * 60_000);

  it("counts --max-warnings over every file, in one fqc run (pre-commit would otherwise split the files into a run per CPU)", () => {
    const withArgs = { repos: config.repos.map((r) => ({ ...r, hooks: [{ id: "fqc-validate", args: ["--max-warnings", "1", "--"] }] })) };
    write(".pre-commit-config.yaml", stringify(withArgs));
    // pre-commit splits a list of more than 4 files into one run per CPU (at least 4 files each): 10 split on 2 CPUs or more.
    const warns = Array.from({ length: 10 }, (_, i) => (i % 2 ? `qat/w${i}.fqc.json` : `w${i}.fqc.json`));
    for (const f of warns) write(f, '{"dtype": "int4", "group_size": 32, "is_symmetric": false}\n');
    git("add", "-A");
    const r = preCommit("run", "fqc-validate", "--files", ...warns);
    expect(r.out).toMatch(/^fqc validate\.+Failed$/m);
    expect(r.out).toContain("fqc: 10 warnings exceed --max-warnings 1");
    expect(r.out.match(/✖ \d+ problems?/g)).toEqual(["✖ 10 problems"]);
    expect(r.code).toBe(1);
  }, 15 * 60_000);

  it("the README's entry as written, after the `pre-commit autoupdate` it says to run: rev pinned to the commit, no mutable-reference warning", () => {
    expect(USE_SECTION).toContain("run `pre-commit autoupdate`");
    const source = config.repos[0].repo;
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: source, encoding: "utf8" }).trim();
    // Not run as written: pre-commit would install the hooks once more for the branch name (~1 min), to warn.
    write(".pre-commit-config.yaml", stringify({ repos: PRE_COMMIT_CONFIG.repos.map((r) => ({ ...r, repo: source })) }));
    const update = preCommit("autoupdate");
    expect(update.code, update.out).toBe(0);
    const pinned = parse(readFileSync(path.join(repo, ".pre-commit-config.yaml"), "utf8")) as typeof PRE_COMMIT_CONFIG;
    expect(pinned.repos[0].rev).toBe(head);
    const r = preCommit("run", "--all-files");
    expect(r.out).not.toContain("mutable reference");
    expect(r.out).toMatch(/^fqc validate\.+(Passed|Failed)$/m);
  }, 15 * 60_000);

  it("fqc-normalize rewrites a shorthand config in canonical form: pre-commit fails that run naming the file, and the next run passes", () => {
    const rewrite = { repos: config.repos.map((r) => ({ ...r, hooks: [{ id: "fqc-normalize" }] })) };
    write(".pre-commit-config.yaml", stringify(rewrite));
    write("qat/short.fqc.json", '{"dtype": "int4", "group_size": 64}\n');
    git("add", "-A");
    const first = preCommit("run", "fqc-normalize", "--files", "qat/short.fqc.json");
    expect(first.out).toMatch(/^fqc normalize --write\.+Failed$/m);
    expect(first.out).toContain("files were modified by this hook");
    expect(first.code).toBe(1);
    const canonical = runFqc(["normalize", "-", "--stdin-filename", "short.fqc.json"], { input: '{"dtype": "int4", "group_size": 64}' });
    expect(readFileSync(path.join(repo, "qat/short.fqc.json"), "utf8")).toBe(canonical.stdout);
    git("add", "-A");
    const second = preCommit("run", "fqc-normalize", "--files", "qat/short.fqc.json");
    expect(second.out).toMatch(/^fqc normalize --write\.+Passed$/m);
    expect(second.code).toBe(0);
  }, 15 * 60_000);
});
