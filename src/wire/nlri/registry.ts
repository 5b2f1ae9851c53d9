// Family registry: UPDATE decoding asks here for the codec of an MP_REACH/MP_UNREACH family, so new families
// (FlowSpec, VPN, ...) plug in by registering a codec and nothing else changes.

import { concatBytes, EMPTY } from '../bytes';
import { AFI, afiOf, type FamilyKey, familyKey, type NlriBlock, SAFI, safiOf } from '../types';
import type { NlriCodec } from './codec';
import { ipv4Multicast, ipv4Unicast, ipv6Multicast, ipv6Unicast } from './prefix';

const codecs = new Map<FamilyKey, NlriCodec<unknown>>();

export function registerFamily(codec: NlriCodec<unknown>): void {
  codecs.set(codec.family, codec);
}

export function familyCodec(k: FamilyKey): NlriCodec<unknown> | undefined {
  return codecs.get(k);
}

// ExaBGP's spellings (exabgp/protocol/family.py names), both ways.
const AFI_NAMES: ReadonlyMap<number, string> = new Map([
  [AFI.IPV4, 'ipv4'],
  [AFI.IPV6, 'ipv6'],
  [AFI.L2VPN, 'l2vpn'],
  [AFI.BGPLS, 'bgp-ls'],
]);
const SAFI_NAMES: ReadonlyMap<number, string> = new Map([
  [SAFI.UNICAST, 'unicast'],
  [SAFI.MULTICAST, 'multicast'],
  [SAFI.MPLS_LABEL, 'nlri-mpls'],
  [5, 'mcast-vpn'],
  [SAFI.VPLS, 'vpls'],
  [SAFI.EVPN, 'evpn'],
  [71, 'bgp-ls'],
  [72, 'bgp-ls-vpn'],
  [73, 'sr-policy'],
  [85, 'mup'],
  [SAFI.MPLS_VPN, 'mpls-vpn'],
  [SAFI.RTC, 'rtc'],
  [SAFI.FLOW, 'flow'],
  [SAFI.FLOW_VPN, 'flow-vpn'],
]);

export function familyName(k: FamilyKey): string {
  const c = codecs.get(k);
  if (c) return c.name;
  const a = AFI_NAMES.get(afiOf(k));
  const s = SAFI_NAMES.get(safiOf(k));
  if (a !== undefined && s !== undefined) return `${a} ${s}`;
  return `afi ${afiOf(k)} safi ${safiOf(k)}`;
}

export function parseFamily(afiName: string, safiName: string): FamilyKey | undefined {
  const an = afiName.toLowerCase();
  const sn = safiName.toLowerCase();
  let afi: number | undefined;
  let safi: number | undefined;
  for (const [v, n] of AFI_NAMES) if (n === an) afi = v;
  for (const [v, n] of SAFI_NAMES) if (n === sn) safi = v;
  if (afi === undefined || safi === undefined) return undefined;
  return familyKey(afi, safi);
}

export function emptyBlock(k: FamilyKey): NlriBlock {
  return { family: k, addPath: false, data: EMPTY, count: 0 };
}

/** Encode values into a block with the family's codec. Throws (programming error) when no codec is registered. */
export function makeBlock(k: FamilyKey, items: unknown[], addPath: boolean): NlriBlock {
  const c = codecs.get(k);
  if (!c) throw new Error(`no NLRI codec registered for ${familyName(k)}`);
  const data = concatBytes(items.map((i) => c.encode(i, addPath)));
  return { family: k, addPath, data, count: items.length };
}

registerFamily(ipv4Unicast as NlriCodec<unknown>);
registerFamily(ipv6Unicast as NlriCodec<unknown>);
registerFamily(ipv4Multicast as NlriCodec<unknown>);
registerFamily(ipv6Multicast as NlriCodec<unknown>);
