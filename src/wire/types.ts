// Typed values the codec turns bytes into and back. Nothing here does I/O.
// Shared by every part of tsbgp: session, rib, api and config speak these types, never raw bytes.

/** Message types, RFC 4271 §4.1 and RFC 2918 (ROUTE-REFRESH). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;

/** RFC 4271 §4.1: 16-byte marker, 2-byte length, 1-byte type. */
export const HEADER_LENGTH = 19;
export const MAX_MESSAGE = 4096;
/** RFC 8654 extended message. */
export const MAX_EXTENDED_MESSAGE = 65535;

export const AFI = { IPV4: 1, IPV6: 2, L2VPN: 25, BGPLS: 16388 } as const;
export const SAFI = {
  UNICAST: 1,
  MULTICAST: 2,
  MPLS_LABEL: 4,
  VPLS: 65,
  EVPN: 70,
  MPLS_VPN: 128,
  RTC: 132,
  FLOW: 133,
  FLOW_VPN: 134,
} as const;

/** A family as one number, afi * 256 + safi: cheap Map keys and comparisons. */
export type FamilyKey = number;
export const familyKey = (afi: number, safi: number): FamilyKey => afi * 256 + safi;
export const afiOf = (k: FamilyKey): number => Math.floor(k / 256);
export const safiOf = (k: FamilyKey): number => k % 256;

export const IPV4_UNICAST = familyKey(AFI.IPV4, SAFI.UNICAST);
export const IPV6_UNICAST = familyKey(AFI.IPV6, SAFI.UNICAST);

/**
 * The NLRI of one family as it sits on the wire, already validated by the family's scan.
 * `data` holds exactly the encoded NLRI (possibly a view into the received message, never copied on decode).
 * Consumers walk it with the family codec (see nlri/registry.ts); decoding a full table thus allocates one
 * block per UPDATE, not one object per prefix.
 */
export interface NlriBlock {
  family: FamilyKey;
  /** RFC 7911: every NLRI starts with a 4-byte path identifier. */
  addPath: boolean;
  data: Uint8Array;
  count: number;
}

/** A unicast/multicast prefix as a value (API, config, tests). `addr` is the full 4 or 16 bytes. */
export interface Prefix {
  family: FamilyKey;
  len: number;
  addr: Uint8Array;
  /** RFC 7911 path identifier; undefined when ADD-PATH is not in use. */
  pathId?: number;
}

export const Origin = { IGP: 0, EGP: 1, INCOMPLETE: 2 } as const;

/** AS_PATH segment types, RFC 4271 §4.3 and RFC 5065 (confederations). */
export const SegmentType = { AS_SET: 1, AS_SEQUENCE: 2, AS_CONFED_SEQUENCE: 3, AS_CONFED_SET: 4 } as const;
export interface AsPathSegment {
  type: number;
  asns: number[];
}

export interface Aggregator {
  asn: number;
  /** IPv4 address as 4 bytes. */
  address: Uint8Array;
}

/** An attribute tsbgp has no model for, kept with its flags so it can be passed on (RFC 4271 §5). */
export interface RawAttribute {
  flags: number;
  code: number;
  value: Uint8Array;
}

export interface MpReach {
  family: FamilyKey;
  /** Next hop bytes as on the wire: 4, 16, 32 (global + link-local), or with an RD for VPN families. */
  nextHop: Uint8Array;
  nlri: NlriBlock;
}

export interface MpUnreach {
  family: FamilyKey;
  nlri: NlriBlock;
}

/**
 * Path attributes. Absent means "not present". AS numbers are always 4-octet here: the decoder merges
 * AS4_PATH/AS4_AGGREGATOR (RFC 6793 §4.2.3) and the encoder produces AS_TRANS + AS4_* for 2-octet peers.
 */
