// `show rib ...`: the Loc-RIB's looking glass on the control socket, as text an operator reads or as one JSON
// document. The answers come from rib/rib-query.ts (typed data); only the layout is here.

import type { ApiCommand } from '../api/commands';
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
import type { RouteReflector } from '../roles/route-reflector/reflector';

type ShowRib = Extract<ApiCommand, { kind: 'show-rib' }>;

/** Routes a scan lists at most. */
const SCAN_LIMIT = 1000;

function pathText(p: PathInfo): string {
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
  parts.push(p.best ? 'best' : `(beaten on ${p.beatenOn})`);
  return parts.join(' ');
}

function prefixText(a: PrefixAnswer): string[] {
  const n = a.paths.length;
  return [
    `${a.prefix} ${a.family}, ${n} path${n === 1 ? '' : 's'}`,
    ...a.paths.map((p) => `  ${p.best ? '*' : ' '} ${pathText(p)}`),
  ];
}

/**
 * The answer lines, or an Error whose message is the `error` ack's reason. The Loc-RIB read is the route
 * reflector's, else the route server's; `show rib neighbors` gives the reflector's counters (the route
 * server has `show route-server`).
 */
export function showRib(rr: RouteReflector | null, rs: { rib: LocRib } | null, c: ShowRib): string[] | Error {
  const rib = rr?.rib ?? rs?.rib;
  if (rib === undefined)
    return new Error('show rib: no Loc-RIB (no neighbor is a route-reflector-client or a route-server-client)');
  const out = (json: unknown, text: () => string[]): string[] => (c.json ? [JSON.stringify(json)] : text());
  switch (c.query) {
    case 'summary': {
      const s = querySummary(rib);
      return out({ families: s, paths: rib.pathCount }, () => [
        ...s.map((x) => `${x.family}: ${x.prefixes} prefixes`),
        `${rib.pathCount} paths`,
      ]);
    }
    case 'neighbors': {
      if (rr === null) return new Error('show rib neighbors: no route reflection here (see show route-server)');
      const cs = rr.counters();
      return out(cs, () =>
        cs.map(
          (x) =>
            `neighbor ${x.peer} ${x.role} received ${x.received} accepted ${x.accepted} loops ${x.loops} exported ${x.exported}`,
        ),
      );
    }
    case 'prefix':
    case 'longest': {
      const a = c.query === 'prefix' ? queryPrefix(rib, c.value!) : queryLongest(rib, c.value!);
      if (a instanceof Error) return a;
      if (a === undefined) return out({ prefix: c.value, paths: [] }, () => [`${c.value}: not in the Loc-RIB`]);
      return out(a, () => prefixText(a));
    }
    default: {
      const f = parseRouteFilter(c.query, c.value);
      if (f instanceof Error) return f;
      const r = queryRoutes(rib, f, SCAN_LIMIT);
      return out(r, () => [
        ...r.routes.map((a) => `${a.prefix} ${pathText(a.paths[0]!)}`),
        ...(r.more ? [`(more than ${SCAN_LIMIT} routes: the list stops here)`] : []),
      ]);
    }
  }
}
