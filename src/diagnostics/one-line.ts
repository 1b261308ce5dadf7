/**
 * Messages are one line each: a formatter puts one diagnostic per line, and
 * GitHub's workflow commands and CI logs split on newlines. Text quoted from a
 * file (a key, a value, a parser's excerpt) may hold line breaks or other
 * control characters; they are shown as escapes instead.
 */
export function oneLine(text: string): string {
  // C0 controls except tab, DEL, C1 controls, and Unicode's line and paragraph separators.
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
