// `show rib ...`: the Loc-RIBs' looking glass on the control socket, as text an operator reads or as one JSON
// document. The answers come from rib/rib-query.ts (typed data) and, for a route server's paths, the notes and
// export view of daemon/show-rs.ts; only the layout is here.

import type { ApiCommand } from '../api/commands';
import type { LocRib } from '../rib/loc-rib';
import {
  type PathInfo,
  type PathNotes,
  parseRouteFilter,
  queryLongest,
  queryPrefix,
  queryRoutes,
  querySummary,
} from '../rib/rib-query';
import type { RouteReflector } from '../roles/route-reflector/reflector';
import type { RouteServer } from '../roles/route-server/server';
import { exportText, queryExport, serverNotes } from './show-rs';

type ShowRib = Extract<ApiCommand, { kind: 'show-rib' }>;

/** Routes a scan lists at most. */
const SCAN_LIMIT = 1000;

/** One Loc-RIB the looking glass reads: the role keeping it and what that role knows besides. */
export interface RibTable {
  table: 'route-reflector' | 'route-server';
  rib: LocRib;
  /** A route server's: each path's RPKI state and the routes its import filters refused. */
  notes?: PathNotes;
}

/**
 * The Loc-RIBs of the roles configured, the route reflector's first (the one `show rib` read alone before a
 * route server had one: its JSON stays on top), then the route server's. `rpki`: an `rpki` section is
 * configured, so a route server's paths show their RFC 6811 state.
 */
export function ribTables(rr: RouteReflector | null, rs: RouteServer | null, rpki: boolean): RibTable[] {
  const out: RibTable[] = [];
  if (rr) out.push({ table: 'route-reflector', rib: rr.rib });
  if (rs) out.push({ table: 'route-server', rib: rs.rib, notes: serverNotes(rs, rpki) });
  return out;
}

const TABLE_TEXT = { 'route-reflector': 'route reflector', 'route-server': 'route server' } as const;

/** A path on one line; `tail` ends it (default: best, why it lost, or why it was refused). */
function pathText(p: PathInfo, tail?: string): string {
  const parts = [`from ${p.from}`];
  if (p.pathId !== 0) parts.push(`path-information ${p.pathId}`);
  if (p.nextHop !== '') parts.push(`next-hop ${p.nextHop}`);
  parts.push(`origin ${p.origin}`, `as-path [ ${p.asPath} ]`);
  if (p.localPref !== undefined) parts.push(`local-preference ${p.localPref}`);
  if (p.med !== undefined) parts.push(`med ${p.med}`);
  if (p.communities.length > 0) parts.push(`community [ ${p.communities.join(' ')} ]`);
  if (p.largeCommunities.length > 0) parts.push(`large-community [ ${p.largeCommunities.join(' ')} ]`);
  if (p.originatorId !== undefined) parts.push(`originator-id ${p.originatorId}`);
  if (p.clusterList.length > 0) parts.push(`cluster-list [ ${p.clusterList.join(' ')} ]`);
  if (p.rpki !== undefined) parts.push(`rpki ${p.rpki}`);
  const end =
    tail ??
    (p.reason !== undefined
      ? `filtered: ${p.reason} (${p.reasonText})`
      : p.best
        ? 'best'
        : `(beaten on ${p.beatenOn})`);
  if (end !== '') parts.push(end);
  return parts.join(' ');
}

function prefixText(a: { prefix: string; family: string; paths: PathInfo[] }): string[] {
  const n = a.paths.length;
  const refused = a.paths.filter((p) => p.reason !== undefined).length;
  return [
    `${a.prefix} ${a.family}, ${n} path${n === 1 ? '' : 's'}${refused > 0 ? ` (${refused} filtered)` : ''}`,
    ...a.paths.map((p) => `  ${p.best ? '*' : p.reason !== undefined ? 'x' : ' '} ${pathText(p)}`),
  ];
}

/** One table's answer: its JSON value and its text. */
interface TableAnswer {
  json: Record<string, unknown>;
  text: string[];
}

