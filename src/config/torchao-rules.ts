/**
 * torchao's `FakeQuantizeConfig.__init__` (v0.12.0, spec §2), replayed on a
 * JSON/YAML config: same checks, same order, same message text. Unlike
 * torchao it does not stop at the first error: the first finding is the one
 * torchao would raise, the rest are further independent problems.
 *
 * Findings: Python's argument-binding problems (unknown keyword → TypeError,
 * missing `dtype`, granularity objects that cannot be built), torchao's
 * ValueErrors in torchao's order, then fqc's type checks for fields torchao
 * never looks at. Callers lead with the first torchao ValueError (its exact
 * message is the contract) and report the rest after it.
 */
import { childPointer } from "../diagnostics/locate.js";
import { DTYPE_NAMES, TORCHAO_DTYPE_LIST_REPR, isDtypeName } from "./dtypes.js";
import { hasKey, isPlainObject, jsonText, type Finding } from "./finding.js";
import { pyRepr, pyStr, pyTruthy, pyTypeName, type NumberKinds } from "./pyrepr.js";
import { didYouMean } from "./suggest.js";
import { unknownKeys, type KeyBudget } from "./unknown-keys.js";
import { torchDtypeName, torchPrefixedName } from "./torch-dtypes.js";
import type { CanonicalConfig, CanonicalGranularity, DtypeName, MappingType, ZeroPointDomain } from "./types.js";
import {
  CANONICAL_KEYS, DEFAULTS, GRANULARITY_STRINGS, GRANULARITY_TYPES, MAPPING_TYPES, SCALE_PRECISIONS, SHORTHAND_KEYS,
  UNSUPPORTED_GRANULARITY_TYPES, ZERO_POINT_DOMAINS, ZERO_POINT_PRECISIONS,
} from "./vocabulary.js";

/** What could be resolved from the raw config, even when other parts are wrong (for the lint rules). */
export interface Resolved {
  dtype?: DtypeName;
  granularity?: CanonicalGranularity;
  mapping_type?: MappingType;
  /** null is torchao's None: scales stay in the input (compute) dtype. */
  scale_precision?: string | null;
  zero_point_precision?: string;
  zero_point_domain?: ZeroPointDomain;
  is_dynamic?: boolean;
  range_learning?: boolean;
  eps?: number | null;
  /** Where the mapping type was spelled (mapping_type or is_symmetric), if anywhere. */
  mappingPointer?: string;
}

export interface ConstructorCheck {
  /** Construct-stage findings; the first one is what torchao raises first. */
  findings: Finding[];
  resolved: Resolved;
  /** The canonical config, when torchao would construct it and fqc can represent it. */
  config?: CanonicalConfig;
}

/** Granularity classes fqc can read from `{"type": ...}` objects, with their fields. */
const GRANULARITY_FIELDS: Record<string, readonly string[]> = {
  PerToken: [], PerAxis: ["axis"], PerGroup: ["group_size"], PerTensor: [], PerRow: [], PerBlock: ["block_size"],
};
const KNOWN_GRANULARITY_TYPES = [...GRANULARITY_TYPES, ...UNSUPPORTED_GRANULARITY_TYPES] as readonly string[];
/** Unknown keys per config that get a "did you mean" (the CLI lists at most 100 problems per file). */
const SUGGESTED_KEYS = 100;
const CONFIG_KEYS = [...CANONICAL_KEYS, ...SHORTHAND_KEYS] as readonly string[];
const VALID_KEYS_HINT = `Valid keys: ${CONFIG_KEYS.join(", ")}.`;

interface GranularityObject {
  type: string;
  fields: Record<string, unknown>;
  /** Python repr of the instance: `PerGroup(group_size=32)`. */
  repr: string;
}

