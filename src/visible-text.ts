/**
 * Characters a canonical file holds only as escapes: DEL and the C1 controls (a terminal may act on them when the file
 * is printed), Unicode's line and paragraph separators, and the bidi controls, which make an editor or a diff show the
 * text around them reordered ("Trojan Source", CVE-2021-42574). JSON.stringify and the yaml package write them raw, so
 * normalize would otherwise turn a key written `\u202e` into an invisible character. The set is oneLine's, but C0
 * controls and tabs, which both already escape.
 */
import type { ScalarTag } from "yaml";

const HIDDEN = /[\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/** `json` (JSON text, or a YAML double-quoted scalar made by JSON.stringify) with those characters as \uXXXX escapes. */
export function escapeHidden(json: string): string {
  return json.replace(HIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A yaml string tag for the strings holding such characters: written double-quoted, as JSON writes them, escaped. */
export const VISIBLE_STRING: ScalarTag = {
  identify: (value) => typeof value === "string" && new RegExp(HIDDEN.source).test(value),
  default: true,
  tag: "tag:yaml.org,2002:str",
  resolve: (text) => text,
  stringify: (item) => escapeHidden(JSON.stringify(String(item.value))),
};
