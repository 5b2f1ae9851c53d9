// The route server's looking glass: `show rib filtered [IP]` (each refused route with its reason and RPKI state),
// `show rib accepted [IP]` (accepted routes with their RPKI state), `show route-server` (per client: received,
// accepted, filtered, exported) and `show rpki` (the cache in use, serial, VRPs). Text for people, `json` for
// programs: one JSON document on one line.
import { REASON_TEXT } from '../policy/import';
import type { Client, ClientRoute } from '../roles/route-server/server';
import { STATE_NAMES } from '../rpki/vrp-table';
import { ipToString } from '../wire/ip';
import { prefixToString } from '../wire/nlri/prefix';
import { familyName } from '../wire/nlri/registry';
import { AFI, afiOf, type FamilyKey } from '../wire/types';
import type { Daemon } from './daemon';

export interface Row {
  neighbor: string;
  family: string;
  prefix: string;
  'path-information'?: number;
  'next-hop': string;
  'as-path': number[];
  rpki: string;
  reason?: string;
}

function rowOf(c: Client, f: FamilyKey, k: string, r: ClientRoute): Row {
  const v6 = afiOf(f) === AFI.IPV6;
  const len = k.charCodeAt(4);
  const addr = new Uint8Array(v6 ? 16 : 4);
  for (let i = 5; i < k.length; i++) addr[i - 5] = k.charCodeAt(i);
  const pathId = ((k.charCodeAt(0) << 24) | (k.charCodeAt(1) << 16) | (k.charCodeAt(2) << 8) | k.charCodeAt(3)) >>> 0;
  const a = r.set.attributes;
  const nh = v6 ? r.set.nextHop : a.nextHop;
  const row: Row = {
    neighbor: c.neighbor.cfg.peerAddress,
    family: familyName(f),
    prefix: prefixToString({ family: f, addr, len }),
    'next-hop': nh ? ipToString(nh) : '',
    'as-path': (a.asPath ?? []).flatMap((s) => s.asns),
    rpki: STATE_NAMES[r.rpki],
  };
  if (pathId !== 0) row['path-information'] = pathId;
  if (r.reason !== undefined) row.reason = r.reason;
  return row;
}

/** The routes route server clients sent that the import filters refused (`filtered`) or accepted, as rows. */
export function clientRoutes(d: Daemon, filtered: boolean, ip?: string): Row[] {
  const rs = d.routeServer;
  const rows: Row[] = [];
  for (const c of rs?.list() ?? []) {
    if (ip !== undefined && c.neighbor.cfg.peerAddress !== ip) continue;
    for (const [f, m] of c.routes)
      for (const [k, r] of m) if ((r.reason !== undefined) === filtered) rows.push(rowOf(c, f, k, r));
  }
  return rows;
}

/** `show rib filtered|accepted [IP] [json]`. */
export function showClientRoutes(d: Daemon, filtered: boolean, ip: string | undefined, json: boolean): string[] {
  const rows = clientRoutes(d, filtered, ip);
  if (json) return [JSON.stringify(rows)];
  return rows.map(
    (r) =>
      `neighbor ${r.neighbor} ${r.family} ${r.prefix}${r['path-information'] ? ` path-information ${r['path-information']}` : ''}` +
      ` next-hop ${r['next-hop']} as-path [ ${r['as-path'].join(' ')} ] rpki ${r.rpki}` +
      (r.reason ? ` reason ${r.reason} (${REASON_TEXT[r.reason as keyof typeof REASON_TEXT]})` : ''),
  );
}

/** `show route-server [json]`: the counters per client. */
export function showRouteServer(d: Daemon, json: boolean): string[] {
  const rs = d.routeServer;
  const rows = (rs?.list() ?? []).map((c) => ({
    neighbor: c.neighbor.cfg.peerAddress,
    'peer-as': c.peerAs,
    received: c.received,
    accepted: c.accepted,
    filtered: c.filtered,
    exported: c.neighbor.ribOut.size,
  }));
  if (json) return [JSON.stringify(rows)];
  return rows.map(
    (r) =>
      `neighbor ${r.neighbor} peer-as ${r['peer-as']} received ${r.received} accepted ${r.accepted} ` +
      `filtered ${r.filtered} exported ${r.exported}`,
  );
}

/** `show rpki [json]`: the RTR session and the VRPs held. */
export function showRpki(d: Daemon, json: boolean): string[] {
  const s = d.rpki.status();
  if (json) return [JSON.stringify(s ?? null)];
  if (!s) return ['rpki: not configured'];
  return [
    `rpki cache ${s.cache ?? 'none answering'} version ${s.version ?? '-'} session ${s.session ?? '-'} serial ${s.serial ?? '-'}`,
    `rpki vrps ${s.vrps} age ${s.age === undefined ? '-' : `${Math.round(s.age / 1000)}s`} refresh ${s.timers.refresh}s retry ${s.timers.retry}s expire ${s.timers.expire}s`,
  ];
}
