"""Writes test/fixtures/construct-oracle.json: configs in the conformance corpus's encoding with what torchao's
constructor does with them (its first error message, or the config it stores), as replayed by oracle.py from
torchao's source. Deterministic; Python 3 standard library only:

    python3 scripts/torchao-construct/make-fixture.py
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402

A = object()  # key left out
DT = ["int%d" % i for i in range(1, 9)] + ["uint%d" % i for i in range(1, 9)]
# Values of the fields torchao checks, wrong types included.
CHECKED = {
    "dtype": DT + ["int16", "int32", "int64", "float32", "float16", "bfloat16", "float64", "bool", "float8_e4m3fn", "uint16",
                   "float", "half", "long", "int", 4, 4.0, True, None, ["int4"], {}],
    "granularity": [A, None, "per_token", "per_channel", "per_group", "per_tensor", "PER_TOKEN", "per-token", "", "PerToken",
                    {"type": "PerToken"}, {"type": "PerAxis", "axis": 0}, {"type": "PerAxis", "axis": 1}, {"type": "PerAxis", "axis": -1},
                    {"type": "PerAxis", "axis": 0.0}, {"type": "PerAxis", "axis": True}, {"type": "PerAxis", "axis": "0"},
                    {"type": "PerAxis", "axis": None}, {"type": "PerAxis", "axis": 1.5}, {"type": "PerGroup", "group_size": 32},
                    {"type": "PerGroup", "group_size": 0}, {"type": "PerGroup", "group_size": -1}, {"type": "PerGroup", "group_size": 32.0},
                    {"type": "PerGroup", "group_size": True}, {"type": "PerTensor"}, {"type": "PerRow"},
                    5, 32.0, True, False, 0, 1.5, 1e16, 1e-05, 0.0001, [], ["per_token"], [1, 2.0, None, True, "a'b"], ["it's"],
                    {}, {"group_size": 32}, {"axis": 0.0, "x": [1, None]}, "it's", 'say "hi"', "uni\u00e9", "back\\slash"],
    "mapping_type": [A, None, "SYMMETRIC", "ASYMMETRIC", "SYMMETRIC_NO_CLIPPING_ERR", "symmetric", "Symmetric", "", 1, 0, True,
                     False, 1.0, [], ["SYMMETRIC"], "MappingType.SYMMETRIC"],
    "zero_point_domain": [A, "INT", "FLOAT", "NONE", None],
    "is_dynamic": [A, True, False],
    "range_learning": [A, True, False],
}
# Fields torchao never checks, with the JSON types fqc takes for them (fqc refuses other types: README, fqc/type).
UNCHECKED = {
    "is_symmetric": [A, None, True, False, 0, 1, 2, -1, 0.0, 0.5],
    "group_size": [A, None, 32, 64, 0, 1, -1, 2, 3, True, False],
    "eps": [A, None, 0, 0.0, -1, 1e-6, 1e-30, 1, 1.0, 1e300],
    "scale_precision": [A, "float32", "float16", "bfloat16", "float64", None],
    "zero_point_precision": [A, "int32", "float32", "bfloat16", "float16", "float64", "int8", "int16", "int64", "uint8"],
}
POOLS = {**CHECKED, **UNCHECKED}
ORDER = ["dtype", "granularity", "mapping_type", "scale_precision", "zero_point_precision", "zero_point_domain", "is_dynamic",
         "range_learning", "eps", "group_size", "is_symmetric"]


def draw(rng):
    cfg = {"dtype": rng.choice(POOLS["dtype"])}
    for k in ORDER[1:]:
        if rng.random() < 0.5:
            v = rng.choice(POOLS[k])
            if v is not A:
                cfg[k] = v
    items = list(cfg.items())
    rng.shuffle(items)
    return dict(items)


def main():
    rng = random.Random(20260812)
    per_message, canonical = {}, {}
    for _ in range(200000):
        cfg = draw(rng)
        r = oracle.run(cfg)
        text = json.dumps(cfg)
        if r[0] == "error":
            per_message.setdefault(r[2], []).append(text)
        elif r[0] == "ok":
            canonical.setdefault(json.dumps(r[1]), text)
    cases = []
    for msg in sorted(per_message):
        texts = sorted(set(per_message[msg]), key=lambda t: (len(t), t))
        for t in rng.sample(texts, min(4, len(texts))):
            cases.append({"config": t, "error": msg})
    for canon in rng.sample(sorted(canonical), min(300, len(canonical))):
        cases.append({"config": canonical[canon], "normalized": json.loads(canon)})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures", "construct-oracle.json")
    with open(out, "w") as f:
        f.write('{"generator": "scripts/torchao-construct/make-fixture.py", "cases": [\n')
        f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n]}\n")
    print(len(cases), "cases:", sum("error" in c for c in cases), "errors,", sum("normalized" in c for c in cases), "normalized")


if __name__ == "__main__":
    main()
