// Looking-glass queries over a Loc-RIB, as typed data: the one place that answers "what does tsbgp hold for
// this prefix and why is this path best", "which prefix covers this address", and the scans by origin AS, by
// AS in the path and by community. Pure (no I/O, no text layout): the control socket's `show rib` renders the
// answers as text or JSON (daemon/show-rib.ts), and an HTTP looking glass can call the same functions.

import { ipToString, parsePrefix } from '../wire/ip';
import { prefixToString } from '../wire/nlri/prefix';
import { AFI, afiOf, type FamilyKey, familyKey, SAFI, SegmentType } from '../wire/types';
import type { AttrSet } from './attr-intern';
import { type Reason, whyBetter } from './decision';
import type { LocRib, RibPath } from './loc-rib';

/** One path as a looking glass shows it. */
export interface PathInfo {
  /** The source's name: the neighbor's address, or `local`. */
  from: string;
  best: boolean;
  /** For a path that is not best: the decision step at which the best path beat it. */
  beatenOn?: Reason;
  pathId: number;
  nextHop: string;
  origin: 'igp' | 'egp' | 'incomplete';
  /** AS_PATH as text: sequences as numbers, sets in braces, confederation segments in parentheses. */
  asPath: string;
  localPref?: number;
  med?: number;
  communities: string[];
  largeCommunities: string[];
  originatorId?: string;
  clusterList: string[];
  /** RFC 6811 origin validation state, where the table keeps one (a route server's import verdict). */
  rpki?: RpkiState;
  /** A path the import filters refused (kept out of the Loc-RIB): the filter's code and the reason in words. */
  reason?: string;
  reasonText?: string;
}

export type RpkiState = 'valid' | 'invalid' | 'not-found';

export interface PrefixAnswer {
  family: string;
  prefix: string;
  paths: PathInfo[];
}

/** A route of a destination that is not in the Loc-RIB: refused by a route server's import filters. */
export interface RefusedPath {
  from: string;
  pathId: number;
  set: AttrSet;
  rpki?: RpkiState;
  reason: string;
  reasonText: string;
}

/**
 * What a role knows of a destination's routes besides the Loc-RIB (a route server: each path's RPKI state and
 * the routes its import filters refused). Queries given notes show both.
 */
export interface PathNotes {
  rpki(f: FamilyKey, entry: Uint8Array, p: RibPath): RpkiState | undefined;
  refused(f: FamilyKey, entry: Uint8Array): RefusedPath[];
}

const FAMILY_TEXT = (f: FamilyKey): string =>
  `${afiOf(f) === AFI.IPV6 ? 'ipv6' : 'ipv4'} ${f % 256 === SAFI.MULTICAST ? 'multicast' : 'unicast'}`;

/** The unicast and multicast families of one address family, in the order they are searched. */
const searched = (v6: boolean): FamilyKey[] => {
  const afi = v6 ? AFI.IPV6 : AFI.IPV4;
  return [familyKey(afi, SAFI.UNICAST), familyKey(afi, SAFI.MULTICAST)];
};

const ORIGINS = ['igp', 'egp', 'incomplete'] as const;

function asPathText(set: RibPath['set']): string {
  const out: string[] = [];
  for (const s of set.attributes.asPath ?? []) {
    const list = s.asns.join(' ');
    if (s.type === SegmentType.AS_SEQUENCE) out.push(list);
    else if (s.type === SegmentType.AS_SET) out.push(`{ ${list} }`);
    else out.push(`( ${list} )`);
  }
  return out.filter((x) => x !== '').join(' ');
}

/** One path of the Loc-RIB as PathInfo; `best` is the destination's best path (to say why it won). */
export function pathInfo(rib: LocRib, p: RibPath, best: RibPath | undefined): PathInfo {
  const info = setInfo(rib.source(p.source).name, p.best, p.pathId, p.set);
  if (!p.best && best !== undefined)
    info.beatenOn = whyBetter(rib.candidate(best), rib.candidate(p), rib.decisionOptions);
  return info;
}

