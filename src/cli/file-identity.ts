/** Which file a path names, so that one file given under several names (./a and a, a link, a FIFO twice) is read once. */
import { statSync } from "node:fs";
import { resolve } from "node:path";

/** Device and inode when the file exists, else its resolved path. */
export function fileIdentity(f: string): string {
  try {
    const st = statSync(f, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return resolve(f);
  }
}
