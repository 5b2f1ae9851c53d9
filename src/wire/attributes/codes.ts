// Path attribute type codes (IANA "BGP Path Attributes") and flag bits (RFC 4271 §4.3).

import { DecodeError, ErrorCode } from '../errors';
import type { ErrorAction } from '../types';

export const AttrCode = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MED: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  ORIGINATOR_ID: 9,
  CLUSTER_LIST: 10,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  EXTENDED_COMMUNITIES: 16,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  IPV6_EXTENDED_COMMUNITIES: 25,
  AIGP: 26,
  LARGE_COMMUNITIES: 32,
  PREFIX_SID: 40,
} as const;

export const AttrFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

/** UPDATE message error subcodes, RFC 4271 §6.3 (7 is deprecated). */
export const UpdateError = {
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN: 2,
  MISSING_WELL_KNOWN: 3,
  ATTRIBUTE_FLAGS: 4,
  ATTRIBUTE_LENGTH: 5,
  INVALID_ORIGIN: 6,
  INVALID_NEXT_HOP: 8,
  OPTIONAL_ATTRIBUTE: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** The Optional/Transitive flags of well-known, optional transitive and optional non-transitive attributes. */
export const F_WK = AttrFlag.TRANSITIVE;
export const F_OT = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
export const F_ON = AttrFlag.OPTIONAL;

interface Known {
  name: string;
  /** The Optional and Transitive bits the attribute must carry. */
  flags: number;
  /** RFC 7606 §7 (and the attribute's own RFC): what a malformed instance costs. */
  action: ErrorAction;
}

/** Attributes tsbgp models. MP_REACH/MP_UNREACH errors are 'afisafi-disable' or 'session-reset' (RFC 7606 §7.11). */
export const KNOWN_ATTRIBUTES: ReadonlyMap<number, Known> = new Map<number, Known>([
  [AttrCode.ORIGIN, { name: 'origin', flags: F_WK, action: 'treat-as-withdraw' }],
  [AttrCode.AS_PATH, { name: 'as-path', flags: F_WK, action: 'treat-as-withdraw' }],
  [AttrCode.NEXT_HOP, { name: 'next-hop', flags: F_WK, action: 'treat-as-withdraw' }],
  [AttrCode.MED, { name: 'med', flags: F_ON, action: 'treat-as-withdraw' }],
  [AttrCode.LOCAL_PREF, { name: 'local-preference', flags: F_WK, action: 'treat-as-withdraw' }],
  [AttrCode.ATOMIC_AGGREGATE, { name: 'atomic-aggregate', flags: F_WK, action: 'attribute-discard' }],
  [AttrCode.AGGREGATOR, { name: 'aggregator', flags: F_OT, action: 'attribute-discard' }],
  [AttrCode.COMMUNITIES, { name: 'community', flags: F_OT, action: 'treat-as-withdraw' }],
  [AttrCode.ORIGINATOR_ID, { name: 'originator-id', flags: F_ON, action: 'treat-as-withdraw' }],
  [AttrCode.CLUSTER_LIST, { name: 'cluster-list', flags: F_ON, action: 'treat-as-withdraw' }],
  [AttrCode.MP_REACH_NLRI, { name: 'mp-reach-nlri', flags: F_ON, action: 'session-reset' }],
  [AttrCode.MP_UNREACH_NLRI, { name: 'mp-unreach-nlri', flags: F_ON, action: 'session-reset' }],
  [AttrCode.EXTENDED_COMMUNITIES, { name: 'extended-community', flags: F_OT, action: 'treat-as-withdraw' }],
  // RFC 6793 §6: a malformed AS4_PATH/AS4_AGGREGATOR is discarded, the AS_PATH/AGGREGATOR still stand.
  [AttrCode.AS4_PATH, { name: 'as4-path', flags: F_OT, action: 'attribute-discard' }],
  [AttrCode.AS4_AGGREGATOR, { name: 'as4-aggregator', flags: F_OT, action: 'attribute-discard' }],
  [AttrCode.IPV6_EXTENDED_COMMUNITIES, { name: 'extended-community-ipv6', flags: F_OT, action: 'treat-as-withdraw' }],
  // RFC 7311 §3.4 has a malformed AIGP ignored; attribute-discard is that.
  [AttrCode.AIGP, { name: 'aigp', flags: F_ON, action: 'attribute-discard' }],
  // RFC 8092 §6.
  [AttrCode.LARGE_COMMUNITIES, { name: 'large-community', flags: F_OT, action: 'treat-as-withdraw' }],
  // RFC 8669 §6 (and RFC 9252 §8 for its SRv6 Service TLVs): a malformed Prefix-SID is discarded.
  [AttrCode.PREFIX_SID, { name: 'bgp-prefix-sid', flags: F_OT, action: 'attribute-discard' }],
]);

export function attributeName(code: number): string {
  return KNOWN_ATTRIBUTES.get(code)?.name ?? `attribute-${code}`;
}

/** A malformed-attribute error with the attribute's RFC 7606 action. `data` is the attribute as received. */
export function attrError(code: number, subcode: number, why: string, data?: Uint8Array): DecodeError {
  const action = KNOWN_ATTRIBUTES.get(code)?.action ?? 'session-reset';
  return new DecodeError(ErrorCode.UPDATE_MESSAGE, subcode, `${attributeName(code)}: ${why}`, action, data);
}
