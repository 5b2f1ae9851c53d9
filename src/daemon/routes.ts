// Routes as the configuration and the API write them (RouteSpec, FlowRoute) turned into what an Adj-RIB-Out
// holds: a family, one encoded NLRI entry, attributes and a next hop. One place, so that a static route and
// the same route announced through the API end up byte-identical on the wire.

import { evpnJson } from '../api/evpn-json';
import { labeledText, vplsJson } from '../api/json';
import type { EvpnConfigRoute } from '../config/evpn';
import { expandSplit, type RouteSpec, type RouteTail, splitCount } from '../config/route';
import type { RouteList } from '../config/route-list';
import { ConfigError } from '../config/tokenizer';
import type { VplsRoute } from '../config/vpls';
import { flowToString } from '../flowspec/json';
import type { FlowRoute } from '../flowspec/rule';
import type { AdjRibOut } from '../rib/adj-rib-out';
import type { AttrSet } from '../rib/attr-intern';
import { NlriTable } from '../rib/nlri-table';
import { bytesToHex } from '../wire/bytes';
import { L2VPN_EVPN, l2vpnEvpn } from '../wire/nlri/evpn';
import { encodeFlowRule } from '../wire/nlri/flowspec';
import { hasRouteIdentity, routeIdentity } from '../wire/nlri/identity';
import { isLabeledFamily, type LabeledPrefix, WITHDRAW_LABEL } from '../wire/nlri/labeled';
import { prefixToString } from '../wire/nlri/prefix';
import { familyCodec, familyName } from '../wire/nlri/registry';
import { L2VPN_VPLS, l2vpnVpls } from '../wire/nlri/vpls';
import { type Attributes, type FamilyKey, IPV4_UNICAST, type Prefix, SAFI, safiOf } from '../wire/types';

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

/** Unicast and multicast of both AFIs: what the RIB can hold from a RouteSpec without labels. */
const PREFIX_SAFIS: ReadonlySet<number> = new Set([SAFI.UNICAST, SAFI.MULTICAST]);

/**
 * Throws an Error with the reason when the route's family cannot be sent by tsbgp. A labeled route to
 * `withdraw` may come without labels: they are not part of its key (the Adj-RIB-Out finds it by RD and prefix).
 */
export function routeEntry(r: RouteSpec, withdraw = false): RibEntry {
  const labeled = isLabeledFamily(r.family);
  const labels = r.labels ?? (labeled && withdraw ? [WITHDRAW_LABEL >> 4] : undefined);
  const codec = sendable(r.family, { labels, rd: r.rd });
  const item: LabeledPrefix | Prefix = labeled ? { ...r.prefix, labels: labels!, rd: r.rd } : r.prefix;
  const entry = codec.encode(item, false);
  const { attributes, nextHop } = shape(r.family, r.attributes, r.nextHop);
  const text = labeled ? labeledText({ ...(item as LabeledPrefix), pathId: undefined }) : prefixToString(r.prefix);
  return { family: r.family, entry, pathId: r.prefix.pathId, attributes, nextHop, text };
}

/**
 * The codec of a family tsbgp can send routes of; throws with the reason otherwise. Labeled unicast (RFC 8277)
 * needs `label`, MPLS VPN (RFC 4364) `label` and `rd`; labels or an RD on a family without them are refused
 * rather than dropped.
 */
function sendable(family: FamilyKey, t: Pick<RouteTail, 'labels' | 'rd'>): NonNullable<ReturnType<typeof familyCodec>> {
  const safi = safiOf(family);
  const name = familyName(family);
  if (isLabeledFamily(family)) {
    if (t.labels === undefined || t.labels.length === 0) throw new Error(`family ${name}: a route needs a label`);
    if (safi === SAFI.MPLS_VPN && t.rd === undefined) throw new Error(`family ${name}: a route needs an rd`);
    if (safi === SAFI.MPLS_LABEL && t.rd !== undefined)
      throw new Error(`family ${name}: rd is for mpls-vpn routes, not nlri-mpls`);
  } else if (!PREFIX_SAFIS.has(safi)) {
    throw new Error(`family ${name} is not supported for routes by tsbgp yet`);
  } else if (t.labels !== undefined || t.rd !== undefined) {
    throw new Error(`family ${name}: label and rd are for nlri-mpls and mpls-vpn routes`);
  }
  const codec = familyCodec(family);
  if (!codec) throw new Error(`family ${name} has no codec`);
  return codec;
}

