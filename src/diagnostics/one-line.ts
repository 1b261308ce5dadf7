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

/** Longest message or hint kept whole; a longer one quotes a huge key or value and is cut in the middle. */
export const MAX_MESSAGE_LENGTH = 500;

/** oneLine, and cut to MAX_MESSAGE_LENGTH characters around an ellipsis that says how much was left out. */
export function messageText(text: string): string {
  const line = oneLine(text);
  if (line.length <= MAX_MESSAGE_LENGTH) return line;
  const keep = MAX_MESSAGE_LENGTH / 2 - 20;
  return `${line.slice(0, keep)}…(${line.length - 2 * keep} characters)…${line.slice(-keep)}`;
}
