/**
 * What JSONC (JSON with comments, as VS Code and tsconfig files allow) has and JSON has not — a comment, a trailing
 * comma — named as such where a strict JSON parser stopped. Config files are strict JSON, as Python's json.load
 * (torchao's side) reads them; the generic "Unexpected character '/'" did not say what was wrong or what to do.
 */
import { lineColumnAt } from "./json-structure.js";

export interface JsoncProblem {
  message: string;
  hint: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const WHITESPACE = /[ \t\r\n]/;

/** The JSONC form at `offset`, where the parser stopped in `src`; undefined when it is some other syntax error. */
export function jsoncProblem(src: string, offset: number): JsoncProblem | undefined {
  const c = src[offset];
  const next = src[offset + 1];
  if (c === "/" && (next === "/" || next === "*")) {
    const at = lineColumnAt(src, offset);
    return {
      message: `JSON syntax error: a ${next === "/" ? "//" : "/* */"} comment; JSON has no comments`,
      hint: "Remove it (fqc reads strict JSON, as Python's json module does), or write the file as YAML, where # starts a comment.",
      ...at,
      endLine: at.line,
      endColumn: at.column + 2,
    };
  }
  if (c === "}" || c === "]") {
    let i = offset - 1;
    while (i >= 0 && WHITESPACE.test(src[i])) i--;
    if (src[i] !== ",") return undefined;
    let before = i - 1;
    while (before >= 0 && WHITESPACE.test(src[before])) before--;
    if (before < 0 || "{[,:".includes(src[before])) return undefined; // `[,]`, `[1,,]`: no last element to follow
    const at = lineColumnAt(src, i);
    return {
      message: `JSON syntax error: a trailing comma before \`${c}\`; JSON allows no comma after the last ${c === "}" ? "member" : "element"}`,
      hint: "Remove the comma (fqc reads strict JSON, as Python's json module does).",
      ...at,
      endLine: at.line,
      endColumn: at.column + 1,
    };
  }
  return undefined;
}
