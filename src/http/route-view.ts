// A route as the HTTP API and the looking glass show it: the prefix and next hop as text, the AS path with its
// origin AS, the communities decoded and named, and ExaBGP's own JSON of the attributes beside them (the same
// object an API process gets, so a program can read either).

import { attributesJson, extendedCommunityText, originName } from '../api/json';
import type { RpkiService } from '../daemon/rpki';
import { nlriText } from '../daemon/show';
import type { AttrSet } from '../rib/attr-intern';
import { ORIGIN_NONE, STATE_NAMES } from '../rpki/vrp-table';
import { ipToString } from '../wire/ip';
import { familyName } from '../wire/nlri/registry';
import { type Attributes, type FamilyKey, IPV4_UNICAST, IPV6_UNICAST } from '../wire/types';
import type { CommunityNames, NamedCommunity } from './communities';

/** What a route view needs besides the route: community names, and the RPKI validator when one is configured. */
export interface ViewContext {
  names: CommunityNames;
  rpki?: RpkiService;
}

export interface RouteView {
  neighbor: string;
  rib: 'in' | 'out';
  family: string;
  prefix: string;
  pathId: number;
  stale: boolean;
  nextHop: string | null;
  origin: string | null;
  /** The AS path as a router prints it: sequences as numbers, sets in braces. */
  asPath: string;
  /** The AS the route originates in (last of the last AS_SEQUENCE), null when the path ends in a set or is empty. */
  originAs: number | null;
  med: number | null;
  localPref: number | null;
  communities: NamedCommunity[];
  largeCommunities: NamedCommunity[];
  extendedCommunities: string[];
  /** RFC 6811 origin validation state of a unicast route, when RPKI is configured (`rpki` section); else null. */
  rpki: 'valid' | 'invalid' | 'not-found' | null;
  /** ExaBGP 4.2's "attribute" object for the route. */
  attributes: Record<string, unknown>;
}

/** RFC 4271 §4.3 / RFC 5065: AS_SET 1, AS_SEQUENCE 2, AS_CONFED_SEQUENCE 3, AS_CONFED_SET 4. */
export function asPathText(a: Attributes): string {
  const out: string[] = [];
  for (const s of a.asPath ?? []) {
    const asns = s.asns.join(s.type === 1 || s.type === 4 ? ',' : ' ');
    if (s.type === 2) out.push(asns);
    else if (s.type === 1) out.push(`{${asns}}`);
    else if (s.type === 3) out.push(`(${asns})`);
    else out.push(`[${asns}]`);
  }
  return out.join(' ');
}

/** RFC 6811 §2: the origin AS is the last AS of a path ending in an AS_SEQUENCE; NONE otherwise. */
export function originAs(a: Attributes): number | null {
  const segs = a.asPath ?? [];
  const last = segs[segs.length - 1];
  if (last?.type !== 2 || last.asns.length === 0) return null;
  return last.asns[last.asns.length - 1]!;
}

/** Parsed `attributesJson` is cached per attribute set: a full table shares a few thousand sets. */
const attrJson = new WeakMap<AttrSet, Record<string, unknown>>();

export function routeView(
  ctx: ViewContext,
  neighbor: string,
  rib: 'in' | 'out',
  family: FamilyKey,
  entry: Uint8Array,
  pathId: number,
  set: AttrSet,
  stale = false,
): RouteView {
  const a = set.attributes;
  const hop = a.nextHop ?? set.nextHop;
  let json = attrJson.get(set);
  if (!json) attrJson.set(set, (json = JSON.parse(`{${attributesJson(a)}}`) as Record<string, unknown>));
  return {
    neighbor,
    rib,
    family: familyName(family),
    prefix: nlriText(family, entry),
    pathId,
    stale,
    nextHop: hop === undefined ? null : hop.length === 0 ? 'self' : ipToString(hop),
    origin: a.origin === undefined ? null : originName(a.origin),
    asPath: asPathText(a),
    originAs: originAs(a),
    med: a.med ?? null,
    localPref: a.localPref ?? null,
    communities: (a.communities ?? []).map((c) => ctx.names.standard(c)),
    largeCommunities: (a.largeCommunities ?? []).map((c) => ctx.names.large(c)),
    extendedCommunities: (a.extendedCommunities ?? []).map(extendedCommunityText),
    rpki: rpkiState(ctx, family, entry, a),
    attributes: json,
  };
}

/** RFC 6811 state of a unicast route (the entry is its length octet and prefix octets), null without RPKI. */
function rpkiState(ctx: ViewContext, family: FamilyKey, entry: Uint8Array, a: Attributes): RouteView['rpki'] {
  if (!ctx.rpki?.enabled || (family !== IPV4_UNICAST && family !== IPV6_UNICAST)) return null;
  const state = ctx.rpki.validate(family === IPV6_UNICAST, entry, 1, entry[0]!, originAs(a) ?? ORIGIN_NONE);
  return STATE_NAMES[state];
}
