// The Loc-RIB's side of the HTTP API, where one exists (a route reflector or a route server is configured): best
// paths with each alternative's losing step (rib/rib-query.ts, the same answers as `show rib`), scans by origin
// AS, AS in the path and community, and the routes a route server's import filters refused, each with its
// reason and RPKI state (daemon/show-rs.ts, as `show rib filtered`).

import type { Daemon } from '../daemon/daemon';
import { clientRoutes } from '../daemon/show-rs';
import { REASON_TEXT } from '../policy/import';
import type { LocRib } from '../rib/loc-rib';
import {
  type PathInfo,
  type PrefixAnswer,
  parseRouteFilter,
  queryLongest,
  queryPrefix,
  queryRoutes,
  querySummary,
} from '../rib/rib-query';
import { ORIGIN_NONE, STATE_NAMES } from '../rpki/vrp-table';
import { parsePrefixQuery } from './lookup';

/** The Loc-RIB in use and the role that keeps it, or null when neither role is configured. */
export function locRib(d: Daemon): { role: 'route-server' | 'route-reflector'; rib: LocRib } | null {
  if (d.routeServer) return { role: 'route-server', rib: d.routeServer.rib };
  if (d.reflector) return { role: 'route-reflector', rib: d.reflector.rib };
  return null;
}

export function ribSummary(d: Daemon, rib: { role: string; rib: LocRib }): unknown {
  return { role: rib.role, families: querySummary(rib.rib), paths: rib.rib.pathCount, rpki: d.rpki.enabled };
}

/** A path with its RFC 6811 state when RPKI is configured. */
type PathView = PathInfo & { rpki: 'valid' | 'invalid' | 'not-found' | null };

function withRpki(d: Daemon, a: PrefixAnswer): PrefixAnswer & { paths: PathView[] } {
  const q = parsePrefixQuery(a.prefix);
  const paths = a.paths.map((p): PathView => {
    if (!d.rpki.enabled || !q) return { ...p, rpki: null };
    const words = p.asPath
      .replace(/[{}()]/g, ' ')
      .trim()
      .split(/\s+/);
    const origin = /[{}()]\s*$/.test(p.asPath) || p.asPath === '' ? ORIGIN_NONE : Number(words[words.length - 1]);
    const entry = Uint8Array.of(q.len, ...q.addr.subarray(0, (q.len + 7) >> 3));
    return { ...p, rpki: STATE_NAMES[d.rpki.validate(q.addr.length === 16, entry, 1, q.len, origin)] };
  });
  return { ...a, paths };
}

/** Best path and alternatives of a prefix (exact) or an address (longest match); Error for bad text. */
export function ribLookup(d: Daemon, rib: LocRib, text: string, match: 'exact' | 'longest'): unknown | Error {
  const a = match === 'exact' ? queryPrefix(rib, text) : queryLongest(rib, text);
  if (a instanceof Error) return a;
  return { query: text, match, routes: a === undefined ? [] : [withRpki(d, a)] };
}

/** Destinations whose best path matches `kind` (origin-as, as-path, community) = value; Error for bad values. */
export function ribRoutes(d: Daemon, rib: LocRib, kind: string, value: string, limit: number): unknown | Error {
  const f = parseRouteFilter(kind, value);
  if (f instanceof Error) return f;
  const r = queryRoutes(rib, f, limit);
  return { routes: r.routes.map((a) => withRpki(d, a)), more: r.more };
}

/** The routes a route server refused, with the reason in words beside its code. */
export function filteredRoutes(d: Daemon, ip: string | undefined, offset: number, limit: number): unknown {
  const rows = clientRoutes(d, true, ip);
  return {
    total: rows.length,
    offset,
    limit,
    routes: rows.slice(offset, offset + limit).map((r) => ({
      ...r,
      reasonText: REASON_TEXT[r.reason as keyof typeof REASON_TEXT] ?? r.reason,
    })),
  };
}
