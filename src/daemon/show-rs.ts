// The route server's looking glass: `show rib filtered [IP]` (each refused route with its reason and RPKI state),
// `show rib accepted [IP]` (accepted routes with their RPKI state), `show route-server` (per client: received,
// accepted, filtered, exported) and `show rpki` (the cache in use, serial, VRPs). Text for people, `json` for
// programs: one JSON document on one line.
import { REASON_TEXT } from '../policy/import';
import { whyBetter } from '../rib/decision';
import type { RibPath } from '../rib/loc-rib';
import { destinationText, locate, type PathInfo, type PathNotes, pathInfo, type RpkiState } from '../rib/rib-query';
import type { StoredRoute } from '../roles/route-server/client-routes';
import type { Client, RouteServer, SentRoute } from '../roles/route-server/server';
import { STATE_NAMES } from '../rpki/vrp-table';
import { ipToString } from '../wire/ip';
import { prefixToString } from '../wire/nlri/prefix';
import { familyName } from '../wire/nlri/registry';
import { AFI, afiOf } from '../wire/types';
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

function rowOf(c: Client, r: StoredRoute): Row {
  const f = r.family;
  const v6 = afiOf(f) === AFI.IPV6;
  const len = r.entry[0]!;
  const addr = new Uint8Array(v6 ? 16 : 4);
  addr.set(r.entry.subarray(1));
  const pathId = r.pathId;
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
    for (const r of c.routes.all()) if ((r.reason !== undefined) === filtered) rows.push(rowOf(c, r));
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

/**
 * What the route server knows of a destination besides its Loc-RIB, for `show rib` and the HTTP looking glass:
 * each path's RPKI state as judged on import (`rpki` true: an `rpki` section is configured) and the routes the
 * import filters refused, with the reason.
 */
export function serverNotes(rs: RouteServer, rpki: boolean): PathNotes {
  // A query asks for one destination's notes once per path: the last answer is kept.
  let last: { f: number; key: string; sent: SentRoute[] } | undefined;
  const sentFor = (f: number, entry: Uint8Array): SentRoute[] => {
    const key = Buffer.from(entry).toString('latin1');
    if (last?.f !== f || last.key !== key) last = { f, key, sent: rs.sentFor(f, entry) };
    return last.sent;
  };
  const state = (r: SentRoute): RpkiState | undefined =>
    rpki && r.rpki !== undefined ? STATE_NAMES[r.rpki] : undefined;
  return {
    rpki: (f, entry, p) => {
      const r = sentFor(f, entry).find((x) => x.source === p.source && x.pathId === p.pathId);
      return r === undefined ? undefined : state(r);
    },
    refused: (f, entry) =>
      sentFor(f, entry)
        .filter((r) => r.reason !== undefined)
        .map((r) => {
          const out = {
            from: r.client,
            pathId: r.pathId,
            set: r.set,
            reason: r.reason!,
            reasonText: REASON_TEXT[r.reason!],
          };
          const st = state(r);
          return st === undefined ? out : { ...out, rpki: st };
        }),
  };
}

/** One path of the destination with what became of it in the export to the client. */
export type ExportPath = PathInfo & {
  export: 'sent' | 'own' | 'other-client' | 'action-community' | 'beaten';
  /** Times the announcing client's AS was put in front (the client's action communities ask for it). */
  prepend?: number;
};

/** What the route server sends one client for a destination (`show rib PREFIX client IP`). */
export interface ExportAnswer {
  client: string;
  family: string;
  prefix: string;
  /**
   * The path as the client gets it (prepends applied), or null: nothing goes to the client. A client that takes
   * ADD-PATH from us gets every path marked `sent`; this is the first (best) of them.
   */
  sent: PathInfo | null;
  paths: ExportPath[];
}

/**
 * The export view of a prefix (exact) or an address (longest match) for the client at `client`: undefined when
 * the Loc-RIB has no path for it, an Error for bad text or an address that is no route server client.
 */
export function queryExport(
  rs: RouteServer,
  notes: PathNotes,
  text: string,
  match: 'exact' | 'longest',
  client: string,
): ExportAnswer | undefined | Error {
  const notClient = new Error(`${client} is not a route-server-client`);
  if (!rs.list().some((c) => c.neighbor.cfg.peerAddress === client)) return notClient;
  const d = locate(rs.rib, text, match);
  if (d === undefined || d instanceof Error) return d;
  const v = rs.exportFor(client, d.f, d.entry);
  if (v === undefined) return notClient;
  const sent = v.paths.find((x) => x.fate === 'sent');
  const info = (p: RibPath): PathInfo => {
    const i = pathInfo(rs.rib, p, undefined);
    const st = notes.rpki(d.f, d.entry, p);
    if (st !== undefined) i.rpki = st;
    return i;
  };
  const paths = v.paths.map((x): ExportPath => {
    const out: ExportPath = { ...info(x.path), export: x.fate };
    if (x.fate === 'sent' && x.prepend > 0) out.prepend = x.prepend;
    if (x.fate === 'beaten' && sent !== undefined)
      out.beatenOn = whyBetter(rs.rib.candidate(sent.path), rs.rib.candidate(x.path), rs.rib.decisionOptions);
    return out;
  });
  let as: PathInfo | null = null;
  if (sent?.fate === 'sent') {
    as = info(sent.path);
    const extra = Array.from({ length: sent.prepend }, () => String(sent.prependAs)).join(' ');
    if (extra !== '') as.asPath = as.asPath === '' ? extra : `${extra} ${as.asPath}`;
  }
  return { client, ...destinationText(d), sent: as, paths };
}

const FATE_TEXT = {
  own: "not sent: the client's own route",
  'other-client': 'not sent: written for another client',
  'action-community': 'not sent: an action community keeps it from this client',
  beaten: 'not sent: beaten on',
} as const;

/** The text of an export view. */
export function exportText(a: ExportAnswer, pathText: (p: PathInfo, tail: string) => string): string[] {
  const head = `${a.prefix} ${a.family} to ${a.client}: `;
  const lines = [a.sent === null ? `${head}nothing sent` : `${head}sent ${pathText(a.sent, '')}`];
  for (const p of a.paths) {
    let tail: string;
    if (p.export === 'sent') tail = p.prepend ? `sent (its AS put in front ${p.prepend} more times)` : 'sent';
    else if (p.export === 'beaten') tail = `${FATE_TEXT.beaten} ${p.beatenOn}`;
    else tail = FATE_TEXT[p.export];
    lines.push(`  ${p.export === 'sent' ? '>' : ' '} ${pathText(p, tail)}`);
  }
  return lines;
}
