// The README's generated sections (config fields, rules): rendered from the
// vocabulary and the rule registry so the docs cannot drift from the code.
// `node scripts/readme-sections.mjs` rewrites them (after `npm run build`);
// test/docs/readme.test.ts fails when they are stale.

/** Markdown table of the config fields. */
export function renderFields(fieldDocs, defaults, canonicalKeys, shorthandKeys) {
  const rows = [...canonicalKeys, ...shorthandKeys].map((k) => {
    const doc = fieldDocs[k];
    const def = k === "dtype" ? "required" : k in defaults ? `\`${JSON.stringify(defaults[k])}\`` : "—";
    const kind = shorthandKeys.includes(k) ? " (shorthand)" : "";
    const ex = doc.examples.map((e) => `\`${JSON.stringify(e)}\``).join(", ");
    return `| \`${k}\`${kind} | ${def} | ${ex} | ${doc.description.replace(/\|/g, "\\|")} |`;
  });
  return ["| field | default | examples | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

/** Markdown table of the rules, each row with an anchor that SARIF helpUri links point at. */
export function renderRules(rules) {
  const anchor = (id) => id.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const rows = rules.map((r) =>
    `| <a id="${anchor(r.id)}"></a>\`${r.id}\` | ${r.severity} | ${r.stage} | ${r.description.replace(/\|/g, "\\|")} | ${r.example ? `\`${r.example.replace(/\|/g, "\\|")}\`` : "— (none: the linter names every violation first)"} |`);
  return ["| rule | severity | stage | what it means | example |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** Markdown list of what the linter checks beyond the JSON Schema, and where the schema is the stricter. */
export function renderBeyondSchema(beyond, stricter, schemaTorchao) {
  const rules = (r) => (r === "every rule" ? "every rule" : r.map((id) => `\`${id}\``).join(", "));
  const cap = (t) => `${t[0].toUpperCase()}${t.slice(1)}`;
  const lines = beyond.map((b) => `- **${cap(b.what)}** (${rules(b.rules)}). ${cap(b.why)}. E.g. \`${b.example.replace(/\n/g, "\\n")}\``);
  lines.push(`- **The other way round**: the schema encodes torchao v${schemaTorchao}'s rules (fqc's default). With \`--torchao ${stricter.torchao}\` fqc accepts ${stricter.what}, which the schema refuses (\`${stricter.rule}\`): \`${stricter.example}\``);
  return lines.join("\n");
}

export function replaceSection(text, name, body) {
  const re = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
  if (!re.test(text)) throw new Error(`README has no ${name} section markers`);
  return text.replace(re, (_m, start, end) => `${start}${body}\n${end}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { readFileSync, writeFileSync } = await import("node:fs");
  const { RULES } = await import("../dist/config/rules.js");
  const v = await import("../dist/config/vocabulary.js");
  let text = readFileSync("README.md", "utf8");
  text = replaceSection(text, "fields", renderFields(v.FIELD_DOCS, v.DEFAULTS, v.CANONICAL_KEYS, v.SHORTHAND_KEYS));
  text = replaceSection(text, "rules", renderRules(RULES));
  const b = await import("../dist/config/beyond-schema.js");
  text = replaceSection(text, "beyond-schema", renderBeyondSchema(b.BEYOND_SCHEMA, b.SCHEMA_STRICTER, b.SCHEMA_TORCHAO));
  writeFileSync("README.md", text);
}
