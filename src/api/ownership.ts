// Who may have put a file where the daemon or `tsbgp cli` finds it. A named pipe or a control socket is a way to
// give the daemon orders: one that another local user made or can write to lets that user give them. So, as
// OpenSSH's StrictModes does for its files, a pipe, a socket and the folders above them are trusted only when
// owned by root or by an expected user and not writable by group or others (a folder writable by others is
// tolerated above the last one when its sticky bit is set: /tmp's entries cannot be replaced by other users).

import * as fs from 'node:fs';
import * as path from 'node:path';

/** The effective user of this process (0 where the platform has none). */
export const myUid = (): number => (typeof process.geteuid === 'function' ? process.geteuid() : 0);

/** A user's name from /etc/passwd, else "uid N". */
export function userName(uid: number): string {
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid && f[0] !== '') return `${f[0]} (uid ${uid})`;
    }
  } catch {
    // no passwd file: the number will do
  }
  return `uid ${uid}`;
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;

/** Why a file or folder with these stats cannot be trusted, or null. `owners`: accepted owners besides root. */
export function refusal(st: fs.Stats, what: string, owners: readonly number[], allowSticky = false): string | null {
  if (st.uid !== 0 && !owners.includes(st.uid)) {
    const names = ['root', ...owners.filter((u) => u !== 0).map(userName)].join(' or ');
    return `${what} is owned by ${userName(st.uid)}, not by ${names}`;
  }
  const sticky = allowSticky && st.isDirectory() && (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !sticky)
    return `${what} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${octal(st.mode)})`;
  return null;
}

/**
 * Why `dir` or a folder above it cannot be trusted, or null. `sticky`: which folders may be writable by all when
 * their sticky bit is set (nobody can then replace what another user put there): 'above' `dir` (the default),
 * 'all' (for a file whose own owner is checked), or 'none'.
 */
export function folderRefusal(
  dir: string,
  owners: readonly number[],
  sticky: 'above' | 'all' | 'none' = 'above',
): string | null {
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch (e) {
    return `${dir}: ${(e as Error).message}`;
  }
  for (let d = real, first = true; ; first = false) {
    const why = refusal(fs.statSync(d), `folder ${d}`, owners, sticky === 'all' || (sticky === 'above' && !first));
    if (why) return why;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}
