// Action communities a route server client sets on its routes to steer their export (the scheme most IXes
// publish, in RFC 1997 and RFC 8092 forms; RS = the route server's AS, X = a client's AS):
//
//   0:X        RS:0:X     do not announce to X
//   0:RS                  do not announce to anyone (except to the X named by RS:X / RS:1:X)
//   RS:X       RS:1:X     announce only to X (several allowed)
//   65501:X    RS:101:X   prepend the announcing client's AS once towards X
//   65502:X    RS:102:X   twice
//   65503:X    RS:103:X   three times
//
// RFC 1997 forms only exist for 16-bit AS numbers. NO_EXPORT and NO_ADVERTISE (RFC 1997) keep a route from
// every client: they leave the route server's AS otherwise.
import type { Attributes } from '../wire/types';

export const NO_EXPORT = 0xffffff01;
export const NO_ADVERTISE = 0xffffff02;

export interface ExportAction {
  send: boolean;
  /** Times the announcing client's AS is prepended towards this client. */
  prepend: number;
}

const DROP: ExportAction = { send: false, prepend: 0 };
const PLAIN: ExportAction = { send: true, prepend: 0 };

/** True when the attributes hold any community the action scheme reads (the common case is none: fast path). */
export function hasActions(a: Attributes, rsAs: number): boolean {
  if (
    a.communities?.some(
      (c) =>
        c === NO_EXPORT ||
        c === NO_ADVERTISE ||
        c >>> 16 === 0 ||
        c >>> 16 === rsAs ||
        (c >>> 16 >= 65501 && c >>> 16 <= 65503),
    )
  )
    return true;
  return a.largeCommunities?.some((l) => l[0] === rsAs) ?? false;
}

/** What the route's action communities say for export to the client of AS `to`. */
export function exportAction(a: Attributes, rsAs: number, to: number): ExportAction {
  if (!hasActions(a, rsAs)) return PLAIN;
  let only = false;
  let allowed = false;
  let denyAll = false;
  let prepend = 0;
  for (const c of a.communities ?? []) {
    if (c === NO_EXPORT || c === NO_ADVERTISE) return DROP;
    const hi = c >>> 16;
    const lo = c & 0xffff;
    if (hi === 0) {
      if (lo === to) return DROP;
      if (lo === rsAs) denyAll = true;
    } else if (hi === rsAs) {
      only = true;
      if (lo === to) allowed = true;
    } else if (hi >= 65501 && hi <= 65503 && lo === to) prepend = Math.max(prepend, hi - 65500);
  }
  for (const [g, f, x] of a.largeCommunities ?? []) {
    if (g !== rsAs || x !== to) {
      if (g === rsAs && f === 1) only = true;
      continue;
    }
    if (f === 0) return DROP;
    if (f === 1) {
      only = true;
      allowed = true;
    } else if (f >= 101 && f <= 103) prepend = Math.max(prepend, f - 100);
  }
  if ((only || denyAll) && !allowed) return DROP;
  return prepend === 0 ? PLAIN : { send: true, prepend };
}
