/**
 * Whether a path exists, in the two senses callers need: something reached
 * through it (links followed), or an entry by that name (a dangling symbolic
 * link counts). Any error reading it (missing, a loop of links, no permission)
 * counts as absent.
 */
import { lstatSync, statSync } from "node:fs";

/** A file, directory or other object is reached through `path`, symbolic links followed: false for a dangling link. */
export function pathLeadsSomewhere(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** An entry named `path` exists, itself: true for a symbolic link whatever it leads to. */
export function entryExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
