import { describe, expect, it } from "vitest";
import { dtypeInfo, DTYPE_NAMES, TORCHAO_DTYPE_LIST_REPR } from "../../src/config/dtypes.js";
import invalid from "../fixtures/conformance/invalid.json" with { type: "json" };

describe("dtype table", () => {
  it("gives torchao's (qmin, qmax) for every dtype", () => {
    expect(DTYPE_NAMES).toHaveLength(16);
    expect(dtypeInfo("int1")).toMatchObject({ bits: 1, qmin: -1, qmax: 0 });
    expect(dtypeInfo("int4")).toMatchObject({ bits: 4, qmin: -8, qmax: 7 });
    expect(dtypeInfo("int8")).toMatchObject({ bits: 8, qmin: -128, qmax: 127 });
    expect(dtypeInfo("uint1")).toMatchObject({ bits: 1, qmin: 0, qmax: 1 });
    expect(dtypeInfo("uint8")).toMatchObject({ bits: 8, qmin: 0, qmax: 255, signed: false });
  });
  it("prints the accepted list exactly as torchao's dtype error does", () => {
    const e = (invalid as Array<{ category: string; message: string }>).find((c) => c.message.startsWith("Unsupported dtype"))!;
    expect(e.message.endsWith(`choose from ${TORCHAO_DTYPE_LIST_REPR}`)).toBe(true);
  });
});
