// The typed result of parsing an ExaBGP 4.2 configuration file. Defaults are ExaBGP's (noted per field).

import type { DdosConfig } from '../ddos/config';
import type { ProtectedPrefix as GuardPrefix } from '../flowspec/guard';
import type { Statement } from '../flowspec/parse';
import type { FamilyKey } from '../wire/types';
import type { ConfederationConfig } from './confederation';
import type { EvpnConfigRoute } from './evpn';
import type { HttpConfig } from './http';
import type { RouteList } from './route-list';
import type { RpkiConfig } from './rpki';
import type { RouteServerFilterConfig } from './rs-filter';
import type { Location } from './tokenizer';
import type { VplsRoute } from './vpls';

export type { RouteSpec } from './route';
export type { RouteList } from './route-list';
export type { RpkiCacheConfig, RpkiConfig } from './rpki';
export type { Location } from './tokenizer';

export interface ProcessConfig {
  name: string;
  /** argv: program (resolved like ExaBGP: absolute, /etc/exabgp, the config's folder, PATH) then arguments. */
  run: string[];
  encoder: 'json' | 'text';
  /** Default true. */
  respawn: boolean;
  pos: Location;
}

export interface ApiDirection {
  parsed: boolean;
  packets: boolean;
  consolidate: boolean;
  open: boolean;
  update: boolean;
  notification: boolean;
  keepalive: boolean;
  refresh: boolean;
  operational: boolean;
}

export interface ApiConfig {
  /** The name after `api`, or `auto-named-N`. */
  name: string;
  processes: string[];
  neighborChanges: boolean;
  negotiated: boolean;
  fsm: boolean;
  signal: boolean;
  send: ApiDirection;
  receive: ApiDirection;
  pos: Location;
}

export interface CapabilityConfig {
  /** Default true. */
  asn4: boolean;
  /** Default false (the keyword alone means true). */
  routeRefresh: boolean;
  /** false = off (default); 0 = on with the hold time as restart time; N = restart time (RFC 4724). */
  gracefulRestart: number | false;
  /** 0 disabled (default), 1 receive, 2 send, 3 send/receive (RFC 7911). */
  addPath: 0 | 1 | 2 | 3;
  /** Default false. */
  multiSession: boolean;
  /** Default false. */
  operational: boolean;
  /** Default false. */
  aigp: boolean;
  /** Default true (RFC 8654). */
  extendedMessage: boolean;
  /** RFC 8950 extended next hop: undefined = on when a `nexthop` block is present. */
  nexthop?: boolean;
  /** Software version capability (draft-abraitis-bgp-version-capability); default false. */
  softwareVersion: boolean;
  /** RFC 8277 §2.1 Multiple Labels: the Count announced for the labeled families; 0 = not announced (default). */
  multipleLabels: number;
}

// A statement as the parser keeps it for the FlowSpec layer, which owns the type (config may import flowspec,
// not the other way round).
export type { Statement };

/** A `flow { route NAME { ... } }` entry, kept generic: the FlowSpec module turns it into rules. */
export interface FlowRouteConfig {
  name: string;
  /** Text of `rd` / `route-distinguisher` when given. */
  rd?: string;
  /** Text of `next-hop` when given (flow redirect to IP). */
  nextHop?: string;
  match: Statement[];
  then: Statement[];
  scope: Statement[];
  /** Route-level statements for the FlowSpec parser: next-hop, and tsbgp's allow-unsafe and expires. */
  statements: Statement[];
  pos: Location;
}

export interface NextHopFamily {
  family: FamilyKey;
  /** AFI of the next hop (RFC 8950). */
  nextHopAfi: number;
}

/** TCP MD5 (RFC 2385) and GTSM (RFC 5082) settings of a neighbor, as ExaBGP 4.2 reads them. */
export interface SocketSecurityConfig {
  /** `md5-password` as written; undefined = no TCP MD5. */
  md5Password?: string;
  /** `md5-base64`: true (the password is base64), false (default: the password's bytes), 'auto' (see md5Key). */
  md5Base64: boolean | 'auto';
  /** The key put on the sockets: md5-password decoded as md5-base64 says, 1 to 80 bytes. */
  md5Key?: Uint8Array;
  /** `md5-ip`: local address outgoing connections bind to instead of local-address (ExaBGP's meaning). */
  md5Ip?: string;
  /** `outgoing-ttl`: IP TTL / IPv6 hop limit of what we send, 0 = the system's default. */
  outgoingTtl: number;
  /** `incoming-ttl`: lowest TTL / hop limit accepted from the peer, 0 = any. */
  incomingTtl: number;
}

