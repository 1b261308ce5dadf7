"""Python jsonschema's verdicts on fqc's published schemas, for test/config/schema-python.test.ts.

argv[1]: the schema/ directory. stdin: one JSON object per line, {"schema": "config" | "settings", "text": ...}, where
text is what Python reads: a JSON document as written (json.loads, as check-jsonschema reads a .json file), or for YAML
the value read by fqc's YAML reader (NaN, Infinity and -0.0 spelled so json.loads keeps them).
stdout: {"version", "metaschema_errors": {file: [messages]}, "verdicts": [[2020-12, draft-07] or [settings], ...]}.
"""
import json
import sys
from importlib.metadata import version
from pathlib import Path

from jsonschema import Draft7Validator, Draft202012Validator

schemas = Path(sys.argv[1])
files = {
    "fqc.schema.json": Draft202012Validator,
    "fqc.draft-07.schema.json": Draft7Validator,
    "fqc.config.schema.json": Draft202012Validator,
}
loaded = {name: json.loads((schemas / name).read_text(encoding="utf-8")) for name in files}
metaschema_errors = {
    name: [e.message for e in cls(cls.META_SCHEMA).iter_errors(loaded[name])] for name, cls in files.items()
}
v2020 = Draft202012Validator(loaded["fqc.schema.json"])
v07 = Draft7Validator(loaded["fqc.draft-07.schema.json"])
vsettings = Draft202012Validator(loaded["fqc.config.schema.json"])

verdicts = []
for line in sys.stdin:
    doc = json.loads(line)
    value = json.loads(doc["text"])
    if doc["schema"] == "settings":
        verdicts.append([vsettings.is_valid(value)])
    else:
        verdicts.append([v2020.is_valid(value), v07.is_valid(value)])

json.dump({"version": version("jsonschema"), "metaschema_errors": metaschema_errors, "verdicts": verdicts}, sys.stdout)
