// The Loc-RIBs' side of the HTTP API, where a role keeps one (a route reflector, a route server, or both): best
// paths with each alternative's losing step (rib/rib-query.ts, the same answers as `show rib`), a route server's
// paths with their RPKI state and its refused routes with their reason, its export to one client, scans by
// origin AS, AS in the path and community, and the routes a route server's import filters refused
// (daemon/show-rs.ts, as `show rib filtered`).

import type { Daemon } from '../daemon/daemon';
import { type RibTable, ribTables } from '../daemon/show-rib';
import { clientRoutes, queryExport } from '../daemon/show-rs';
import { REASON_TEXT } from '../policy/import';
import {
  type PathInfo,
  type PrefixAnswer,
  parseRouteFilter,
  queryLongest,
  queryPrefix,
  queryRoutes,
  querySummary,
  type RpkiState,
} from '../rib/rib-query';
import { ORIGIN_NONE, STATE_NAMES } from '../rpki/vrp-table';
import { parsePrefixQuery } from './lookup';

/**
 * The Loc-RIBs in use, the route server's first (the one these endpoints answered from alone before the two
 * roles could be asked together), or an empty list when neither role is configured.
 */
export function locRibs(d: Daemon): RibTable[] {
  return ribTables(d.reflector, d.routeServer, d.rpki.enabled).reverse();
}

export function ribSummary(d: Daemon, tables: RibTable[]): unknown {
  const first = tables[0]!;
  return {
    role: first.table,
    families: querySummary(first.rib),
    paths: first.rib.pathCount,
    rpki: d.rpki.enabled,
    tables: tables.map((t) => ({ role: t.table, families: querySummary(t.rib), paths: t.rib.pathCount })),
    // Whose export view can be asked for (`/api/v1/rib/lookup?client=`).
    clients: (d.routeServer?.list() ?? []).map((c) => c.neighbor.cfg.peerAddress),
  };
}

/** A path with its RFC 6811 state when RPKI is configured. */
type PathView = Omit<PathInfo, 'rpki'> & { rpki: RpkiState | null };

/** The answer with every path's RPKI state: a route server's verdict where it gave one, else validated now. */
function withRpki(
  d: Daemon,
  t: RibTable,
  a: PrefixAnswer,
): Omit<PrefixAnswer, 'paths'> & { table: string; paths: PathView[] } {
  const q = parsePrefixQuery(a.prefix);
  const paths = a.paths.map((p): PathView => {
    if (p.rpki !== undefined) return { ...p, rpki: p.rpki };
    if (!d.rpki.enabled || !q) return { ...p, rpki: null };
    const words = p.asPath
      .replace(/[{}()]/g, ' ')
      .trim()
      .split(/\s+/);
    const origin = /[{}()]\s*$/.test(p.asPath) || p.asPath === '' ? ORIGIN_NONE : Number(words[words.length - 1]);
    const entry = Uint8Array.of(q.len, ...q.addr.subarray(0, (q.len + 7) >> 3));
    return { ...p, rpki: STATE_NAMES[d.rpki.validate(q.addr.length === 16, entry, 1, q.len, origin)] };
  });
  return { ...a, table: t.table, paths };
}

/**
 * Best path and alternatives of a prefix (exact) or an address (longest match) in each Loc-RIB, each answer
 * naming its table; with `client`, what the route server sends that client instead. Error for bad text.
 */
export function ribLookup(
  d: Daemon,
  tables: RibTable[],
  text: string,
  match: 'exact' | 'longest',
  client?: string,
): unknown | Error {
  if (client !== undefined) {
    const rs = tables.find((t) => t.table === 'route-server');
    if (!d.routeServer || !rs) return new Error('client: no route server here (no neighbor is a route-server-client)');
    const a = queryExport(d.routeServer, rs.notes!, text, match, client);
    if (a instanceof Error) return a;
    return { query: text, match, client, routes: a === undefined ? [] : [{ ...a, table: rs.table }] };
  }
  const routes = [];
  for (const t of tables) {
    const a = match === 'exact' ? queryPrefix(t.rib, text, t.notes) : queryLongest(t.rib, text, t.notes);
    if (a instanceof Error) return a;
    if (a !== undefined) routes.push(withRpki(d, t, a));
  }
  return { query: text, match, routes };
}

/**
 * Destinations whose best path matches `kind` (origin-as, as-path, community) = value, in each Loc-RIB, at most
 * `limit` in all; Error for bad values.
 */
export function ribRoutes(d: Daemon, tables: RibTable[], kind: string, value: string, limit: number): unknown | Error {
  const f = parseRouteFilter(kind, value);
  if (f instanceof Error) return f;
  const routes = [];
  let more = false;
  for (const t of tables) {
    const r = queryRoutes(t.rib, f, limit - routes.length, t.notes);
    routes.push(...r.routes.map((a) => withRpki(d, t, a)));
    more ||= r.more;
  }
  return { routes, more };
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
