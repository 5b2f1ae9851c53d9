// The three route-reflector clients of the reflection interop tests, BIRD 2, FRR and GoBGP in AS 65000, passive,
// peered with one tsbgp reflector; and how each shows a path: the attributes RFC 4456 is about and the next hop.

import { allocEndpoint, Bird, type Family, Frr, GoBgp, runCmd } from './peers';
import { neighbor } from './tsbgp-launch';

export const AS = 65000;

/** What a daemon shows of one path: the attributes RFC 4456 is about, and the next hop. */
export interface Seen {
  originator?: string;
  clusters: string[];
  nextHop?: string;
}

const v6 = (prefix: string): boolean => prefix.includes(':');

export async function birdView(b: Bird, prefix: string): Promise<Seen | undefined> {
  // birdc exits non-zero for "Network not found".
  const table = v6(prefix) ? 'master6' : 'master4';
  const out = (await runCmd('birdc', ['-s', b.ctl, 'show', 'route', prefix, 'table', table, 'all'])).stdout;
  if (!out.includes(prefix)) return undefined;
  return {
    originator: /BGP\.originator_id: (\S+)/.exec(out)?.[1],
    clusters: (/BGP\.cluster_list: (.+)/.exec(out)?.[1] ?? '').trim().split(/\s+/).filter(Boolean),
    nextHop: /BGP\.next_hop: (\S+)/.exec(out)?.[1],
  };
}

export async function frrView(f: Frr, prefix: string): Promise<Seen | undefined> {
  const j = JSON.parse(await f.vtysh([`show bgp ${v6(prefix) ? 'ipv6' : 'ipv4'} unicast ${prefix} json`])) as {
    paths?: { originatorId?: string; clusterList?: { list?: string[] }; nexthops?: { ip: string }[] }[];
  };
  const p = j.paths?.[0];
  if (!p) return undefined;
  return { originator: p.originatorId, clusters: p.clusterList?.list ?? [], nextHop: p.nexthops?.[0]?.ip };
}

export interface GoAttr {
  type: number;
  value?: unknown;
  nexthop?: string;
}

export async function gobgpView(g: GoBgp, prefix: string): Promise<Seen | undefined> {
  const fam = v6(prefix) ? 'ipv6' : 'ipv4';
  const j = JSON.parse(await g.cli(['-j', 'global', 'rib', '-a', fam])) as Record<string, { attrs: GoAttr[] }[]>;
  const p = j[prefix]?.[0];
  if (!p) return undefined;
  const attr = (t: number) => p.attrs.find((a) => a.type === t);
  return {
    originator: attr(9)?.value as string | undefined,
    clusters: (attr(10)?.value as string[] | undefined) ?? [],
    // IPv4: NEXT_HOP (3); IPv6: MP_REACH_NLRI (14).
    nextHop: attr(3)?.nexthop ?? attr(14)?.nexthop,
  };
}

type Endpoint = { address: string; port: number };

export interface Clients {
  bird: Bird;
  frr: Frr;
  gobgp: GoBgp;
  eB: Endpoint;
  eF: Endpoint;
  eG: Endpoint;
  /** What each client holds for a prefix. */
  view(name: 'bird' | 'frr' | 'gobgp', prefix: string): Promise<Seen | undefined>;
}

/**
 * BIRD, FRR and GoBGP started passive in AS 65000 with the reflector at `rr` as their one neighbor;
 * `birdAddPathsRx`: BIRD takes every path the reflector sends it (ADD-PATH receive, RFC 7911).
 */
export async function startClients(rr: Endpoint, families: Family[], birdAddPathsRx = false): Promise<Clients> {
  const [eB, eF, eG] = await Promise.all([allocEndpoint(), allocEndpoint(), allocEndpoint()]);
  const bird = new Bird();
  const frr = new Frr();
  const gobgp = new GoBgp();
  const neighbors = [{ address: rr.address, port: rr.port, as: AS, passive: true, families }];
  await Promise.all([
    bird.start({ ...eB, as: AS, holdTime: 30, neighbors: [{ ...neighbors[0]!, addPathsRx: birdAddPathsRx }] }),
    frr.start({ ...eF, as: AS, holdTime: 30, neighbors }),
    gobgp.start({ ...eG, as: AS, holdTime: 30, neighbors }),
  ]);
  const views = {
    bird: (p: string) => birdView(bird, p),
    frr: (p: string) => frrView(frr, p),
    gobgp: (p: string) => gobgpView(gobgp, p),
  };
  return { bird, frr, gobgp, eB, eF, eG, view: (name, prefix) => views[name](prefix) };
}

/** The reflector's neighbor block for a client at `e` (AS 65000, route-reflector-client), with `body` lines. */
export function clientBlock(rr: Endpoint, e: Endpoint, body: string[]): string {
  return neighbor({
    peer: e.address,
    port: e.port,
    local: rr.address,
    localAs: AS,
    peerAs: AS,
    body: ['route-reflector-client;', ...body],
  });
}