/** A path's attributes as PathInfo. */
function setInfo(from: string, best: boolean, pathId: number, set: AttrSet): PathInfo {
  const a = set.attributes;
  const hop = a.nextHop ?? set.nextHop;
  const info: PathInfo = {
    from,
    best,
    pathId,
    nextHop: hop === undefined || hop.length === 0 ? '' : ipToString(hop.length === 32 ? hop.subarray(0, 16) : hop),
    origin: ORIGINS[a.origin ?? 0] ?? 'incomplete',
    asPath: asPathText(set),
    communities: (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
    largeCommunities: (a.largeCommunities ?? []).map((c) => c.join(':')),
    clusterList: (a.clusterList ?? []).map((c) => ipToString(c)),
  };
  if (a.localPref !== undefined) info.localPref = a.localPref;
  if (a.med !== undefined) info.med = a.med;
  if (a.originatorId !== undefined) info.originatorId = ipToString(a.originatorId);
  return info;
}

/** A refused path as PathInfo: never best, with the filter's reason. */
function refusedInfo(r: RefusedPath): PathInfo {
  const info = setInfo(r.from, false, r.pathId, r.set);
  if (r.rpki !== undefined) info.rpki = r.rpki;
  info.reason = r.reason;
  info.reasonText = r.reasonText;
  return info;
}

function answer(
  rib: LocRib,
  f: FamilyKey,
  entry: Uint8Array,
  paths: RibPath[],
  notes?: PathNotes,
  refused: RefusedPath[] = [],
): PrefixAnswer {
  const best = paths.find((p) => p.best);
  return {
    ...destinationText({ f, entry }),
    paths: [
      ...paths.map((p) => {
        const info = pathInfo(rib, p, best);
        const rpki = notes?.rpki(f, entry, p);
        if (rpki !== undefined) info.rpki = rpki;
        return info;
      }),
      ...refused.map(refusedInfo),
    ],
  };
}

/** "10.0.0.0/24" of a unicast NLRI entry (length octet, prefix octets). */
function entryText(f: FamilyKey, entry: Uint8Array): string {
  return prefixToString({ family: f, len: entry[0]!, addr: entry.subarray(1) });
}

/** The NLRI entry of a prefix: its length octet then its octets, host bits beyond the length cleared. */
export function entryOf(addr: Uint8Array, len: number): Uint8Array {
  const nb = (len + 7) >> 3;
  const e = new Uint8Array(1 + nb);
  e[0] = len;
  e.set(addr.subarray(0, nb), 1);
  if (len % 8 !== 0) e[nb] = e[nb]! & (0xff << (8 - (len % 8)));
  return e;
}

/** A destination found by a query: its family and NLRI entry. */
export interface Destination {
  f: FamilyKey;
  entry: Uint8Array;
}

/**
 * The destination of a prefix ("10.0.0.0/24": that one) or an address ("10.0.0.1": the longest prefix that
 * covers it, RFC 4271 §9.1.4's rule) that holds paths in the Loc-RIB (or, for a prefix, refused routes in the
 * notes); unicast first, then multicast. Undefined when there is none; an Error for bad text.
 */
export function locate(
  rib: LocRib,
  text: string,
  match: 'exact' | 'longest',
  notes?: PathNotes,
): Destination | undefined | Error {
  const p = parsePrefix(text);
  if (match === 'exact' && (p === null || !text.includes('/')))
    return new Error(`"${text}" is not a prefix (expected A.B.C.D/N or X::/N)`);
  if (p === null || (match === 'longest' && text.includes('/'))) return new Error(`"${text}" is not an IP address`);
  for (const f of searched(p.addr.length === 16)) {
    for (let len = p.len; len >= (match === 'exact' ? p.len : 0); len--) {
      const entry = entryOf(p.addr, len);
      if (rib.best(f, entry) !== undefined) return { f, entry };
      if (match === 'exact' && notes !== undefined && notes.refused(f, entry).length > 0) return { f, entry };
    }
  }
  return undefined;
}

/** The family and prefix of a destination, as text. */
export function destinationText(d: Destination): { family: string; prefix: string } {
  return { family: FAMILY_TEXT(d.f), prefix: entryText(d.f, d.entry) };
}

/** Every path of a destination as the looking glass shows it (with the notes' refused routes after the others). */
export function queryAt(rib: LocRib, d: Destination, notes?: PathNotes): PrefixAnswer {
  return answer(rib, d.f, d.entry, rib.paths(d.f, d.entry), notes, notes?.refused(d.f, d.entry));
}

/**
 * The paths of one prefix ("10.0.0.0/24", "2001:db8::/32"), best first, each alternative with the step it lost
 * on; unicast first, then multicast. With notes: each path's RPKI state, then the routes refused on import.
 * Undefined when there is no path for it; an Error for bad text.
 */
export function queryPrefix(rib: LocRib, text: string, notes?: PathNotes): PrefixAnswer | undefined | Error {
  const d = locate(rib, text, 'exact', notes);
  return d === undefined || d instanceof Error ? d : queryAt(rib, d, notes);
}

/** The longest prefix in the Loc-RIB that covers an address (RFC 4271 §9.1.4's rule), with its paths. */
export function queryLongest(rib: LocRib, text: string, notes?: PathNotes): PrefixAnswer | undefined | Error {
  const d = locate(rib, text, 'longest', notes);
  return d === undefined || d instanceof Error ? d : queryAt(rib, d, notes);
}

/** What a scan looks for in the best path of each destination. */
export type RouteFilter =
  | { kind: 'origin-as'; asn: number }
  | { kind: 'as-path'; asn: number }
  | { kind: 'community'; community: number }
  | { kind: 'large-community'; community: [number, number, number] };

/** Parse the filter words of `show rib origin-as N`, `as-path N`, `community A:B` (or A:B:C). */
export function parseRouteFilter(kind: string, value: string | undefined): RouteFilter | Error {
  if (value === undefined) return new Error(`${kind}: a value is missing`);
  const asn = /^(?:AS)?(\d{1,10})$/i.exec(value);
  if (kind === 'origin-as' || kind === 'as-path') {
    if (!asn || Number(asn[1]) > 0xffffffff) return new Error(`${kind}: "${value}" is not an AS number`);
    return { kind, asn: Number(asn[1]) };
  }
  if (kind === 'community') {
    const parts = value.split(':');
    const nums = parts.map((x) => (/^\d{1,10}$/.test(x) ? Number(x) : Number.NaN));
    if (parts.length === 2 && nums.every((n) => n <= 0xffff))
      return { kind: 'community', community: ((nums[0]! << 16) | nums[1]!) >>> 0 };
    if (parts.length === 3 && nums.every((n) => n <= 0xffffffff))
      return { kind: 'large-community', community: nums as [number, number, number] };
    return new Error(`community: "${value}" is not A:B (RFC 1997) or A:B:C (RFC 8092)`);
  }
  return new Error(`unknown filter "${kind}"`);
}

/** The origin AS: the last AS of the path when it ends in a sequence (RFC 6811 §2), else none (-1). */
function originAs(p: RibPath): number {
  const path = p.set.attributes.asPath ?? [];
  const last = path[path.length - 1];
  if (last === undefined || last.type !== SegmentType.AS_SEQUENCE || last.asns.length === 0) return -1;
  return last.asns[last.asns.length - 1]!;
}

function matches(p: RibPath, f: RouteFilter): boolean {
  const a = p.set.attributes;
  switch (f.kind) {
    case 'origin-as':
      return originAs(p) === f.asn;
    case 'as-path':
      return (a.asPath ?? []).some((s) => s.asns.includes(f.asn));
    case 'community':
      return (a.communities ?? []).some((c) => c >>> 0 === f.community);
    case 'large-community':
      return (a.largeCommunities ?? []).some(
        (c) => c[0] === f.community[0] && c[1] === f.community[1] && c[2] === f.community[2],
      );
  }
}

/**
 * The destinations (unicast and multicast, both address families) whose best path matches, at most `limit`
 * of them, with their best path only. `more` tells that the limit cut the list.
 */
export function queryRoutes(
  rib: LocRib,
  filter: RouteFilter,
  limit = 1000,
  notes?: PathNotes,
): { routes: PrefixAnswer[]; more: boolean } {
  const routes: PrefixAnswer[] = [];
  let more = false;
  for (const f of [...searched(false), ...searched(true)]) {
    rib.scan(f, (entry, head) => {
      if (more) return;
      const best = rib.bestAt(head);
      if (!matches(best, filter)) return;
      if (routes.length === limit) {
        more = true;
        return;
      }
      routes.push(answer(rib, f, entry.slice(), [best], notes));
    });
  }
  return { routes, more };
}

/** Destinations and paths per family, for `show rib` with no argument. */
export function querySummary(rib: LocRib): { family: string; prefixes: number }[] {
  return rib.families().map((f) => ({ family: familyText(f), prefixes: rib.size(f) }));
}

function familyText(f: FamilyKey): string {
  return f % 256 === SAFI.FLOW ? `${afiOf(f) === AFI.IPV6 ? 'ipv6' : 'ipv4'} flow` : FAMILY_TEXT(f);
}