/** Attributes and next hop of a route as the Adj-RIB-Out takes them. */
function shape(
  family: FamilyKey,
  attrs: Attributes,
  nh: Uint8Array | 'self' | undefined,
): { attributes: Attributes; nextHop: Uint8Array | 'self' | undefined } {
  // Communities go out as written (BLACKHOLE included, with no NO_EXPORT added), as ExaBGP 4.2 sends them.
  let attributes = attrs;
  let nextHop = nh;
  if (family === IPV4_UNICAST && nextHop !== undefined && nextHop !== 'self' && nextHop.length === 4) {
    // IPv4 unicast with an IPv4 next hop: the NEXT_HOP attribute (RFC 4271 §5.1.3), not MP_REACH.
    attributes = { ...attributes, nextHop };
    nextHop = undefined;
  }
  return { attributes, nextHop };
}

/**
 * The static routes of a configuration into an Adj-RIB-Out, in file order, as routeEntry() + announce()
 * would put them there but without an object per route: the NLRI bytes go from the list's columns to the
 * table, and each distinct tail (per family) is shaped and interned once. Routes that need more than that
 * (split, watchdog) are handed to `other`, in their place in the order. Throws like routeEntry() for a
 * route tsbgp cannot send, even one configured as withdrawn.
 */
export function announceStatic(list: RouteList, rib: AdjRibOut, other: (r: RouteSpec) => void): void {
  let lastTail: RouteTail | undefined;
  let lastFamily = -1;
  let set: AttrSet | undefined;
  const bytes = list.nlriBytes;
  for (let i = 0; i < list.length; i++) {
    const tail = list.tail(i);
    const family = list.family(i);
    if (tail !== lastTail || family !== lastFamily) {
      sendable(family, tail);
      lastTail = tail;
      lastFamily = family;
      set = undefined;
    }
    // Labeled routes: their NLRI (labels, RD) is not the list's prefix bytes, routeEntry() makes it.
    if (tail.split !== undefined || tail.watchdog !== undefined || isLabeledFamily(family)) {
      other(list.get(i));
      continue;
    }
    if (tail.withdraw) continue;
    if (set === undefined) {
      // What shape() gives, without its copy of the attributes: the IPv4 next hop is folded in by the interner.
      const attributes = tail.attributes;
      const nh = tail.nextHop;
      if (family === IPV4_UNICAST && nh !== undefined && nh !== 'self' && nh.length === 4)
        set = rib.shapedSet(attributes, nh, undefined);
      else set = rib.shapedSet(attributes, undefined, nh);
    }
    const start = list.nlriStart(i);
    rib.announceAt(family, bytes, start, list.nlriEnd(i) - start, set, tail.pathId ?? 0);
  }
}

/**
 * Calls `cb` with the (family, path id, NLRI entry) of every route of a list that is not configured as
 * withdrawn, as routeEntry() would give them (split routes expanded, watchdog ones included), the entry
 * being buf[off, off + len). No object per route but for split and watchdog routes.
 */
function forEachStaticKey(
  list: RouteList,
  cb: (family: FamilyKey, pathId: number, buf: Uint8Array, off: number, len: number) => void,
): void {
  const bytes = list.nlriBytes;
  for (let i = 0; i < list.length; i++) {
    const tail = list.tail(i);
    if (tail.withdraw) continue;
    if (tail.split !== undefined || isLabeledFamily(list.family(i))) {
      for (const r of expandSplit(list.get(i))) {
        const e = routeEntry(r);
        cb(e.family, e.pathId ?? 0, e.entry, 0, e.entry.length);
      }
      continue;
    }
    const start = list.nlriStart(i);
    cb(list.family(i), tail.pathId ?? 0, bytes, start, list.nlriEnd(i) - start);
  }
}

/**
 * After a reload: `withdraw` each static route of the previous list that the new list no longer has (same
 * family, path id and NLRI). The new list's keys go in byte tables, so a million routes cost neither a
 * RouteSpec, a RibEntry nor a string each.
 */
export function withdrawRemoved(
  before: RouteList,
  after: RouteList,
  withdraw: (family: FamilyKey, entry: Uint8Array, pathId: number) => void,
): void {
  const kept = new Map<FamilyKey, NlriTable<true>>();
  forEachStaticKey(after, (family, pathId, buf, off, len) => {
    let t = kept.get(family);
    if (t === undefined) kept.set(family, (t = new NlriTable<true>()));
    t.insert(pathId, buf, off, len);
  });
  forEachStaticKey(before, (family, pathId, buf, off, len) => {
    const t = kept.get(family);
    if (t === undefined || t.find(pathId, buf, off, len) < 0) withdraw(family, buf.subarray(off, off + len), pathId);
  });
}

