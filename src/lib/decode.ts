// Decoded UPDATEs as the library's typed values (lib/types.ts): the speaker's `update` events and the codec's
// decodeUpdate() both come through here, so a program sees the same objects from a live session and from bytes.

import { communityText, extendedCommunityText, familyRenderer, ipString, originName, updateParts } from '../api/json';
import { decodeFlowAction, decodeFlowAction6 } from '../flowspec/actions';
import { flowToJSON, flowToString } from '../flowspec/json';
import type { FlowAction, FlowRule } from '../flowspec/rule';
import type { AttrSet } from '../rib/attr-intern';
import { ipToString } from '../wire/ip';
import { isFlowFamily } from '../wire/nlri/flowspec';
import { prefixToString } from '../wire/nlri/prefix';
import { familyCodec, familyName } from '../wire/nlri/registry';
import { type Attributes, type FamilyKey, type NlriBlock, type Prefix, SAFI, safiOf, type Update } from '../wire/types';
import type { DecodedUpdate, FlowMatch, FlowThen, ReceivedFlow, ReceivedRoute, RouteAttributes } from './types';

const PREFIX_SAFIS: ReadonlySet<number> = new Set([SAFI.UNICAST, SAFI.MULTICAST]);

/** An UPDATE as typed routes, rules and attributes; treat-as-withdraw (RFC 7606) already applied. */
export function decodedUpdate(u: Update): DecodedUpdate {
  const errors = u.issues.map((i) => i.message);
  const parts = updateParts(u);
  if (parts.eor !== undefined)
    return {
      announced: [],
      withdrawn: [],
      flows: { announced: [], withdrawn: [] },
      attributes: {},
      endOfRib: familyName(parts.eor),
      errors,
    };
  const attributes = typedAttributes(u.attributes);
  const out: DecodedUpdate = {
    announced: [],
    withdrawn: [],
    flows: { announced: [], withdrawn: [] },
    attributes,
    errors,
  };
  for (const block of parts.withdrawn) {
    if (isFlowFamily(block.family)) out.flows.withdrawn.push(...flows(block, undefined, undefined));
    else out.withdrawn.push(...routes(block, undefined, {}));
  }
  const mpNextHop = u.attributes.mpReach?.nextHop;
  for (const { block, nextHops } of parts.announced) {
    if (isFlowFamily(block.family))
      out.flows.announced.push(...flows(block, u.attributes, mpNextHop?.length ? mpNextHop : undefined));
    else {
      const nh = nextHops[0] === 'no-nexthop' ? undefined : nextHops[0];
      out.announced.push(...routes(block, nh, attributes));
    }
  }
  return out;
}

function routes(block: NlriBlock, nextHop: string | undefined, attributes: RouteAttributes): ReceivedRoute[] {
  const family = familyName(block.family);
  const codec = familyCodec(block.family);
  const made = (prefix: string, pathId?: number): ReceivedRoute => {
    const r: ReceivedRoute = { family, prefix };
    if (nextHop !== undefined) r.nextHop = nextHop;
    if (pathId !== undefined) r.pathId = pathId;
    return Object.assign(r, attributes);
  };
  if (codec && PREFIX_SAFIS.has(safiOf(block.family)))
    return (codec.items(block) as Prefix[]).map((p) => made(prefixToString(p), p.pathId));
  // Other families (labeled, VPN, VPLS, EVPN, ...): each NLRI as ExaBGP's text encoder prints it.
  const out: ReceivedRoute[] = [];
  familyRenderer(block.family).forEach(block, false, (_json, text, after) => out.push(made(text + (after ?? ''))));
  return out;
}

/** The rules of a block; with the attributes they were announced with, their actions and next hop. */
function flows(block: NlriBlock, a: Attributes | undefined, nh: Uint8Array | undefined): ReceivedFlow[] {
  const codec = familyCodec(block.family);
  if (!codec) return [];
  const then = a ? flowThen(a, nh) : undefined;
  return (codec.items(block) as FlowRule[]).map((rule) => {
    const f: ReceivedFlow = {
      family: familyName(rule.family) as ReceivedFlow['family'],
      match: flowMatch(rule),
      text: flowToString(rule, nh),
    };
    if (rule.rd) f.rd = flowToJSON(rule).rd as string;
    if (nh) f.nextHop = ipToString(nh);
    if (then && Object.keys(then).length > 0) f.then = then;
    return f;
  });
}

