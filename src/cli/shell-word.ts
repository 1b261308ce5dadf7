/**
 * A file name as one word of a POSIX shell command line, for commands fqc suggests (`run: fqc normalize --write …`):
 * a name with a space, quote or `$` pasted bare ran something else, or nothing, and one starting with `-` (a glob's match
 * `-x.fqc.json`) would be read as an option, so it gets `./`.
 */
export function shellWord(name: string): string {
  const s = name.startsWith("-") ? `./${name}` : name;
  if (/^[A-Za-z0-9_./@%+=:,-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