function answerOf(t: RibTable, rr: RouteReflector | null, c: ShowRib): TableAnswer | Error {
  const rib = t.rib;
  switch (c.query) {
    case 'summary': {
      const s = querySummary(rib);
      return {
        json: { families: s, paths: rib.pathCount },
        text: [...s.map((x) => `${x.family}: ${x.prefixes} prefixes`), `${rib.pathCount} paths`],
      };
    }
    case 'neighbors': {
      const cs = rr!.counters();
      return {
        json: { neighbors: cs },
        text: cs.map(
          (x) =>
            `neighbor ${x.peer} ${x.role} received ${x.received} accepted ${x.accepted} loops ${x.loops} exported ${x.exported} originated ${x.originated}`,
        ),
      };
    }
    case 'prefix':
    case 'longest': {
      const a = c.query === 'prefix' ? queryPrefix(rib, c.value!, t.notes) : queryLongest(rib, c.value!, t.notes);
      if (a instanceof Error) return a;
      if (a === undefined) return { json: { prefix: c.value, paths: [] }, text: [`${c.value}: not in the Loc-RIB`] };
      return { json: { ...a }, text: prefixText(a) };
    }
    default: {
      const f = parseRouteFilter(c.query, c.value);
      if (f instanceof Error) return f;
      const r = queryRoutes(rib, f, SCAN_LIMIT, t.notes);
      return {
        json: { ...r },
        text: [
          ...r.routes.map((a) => `${a.prefix} ${pathText(a.paths[0]!)}`),
          ...(r.more ? [`(more than ${SCAN_LIMIT} routes: the list stops here)`] : []),
        ],
      };
    }
  }
}

/**
 * The answer lines, or an Error whose message is the `error` ack's reason. Every Loc-RIB configured answers: a
 * daemon that is both route reflector and route server gives both, each under its name (in JSON the route
 * server's answer is the member `route-server` of the reflector's). `show rib neighbors` gives the reflector's
 * counters (the route server has `show route-server`); `client IP` asks for a route server's export to a client.
 */
export function showRib(rr: RouteReflector | null, rs: RouteServer | null, c: ShowRib, rpki = false): string[] | Error {
  if (rr === null && rs === null)
    return new Error('show rib: no Loc-RIB (no neighbor is a route-reflector-client or a route-server-client)');
  if (c.query === 'neighbors' && rr === null)
    return new Error('show rib neighbors: no route reflection here (see show route-server)');
  const tables = ribTables(rr, c.query === 'neighbors' ? null : rs, rpki);
  if (c.client !== undefined) {
    if (rs === null)
      return new Error('show rib ... client: no route server here (no neighbor is a route-server-client)');
    const match = c.query === 'longest' ? 'longest' : 'exact';
    const a = queryExport(rs, tables[tables.length - 1]!.notes!, c.value!, match, c.client);
    if (a instanceof Error) return a;
    if (a === undefined) {
      const none = { client: c.client, prefix: c.value, sent: null, paths: [] };
      return c.json
        ? [JSON.stringify(none)]
        : [`${c.value}: not in the route server's Loc-RIB: nothing sent to ${c.client}`];
    }
    return c.json ? [JSON.stringify(a)] : exportText(a, pathText);
  }
  const answers: TableAnswer[] = [];
  for (const t of tables) {
    const a = answerOf(t, rr, c);
    if (a instanceof Error) return a;
    answers.push(a);
  }
  const both = answers.length > 1;
  if (c.json) {
    const [first, second] = answers;
    const tag = (t: RibTable, a: TableAnswer) =>
      c.query === 'neighbors' ? a.json.neighbors : { ...a.json, table: t.table };
    const top = tag(tables[0]!, first!);
    if (both) (top as Record<string, unknown>)['route-server'] = tag(tables[1]!, second!);
    return [JSON.stringify(top)];
  }
  if (!both) return answers[0]!.text;
  return tables.flatMap((t, i) => [`${TABLE_TEXT[t.table]} Loc-RIB:`, ...answers[i]!.text.map((l) => `  ${l}`)]);
}