/**
 * One route held in an Adj-RIB (its NLRI bytes without path identifier, its interned attributes) as a typed
 * route or rule. An empty next hop is the session's own address (`self`) for a route, none for a rule.
 */
export function heldRoute(
  family: FamilyKey,
  entry: Uint8Array,
  pathId: number,
  set: AttrSet,
): ReceivedRoute | ReceivedFlow {
  const a = set.attributes;
  const hop = a.nextHop ?? set.nextHop;
  const block: NlriBlock = { family, addPath: false, data: entry, count: 1 };
  if (isFlowFamily(family)) return flows(block, a, hop?.length ? hop : undefined)[0]!;
  const nh = hop === undefined ? undefined : hop.length === 0 ? 'self' : ipToString(hop);
  const r = routes(block, nh, typedAttributes(a))[0]!;
  if (pathId !== 0) r.pathId = pathId;
  return r;
}

/** The rule's components with the keywords and terms ExaBGP's JSON gives them (they parse back as a FlowMatch). */
export function flowMatch(rule: FlowRule): FlowMatch {
  const json = flowToJSON(rule);
  const m: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(json)) if (Array.isArray(v)) m[k] = v;
  return m as FlowMatch;
}

/** The actions and communities of a FlowSpec UPDATE as a FlowThen. */
function flowThen(a: Attributes, nextHop: Uint8Array | undefined): FlowThen {
  const then: FlowThen = {};
  const other: string[] = [];
  for (const c of a.extendedCommunities ?? []) {
    const act = decodeFlowAction(c);
    if (act) addAction(then, act, nextHop);
    else other.push(extendedCommunityText(c));
  }
  for (const c of a.ipv6ExtendedCommunities ?? []) {
    const act = decodeFlowAction6(c);
    if (act) addAction(then, act, nextHop);
  }
  if (other.length > 0) then['extended-community'] = other;
  if (a.communities?.length) then.community = a.communities.map(communityText);
  if (a.largeCommunities?.length) then['large-community'] = a.largeCommunities.map((l) => l.join(':'));
  return then;
}

function addAction(then: FlowThen, act: FlowAction, nextHop: Uint8Array | undefined): void {
  switch (act.kind) {
    case 'accept':
      then.accept = true;
      return;
    case 'discard':
      then.discard = true;
      return;
    case 'rate-limit':
    case 'rate-limit-packets':
      then[act.kind] = act.rate;
      return;
    case 'redirect':
      then.redirect = `${act.asn}:${act.target}`;
      return;
    case 'redirect-ip':
      then.redirect = `${ipToString(act.ip)}:${act.target}`;
      return;
    case 'redirect-to-nexthop':
      if (act.copy && nextHop) then.copy = ipToString(nextHop);
      else then['redirect-to-nexthop'] = true;
      return;
    case 'redirect-to-nexthop-ietf':
      then['redirect-to-nexthop-ietf'] = ipToString(act.ip);
      return;
    case 'mark':
      then.mark = act.dscp;
      return;
    case 'action':
      then.action = act.sample && act.terminal ? 'sample-terminal' : act.sample ? 'sample' : 'terminal';
      return;
  }
}

/** Path attributes with ExaBGP's words; a nested list in the AS path is an AS_SET (confederation segments too). */
export function typedAttributes(a: Attributes): RouteAttributes {
  const r: RouteAttributes = {};
  const origin = a.origin === undefined ? 'None' : originName(a.origin);
  if (origin !== 'None') r.origin = origin as RouteAttributes['origin'];
  if (a.asPath !== undefined) {
    const path: (number | number[])[] = [];
    for (const s of a.asPath) {
      if (s.type === 1 || s.type === 4) path.push([...s.asns]);
      else path.push(...s.asns);
    }
    r.asPath = path;
  }
  if (a.med !== undefined) r.med = a.med;
  if (a.localPref !== undefined) r.localPreference = a.localPref;
  if (a.atomicAggregate) r.atomicAggregate = true;
  if (a.aggregator) r.aggregator = `${a.aggregator.asn}:${ipString(a.aggregator.address)}`;
  if (a.communities?.length) r.communities = a.communities.map(communityText);
  if (a.largeCommunities?.length) r.largeCommunities = a.largeCommunities.map((l) => l.join(':'));
  if (a.extendedCommunities?.length) r.extendedCommunities = a.extendedCommunities.map(extendedCommunityText);
  if (a.originatorId) r.originatorId = ipString(a.originatorId);
  if (a.clusterList?.length) r.clusterList = a.clusterList.map((c) => ipString(c));
  return r;
}