export function checkConstructor(
  raw: Record<string, unknown>,
  base: string,
  kinds: NumberKinds,
  extraKeys: readonly string[] = [],
  budget?: KeyBudget,
): ConstructorCheck {
  const at = (k: string) => childPointer(base, k);
  const findings: Finding[] = [];
  const resolved: Resolved = {};
  const present = (k: string) => hasKey(raw, k);

  // --- Python argument binding (TypeError before the body runs) ---
  let suggested = 0;
  for (const k of unknownKeys(raw, base, (k) => CONFIG_KEYS.includes(k) || extraKeys.includes(k), "fqc/unknown-key", budget)) {
    // Suggestions cost an edit distance per valid key: only for as many unknown keys as a report lists, and
    // worked out when the message is read (a report reads only the messages it lists).
    const suggest = ++suggested <= SUGGESTED_KEYS;
    let message: string | undefined;
    findings.push({
      ruleId: "fqc/unknown-key",
      // Python's own TypeError, which torchao's callers see before any ValueError of the constructor body.
      get message() {
        if (message === undefined) {
          const guess = suggest ? didYouMean(k, CONFIG_KEYS) : undefined;
          message = `FakeQuantizeConfig.__init__() got an unexpected keyword argument '${k}'${guess ? `; did you mean \`${guess}\`?` : ""}`;
        }
        return message;
      },
      hint: VALID_KEYS_HINT,
      pointer: at(k),
      part: "key",
    });
  }
  if (!present("dtype")) {
    findings.push({ ruleId: "fqc/missing-dtype", message: "missing required key `dtype`", hint: `Add e.g. "dtype": "int4" (one of ${DTYPE_NAMES.join(", ")}).`, pointer: base });
  }
  let gObj: GranularityObject | undefined;
  let gObjBroken = false;
  // An object with a `type` names a granularity class; one without is a plain dict to torchao (a wrong type).
  if (isPlainObject(raw.granularity) && hasKey(raw.granularity, "type")) {
    const r = readGranularityObject(raw.granularity, at("granularity"), kinds, budget);
    for (const f of r.findings) findings.push(f); // not push(...): a list of 100,000+ findings overflows the call stack
    gObj = r.object;
    gObjBroken = r.object === undefined;
  }

  // --- 1. zero_point_domain None ---
  if (present("zero_point_domain") && raw.zero_point_domain === null) {
    findings.push({ ruleId: "torchao/zero-point-domain-null", message: "Please use ZeroPointDomain.NONE instead of None", hint: 'Write "zero_point_domain": "NONE", or leave the key out for the default INT.', pointer: at("zero_point_domain") });
  }

  // --- 2. granularity (_get_granularity) ---
  const g = present("granularity") ? raw.granularity : null;
  const gs = present("group_size") ? raw.group_size : null;
  const gsSet = gs !== null;
  let granularityFailed = false;
  const fail = (f: Finding) => {
    granularityFailed = true;
    findings.push(f);
  };
  let granularity: CanonicalGranularity | undefined;
  if (gsSet && g !== null && g !== "per_group" && !gObjBroken) {
    for (const shown of gObj ? versionedReprs(gObj) : [{ repr: pyStr(g, at("granularity"), kinds) }]) {
      fail({
        ruleId: "torchao/group-size-conflict",
        message: `\`group_size\` conflicts with granularity '${shown.repr}'`,
        hint: gObj?.type === "PerGroup" ? "Give the group size once: either in the PerGroup object or as `group_size`." : 'Remove `group_size`, or use "granularity": "per_group".',
        pointer: at("group_size"),
        ...shown.versions,
      });
    }
  }
  if (gObj) {
    if ((UNSUPPORTED_GRANULARITY_TYPES as readonly string[]).includes(gObj.type)) {
      for (const shown of versionedReprs(gObj)) {
        fail({ ruleId: "torchao/granularity-unsupported", message: `Granularity '${shown.repr}' is not supported`, hint: "Fake quantization supports PerToken, PerAxis(0) and PerGroup.", pointer: at("granularity"), ...shown.versions });
      }
    } else if (gObj.type === "PerAxis") {
      const axis = gObj.fields.axis;
      // Python `axis != 0`: 0, 0.0 and False all equal 0.
      if (axis === 0 || axis === false) granularity = { type: "PerAxis", axis: 0 };
      else fail({ ruleId: "torchao/per-axis-axis", message: "Only axis=0 is supported for PerAxis granularity", pointer: childPointer(at("granularity"), "axis") });
    } else if (gObj.type === "PerToken") {
      granularity = { type: "PerToken" };
    } else if (gObj.type === "PerGroup" && isPyInt(gObj.fields.group_size)) {
      granularity = { type: "PerGroup", group_size: gObj.fields.group_size };
    }
  } else if (gObjBroken) {
    granularityFailed = true;
  } else if (typeof g === "string") {
    if (g === "per_token") granularity = { type: "PerToken" };
    else if (g === "per_channel") granularity = { type: "PerAxis", axis: 0 };
    else if (g === "per_group") {
      if (!gsSet) fail({ ruleId: "torchao/per-group-without-group-size", message: "Granularity was 'per_group' but no `group_size` was set", hint: 'Add e.g. "group_size": 32.', pointer: at("granularity") });
      else if (isPyInt(gs)) granularity = { type: "PerGroup", group_size: gs };
    } else {
      const guess = didYouMean(g, GRANULARITY_STRINGS);
      fail({
        ruleId: "torchao/granularity-unknown-string",
        message: `Unexpected granularity: '${g}', must be one of ${pyRepr([...GRANULARITY_STRINGS])}`,
        hint: guess ? `Did you mean "${guess}"?` : undefined,
        pointer: at("granularity"),
      });
    }
  } else if (g !== null) {
    fail({
      ruleId: "torchao/granularity-type",
      message: `Granularity '${pyStr(g, at("granularity"), kinds)}' has unexpected type ${pyTypeName(g, at("granularity"), kinds)}`,
      hint: 'Use "per_token", "per_channel", "per_group" or an object such as {"type": "PerGroup", "group_size": 32}.',
      pointer: at("granularity"),
    });
  } else if (gsSet) {
    if (isPyInt(gs)) granularity = { type: "PerGroup", group_size: gs };
  } else {
    fail({
      ruleId: "torchao/granularity-missing",
      message: "At least one of `granularity` or `group_size` must be set",
      hint: 'Add e.g. "granularity": "per_channel" or "group_size": 32.',
      pointer: present("granularity") ? at("granularity") : base,
    });
  }
  if (!granularityFailed && granularity) resolved.granularity = granularity;

  // --- 3. mapping type (_get_mapping_type) ---
  const mt = present("mapping_type") ? raw.mapping_type : null;
  const sym = present("is_symmetric") ? raw.is_symmetric : null;
  let mappingFailed = false;
  if (mt !== null && sym !== null) {
    mappingFailed = true;
    findings.push({ ruleId: "torchao/mapping-type-and-is-symmetric", message: "Cannot set both `mapping_type` and `is_symmetric`", hint: "Keep one of them (fqc's canonical form uses mapping_type).", pointer: at("is_symmetric") });
  }
  if (mt !== null && !(MAPPING_TYPES as readonly unknown[]).includes(mt)) {
    mappingFailed = true;
    const shown = mt === "SYMMETRIC_NO_CLIPPING_ERR" ? "MappingType.SYMMETRIC_NO_CLIPPING_ERR" : pyStr(mt, at("mapping_type"), kinds);
    const guess = typeof mt === "string" && mt !== "SYMMETRIC_NO_CLIPPING_ERR" ? didYouMean(mt, MAPPING_TYPES) : undefined;
    findings.push({
      ruleId: "torchao/mapping-type-unsupported",
      message: `MappingType '${shown}' is not supported`,
      hint: guess ? `Did you mean "${guess}"? Names are case-sensitive.` : "Use SYMMETRIC or ASYMMETRIC.",
      pointer: at("mapping_type"),
    });
  }
  if (!mappingFailed) {
    if (mt !== null) {
      resolved.mapping_type = mt as MappingType;
      resolved.mappingPointer = at("mapping_type");
    } else if (sym !== null) {
      resolved.mapping_type = pyTruthy(sym) ? "SYMMETRIC" : "ASYMMETRIC";
      resolved.mappingPointer = at("is_symmetric");
    } else {
      resolved.mapping_type = "SYMMETRIC";
    }
  }

  // --- 4. dtype ---
  if (present("dtype")) {
    const d = raw.dtype;
    if (isDtypeName(d)) {
      resolved.dtype = d;
    } else {
      // "torch.int4" (or "torch.xyz") is shown as written (str() of that Python string), not given a second prefix.
      const prefixed = typeof d === "string" ? torchPrefixedName(d) : undefined;
      const shown = typeof d === "string" ? (d.startsWith("torch.") ? d : `torch.${torchDtypeName(d) ?? d}`) : pyStr(d, at("dtype"), kinds);
      const guess = typeof d === "string" ? didYouMean(d, DTYPE_NAMES) : undefined;
      const close = guess !== undefined && typeof d === "string" && guess === d.toLowerCase().replace(/^torch\./, "");
      const spelling = `fqc spells them ${DTYPE_NAMES[0]}..${DTYPE_NAMES[7]}, ${DTYPE_NAMES[8]}..${DTYPE_NAMES[15]}.`;
      findings.push({
        ruleId: "torchao/dtype-unsupported",
        message: `Unsupported dtype '${shown}', choose from ${TORCHAO_DTYPE_LIST_REPR}`,
        hint: prefixed !== undefined && isDtypeName(prefixed)
          ? `fqc writes dtypes without torch's "torch." prefix: write "${prefixed}".`
          : close ? `Did you mean "${guess}"?` : spelling,
        pointer: at("dtype"),
      });
    }
  }

  // --- 5. is_dynamic and range_learning (Python truthiness) ---
  const isDyn = present("is_dynamic") ? raw.is_dynamic : DEFAULTS.is_dynamic;
  const rl = present("range_learning") ? raw.range_learning : DEFAULTS.range_learning;
  if (pyTruthy(isDyn) && pyTruthy(rl)) {
    findings.push({
      ruleId: "torchao/dynamic-range-learning",
      message: "`is_dynamic` is not compatible with `range_learning`",
      hint: present("is_dynamic") ? 'Set "is_dynamic": false for range learning.' : 'is_dynamic defaults to true: add "is_dynamic": false.',
      pointer: at("range_learning"),
    });
  }

  // --- fqc: types of the fields torchao stores without looking ---
  for (const f of checkFieldTypes(raw, base, resolved)) findings.push(f); // not push(...): a list of 100,000+ findings overflows the call stack

  const constructs = findings.length === 0;
  return { findings, resolved, config: constructs ? toCanonical(resolved) : undefined };
}

