/**
 * Rules beyond torchao's constructor: configs that torchao builds but that
 * fail at every forward whatever the tensor (errors), and legal but
 * numerically degenerate combinations (warnings). Spec §1, §2.4, §3.
 *
 * They run on whatever the constructor check could resolve, so a config with
 * a bad dtype still gets, say, its per_token + SYMMETRIC error.
 */
import { childPointer } from "../diagnostics/locate.js";
import { dtypeInfo } from "./dtypes.js";
import { hasKey, isPlainObject, type Finding } from "./finding.js";
import type { NumberKinds } from "./pyrepr.js";
import type { Resolved } from "./torchao-rules.js";
import { isFloatingDtypeName } from "./torch-dtypes.js";
import { SCALE_PRECISIONS, ZERO_POINT_PRECISIONS } from "./vocabulary.js";

export function lintConfig(raw: Record<string, unknown>, base: string, r: Resolved, kinds: NumberKinds): Finding[] {
  const out: Finding[] = [];
  const at = (k: string) => childPointer(base, k);
  const present = (k: string) => hasKey(raw, k);
  const g = r.granularity?.type;
  const grouped = g === "PerAxis" || g === "PerGroup";
  const granularityPointer = present("granularity") ? at("granularity") : present("group_size") ? at("group_size") : base;

  // --- spelling torchao accepts but that reads badly ---
  // A NaN or infinite is_symmetric is an error (fqc/type), not spelling to warn about.
  if (typeof raw.is_symmetric === "number" && Number.isFinite(raw.is_symmetric)) {
    const sym = raw.is_symmetric !== 0;
    out.push({
      ruleId: "lint/is-symmetric-number",
      message: `\`is_symmetric\` is the number ${kinds.literal(at("is_symmetric")) ?? raw.is_symmetric}: torchao reads its truthiness, so this means ${sym ? "SYMMETRIC" : "ASYMMETRIC"}`,
      hint: `Write "is_symmetric": ${sym} (or "mapping_type": "${sym ? "SYMMETRIC" : "ASYMMETRIC"}").`,
      pointer: at("is_symmetric"),
    });
  }

  // --- errors torchao raises at every forward ---
  if (g === "PerToken" && r.mapping_type === "SYMMETRIC") {
    out.push({
      ruleId: "forward/symmetric-per-token",
      message: "Symmetric per token is not supported yet",
      hint: r.mappingPointer ? 'per_token is always asymmetric: use "mapping_type": "ASYMMETRIC".' : 'SYMMETRIC is the default: add "mapping_type": "ASYMMETRIC" (or "is_symmetric": false).',
      pointer: r.mappingPointer ?? granularityPointer,
    });
  }
  if (grouped && r.zero_point_domain === "NONE") {
    out.push({
      ruleId: "forward/zero-point-domain-none",
      message: "zero_point should be None when zero_point_domain is NONE",
      hint: "per_channel/per_group always compute a zero point: use INT or FLOAT.",
      pointer: at("zero_point_domain"),
    });
  }
  for (const [ptr, v] of groupSizes(raw, base)) {
    if (typeof v === "boolean") {
      out.push({
        ruleId: "forward/group-size",
        message: `\`group_size\` must be an integer greater than 1, got ${v} (Python's ${v ? "True" : "False"} == ${Number(v)}): torchao fails at forward with an AssertionError`,
        pointer: ptr,
      });
      continue;
    }
    if (typeof v !== "number") continue;
    // 32.0 or 3.2e1 is a Python float: torchao's constructor keeps it, and the first forward's view()/reshape() raises a TypeError.
    const floatLiteral = kinds.isFloat(ptr);
    const shown = kinds.literal(ptr) ?? String(v);
    if (Number.isSafeInteger(v) && v > 1 && !floatLiteral) continue;
    if (Number.isInteger(v) && v > 1 && !floatLiteral) {
      // Past 2^53 the number read is not the one written (normalize would print another), and no tensor's last dimension is that long.
      out.push({
        ruleId: "forward/group-size",
        message: `\`group_size\` must be at most ${Number.MAX_SAFE_INTEGER}, got ${shown}: no tensor's last dimension is that long, so torchao fails at every forward`,
        hint: "Use the number of elements per group, e.g. 32, 64 or 128.",
        pointer: ptr,
      });
      continue;
    }
    const f: Finding = {
      ruleId: "forward/group-size",
      message: Number.isInteger(v) && !floatLiteral
        ? `\`group_size\` must be greater than 1, got ${shown}: torchao fails at forward with an AssertionError`
        : `\`group_size\` must be an integer, got ${shown}`,
      pointer: ptr,
    };
    if (floatLiteral && Number.isInteger(v) && v > 1) f.hint = `Write ${v}: ${shown} is a Python float, which torchao cannot use as a size (a TypeError at the first forward).`;
    out.push(f);
  }
  if (r.range_learning === true && r.zero_point_precision !== undefined && !isFloatingDtypeName(r.zero_point_precision)) {
    out.push({
      ruleId: "forward/range-learning-integer-zero-point",
      message: "Only Tensors of floating point and complex dtype can require gradients",
      hint: `Range learning trains the zero point: set "zero_point_precision": "float32" (it is ${r.zero_point_precision}${present("zero_point_precision") ? "" : " by default"}).`,
      pointer: present("zero_point_precision") ? at("zero_point_precision") : at("range_learning"),
      // From v0.13 a symmetric config's zero point is zeroed and stays a plain tensor (forward-problems.ts says the same).
      ...(r.mapping_type === "SYMMETRIC" ? { torchaoVersions: ["0.12"] as const } : {}),
    });
  }
  for (const [key, allowed] of [["scale_precision", SCALE_PRECISIONS], ["zero_point_precision", ZERO_POINT_PRECISIONS]] as const) {
    const v = raw[key];
    if (typeof v === "string" && r[key] !== undefined && !(allowed as readonly string[]).includes(v)) {
      const alias = r[key] !== v && (allowed as readonly string[]).includes(r[key]!) ? `; write "${r[key]}"` : "";
      out.push({
        ruleId: "fqc/precision",
        message: `\`${key}\` must be one of ${allowed.join(", ")}${key === "scale_precision" ? " or null" : ""}, not "${v}"${alias}`,
        hint: key === "scale_precision" ? "Scales must be stored in a floating dtype." : undefined,
        pointer: at(key),
      });
    }
  }

  // --- warnings: legal but degenerate ---
  const dt = r.dtype ? dtypeInfo(r.dtype) : undefined;
  const zpd = r.zero_point_domain;
  const zpp = r.zero_point_precision;
  const zppInteger = zpp !== undefined && !isFloatingDtypeName(zpp);
  if (grouped && r.mapping_type === "ASYMMETRIC" && zpd === "INT") {
    out.push({
      ruleId: "lint/asymmetric-int-domain",
      message: "asymmetric per_channel/per_group with zero_point_domain INT is numerically broken in torchao: the float zero point is truncated and added in the integer domain",
      hint: 'Use "zero_point_domain": "FLOAT" with "zero_point_precision": "float32" (or bfloat16), or a symmetric mapping.',
      pointer: present("zero_point_domain") ? at("zero_point_domain") : r.mappingPointer ?? base,
    });
  }
  if (grouped && r.mapping_type === "ASYMMETRIC" && zpd === "FLOAT" && zppInteger) {
    out.push({
      ruleId: "lint/float-domain-integer-zero-point",
      message: `zero_point_domain FLOAT keeps a float zero point, but zero_point_precision ${zpp} truncates it`,
      hint: 'Use "zero_point_precision": "float32" or "bfloat16".',
      pointer: present("zero_point_precision") ? at("zero_point_precision") : at("zero_point_domain"),
    });
  }
  if (grouped && r.mapping_type === "SYMMETRIC" && dt && dt.bits === 1 && (zpd === "INT" || (zpd === "FLOAT" && dt.signed))) {
    out.push({
      ruleId: "lint/symmetric-1bit",
      message: `symmetric ${dt.name} fake quantization always outputs 0`,
      hint: "Use an asymmetric mapping or at least 2 bits.",
      pointer: at("dtype"),
    });
  } else if (grouped && r.mapping_type === "SYMMETRIC" && dt && !dt.signed && zpd === "INT") {
    out.push({
      ruleId: "lint/symmetric-unsigned",
      message: `symmetric ${dt.name} with zero_point_domain INT clips every negative input to 0`,
      hint: `Use the signed int${dt.bits}, an asymmetric mapping, or zero_point_domain FLOAT.`,
      pointer: at("dtype"),
    });
  }
  if (g === "PerToken" && (zpd === "FLOAT" || zpd === "NONE")) {
    out.push({
      ruleId: "lint/per-token-ignores-domain",
      message: `per_token ignores zero_point_domain ${zpd}: torchao always runs the INT kernel`,
      hint: "Remove zero_point_domain (INT is the default).",
      pointer: at("zero_point_domain"),
    });
  }
  // Only finite eps reach here: NaN and infinity are errors (fqc/type), since JSON cannot hold them.
  if (typeof r.eps === "number" && !(r.eps > 0)) {
    const why = `eps ${kinds.literal(at("eps")) ?? r.eps} removes the minimum-scale floor: an all-zero token or group gets scale 0 and NaN output`;
    out.push({ ruleId: "lint/eps", message: why, hint: "Use a small positive eps, or null for torchao's default.", pointer: at("eps") });
  }
  if (r.scale_precision === "float16") {
    out.push({
      ruleId: "lint/float16-scale",
      message: "scale_precision float16: scales below 1/65520 overflow the reciprocal to inf, so zeros become NaN and other values saturate",
      hint: "Prefer bfloat16 or float32 scales.",
      pointer: at("scale_precision"),
    });
  }
  if (dt && (zpp === "int8" || zpp === "uint8" || zpp === "int16")) {
    const lo = zpp === "int8" ? -128 : zpp === "uint8" ? 0 : -32768;
    const hi = zpp === "int8" ? 127 : zpp === "uint8" ? 255 : 32767;
    // per_token zero points lie in [qmin, qmax]; asymmetric group zero points are unbounded floats; symmetric ones are 0.
    const overflows = g === "PerToken" ? dt.qmin < lo || dt.qmax > hi : grouped && r.mapping_type === "ASYMMETRIC";
    if (overflows) {
      out.push({
        ruleId: "lint/zero-point-overflow",
        message: g === "PerToken"
          ? `zero_point_precision ${zpp} cannot hold ${dt.name}'s zero points (${dt.qmin}..${dt.qmax}); they wrap`
          : `zero_point_precision ${zpp} cannot hold every asymmetric group zero point (a float of any size); out-of-range ones wrap`,
        hint: 'Use "zero_point_precision": "int32" or a float dtype.',
        pointer: at("zero_point_precision"),
      });
    }
  }
  return out;
}

/** The group sizes a config spells: the shorthand and the PerGroup object's field. */
function groupSizes(raw: Record<string, unknown>, base: string): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (hasKey(raw, "group_size") && raw.group_size !== null) out.push([childPointer(base, "group_size"), raw.group_size]);
  const g = raw.granularity;
  if (isPlainObject(g) && g.type === "PerGroup" && hasKey(g, "group_size")) out.push([childPointer(childPointer(base, "granularity"), "group_size"), g.group_size]);
  return out;
}
