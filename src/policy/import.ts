// A route server's import filters for one client (RFC 7948 §4.6): pure functions of the route, the client's
// policy and two questions about the world (RPKI state, the client's own address space). Each refusal names its
// reason, which the looking glass shows next to the route.
import { INVALID, NOT_FOUND, ORIGIN_NONE, type OriginState } from '../rpki/vrp-table';
import { type AsPathSegment, type Attributes, SegmentType } from '../wire/types';
import { bogonPrefixes, isBogonAsn } from './bogons';
import type { PrefixSet } from './prefix-set';

export type FilterReason =
  | 'max-prefix'
  | 'next-hop'
  | 'first-as'
  | 'as-path-length'
  | 'bogon-asn'
  | 'bogon-prefix'
  | 'prefix-length'
  | 'prefix-list'
  | 'as-set'
  | 'rpki-invalid'
  | 'blackhole';

/** Why a reason refuses a route, for `show rib filtered`. */
export const REASON_TEXT: Record<FilterReason, string> = {
  'max-prefix': 'over the maximum number of prefixes',
  'next-hop': "NEXT_HOP is not the client's own address",
  'first-as': "first AS in AS_PATH is not the client's AS",
  'as-path-length': 'AS_PATH longer than allowed',
  'bogon-asn': 'bogon AS number in AS_PATH',
  'bogon-prefix': 'bogon prefix',
  'prefix-length': 'prefix length out of bounds',
  'prefix-list': "prefix not in the client's prefix list",
  'as-set': "origin AS not in the client's AS set",
  'rpki-invalid': 'RPKI origin validation: invalid',
  blackhole: "BLACKHOLE for a prefix outside the client's space",
};

/** Every reason, in a fixed order (the route server stores a route's reason as its place here). */
export const FILTER_REASONS = Object.keys(REASON_TEXT) as FilterReason[];

/** RFC 7999 §5: BLACKHOLE community 65535:666. */
export const BLACKHOLE = 0xffff029a;

export interface ImportPolicy {
  peerAs: number;
  /** Next hops the client may announce (its own addresses); empty = any. */
  nextHops: Uint8Array[];
  /** Prefix length bounds, inclusive. Defaults 8-24 (IPv4) and 16-48 (IPv6). */
  v4Lengths: [number, number];
  v6Lengths: [number, number];
  /** Longest AS_PATH accepted (AS_SET counts 1, RFC 4271 §9.1.2.2 a); 0 = no limit. */
  maxAsPathLength: number;
  bogons: boolean;
  /** RFC 7947 §2.2.2 check that the client's AS leads the AS_PATH. */
  firstAs: boolean;
  prefixList?: PrefixSet;
  asSet?: ReadonlySet<number>;
  /** RFC 6811 invalid routes: dropped, or accepted and tagged; 'off' does not validate. */
  rpki: 'drop' | 'tag' | 'off';
  /** RFC 7999 blackhole routes accepted for the client's own space, up to /32 and /128. */
  blackhole: boolean;
}

export const DEFAULT_V4_LENGTHS: [number, number] = [8, 24];
export const DEFAULT_V6_LENGTHS: [number, number] = [16, 48];

export interface ImportRoute {
  v6: boolean;
  /** The prefix's address bytes at buf[off] (4 or 16 bytes; bits past the length zero). */
  buf: Uint8Array;
  off: number;
  len: number;
  attributes: Attributes;
  /** The next hop: IPv4 NEXT_HOP or the MP_REACH next hop (global address first). */
  nextHop: Uint8Array | undefined;
}

export interface ImportWorld {
  /** RFC 6811 state of the prefix for this origin AS. */
  rpki(v6: boolean, buf: Uint8Array, off: number, len: number, origin: number): OriginState;
  /** True when the client holds an accepted route covering the prefix (its own space, for blackholes). */
  ownCovering(v6: boolean, buf: Uint8Array, off: number, len: number): boolean;
}

export interface ImportVerdict {
  /** Undefined when the route is accepted. */
  reason?: FilterReason;
  rpki: OriginState;
  blackhole: boolean;
}