function readGranularityObject(g: Record<string, unknown>, ptr: string, kinds: NumberKinds, budget: KeyBudget | undefined): { findings: Finding[]; object?: GranularityObject } {
  const findings: Finding[] = [];
  const example = 'Use {"type": "PerToken"}, {"type": "PerAxis", "axis": 0} or {"type": "PerGroup", "group_size": 32}.';
  const type = g.type;
  if (typeof type !== "string" || !KNOWN_GRANULARITY_TYPES.includes(type)) {
    const guess = typeof type === "string" ? (type === "PerChannel" ? "PerAxis" : didYouMean(type, KNOWN_GRANULARITY_TYPES)) : undefined;
    return {
      findings: [{
        ruleId: "fqc/granularity-object",
        message: `unknown granularity type ${jsonText(type)}${guess ? `; did you mean "${guess}"?` : ""}`,
        hint: example,
        pointer: childPointer(ptr, "type"),
      }],
    };
  }
  const wanted = GRANULARITY_FIELDS[type];
  for (const k of unknownKeys(g, ptr, (k) => k === "type" || wanted.includes(k), "fqc/granularity-object", budget)) {
    const guess = didYouMean(k, wanted);
    findings.push({
      ruleId: "fqc/granularity-object",
      message: `unknown key \`${k}\` in a ${type} granularity${guess ? `; did you mean \`${guess}\`?` : ""}`,
      hint: wanted.length ? `${type} takes ${wanted.map((w) => `\`${w}\``).join(", ")}.` : `${type} takes no fields.`,
      pointer: childPointer(ptr, k),
      part: "key",
    });
  }
  for (const k of wanted) {
    if (!hasKey(g, k)) findings.push({ ruleId: "fqc/granularity-object", message: `a ${type} granularity needs \`${k}\``, hint: example, pointer: ptr });
  }
  if (findings.length) return { findings };
  const fields: Record<string, unknown> = {};
  for (const k of wanted) fields[k] = g[k];
  const repr = `${type}(${wanted.map((k) => `${k}=${pyRepr(g[k], childPointer(ptr, k), kinds)}`).join(", ")})`;
  return { findings, object: { type, fields, repr } };
}