export interface Attributes {
  origin?: number;
  asPath?: AsPathSegment[];
  /** IPv4 NEXT_HOP, 4 bytes. */
  nextHop?: Uint8Array;
  med?: number;
  localPref?: number;
  atomicAggregate?: boolean;
  aggregator?: Aggregator;
  /** RFC 1997 communities, each a uint32. */
  communities?: number[];
  /** RFC 4456, 4 bytes. */
  originatorId?: Uint8Array;
  /** RFC 4456, each 4 bytes. */
  clusterList?: Uint8Array[];
  /** RFC 4360 / RFC 5701 (IPv6 extended communities are 20 bytes): each kept as its bytes. */
  extendedCommunities?: Uint8Array[];
  ipv6ExtendedCommunities?: Uint8Array[];
  /** RFC 8092, each [global admin, local 1, local 2]. */
  largeCommunities?: [number, number, number][];
  /** RFC 7311 AIGP metric (TLV type 1). */
  aigp?: bigint;
  /** RFC 8669 BGP Prefix-SID, its TLVs in order (attributes/prefixsid.ts). */
  prefixSid?: import('./attributes/prefixsid').PrefixSidTlv[];
  mpReach?: MpReach;
  mpUnreach?: MpUnreach;
  /** Attributes without a model, in the order received. */
  other?: RawAttribute[];
}

/** RFC 7606 §2: what to do with a malformed message or attribute. */
export type ErrorAction = 'session-reset' | 'afisafi-disable' | 'treat-as-withdraw' | 'attribute-discard';

export interface Update {
  /** IPv4 unicast withdrawn routes from the UPDATE body. */
  withdrawn: NlriBlock;
  attributes: Attributes;
  /** IPv4 unicast NLRI from the UPDATE body. */
  nlri: NlriBlock;
  /**
   * Non-fatal RFC 7606 findings. When any carries 'treat-as-withdraw', every NLRI of the update
   * (body and MP_REACH) must be handled as withdrawn.
   */
  issues: import('./errors').DecodeError[];
  /** True for End-of-RIB (RFC 4724 §2); `eorFamily` says which. */
  eorFamily?: FamilyKey;
}

/** Capability codes, IANA "Capability Codes". */
export const Cap = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  EXTENDED_NEXT_HOP: 5,
  EXTENDED_MESSAGE: 6,
  MULTIPLE_LABELS: 8,
  GRACEFUL_RESTART: 64,
  AS4: 65,
  ADD_PATH: 69,
  ENHANCED_ROUTE_REFRESH: 70,
  HOSTNAME: 73,
  SOFTWARE_VERSION: 75,
  ROUTE_REFRESH_CISCO: 128,
} as const;

export type Capability =
  | { code: 1; afi: number; safi: number }
  | { code: 2 | 128 | 6 | 70 }
  | { code: 5; entries: { afi: number; safi: number; nextHopAfi: number }[] }
  /** RFC 8277 §2.1: the most labels the speaker can receive bound to one prefix, per family. */
  | { code: 8; families: { afi: number; safi: number; count: number }[] }
  | {
      code: 64;
      restartFlags: number; // top 4 bits: R (restart) and N (notification, RFC 8538)
      restartTime: number;
      families: { afi: number; safi: number; flags: number }[]; // flags 0x80 = forwarding state preserved
    }
  | { code: 65; asn: number }
  | { code: 69; families: { afi: number; safi: number; mode: number }[] } // mode 1 receive, 2 send, 3 both
  | { code: 73; hostname: string; domain: string }
  | { code: 75; version: string }
  | { code: number; unknown: true; value: Uint8Array };

export interface Open {
  version: number;
  /** The 2-octet field; AS_TRANS (23456) when the real AS is 4-octet. Use the AS4 capability for the real one. */
  myAs: number;
  holdTime: number;
  /** 4 bytes. */
  routerId: Uint8Array;
  capabilities: Capability[];
}

export interface Notification {
  code: number;
  subcode: number;
  data: Uint8Array;
}

export interface RouteRefresh {
  afi: number;
  safi: number;
  /** RFC 7313: 0 normal request, 1 BoRR, 2 EoRR. */
  subtype: number;
}

export type Message =
  | { type: 1; open: Open }
  | { type: 2; update: Update }
  | { type: 3; notification: Notification }
  | { type: 4 }
  | { type: 5; refresh: RouteRefresh };

/**
 * What decoding an UPDATE needs to know of the session: negotiated as RFC 6793, RFC 7911, RFC 8950 say.
 * A fresh context (no capabilities) is the RFC 4271 default.
 */
export interface CodecContext {
  /** Both sides announced 4-octet AS: AS_PATH carries 4-byte ASNs. */
  asn4: boolean;
  /** Families for which NLRI carry a path identifier in this direction. */
  addPath: ReadonlySet<FamilyKey>;
  /** Max message size in this direction: 4096, or 65535 with RFC 8654. */
  maxMessage: number;
}

export const defaultContext = (): CodecContext => ({ asn4: false, addPath: new Set(), maxMessage: MAX_MESSAGE });
