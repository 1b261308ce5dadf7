/**
 * A report column's targets come from the tensor planner apply uses: what each tensor gets (a config and the key that
 * chose it, or the reason it is left alone), and torchao's refusal of a targeted tensor, which the report then flags.
 */
import { describe, expect, it } from "vitest";
import { normalize } from "../../src/config/normalize.js";
import type { Recipe } from "../../src/config/types.js";
import type { CheckpointTensor, TensorDtype } from "../../src/checkpoint/types.js";
import { columnTargets, configTargets, recipeTargets, targetsFromPlan } from "../../src/report/targets.js";
import { planTensors } from "../../src/tensor-plan/plan-tensors.js";

/** A tensor as an opened checkpoint lists it (the planner reads name, dtype and shape). */
const T = (name: string, dtype: TensorDtype, shape: number[], index = 0): CheckpointTensor => ({
  name, dtype, shape, byteLength: shape.reduce((a, b) => a * b, 1) * 4, index, file: "m.safetensors", dataOffset: 0, byteOrder: "little", fortranOrder: false,
});
const INT4 = normalize({ dtype: "int4", group_size: 32 });
const INT8 = normalize({ dtype: "int8", granularity: "per_channel" });
const recipe = (entries: Array<[string, typeof INT4 | null]>): Recipe =>
  ({ entries: entries.map(([key, config]) => ({ key, value: config === null ? null : { kind: "config", config } })) }) as Recipe;

const tensors = [T("a.weight", "F32", [4, 64], 0), T("norm.weight", "F32", [64], 1), T("b.weight", "F32", [4, 48], 2), T("ids", "I32", [4, 4], 3)];
const safetensors = { format: "safetensors" as const, tensors };

describe("report targets", () => {
  it("--config: the 2-D *.weight tensors fake-quantized under key --config, the others left alone saying why, torchao's refusal kept", () => {
    const t = configTargets(safetensors, INT4);
    expect(t[0]).toEqual({ action: "quantize", key: "--config", config: INT4 });
    expect(t[1]).toMatchObject({ action: "skip", reason: expect.stringMatching(/2-D/) });
    expect(t[1]).not.toHaveProperty("error");
    expect(t[2]).toEqual({ action: "quantize", key: "--config", config: INT4, error: "in_features (48) % group_size (32) must be == 0" });
    expect(t[3]).toMatchObject({ action: "skip" });
    // The same as the planner's entries, through targetsFromPlan (apply --report) and columnTargets.
    expect(targetsFromPlan(planTensors(tensors, { config: INT4 }))).toEqual(t);
    expect(columnTargets(safetensors, { config: INT4 })).toEqual(t);
  });

  it("a recipe: the key that matched, null keys left alone with the key named, unmatched tensors with no key", () => {
    const t = recipeTargets(safetensors, recipe([["a.weight", INT8], ["norm", null], ["b.weight", INT8]]));
    expect(t[0]).toEqual({ action: "quantize", key: "a.weight", config: INT8 });
    expect(t[1]).toMatchObject({ action: "skip", key: "norm", reason: expect.stringMatching(/null/) });
    expect(t[2]).toEqual({ action: "quantize", key: "b.weight", config: INT8 });
    expect(t[3]).toMatchObject({ action: "skip", key: null });
  });

  it("a lone .npy is targeted whatever its name and rank, as apply does with it", () => {
    const npy = { format: "npy" as const, tensors: [T("x", "F32", [4, 64])] };
    expect(configTargets(npy, INT4)).toEqual([{ action: "quantize", key: "--config", config: INT4 }]);
    expect(configTargets({ format: "safetensors", tensors: [T("x", "F32", [4, 64])] }, INT4)[0].action).toBe("skip");
  });

  it("passes the torchao version to the planner (0.18 lets symmetric range learning keep an int zero point)", () => {
    const cfg = normalize({ dtype: "int4", group_size: 32, is_dynamic: false, range_learning: true });
    const one = { format: "safetensors" as const, tensors: [T("a.weight", "F32", [4, 64])] };
    expect(configTargets(one, cfg, { torchao: "0.12" })[0]).toHaveProperty("error");
    expect(configTargets(one, cfg, { torchao: "0.18" })[0]).not.toHaveProperty("error");
  });

  it("refuses arguments in the caller's name", () => {
    expect(() => configTargets({} as never, INT4)).toThrow(/^configTargets: checkpoint must be a checkpoint/);
    expect(() => recipeTargets(safetensors, recipe([]), { torchao: "0.1" as never })).toThrow(/^recipeTargets: options\.torchao/);
    expect(() => columnTargets(safetensors, { config: INT4 }, { threads: 2 } as never)).toThrow(/columnTargets/);
  });
});
