/**
 * Every choice of every option must reach its command as the string the user
 * typed. yargs turns number-like values into numbers unless an option is typed
 * as a string, and the choices check then rejects them: `--torchao 0.18` was
 * refused this way. This walks every command's options, so a new option with
 * number-like choices cannot repeat it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import type { Argv, CommandModule } from "yargs";
import { describe, expect, it } from "vitest";
import { applyCommand } from "../../src/cli/commands/apply.js";
import { normalizeCommand } from "../../src/cli/commands/normalize.js";
import { schemaCommand } from "../../src/cli/commands/schema.js";
import { validateCommand } from "../../src/cli/commands/validate.js";
import type { CliIO } from "../../src/cli/io.js";
import { cliParser } from "../../src/cli/main.js";
import { reportCommand } from "../../src/cli/commands/report.js";
import { TORCHAO_VERSIONS } from "../../src/config/types.js";
import { COMPUTE_DTYPES } from "../../src/input-dtype.js";
import { KERNEL_CHOICES } from "../../src/quant/kernel-choice.js";
import { ROOT } from "../helpers/cli.js";

const sink = () => new Writable({ write: (_c, _e, done) => done() });
const io: CliIO = { stdout: sink(), stderr: sink(), readStdin: async () => "", cwd: process.cwd(), env: {} };
const noExit = () => {};

/** Each command with a line it accepts. */
const commands: Array<[CommandModule<object, never>, string[]]> = [
  [validateCommand(io, noExit) as unknown as CommandModule<object, never>, ["validate", "c.json"]],
  [normalizeCommand(io, noExit) as unknown as CommandModule<object, never>, ["normalize", "c.json"]],
  [applyCommand(io, noExit, { signal: new AbortController().signal }) as unknown as CommandModule<object, never>, ["apply", "a.npy", "b.npy", "-c", "c.json"]],
  [schemaCommand(io, noExit) as unknown as CommandModule<object, never>, ["schema"]],
];

/** Parses `line` with `command` (its handler replaced); returns what the handler got, and the command's choices. */
async function parse(command: CommandModule<object, never>, line: string[]) {
  let got: Record<string, unknown> | undefined;
  let choices: Record<string, unknown[]> = {};
  const builder = command.builder as (y: Argv) => Argv;
  const stand = {
    ...command,
    builder: (y: Argv) => {
      const built = builder(y);
      choices = (built as unknown as { getOptions(): { choices: Record<string, unknown[]> } }).getOptions().choices;
      return built;
    },
    handler: (argv: Record<string, unknown>) => void (got = argv),
  };
  await (await cliParser(line, io, (y) => y.command(stand as unknown as CommandModule))).parseAsync(line);
  return { got, choices };
}

describe("option choices", () => {
  it.each(commands.map(([c, line]) => [line[0], c, line] as const))("%s: each choice is accepted as the string given", async (_name, command, line) => {
    const { got, choices } = await parse(command, line);
    expect(got).toBeDefined();
    const options = Object.entries(choices);
    for (const [option, values] of options) {
      for (const value of values) {
        const r = await parse(command, [...line, `--${option}`, String(value)]);
        expect(r.got?.[option], `--${option} ${String(value)}`).toBe(String(value));
      }
    }
  });

  it("the commands do have choices to check", async () => {
    const counts = await Promise.all(commands.map(async ([c, line]) => Object.keys((await parse(c, line)).choices).length));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(8);
  });

  it("--torchao, --kernel and --compute-dtype offer exactly the library's lists, and src/cli spells none of them again", async () => {
    const report = reportCommand(io, noExit, { signal: new AbortController().signal }) as unknown as CommandModule<object, never>;
    const library: Record<string, readonly string[]> = { torchao: TORCHAO_VERSIONS, kernel: KERNEL_CHOICES, "compute-dtype": COMPUTE_DTYPES };
    const seen = new Set<string>();
    for (const [command, line] of [...commands, [report, ["report", "m.npy", "-c", "c.json"]] as const]) {
      const { choices } = await parse(command, [...line]);
      for (const [option, values] of Object.entries(choices)) {
        if (!(option in library)) continue;
        seen.add(`${line[0]} --${option}`);
        expect(values, `${line[0]} --${option}`).toEqual([...library[option]]);
      }
    }
    expect([...seen].sort()).toEqual(["apply --compute-dtype", "apply --kernel", "apply --torchao", "report --kernel", "report --torchao", "validate --compute-dtype", "validate --torchao"]);
    // A second spelling of a list (`["0.12", "0.18"]`) would drift from the library's when a version is added.
    const cliDir = path.join(ROOT, "src/cli");
    const files = readdirSync(cliDir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    for (const list of Object.values(library)) {
      const literal = new RegExp(`\\[\\s*${list.map((v) => `["']${v.replace(/\./g, "\\.")}["']`).join("\\s*,\\s*")}`);
      for (const f of files) expect(literal.test(readFileSync(path.join(cliDir, f), "utf8")), `${f} spells ${list.join(", ")}`).toBe(false);
    }
  });
});
