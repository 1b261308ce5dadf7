/**
 * How many terminal columns a text takes, for tables padded with spaces: East Asian wide and fullwidth characters
 * and emoji presented as emoji take two (漢, ｗ, 😀), combining marks and other zero-width format characters none
 * (the accent of "é" written as e + U+0301, a zero-width joiner), everything else one. This is what wcwidth-based
 * terminals do for these; ambiguous-width characters count as one, as they do outside East Asian locales.
 */

/** Two columns: Hangul Jamo, CJK radicals to Yi, Hangul syllables, CJK compatibility, vertical and fullwidth forms, planes 2 and 3. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}]|\p{Emoji_Presentation}/u;

/** No column: nonspacing and enclosing marks, format characters (zero-width joiner, byte-order mark), variation selectors. */
const ZERO = /[\p{Mn}\p{Me}\p{Cf}\ufe00-\ufe0f]/u;

/** Printable ASCII only: one column per character, the usual case, without looking at each. */
const ASCII = /^[\x20-\x7e]*$/;

export function displayWidth(text: string): number {
  if (ASCII.test(text)) return text.length;
  let w = 0;
  for (const c of text) w += ZERO.test(c) ? 0 : WIDE.test(c) ? 2 : 1;
  return w;
}

/** `text` padded with spaces to `width` columns, on the right (left-aligned) or on the left (right-aligned). */
export function padToWidth(text: string, width: number, right = false): string {
  const pad = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? pad + text : text + pad;
}