export interface NeighborConfig extends SocketSecurityConfig {
  /** Peer address as written (may be a range `10.0.0.0/24` for passive neighbors). */
  peerAddress: string;
  peerAddressBytes: Uint8Array;
  /** Prefix length of the peer range (32/128 for one address). */
  peerRangeLength: number;
  /** Undefined = use local-address (IPv4 only, as ExaBGP). */
  routerId: string;
  /** `auto` = chosen by the kernel when connecting. */
  localAddress: string | 'auto';
  localAs: number | 'auto';
  peerAs: number | 'auto';
  description: string;
  /** Default 180; 0 or >= 3 (RFC 4271 §4.2). */
  holdTime: number;
  /** Default false. */
  passive: boolean;
  /** TCP port to listen on for this peer, 0 = global setting. */
  listen: number;
  /** TCP port to connect to, 0 = 179. */
  connect: number;
  hostName: string;
  domainName: string;
  /** Default true. */
  groupUpdates: boolean;
  /** Default true. */
  autoFlush: boolean;
  /** Default true. */
  adjRibIn: boolean;
  /** Default true. */
  adjRibOut: boolean;
  /** Default false. */
  manualEor: boolean;
  /** Messages per second, 0 = unlimited. */
  rateLimit: number;
  /** Families to negotiate: the `family` block, or all ExaBGP knows when there is none. */
  families: FamilyKey[];
  /** Families with ADD-PATH (when capability add-path is on): the `add-path` block or all families. */
  addPathFamilies: FamilyKey[];
  nexthops: NextHopFamily[];
  capability: CapabilityConfig;
  api: ApiConfig[];
  /**
   * Static routes (static blocks, announce blocks, `route` at neighbor level), in file order; stored by
   * columns (`get(i)` or iteration gives RouteSpec objects).
   */
  routes: RouteList;
  flows: FlowRouteConfig[];
  /** VPLS routes (RFC 4761) of `l2vpn { vpls ... }` and `announce { l2vpn { vpls ... } }`, in file order. */
  vpls: VplsRoute[];
  /** EVPN routes (RFC 7432, RFC 9136) of `l2vpn { evpn ... }` and `announce { l2vpn { evpn ... } }`, in file order. */
  evpn: EvpnConfigRoute[];
  /** Template names inherited, in order. */
  inherit: string[];
  pos: Location;
  /** tsbgp: `route-reflector-client;` (RFC 4456): routes are reflected to and from this internal neighbor. */
  routeReflectorClient?: boolean;
  /** tsbgp: `cluster-id A.B.C.D;` for this neighbor (RFC 4456 §7), else the global one, else its router-id. */
  clusterId?: string;
  /** tsbgp: `route-server-client;` (RFC 7947): routes from and to this external neighbor go through the route server. */
  routeServerClient?: boolean;
  /** tsbgp: the import filters of a route server client (`filter { }`, config/rs-filter.ts), defaults filled in. */
  filter?: RouteServerFilterConfig;
  /** tsbgp: the top-level `confederation { }` (RFC 5065) every neighbor belongs to, when there is one. */
  confederation?: ConfederationConfig;
}

export interface Config {
  file: string;
  processes: Map<string, ProcessConfig>;
  neighbors: NeighborConfig[];
  /** `file:line:col: warning: ...` for what ExaBGP accepts but is likely a mistake (unclosed section). */
  warnings: string[];
  /** tsbgp: prefixes from `flow { protect [ ... ]; }` blocks, for the FlowSpec guard. */
  flowProtect: ProtectedPrefix[];
  /** tsbgp: the top-level `ddos` section (flow collection, attack detection and mitigation, docs/DDOS.md). */
  ddos?: DdosConfig;
  /** tsbgp: the top-level `rpki` section (RPKI-to-Router caches), when there is one. */
  rpki?: RpkiConfig;
  /** tsbgp: the top-level `http` section (the HTTP server's settings, config/http.ts), when there is one. */
  http?: HttpConfig;
  /** tsbgp: top-level `cluster-id A.B.C.D;` (RFC 4456 §7). */
  clusterId?: string;
  /** tsbgp: the top-level `confederation { }` section (RFC 5065). */
  confederation?: ConfederationConfig;
  /** tsbgp: top-level `always-compare-med;` for the Loc-RIB's decision (RFC 4271 §9.1.2.2 c). */
  alwaysCompareMed?: boolean;
}

/** An address or prefix of a BGP speaker for the FlowSpec guard (see flowspec/guard.ts), where it was written. */
export interface ProtectedPrefix extends GuardPrefix {
  pos?: Location;
}
