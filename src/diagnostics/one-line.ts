/**
 * Messages are one line each: a formatter puts one diagnostic per line, and
 * GitHub's workflow commands and CI logs split on newlines. Text quoted from a
 * file (a key, a value, a tensor name, a parser's excerpt) may hold line
 * breaks or other control characters; they are shown as escapes instead.
 * So are the bidirectional formatting controls, which would reorder how a
 * terminal or browser shows the text around them.
 */
export function oneLine(text: string): string {
  // C0 controls except tab, DEL, C1 controls, Unicode's line and paragraph separators, bidi embeddings/overrides/isolates and marks.
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, escape);
}

/** Longest name a table shows whole; real tensor names are under 100 characters, recipe patterns up to 1,000. */
export const MAX_SHOWN_NAME_LENGTH = 200;

/**
 * A name read from a file (a tensor, a recipe key) as a text table, a
 * summary line or Markdown shows it: oneLine, and a tab escaped too, so that a
 * hostile name can neither move the terminal's cursor, colour or retitle it,
 * nor break the table's lines and columns; and cut in the middle past
 * MAX_SHOWN_NAME_LENGTH, as every row is padded to the longest name (a
 * 3 MB name in a checkpoint of 300 tensors would make a 900 MB table).
 * JSON and CSV keep names exact.
 */
export function shownName(text: string): string {
  return cutMiddle(oneLine(text).replace(/\t/g, "\\t"), MAX_SHOWN_NAME_LENGTH);
}

/** `text` whole when it has at most `max` characters, else its two ends around an ellipsis saying how much was left out. */
function cutMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = max / 2 - 20;
  const [head, tail] = ends(text, keep, keep);
  return `${head}…(${text.length - head.length - tail.length} characters)…${tail}`;
}

/**
 * The first `head` and the last `tail` UTF-16 units of `text` (shorter than it), one fewer where the cut would
 * split a surrogate pair: half a pair is written as U+FFFD, so a cut name of emoji or CJK extension characters
 * showed replacement characters.
 */
export function ends(text: string, head: number, tail: number): [string, string] {
  const high = (i: number) => (text.charCodeAt(i) & 0xfc00) === 0xd800;
  const low = (i: number) => (text.charCodeAt(i) & 0xfc00) === 0xdc00;
  const a = head > 0 && high(head - 1) ? head - 1 : head;
  const b = text.length - tail;
  return [text.slice(0, a), text.slice(tail > 0 && low(b) ? b + 1 : b)];
}

function escape(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Longest message or hint kept whole; a longer one quotes a huge key or value and is cut in the middle. */
export const MAX_MESSAGE_LENGTH = 500;

/** oneLine, and cut to MAX_MESSAGE_LENGTH characters around an ellipsis that says how much was left out. */
export function messageText(text: string): string {
  return cutMiddle(oneLine(text), MAX_MESSAGE_LENGTH);
}
