/**
 * Where the first comment at or after `from` starts in a YAML text, or -1. A comment is what the yaml package's lexer
 * reads as one: a `#` inside a quoted or block scalar (`'re:lm_head #1': null`) is not. The lexer is linear; only
 * composing documents is slow on large files (FULL_YAML_MAX_LENGTH), so it is used where the text holds a candidate.
 */
import { Lexer } from "yaml";

/** The lexer's tokens that stand for no source text: document start, flow collection end, scalar. */
const MARKERS = new Set(["\x02", "\x18", "\x1f"]);

export function yamlCommentAt(text: string, from = 0): number {
  const candidate = /(?:^|[ \t])#/m.exec(text.slice(from));
  if (!candidate) return -1;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) continue;
    if (token.startsWith("#") && offset >= from) return offset;
    offset += token.length;
  }
  return -1;
}
