// The FlowSpec rule model (RFC 8955, RFC 8956): what the NLRI codec, the parser, the guard and the JSON encoder
// share. A FlowRule is exactly the NLRI (the match); a FlowRoute adds what travels beside it in the UPDATE:
// the traffic filtering actions (extended communities, RFC 8955 §7), other communities, and the next hop.

import type { FamilyKey } from '../wire/types';

/** Component types, RFC 8955 §4.2.2 (IPv4) and RFC 8956 §3 (IPv6: type 3 is next-header, 11 traffic class, 13 flow label). */
export const FlowType = {
  DESTINATION: 1,
  SOURCE: 2,
  PROTOCOL: 3,
  PORT: 4,
  DESTINATION_PORT: 5,
  SOURCE_PORT: 6,
  ICMP_TYPE: 7,
  ICMP_CODE: 8,
  TCP_FLAGS: 9,
  PACKET_LENGTH: 10,
  DSCP: 11,
  FRAGMENT: 12,
  FLOW_LABEL: 13,
} as const;

/** Operator byte bits, RFC 8955 §4.2.1.1 (numeric) and §4.2.1.2 (bitmask). */
export const Op = {
  END: 0x80,
  AND: 0x40,
  LEN: 0x30,
  /** numeric */
  LT: 0x04,
  GT: 0x02,
  EQ: 0x01,
  /** bitmask */
  NOT: 0x02,
  MATCH: 0x01,
} as const;

/** A destination (1) or source (2) prefix. IPv6 adds the bit offset where matching starts (RFC 8956 §3.1). */
export interface FlowPrefix {
  type: 1 | 2;
  /** Prefix length in bits: where matching stops. */
  len: number;
  /** IPv6 only (always 0 for IPv4): bits skipped before matching starts. */
  offset: number;
  /** The full address, 4 or 16 bytes. Bits before `offset` are not sent (RFC 8956 §3.1); bits past `len` are kept as given. */
  addr: Uint8Array;
}

/**
 * A numeric or bitmask component: a list of (operator, value) terms. `ops[i]` keeps only the AND bit and the
 * comparison bits (lt/gt/eq or not/match); the end-of-list and length bits are wire details the encoder derives.
 */
export interface FlowOps {
  type: number;
  ops: number[];
  values: number[];
}

export type FlowComponent = FlowPrefix | FlowOps;

export const isPrefixComponent = (c: FlowComponent): c is FlowPrefix => c.type <= 2;

/** One FlowSpec NLRI. `components` are sorted by strictly increasing type (RFC 8955 §4.2). */
export interface FlowRule {
  /** ipv4 flow (1/133), ipv6 flow (2/133), ipv4 flow-vpn (1/134), ipv6 flow-vpn (2/134). */
  family: FamilyKey;
  /** Route distinguisher, 8 bytes, for the VPN families only (RFC 8955 §8). */
  rd?: Uint8Array;
  components: FlowComponent[];
  /** RFC 7911 path identifier when ADD-PATH is in use. */
  pathId?: number;
}

/** Traffic filtering actions in readable form (RFC 8955 §7, RFC 8956 §6, drafts ExaBGP implements). */
export type FlowAction =
  | { kind: 'accept' }
  | { kind: 'discard' }
  /** traffic-rate-bytes 0x8006, bytes per second; 0 means discard (RFC 8955 §7.1). */
  | { kind: 'rate-limit'; rate: number; asn: number }
  /** traffic-rate-packets 0x800c (RFC 8955 §7.1). */
  | { kind: 'rate-limit-packets'; rate: number; asn: number }
  /** redirect to VRF by route target: 2-octet AS 0x8008, 4-octet AS 0x8208 (RFC 8955 §7.4). */
  | { kind: 'redirect'; asn: number; target: number }
  /** redirect to VRF by IP route target: IPv4 0x8108 (RFC 8955 §7.4), IPv6 0x000d (RFC 8956 §6.1). */
  | { kind: 'redirect-ip'; ip: Uint8Array; target: number }
  /** Redirect/copy to the UPDATE's next hop, 0x0800 (draft-simpson-idr-flowspec-redirect). */
  | { kind: 'redirect-to-nexthop'; copy: boolean }
  /** Redirect/copy to IP, 0x010c (IPv4) or IPv6-specific 0x000c (draft-ietf-idr-flowspec-redirect-ip). */
  | { kind: 'redirect-to-nexthop-ietf'; ip: Uint8Array; copy: boolean }
  /** traffic-marking 0x8009 (RFC 8955 §7.5). */
  | { kind: 'mark'; dscp: number }
  /** traffic-action 0x8007: S (sample) and T (terminal) bits (RFC 8955 §7.3). */
  | { kind: 'action'; sample: boolean; terminal: boolean };

/** A rule with what goes with it in an UPDATE: what the configuration and the API build. */
export interface FlowRoute {
  /** The `route NAME` of the configuration, if any. */
  name?: string;
  rule: FlowRule;
  /** Actions in the order written. */
  actions: FlowAction[];
  /** Next hop for `redirect IP`, `copy IP`, `redirect-to-nexthop` (with `next-hop`): 4 or 16 bytes. */
  nextHop?: Uint8Array;
  /** RFC 1997 communities. */
  communities: number[];
  /** RFC 4360 extended communities, 8 bytes each, in the order ExaBGP adds them (actions, then extended-community). */
  extendedCommunities: Uint8Array[];
  /** RFC 5701 IPv6 address specific extended communities, 20 bytes each. */
  ipv6ExtendedCommunities: Uint8Array[];
  /** RFC 8092 large communities. */
  largeCommunities: [number, number, number][];
  /**
   * tsbgp extension `allow-unsafe;` (statement in the route block, or token in the API one-liner): the operator
   * says the rule is intended even though the guard (guard.ts) would refuse it. Warnings are still reported.
   */
  allowUnsafe: boolean;
  /** tsbgp extension `expires SECONDS;` (statement in the route block / token pair in the API). */
  expiresIn?: number;
  /** When the daemon must withdraw the rule: ms since the epoch (now + expiresIn at parse time). */
  expiresAt?: number;
}
