/**
 * Config text that is not UTF-8. fqc reads files as UTF-8, so a UTF-16 or
 * UTF-32 file arrives full of NUL characters (and a byte-order mark decoded
 * as two U+FFFD). NUL is never valid in JSON or YAML text, so any NUL means
 * the file is in another encoding; the layout of the first NULs names it.
 */

export type ForeignEncoding = "UTF-16LE" | "UTF-16BE" | "UTF-32LE" | "UTF-32BE";

export interface EncodingProblem {
  /** The encoding recognised, or undefined when the NULs follow no known pattern. */
  encoding?: ForeignEncoding;
  /** Whether the text began with a byte-order mark of that encoding. */
  bom: boolean;
  /** UTF-16 offset of the first NUL character. */
  offset: number;
}

/** What a UTF-8 decoder leaves of the bytes FF FE or FE FF (each invalid byte becomes U+FFFD). */
const DECODED_BOM = "\uFFFD\uFFFD";

export function findEncodingProblem(text: string): EncodingProblem | undefined {
  const offset = text.indexOf("\u0000");
  if (offset < 0) return undefined;
  // UTF-32BE's mark is 00 00 FE FF: two NULs before the decoded mark.
  if (text.startsWith(`\u0000\u0000${DECODED_BOM}`)) return { encoding: "UTF-32BE", bom: true, offset };
  // Four NULs in a row are no UTF-16 or UTF-32 text (at most three between two characters): a binary file, such as a
  // safetensors checkpoint, whose 8-byte little-endian header length would otherwise read as UTF-32LE.
  if (text.slice(0, 64).includes("\u0000\u0000\u0000\u0000")) return { encoding: undefined, bom: false, offset };
  const bom = text.startsWith(DECODED_BOM);
  const body = bom ? text.slice(2, 10) : text.slice(0, 8);
  const nul = (i: number) => body.charCodeAt(i) === 0;
  let encoding: ForeignEncoding | undefined;
  // After the mark, UTF-32LE's FF FE 00 00 leaves two more NULs: "\0\0{\0\0\0".
  if (bom && nul(0) && nul(1) && !nul(2) && nul(3) && nul(4) && nul(5)) encoding = "UTF-32LE";
  else if (!nul(0) && nul(1) && nul(2) && nul(3)) encoding = "UTF-32LE";
  else if (nul(0) && nul(1) && nul(2) && !nul(3)) encoding = "UTF-32BE";
  else if (!nul(0) && nul(1)) encoding = "UTF-16LE";
  else if (nul(0) && !nul(1)) encoding = "UTF-16BE";
  return { encoding, bom, offset };
}

/** One line saying what was found, and a hint with the command that converts the file. */
export function describeEncodingProblem(p: EncodingProblem): { message: string; hint: string } {
  if (!p.encoding) {
    return {
      message: "not UTF-8 text: the file contains NUL bytes (a binary file, or text in an encoding fqc does not read)",
      hint: "Config files must be UTF-8 JSON or YAML; re-save the file as UTF-8.",
    };
  }
  return {
    message: `not UTF-8: the file is ${p.encoding}${p.bom ? " (it starts with a byte-order mark)" : ""}; config files must be UTF-8`,
    // With a byte-order mark, iconv's plain UTF-16/UTF-32 reads the byte order from it (and drops it).
    hint: `Convert it: iconv -f ${p.bom ? p.encoding.slice(0, -2) : p.encoding} -t UTF-8 FILE > FILE.utf8, or re-save it as UTF-8 in the editor.`,
  };
}
