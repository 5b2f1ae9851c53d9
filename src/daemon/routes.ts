// Routes as the configuration and the API write them (RouteSpec, FlowRoute) turned into what an Adj-RIB-Out
// holds: a family, one encoded NLRI entry, attributes and a next hop. One place, so that a static route and
// the same route announced through the API end up byte-identical on the wire.

import { IPV4_UNICAST, safiOf, SAFI, type Attributes, type FamilyKey } from '../wire/types';
import { familyCodec, familyName } from '../wire/nlri/registry';
import { encodeFlowRule } from '../wire/nlri/flowspec';
import type { RouteSpec } from '../config/route';
import type { FlowRoute } from '../flowspec/rule';
import { prefixToString } from '../wire/nlri/prefix';
import { flowToString } from '../flowspec/json';

export interface RibEntry {
  family: FamilyKey;
  /** The NLRI entry without path identifier. */
  entry: Uint8Array;
  pathId?: number;
  attributes: Attributes;
  /** MP next hop, 'self', or undefined (IPv4 unicast carries it in attributes.nextHop). */
  nextHop?: Uint8Array | 'self';
  /** For logs, `show adj-rib out` and the list of active flow rules. */
  text: string;
}

const BLACKHOLE = 0xffff029a;
const NO_EXPORT = 0xffffff01;
const NO_ADVERTISE = 0xffffff02;
const NO_EXPORT_SUBCONFED = 0xffffff03;

// Attribute objects are shared between routes written alike, so the scoped copy is made once per original.
const scoped = new WeakMap<Attributes, Attributes>();

/**
 * RFC 7999 §3.2: a blackhole route should not leave the neighboring AS, so NO_EXPORT (or NO_ADVERTISE)
 * goes with BLACKHOLE. tsbgp adds NO_EXPORT to a route that has BLACKHOLE and none of NO_EXPORT,
 * NO_ADVERTISE or NO_EXPORT_SUBCONFED (both narrower), unless the route says `blackhole-export` (an operator
 * whose provider wants the route exported, e.g. to an IXP route server that strips it itself).
 * ExaBGP 4.2 sends the communities exactly as written; this is a deliberate difference.
 */
export function blackholeScope(a: Attributes, optOut: boolean): Attributes {
  const c = a.communities;
  if (optOut || c === undefined || !c.includes(BLACKHOLE)) return a;
  if (c.includes(NO_EXPORT) || c.includes(NO_ADVERTISE) || c.includes(NO_EXPORT_SUBCONFED)) return a;
  let out = scoped.get(a);
  if (out === undefined) {
    out = { ...a, communities: [...c, NO_EXPORT] };
    scoped.set(a, out);
  }
  return out;
}

/** Unicast and multicast of both AFIs: what the RIB can hold from a RouteSpec. */
const PREFIX_SAFIS: ReadonlySet<number> = new Set([SAFI.UNICAST, SAFI.MULTICAST]);

/** Throws an Error with the reason when the route's family cannot be sent by tsbgp. */
export function routeEntry(r: RouteSpec): RibEntry {
  if (!PREFIX_SAFIS.has(safiOf(r.family)) || r.rd !== undefined || r.labels !== undefined) {
    throw new Error(`family ${familyName(r.family)} is not supported for routes by tsbgp yet`);
  }
  const codec = familyCodec(r.family);
  if (!codec) throw new Error(`family ${familyName(r.family)} has no codec`);
  const entry = codec.encode(r.prefix, false);
  let attributes = blackholeScope(r.attributes, r.blackholeExport === true);
  let nextHop: Uint8Array | 'self' | undefined = r.nextHop;
  if (r.family === IPV4_UNICAST && nextHop !== undefined && nextHop !== 'self' && nextHop.length === 4) {
    // IPv4 unicast with an IPv4 next hop: the NEXT_HOP attribute (RFC 4271 §5.1.3), not MP_REACH.
    attributes = { ...attributes, nextHop };
    nextHop = undefined;
  }
  return { family: r.family, entry, pathId: r.prefix.pathId, attributes, nextHop, text: prefixToString(r.prefix) };
}

/** A FlowSpec route: its rule is the NLRI; actions and communities travel as attributes (RFC 8955 §7). */
export function flowEntry(f: FlowRoute): RibEntry {
  const a: Attributes = { origin: 0 };
  if (f.communities.length > 0) a.communities = f.communities;
  if (f.extendedCommunities.length > 0) a.extendedCommunities = f.extendedCommunities;
  if (f.ipv6ExtendedCommunities.length > 0) a.ipv6ExtendedCommunities = f.ipv6ExtendedCommunities;
  if (f.largeCommunities.length > 0) a.largeCommunities = f.largeCommunities;
  // A flow route with a next hop (redirect-to-nexthop) carries it in MP_REACH; otherwise the next hop field
  // is empty (RFC 8955 §4: length 0), which the Adj-RIB-Out's "self" resolves to for FlowSpec families.
  return {
    family: f.rule.family,
    entry: encodeFlowRule(f.rule, false),
    pathId: f.rule.pathId,
    attributes: a,
    nextHop: f.nextHop ?? 'self',
    text: flowToString(f.rule),
  };
}