/**
 * torchao's repr of a granularity object, per version where they differ: from v0.13 PerRow is a dataclass
 * with a `dim` field (default -1), printed `PerRow(dim=-1)`; v0.12's plain class prints `PerRow()`.
 */
function versionedReprs(g: GranularityObject): Array<{ repr: string; versions?: Pick<Finding, "torchaoVersions"> }> {
  if (g.type !== "PerRow") return [{ repr: g.repr }];
  return [{ repr: g.repr, versions: { torchaoVersions: ["0.12"] } }, { repr: "PerRow(dim=-1)", versions: { torchaoVersions: ["0.18"] } }];
}

function typeFinding(pointer: string, name: string, expected: string, v: unknown): Finding {
  const f: Finding = { ruleId: "fqc/type", message: `\`${name}\` must be ${expected}, not ${jsonText(v)}`, pointer };
  // YAML 1.2 (and JSON) read yes/no/on/off and Python's True/False as strings.
  if (typeof v === "string" && /^(yes|no|on|off|true|false|y|n)$/i.test(v) && expected.startsWith("true")) {
    f.hint = `Write ${/^(yes|on|true|y)$/i.test(v) ? "true" : "false"} without quotes (lower case).`;
  }
  return f;
}

/**
 * A NaN or infinity (YAML's `.nan`/`.inf`, or a JSON number too large for a double such as 1e400): JSON has no
 * such number, so no JSON Schema validator takes it as one, and the canonical form could not write it back
 * (JSON.stringify prints null, which means the default).
 */
