/**
 * A file name as one word of a POSIX shell command line, for commands fqc suggests (`run: fqc normalize --write …`):
 * a name with a space, quote or `$` pasted bare ran something else, or nothing.
 */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_./@%+=:,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

