/**
 * File names as one word of a POSIX shell line, for the commands fqc suggests (`run: fqc normalize --write …`): bare
 * when no character is special to the shell, else in single quotes; a name starting with "-" gets "./" so it is not
 * read as an option. Each word is checked by the shell itself where one is at hand.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { shellWord } from "../../src/cli/shell-word.js";

const NAMES = ["a.fqc.json", "sub/b.fqc.yaml", "A_Z-0.9@x%y+z=w:v,u.json", "sub dir/a.json", "it's.json", "$HOME.json", "a*.json", "a;b", "é.json", "-x.json", "-x y.json", "", "a\nb", "'"];

describe("shellWord", () => {
  it("leaves a name of only the characters no shell treats specially bare", () => {
    expect(shellWord("a.fqc.json")).toBe("a.fqc.json");
    expect(shellWord("sub/b.fqc.yaml")).toBe("sub/b.fqc.yaml");
    expect(shellWord("A_Z-0.9@x%y+z=w:v,u.json")).toBe("A_Z-0.9@x%y+z=w:v,u.json");
  });

  it("quotes any other name whole, a single quote in it closed, escaped and reopened", () => {
    expect(shellWord("sub dir/a.json")).toBe("'sub dir/a.json'");
    expect(shellWord("it's $HOME.json")).toBe("'it'\\''s $HOME.json'");
    expect(shellWord("a*.json")).toBe("'a*.json'");
    expect(shellWord("é.json")).toBe("'é.json'");
    expect(shellWord("''")).toBe("''\\'''\\'''");
    expect(shellWord("")).toBe("''");
  });

  it("puts ./ before a name starting with -, inside the quotes when it needs them", () => {
    expect(shellWord("-x.json")).toBe("./-x.json");
    expect(shellWord("-x y.json")).toBe("'./-x y.json'");
    expect(shellWord("a-b.json")).toBe("a-b.json");
  });

  it.runIf(existsSync("/bin/sh"))("gives a word the shell reads back as the name (with ./ before a leading -)", () => {
    for (const name of NAMES) {
      const echoed = execFileSync("/bin/sh", ["-c", `printf '%s' ${shellWord(name)}`], { encoding: "utf8" });
      expect(echoed, JSON.stringify(name)).toBe(name.startsWith("-") ? `./${name}` : name);
    }
  });
});
