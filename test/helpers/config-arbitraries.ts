/** fast-check generators of configs shared by the tests that compare the standard's parts with each other. */
import fc from "fast-check";

/** A config torchao runs, in any of the spellings it takes (fields left out at random). */
export const saneConfig = fc.record({
  dtype: fc.constantFrom("int1", "int2", "int4", "int8", "uint1", "uint4", "uint8"),
  shape: fc.constantFrom("per_token", "per_token_object", "per_channel", "per_axis_object", "per_group", "group_size_only", "per_group_object"),
  groupSize: fc.constantFrom(2, 16, 32, 64, 128),
  mapping: fc.constantFrom("SYMMETRIC", "ASYMMETRIC", "is_symmetric", "default"),
  asymmetric: fc.boolean(),
  domain: fc.constantFrom("INT", "FLOAT", undefined),
  scale: fc.constantFrom("float32", "bfloat16", "float16", "float64", undefined),
  zpp: fc.constantFrom("int32", "float32", "bfloat16", "float16", "float64", "int64", undefined),
  learning: fc.constantFrom("dynamic", "static", "range", undefined),
  eps: fc.constantFrom(null, 1e-6, 1.1920928955078125e-7, 0.5, undefined),
}).map((r) => {
  const c: Record<string, unknown> = { dtype: r.dtype };
  const perToken = r.shape.startsWith("per_token");
  if (r.shape === "per_token") c.granularity = "per_token";
  else if (r.shape === "per_token_object") c.granularity = { type: "PerToken" };
  else if (r.shape === "per_channel") c.granularity = "per_channel";
  else if (r.shape === "per_axis_object") c.granularity = { type: "PerAxis", axis: 0 };
  else if (r.shape === "per_group") Object.assign(c, { granularity: "per_group", group_size: r.groupSize });
  else if (r.shape === "group_size_only") c.group_size = r.groupSize;
  else c.granularity = { type: "PerGroup", group_size: r.groupSize };
  const asym = perToken || r.asymmetric;
  if (r.mapping === "is_symmetric" || (perToken && r.mapping === "default")) c.is_symmetric = !asym;
  else if (r.mapping !== "default") c.mapping_type = asym ? "ASYMMETRIC" : "SYMMETRIC";
  if (r.domain) c.zero_point_domain = r.domain;
  if (r.scale) c.scale_precision = r.scale;
  if (r.learning === "range") Object.assign(c, { is_dynamic: false, range_learning: true, zero_point_precision: "float32" });
  else {
    if (r.zpp) c.zero_point_precision = r.zpp;
    if (r.learning) c.is_dynamic = r.learning === "dynamic";
  }
  if (r.eps !== undefined) c.eps = r.eps;
  return c;
});
