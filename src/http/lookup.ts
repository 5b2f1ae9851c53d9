// Route lookups for the HTTP API and the looking glass. A prefix or an address is found with hash probes into
// the Adj-RIBs' prefix tables (rib/prefix-map.ts, rib/nlri-table.ts): the exact prefix, or for the longest match
// one probe per prefix length from the longest down (33 for IPv4, 129 for IPv6), so a lookup costs the same
// with ten routes or a million. Lookups by origin AS or community have no index: they scan, make an object only
// for a route that matches, and stop after the page asked for.

import type { Daemon } from '../daemon/daemon';
import type { Neighbor } from '../daemon/neighbor';
import type { AttrSet } from '../rib/attr-intern';
import { parseIp } from '../wire/ip';
import { type FamilyKey, IPV4_UNICAST, IPV6_UNICAST } from '../wire/types';
import { originAs, type RouteView, routeView, type ViewContext } from './route-view';

export interface PrefixQuery {
  family: FamilyKey;
  /** The address, 4 or 16 bytes, bits past `len` cleared. */
  addr: Uint8Array;
  len: number;
  /** True when given as an address (no /len): the longest match is meant. */
  address: boolean;
}

/** `10.0.0.0/24`, `10.0.0.1`, `2001:db8::/32`, `2001:db8::1`; null when it is none of these. */
export function parsePrefixQuery(text: string): PrefixQuery | null {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return null;
  const max = addr.length * 8;
  let len = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(l) || Number(l) > max) return null;
    len = Number(l);
  }
  return { family: addr.length === 4 ? IPV4_UNICAST : IPV6_UNICAST, addr: masked(addr, len), len, address: slash < 0 };
}

/** A copy of `addr` with the bits past `len` cleared. */
function masked(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(addr.length);
  for (let i = 0; i < addr.length; i++) {
    const bits = len - i * 8;
    out[i] = bits >= 8 ? addr[i]! : bits <= 0 ? 0 : addr[i]! & (0xff << (8 - bits));
  }
  return out;
}

/** The NLRI entry (length octet and the prefix's octets) of a prefix. */
function entryOf(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(1 + ((len + 7) >> 3));
  out[0] = len;
  out.set(addr.subarray(0, out.length - 1), 1);
  return out;
}

export interface LookupOptions {
  rib: 'in' | 'out';
  /** Only this neighbor's RIB. */
  neighbor?: string;
  /** exact: that prefix only; longest: the most specific route covering it (the default for an address). */
  match: 'exact' | 'longest';
}

/** The routes for one prefix or address in each neighbor's Adj-RIB (-In or -Out). */
export function lookupPrefix(d: Daemon, ctx: ViewContext, q: PrefixQuery, o: LookupOptions): RouteView[] {
  const out: RouteView[] = [];
  for (const n of d.neighbors) {
    if (o.neighbor !== undefined && n.cfg.peerAddress !== o.neighbor) continue;
    const shortest = o.match === 'exact' ? q.len : 0;
    for (let len = q.len; len >= shortest; len--) {
      const found = probe(n, ctx, o.rib, q.family, masked(q.addr, len), len);
      if (found.length > 0) {
        out.push(...found);
        break;
      }
    }
  }
  return out;
}

function probe(
  n: Neighbor,
  ctx: ViewContext,
  rib: 'in' | 'out',
  family: FamilyKey,
  addr: Uint8Array,
  len: number,
): RouteView[] {
  const peer = n.cfg.peerAddress;
  if (rib === 'in') {
    if (!n.ribIn) return [];
    return n.ribIn
      .paths(family, len, addr)
      .map((r) => routeView(ctx, peer, 'in', family, r.entry, r.pathId, r.attributes, r.stale));
  }
  const entry = entryOf(addr, len);
  return n.ribOut.paths(family, entry).map((r) => routeView(ctx, peer, 'out', family, entry, r.pathId, r.attributes));
}

export type AttrFilter = (s: AttrSet) => boolean;

export const byOriginAs =
  (asn: number): AttrFilter =>
  (s) =>
    originAs(s.attributes) === asn;

export const byCommunity =
  (c: { standard: number } | { large: [number, number, number] }): AttrFilter =>
  (s) => {
    const a = s.attributes;
    if ('standard' in c) return a.communities?.includes(c.standard) ?? false;
    const [g, l1, l2] = c.large;
    return a.largeCommunities?.some((x) => x[0] === g && x[1] === l1 && x[2] === l2) ?? false;
  };

/** A filter whose verdict is kept per attribute set: a full table shares few sets, each is judged once. */
function remembered(keep: AttrFilter): AttrFilter {
  const seen = new Map<AttrSet, boolean>();
  return (s) => {
    let v = seen.get(s);
    if (v === undefined) seen.set(s, (v = keep(s)));
    return v;
  };
}

interface HeldRoute {
  family: FamilyKey;
  entry: Uint8Array;
  pathId: number;
  attributes: AttrSet;
  stale?: boolean;
}

function* outWhere(n: Neighbor, keep: AttrFilter): Generator<HeldRoute> {
  for (const r of n.ribOut.routes()) if (keep(r.attributes)) yield r;
}

/** Routes whose attributes pass `keep`, skipping `offset` of them and giving at most `limit`. */
export function findRoutes(
  d: Daemon,
  ctx: ViewContext,
  keep: AttrFilter,
  o: { rib: 'in' | 'out'; neighbor?: string; offset: number; limit: number },
): RouteView[] {
  const out: RouteView[] = [];
  const pass = remembered(keep);
  let skip = o.offset;
  for (const n of d.neighbors) {
    if (o.neighbor !== undefined && n.cfg.peerAddress !== o.neighbor) continue;
    const peer = n.cfg.peerAddress;
    const routes: Iterable<HeldRoute> = o.rib === 'in' ? (n.ribIn?.routesWhere(pass) ?? []) : outWhere(n, pass);
    for (const r of routes) {
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(routeView(ctx, peer, o.rib, r.family, r.entry, r.pathId, r.attributes, r.stale === true));
      if (out.length >= o.limit) return out;
    }
  }
  return out;
}
