// The typed values of tsbgp's library surface (src/lib/index.ts): routes, FlowSpec rules and UPDATEs as plain
// objects with ExaBGP's words, so that what a program writes reads like the configuration and the API, and what
// it receives reads like ExaBGP's JSON. A small, stable surface over src/wire and src/flowspec.

/** A family as ExaBGP writes it ("ipv4 unicast", "ipv6 flow", ...). */
export type Family =
  | 'ipv4 unicast'
  | 'ipv6 unicast'
  | 'ipv4 multicast'
  | 'ipv6 multicast'
  | 'ipv4 nlri-mpls'
  | 'ipv6 nlri-mpls'
  | 'ipv4 mpls-vpn'
  | 'ipv6 mpls-vpn'
  | 'ipv4 flow'
  | 'ipv6 flow'
  | 'ipv4 flow-vpn'
  | 'ipv6 flow-vpn'
  | 'l2vpn vpls'
  | 'l2vpn evpn'
  // Any other family tsbgp names (received from a peer); `string & {}` keeps the names above suggested.
  | (string & {});

/**
 * Path attributes, each optional. AS paths are lists of AS numbers; a nested list is an AS_SET (RFC 4271 §4.3),
 * as ExaBGP's `as-path [ 1 2 ( 3 4 ) ]`. Communities are ExaBGP's text: `65000:1` or a well-known name
 * (`no-export`, `blackhole`, ...); large communities `A:B:C` (RFC 8092); extended ones `target:65000:1`,
 * `origin:...`, `redirect:...` or `0x` and 16 hex digits (RFC 4360).
 */
export interface RouteAttributes {
  origin?: 'igp' | 'egp' | 'incomplete';
  asPath?: (number | number[])[];
  med?: number;
  localPreference?: number;
  atomicAggregate?: boolean;
  /** `ASN:IPv4`. */
  aggregator?: string;
  communities?: string[];
  largeCommunities?: string[];
  extendedCommunities?: string[];
  /** RFC 4456 route reflection. */
  originatorId?: string;
  clusterList?: string[];
}

/** A route to announce or withdraw, or one received. */
export interface Route extends RouteAttributes {
  /** `203.0.113.0/24`, `2001:db8::/32`; for a received route of another family, its NLRI as ExaBGP prints it. */
  prefix: string;
  /** An IP address, or `self` (the session's local address): needed to announce, not to withdraw. */
  nextHop?: string;
  /** RFC 7911 path identifier (ADD-PATH). */
  pathId?: number;
}

/** A route received from a peer: a Route with its family. */
export interface ReceivedRoute extends Route {
  family: Family;
}

/** What a FlowSpec rule matches (RFC 8955 §4, RFC 8956 §3), with the configuration's keywords and values. */
export type FlowMatchKey =
  | 'destination'
  | 'source'
  | 'destination-ipv4'
  | 'source-ipv4'
  | 'destination-ipv6'
  | 'source-ipv6'
  | 'protocol'
  | 'next-header'
  | 'port'
  | 'destination-port'
  | 'source-port'
  | 'icmp-type'
  | 'icmp-code'
  | 'tcp-flags'
  | 'packet-length'
  | 'dscp'
  | 'traffic-class'
  | 'fragment'
  | 'flow-label';

/**
 * A match value: one term or several ORed. A term is a number, a name (`tcp`, `echo-request`, `syn`), or an
 * operator and value as in ExaBGP (`=80`, `>=1024&<=2048`, `!=0`); prefixes are `203.0.113.0/24`, IPv6 ones may
 * carry an offset (`2001:db8::/64/8`).
 */
export type FlowMatch = Partial<Record<FlowMatchKey, string | number | (string | number)[]>>;

/** What is done to matching traffic (RFC 8955 §7, RFC 8956 §6) and the communities sent with the rule. */
export interface FlowThen {
  accept?: true;
  discard?: true;
  /** Bytes per second (0 discards). */
  'rate-limit'?: number;
  'rate-limit-packets'?: number;
  /** To a VRF by route target (`65000:1`, `192.0.2.1:1`), or to an IP next hop (`192.0.2.1`). */
  redirect?: string;
  /** To the UPDATE's next hop (give `nextHop` on the rule). */
  'redirect-to-nexthop'?: true;
  'redirect-to-nexthop-ietf'?: string;
  /** Copy to this IP. */
  copy?: string;
  /** DSCP 0-63. */
  mark?: number;
  action?: 'sample' | 'terminal' | 'sample-terminal';
  community?: string[];
  'extended-community'?: string[];
  'large-community'?: string[];
}

/** A FlowSpec rule with its actions. `family` is taken from the addresses when not given. */
export interface FlowSpec {
  family?: 'ipv4 flow' | 'ipv6 flow' | 'ipv4 flow-vpn' | 'ipv6 flow-vpn';
  match: FlowMatch;
  then?: FlowThen;
  /** Route distinguisher, for the flow-vpn families. */
  rd?: string;
  /** Next hop for redirect-to-nexthop. */
  nextHop?: string;
  /** tsbgp: withdrawn by itself this many seconds after it is announced. */
  expires?: number;
  /** tsbgp: send although the FlowSpec guard would refuse it (docs/FLOWSPEC.md). */
  allowUnsafe?: boolean;
}

/** A FlowSpec rule received from a peer (or decoded): the rule, its family, and its text as ExaBGP prints it. */
export interface ReceivedFlow extends FlowSpec {
  family: 'ipv4 flow' | 'ipv6 flow' | 'ipv4 flow-vpn' | 'ipv6 flow-vpn';
  text: string;
}

/** What an UPDATE carries, typed. An End-of-RIB (RFC 4724 §2) has `endOfRib` and nothing else. */
export interface DecodedUpdate {
  announced: ReceivedRoute[];
  withdrawn: ReceivedRoute[];
  flows: { announced: ReceivedFlow[]; withdrawn: ReceivedFlow[] };
  /** The path attributes shared by the announced routes. */
  attributes: RouteAttributes;
  endOfRib?: Family;
  /** RFC 7606 errors the UPDATE had, each a sentence; the session stayed up (announced routes become withdrawn). */
  errors: string[];
}
