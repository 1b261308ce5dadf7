/**
 * Plain ANSI styling (no dependency) and terminal-safe text. The caller
 * decides whether colour is on (TTY, NO_COLOR, FORCE_COLOR); with colour off
 * every style is the identity, so output contains no escape at all.
 */
import type { Severity } from "./types.js";

export interface Paint {
  red(s: string): string;
  yellow(s: string): string;
  gray(s: string): string;
  bold(s: string): string;
  underline(s: string): string;
  severity(sev: Severity, s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => (s === "" ? s : `\x1b[${open}m${s}\x1b[${close}m`);

const ON: Paint = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  gray: wrap(90, 39),
  bold: wrap(1, 22),
  underline: wrap(4, 24),
  severity: (sev, s) => (sev === "error" ? ON.red(s) : ON.yellow(s)),
};

const identity = (s: string) => s;
const OFF: Paint = {
  red: identity,
  yellow: identity,
  gray: identity,
  bold: identity,
  underline: identity,
  severity: (_sev, s) => s,
};

export function paint(color: boolean): Paint {
  return color ? ON : OFF;
}

/**
 * Replace control characters (C0 except tab and newline, DEL, C1) by their
 * visible Unicode "control pictures", so a hostile config file or message
 * cannot move the cursor or inject escape sequences into the terminal.
 */
export function visibleControls(s: string, opts: { keepNewline?: boolean } = {}): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === "\n" && opts.keepNewline) return c;
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return "\ufffd";
  });
}
