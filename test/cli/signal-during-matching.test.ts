/**
 * A signal that comes while a recipe's `re:` keys are matched against a
 * checkpoint's names (millions of regex tests: minutes for thousands of keys
 * on a large checkpoint) stops the run within milliseconds, not when the
 * matching ends: the matching lets the event loop in between its batches.
 * Run in-process, counting the batches (vm calls): the signal is queued when
 * the first batch runs, as a real one arriving then would be.
 */
import vm from "node:vm";
import { existsSync } from "node:fs";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../helpers/cli.js";
import { Ended, mockProcessEnd, runMain } from "../helpers/in-process.js";
import { writeSafetensors, weights } from "../helpers/safetensors.js";

const tmp = tempDir();
afterAll(() => tmp.cleanup());
afterEach(() => vi.restoreAllMocks());

// 3,000 tensors, 200 keys that match none of them: the keys that decided nothing are each tried on every name and
// module name after the plan, two batches a key, so the matching alone takes more than 400 batches.
const TENSORS = 3000;
const UNMATCHED = 200;
const model = tmp.path("m.safetensors");
writeSafetensors(model, Array.from({ length: TENSORS }, (_, i) => ({ name: `model.layers.${i}.mlp.up_proj.weight`, dtype: "F32" as const, shape: [1, 32], values: weights(32, i + 1) })));
const table: Record<string, unknown> = { "re:model\\.layers\\.7\\..*": { dtype: "int4", group_size: 32 } };
for (let k = 0; k < UNMATCHED; k++) table[`re:.*\\.nomatch_${k}\\..*`] = { dtype: "int8", granularity: "per_channel" };
const recipe = tmp.write("r.json", JSON.stringify({ fqn_to_config: table }));

/** Runs `args` with `signal` queued when the first batch of regex tests runs: the batches run by the exit, and its status. */
async function stopDuringMatching(args: string[], signal: NodeJS.Signals): Promise<{ code: number; batches: number; total: number }> {
  let batches = 0;
  let exit: { code: number; batches: number } | undefined;
  const run = vm.Script.prototype.runInContext;
  vi.spyOn(vm.Script.prototype, "runInContext").mockImplementation(function (this: vm.Script, ...a: Parameters<typeof run>) {
    // Once fqc has exited (mocked below), the rest of the run is cut short here.
    if (exit) throw new Error("the run went on after its exit");
    if (batches++ === 0) {
      setImmediate(() => {
        try {
          process.emit(signal, signal);
        } catch (e) {
          if (!(e instanceof Ended)) throw e;
        }
      });
    }
    return run.apply(this, a);
  });
  mockProcessEnd((code) => {
    exit ??= { code, batches };
  });
  await runMain(args, { cwd: tmp.dir }).catch(() => undefined);
  expect(exit, "the signal was handled").toBeDefined();
  return { ...exit!, total: batches };
}

describe("a signal while a recipe's keys are matched", () => {
  const out = tmp.path("out.safetensors");
  it.each([
    ["apply --dry-run", ["apply", model, out, "--recipe", recipe, "--dry-run"], "SIGINT", 130],
    ["apply", ["apply", model, out, "--recipe", recipe, "-j", "1"], "SIGTERM", 143],
    ["report", ["report", model, "--recipe", recipe], "SIGHUP", 129],
    ["validate --tensor", ["validate", recipe, "--tensor", model], "SIGTERM", 143],
  ] as const)("%s stops within a few batches of more than 400", async (_, args, signal, code) => {
    const r = await stopDuringMatching([...args], signal);
    expect(r.code).toBe(code);
    // A turn of the event loop comes every few ms of matching: a few batches at most, never the whole matching.
    expect(r.batches).toBeLessThan(100);
    expect(existsSync(out)).toBe(false);
  });

  it("the same runs without a signal do match in more than 400 batches (the numbers above are of the matching)", async () => {
    let batches = 0;
    const run = vm.Script.prototype.runInContext;
    vi.spyOn(vm.Script.prototype, "runInContext").mockImplementation(function (this: vm.Script, ...a: Parameters<typeof run>) {
      batches++;
      return run.apply(this, a);
    });
    const r = await runMain(["validate", recipe, "--tensor", model, "--format", "json"], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const file = JSON.parse(r.stdout).files[0];
    expect(file.diagnostics[0].ruleId).toBe("fqc/recipe-unmatched");
    expect(file.warningCount).toBe(UNMATCHED);
    expect(batches).toBeGreaterThan(400);
  });
});