/**
 * What the daemon would refuse among the routes of a list: one `file:line:col: reason` per configured route
 * whose family routeEntry() cannot send (checked once per distinct tail and family instead of once per route),
 * and each `split` larger than expandSplit() makes (counted, not expanded).
 */
export function staticErrors(list: RouteList): string[] {
  const errors: string[] = [];
  let lastTail: RouteTail | undefined;
  let lastFamily = -1;
  let verdict: string | null = null;
  for (let i = 0; i < list.length; i++) {
    const tail = list.tail(i);
    const family = list.family(i);
    if (tail !== lastTail || family !== lastFamily) {
      lastTail = tail;
      lastFamily = family;
      try {
        sendable(family, tail);
        verdict = null;
      } catch (e) {
        verdict = (e as Error).message;
      }
    }
    if (verdict === null && tail.split === undefined) continue;
    const r = list.get(i);
    if (verdict !== null) {
      errors.push(`${r.pos ? `${r.pos.file}:${r.pos.line}:${r.pos.col}: ` : ''}${verdict}`);
      continue;
    }
    try {
      splitCount(r);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      errors.push(e.message);
    }
  }
  return errors;
}

/** A FlowSpec route: its rule is the NLRI; actions and communities travel as attributes (RFC 8955 §7). */
export function flowEntry(f: FlowRoute): RibEntry {
  return { ...flowParts(f), text: flowToString(f.rule) };
}

/**
 * flowEntry() without the text: what the daemon announces for each rule an API program sends, where a
 * hundred thousand rules would otherwise each leave a text string behind (the flow table makes the text
 * from the NLRI bytes when `show` asks).
 */
export function flowParts(f: FlowRoute): Omit<RibEntry, 'text'> {
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
  };
}

/**
 * A VPLS route (RFC 4761) as the Adj-RIB-Out takes it: the NLRI is the route's key (a route announced again
 * with the same RD, VE ID, offset, size and label base replaces the first); the next hop goes in MP_REACH.
 */
export function vplsEntry(v: VplsRoute): RibEntry {
  return {
    family: L2VPN_VPLS,
    entry: l2vpnVpls.encode(v.vpls, false),
    attributes: v.attributes,
    nextHop: v.nextHop,
    text: vplsJson(v.vpls).text,
  };
}

/** The configured VPLS routes of `before` that `after` no longer has, each given to `withdraw` once. */
export function withdrawRemovedVpls(before: VplsRoute[], after: VplsRoute[], withdraw: (e: RibEntry) => void): void {
  withdrawGone(before.map(vplsEntry), after.map(vplsEntry), withdraw);
}

/**
 * An EVPN route (RFC 7432, RFC 9136) as the Adj-RIB-Out takes it: the NLRI entry, keyed by the RIB by its
 * route key (routeIdentity: a route given again with another label replaces the first); the next hop goes in
 * MP_REACH.
 */
export function evpnEntry(v: EvpnConfigRoute): RibEntry {
  const route = { ...v.evpn, pathId: undefined };
  return {
    family: L2VPN_EVPN,
    entry: l2vpnEvpn.encode(route, false),
    pathId: v.evpn.pathId,
    attributes: v.attributes,
    nextHop: v.nextHop,
    text: evpnJson(route).text,
  };
}

/** The configured EVPN routes of `before` whose route `after` no longer has, each given to `withdraw` once. */
export function withdrawRemovedEvpn(
  before: EvpnConfigRoute[],
  after: EvpnConfigRoute[],
  withdraw: (e: RibEntry) => void,
): void {
  withdrawGone(before.map(evpnEntry), after.map(evpnEntry), withdraw);
}

/** The route a RIB keys an entry by: family, path id and the entry (its identity for labeled and EVPN routes). */
const routeKey = (e: RibEntry): string =>
  `${e.family}:${e.pathId ?? 0}:${bytesToHex(hasRouteIdentity(e.family) ? routeIdentity(e.family, e.entry) : e.entry)}`;

function withdrawGone(before: RibEntry[], after: RibEntry[], withdraw: (e: RibEntry) => void): void {
  const kept = new Set(after.map(routeKey));
  for (const e of before) {
    const k = routeKey(e);
    if (!kept.has(k)) {
      kept.add(k);
      withdraw(e);
    }
  }
}