/** The origin AS (RFC 6811 §2): the last AS of a final AS_SEQUENCE; ORIGIN_NONE after an AS_SET or no path. */
export function originAs(path: AsPathSegment[] | undefined): number {
  const last = path?.[path.length - 1];
  if (!last || last.asns.length === 0) return ORIGIN_NONE;
  if (last.type !== SegmentType.AS_SEQUENCE) return ORIGIN_NONE;
  return last.asns[last.asns.length - 1]!;
}

function pathLength(path: AsPathSegment[]): number {
  let n = 0;
  for (const s of path) n += s.type === SegmentType.AS_SEQUENCE ? s.asns.length : s.type === SegmentType.AS_SET ? 1 : 0;
  return n;
}

/** `b` (a next hop: 4 bytes, 16, or 32 with a link-local address after the global one) is the address `a`. */
function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  // Same family only: an IPv4 address is not the first 4 bytes of an IPv6 next hop.
  if (b.length !== a.length && !(a.length === 16 && b.length === 32)) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The import filters in order; the first that refuses gives the reason. */
export function checkImport(r: ImportRoute, p: ImportPolicy, world: ImportWorld): ImportVerdict {
  const a = r.attributes;
  const blackhole = p.blackhole && (a.communities?.includes(BLACKHOLE) ?? false);
  const verdict = (reason?: FilterReason, rpki: OriginState = NOT_FOUND): ImportVerdict => ({
    reason,
    rpki,
    blackhole,
  });
  // RFC 7948 §4.6 / RFC 4271 §5.1.3: the next hop must be the client's own address on the IX LAN (a third-party
  // next hop would pull traffic to another router without its consent).
  if (p.nextHops.length > 0) {
    const nh = r.nextHop;
    if (!nh || !p.nextHops.some((x) => sameAddress(x, nh))) return verdict('next-hop');
  }
  const path = a.asPath ?? [];
  // RFC 7947 §2.2.2: the route server does not insert itself, so the client's AS must lead the path.
  const first = path[0];
  if (p.firstAs && (!first || first.type !== SegmentType.AS_SEQUENCE || first.asns[0] !== p.peerAs))
    return verdict('first-as');
  if (p.maxAsPathLength > 0 && pathLength(path) > p.maxAsPathLength) return verdict('as-path-length');
  if (p.bogons) {
    for (const s of path) for (const asn of s.asns) if (isBogonAsn(asn)) return verdict('bogon-asn');
    // Inside a bogon block (the block's length up to a host route).
    if (bogonPrefixes().matches(r.v6, r.buf, r.off, r.len)) return verdict('bogon-prefix');
  }
  const [lo, hi] = r.v6 ? p.v6Lengths : p.v4Lengths;
  const origin = originAs(path);
  if (blackhole) {
    // RFC 7999 §3.2: a blackhole is only for the announcer's own space; up to a host route.
    if (r.len < lo) return verdict('prefix-length');
    const own = p.prefixList
      ? p.prefixList.covers(r.v6, r.buf, r.off, r.len)
      : world.ownCovering(r.v6, r.buf, r.off, r.len);
    if (!own) return verdict('blackhole');
    if (p.asSet && !p.asSet.has(origin)) return verdict('as-set');
    return verdict(undefined, p.rpki === 'off' ? NOT_FOUND : world.rpki(r.v6, r.buf, r.off, r.len, origin));
  }
  if (r.len < lo || r.len > hi) return verdict('prefix-length');
  if (p.prefixList && !p.prefixList.matches(r.v6, r.buf, r.off, r.len)) return verdict('prefix-list');
  if (p.asSet && !p.asSet.has(origin)) return verdict('as-set');
  if (p.rpki === 'off') return verdict();
  const state = world.rpki(r.v6, r.buf, r.off, r.len, origin);
  if (state === INVALID && p.rpki === 'drop') return verdict('rpki-invalid', state);
  return verdict(undefined, state);
}