function nonFinite(pointer: string, name: string, expected: string, v: number): Finding {
  return {
    ruleId: "fqc/type",
    message: `\`${name}\` must be ${expected}, not ${Number.isNaN(v) ? "NaN" : v > 0 ? "infinity" : "-infinity"}: JSON has no such number`,
    hint: name === "eps" ? "Use a small positive eps such as 1e-6, or null for torchao's default." : "Write true or false.",
    pointer,
  };
}

/** fqc's own checks of the fields torchao accepts without looking (they must be representable in the canonical form). */
function checkFieldTypes(raw: Record<string, unknown>, base: string, resolved: Resolved): Finding[] {
  const out: Finding[] = [];
  const at = (k: string) => childPointer(base, k);
  const present = (k: string) => hasKey(raw, k);

  for (const [key, allowed] of [["scale_precision", SCALE_PRECISIONS], ["zero_point_precision", ZERO_POINT_PRECISIONS]] as const) {
    if (!present(key)) {
      resolved[key] = DEFAULTS[key];
      continue;
    }
    const v = raw[key];
    // torchao's None, which its inferred configs pass for scales: "keep the input dtype" (spec §1). Only scales have that meaning.
    if (v === null && key === "scale_precision") {
      resolved.scale_precision = null;
      continue;
    }
    if (typeof v !== "string") {
      const f = typeFinding(at(key), key, key === "scale_precision" ? "a dtype name such as \"float32\", or null" : "a dtype name such as \"int32\"", v);
      if (v === null) f.hint = "Only scale_precision may be null (scales kept in the input dtype); torchao gives a null zero_point_precision no meaning. Write \"int32\" (the default) or a float dtype.";
      out.push(f);
      continue;
    }
    const name = torchDtypeName(v);
    const prefixed = name === undefined ? torchPrefixedName(v) : undefined;
    if (prefixed !== undefined) {
      out.push({ ruleId: "fqc/enum", message: `\`${key}\` ${jsonText(v)}: fqc writes dtypes without torch's "torch." prefix`, hint: `Write "${prefixed}".`, pointer: at(key) });
    } else if (name === undefined) {
      const guess = didYouMean(v, allowed);
      out.push({ ruleId: "fqc/enum", message: `\`${key}\` ${jsonText(v)} is not a torch dtype${guess ? `; did you mean "${guess}"?` : ""}`, hint: `Use one of ${allowed.join(", ")}.`, pointer: at(key) });
    } else {
      resolved[key] = name;
    }
  }

  if (!present("zero_point_domain")) resolved.zero_point_domain = DEFAULTS.zero_point_domain;
  else {
    const v = raw.zero_point_domain;
    if ((ZERO_POINT_DOMAINS as readonly unknown[]).includes(v)) resolved.zero_point_domain = v as ZeroPointDomain;
    else if (typeof v === "string") {
      const guess = didYouMean(v, ZERO_POINT_DOMAINS);
      out.push({ ruleId: "fqc/enum", message: `\`zero_point_domain\` must be one of ${ZERO_POINT_DOMAINS.join(", ")}, not ${jsonText(v)}${guess ? `; did you mean "${guess}"?` : ""}`, pointer: at("zero_point_domain") });
    } else if (v !== null) out.push(typeFinding(at("zero_point_domain"), "zero_point_domain", `one of ${ZERO_POINT_DOMAINS.join(", ")}`, v));
  }

  for (const key of ["is_dynamic", "range_learning"] as const) {
    if (!present(key)) resolved[key] = DEFAULTS[key];
    else if (typeof raw[key] === "boolean") resolved[key] = raw[key] as boolean;
    else out.push(typeFinding(at(key), key, "true or false", raw[key]));
  }

  if (!present("eps") || raw.eps === null) resolved.eps = null;
  else if (typeof raw.eps === "number" && Number.isFinite(raw.eps)) resolved.eps = raw.eps;
  else if (typeof raw.eps === "number") out.push(nonFinite(at("eps"), "eps", "a finite number or null", raw.eps));
  else out.push(typeFinding(at("eps"), "eps", "a number or null", raw.eps));

  // torchao reads is_symmetric by truthiness: numbers are accepted (lint/is-symmetric-number warns);
  // a string such as "false" would silently mean SYMMETRIC, so strings, lists and objects are errors.
  const sym = raw.is_symmetric;
  if (typeof sym === "number" && !Number.isFinite(sym)) out.push(nonFinite(at("is_symmetric"), "is_symmetric", "true, false, a finite number or null", sym));
  if (present("is_symmetric") && sym !== null && typeof sym !== "boolean" && typeof sym !== "number") {
    const f = typeFinding(at("is_symmetric"), "is_symmetric", "true, false or null", sym);
    if (typeof sym === "string") f.hint = `torchao would read any non-empty string, "false" included, as true (SYMMETRIC). Write true or false without quotes.`;
    out.push(f);
  }
  // Python's bool is an int: torchao stores group_size=True as is (and fails at forward, see forward/group-size).
  if (present("group_size") && raw.group_size !== null && !isPyInt(raw.group_size)) {
    out.push(typeFinding(at("group_size"), "group_size", "an integer or null", raw.group_size));
  }
  const g = raw.granularity;
  if (isPlainObject(g) && g.type === "PerGroup" && hasKey(g, "group_size") && !isPyInt(g.group_size)) {
    out.push(typeFinding(childPointer(at("granularity"), "group_size"), "group_size", "an integer", g.group_size));
  }
  if (isPlainObject(g) && g.type === "PerAxis" && g.axis === false) {
    out.push(typeFinding(childPointer(at("granularity"), "axis"), "axis", "the integer 0", g.axis));
  }
  return out;
}

/** A JSON value Python would pass as an int: a number, or a bool (bool is a subclass of int). */
function isPyInt(v: unknown): v is number | boolean {
  return typeof v === "number" || typeof v === "boolean";
}

function toCanonical(r: Resolved): CanonicalConfig | undefined {
  if (!r.dtype || !r.granularity || !r.mapping_type || r.scale_precision === undefined || !r.zero_point_precision || !r.zero_point_domain) return undefined;
  if (r.is_dynamic === undefined || r.range_learning === undefined || r.eps === undefined) return undefined;
  // Precisions are torch dtype names torchao accepts; the standard's narrower lists are lint rules (fqc/precision).
  return {
    dtype: r.dtype,
    granularity: r.granularity,
    mapping_type: r.mapping_type,
    scale_precision: r.scale_precision as CanonicalConfig["scale_precision"],
    zero_point_precision: r.zero_point_precision as CanonicalConfig["zero_point_precision"],
    zero_point_domain: r.zero_point_domain,
    is_dynamic: r.is_dynamic,
    range_learning: r.range_learning,
    eps: r.eps,
  };
}
