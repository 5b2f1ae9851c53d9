// Parser for ExaBGP 4.2 configuration files (grammar and defaults taken from ExaBGP's behaviour; own code).
// Streaming: statements are read one at a time from the Lexer, routes are parsed as they come and routes
// written alike share one attribute object, so a million-route static block costs one pass.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type DdosConfig,
  type DdosGroup,
  ddosStatement,
  defaultDdos,
  finishDdos,
  groupStatement,
} from '../ddos/config';
import { parsePrefix } from '../wire/ip';
import { AFI, type FamilyKey, familyKey, SAFI } from '../wire/types';
import { ipBytes } from './addr';
import { type ConfederationConfig, confederationStatement, finishConfederation } from './confederation';
import { type EvpnConfigRoute, parseEvpn } from './evpn';
import { finishHttp, type HttpConfig, httpStatement } from './http';
import { MD5_MAX_KEY, md5Key } from './md5';
import type {
  ApiConfig,
  ApiDirection,
  CapabilityConfig,
  Config,
  FlowRouteConfig,
  NeighborConfig,
  NextHopFamily,
  ProcessConfig,
  ProtectedPrefix,
  SocketSecurityConfig,
  Statement,
} from './model';
import {
  Cursor,
  checkRoute,
  expandSplit,
  parseAsn,
  parseAttributesNlri,
  parsePrefixAt,
  parsePrefixToken,
  parseRoute,
  parseRouteTail,
  parseSimpleTail,
  parseUint,
  type RouteSpec,
  type RouteTail,
  tailAccepts,
  tailFamily,
} from './route';
import { RouteList } from './route-list';
import { type RpkiConfig, rpkiStatement } from './rpki';
import { defaultFilter, filterStatement, type RouteServerFilterConfig } from './rs-filter';
import { ConfigError, errorAt, expected, Lexer, type Location, listWords, type Token } from './tokenizer';
import { parseVpls, type VplsRoute } from './vpls';

export interface ParseOptions {
  /** Check that `run` programs exist and are executable, as ExaBGP does (default true). */
  checkPrograms?: boolean;
}

/** ExaBGP's family names (the `family` block), as FamilyKeys. */
export const FAMILY_NAMES: Readonly<Record<string, Readonly<Record<string, FamilyKey>>>> = {
  ipv4: {
    unicast: familyKey(AFI.IPV4, SAFI.UNICAST),
    multicast: familyKey(AFI.IPV4, SAFI.MULTICAST),
    'nlri-mpls': familyKey(AFI.IPV4, SAFI.MPLS_LABEL),
    'mpls-vpn': familyKey(AFI.IPV4, SAFI.MPLS_VPN),
    flow: familyKey(AFI.IPV4, SAFI.FLOW),
    'flow-vpn': familyKey(AFI.IPV4, SAFI.FLOW_VPN),
    rtc: familyKey(AFI.IPV4, SAFI.RTC),
    // ExaBGP 5.0's (and its main branch's, sr-policy) names: received and printed (docs/API.md), no route syntax.
    'mcast-vpn': familyKey(AFI.IPV4, 5),
    mup: familyKey(AFI.IPV4, 85),
    'sr-policy': familyKey(AFI.IPV4, 73),
  },
  ipv6: {
    unicast: familyKey(AFI.IPV6, SAFI.UNICAST),
    multicast: familyKey(AFI.IPV6, SAFI.MULTICAST),
    'nlri-mpls': familyKey(AFI.IPV6, SAFI.MPLS_LABEL),
    'mpls-vpn': familyKey(AFI.IPV6, SAFI.MPLS_VPN),
    flow: familyKey(AFI.IPV6, SAFI.FLOW),
    'flow-vpn': familyKey(AFI.IPV6, SAFI.FLOW_VPN),
    'mcast-vpn': familyKey(AFI.IPV6, 5),
    mup: familyKey(AFI.IPV6, 85),
    'sr-policy': familyKey(AFI.IPV6, 73),
  },
  l2vpn: { vpls: familyKey(AFI.L2VPN, SAFI.VPLS), evpn: familyKey(AFI.L2VPN, SAFI.EVPN) },
  'bgp-ls': { 'bgp-ls': familyKey(AFI.BGPLS, 71), 'bgp-ls-vpn': familyKey(AFI.BGPLS, 72) },
};

/** What ExaBGP negotiates when a neighbor has no `family` block (NLRI.known_families() in 4.2). */
export const DEFAULT_FAMILIES: readonly FamilyKey[] = [
  FAMILY_NAMES.ipv4.unicast,
  FAMILY_NAMES.ipv4.multicast,
  FAMILY_NAMES.ipv4['nlri-mpls'],
  FAMILY_NAMES.ipv4['mpls-vpn'],
  FAMILY_NAMES.ipv4.flow,
  FAMILY_NAMES.ipv4['flow-vpn'],
  FAMILY_NAMES.ipv4.rtc,
  FAMILY_NAMES.ipv6.unicast,
  FAMILY_NAMES.ipv6.multicast,
  FAMILY_NAMES.ipv6['nlri-mpls'],
  FAMILY_NAMES.ipv6['mpls-vpn'],
  FAMILY_NAMES.ipv6.flow,
  FAMILY_NAMES.ipv6['flow-vpn'],
  FAMILY_NAMES.l2vpn.vpls,
  FAMILY_NAMES.l2vpn.evpn,
  FAMILY_NAMES['bgp-ls']['bgp-ls'],
  FAMILY_NAMES['bgp-ls']['bgp-ls-vpn'],
];

const API_MESSAGES = [
  'parsed',
  'packets',
  'consolidate',
  'open',
  'update',
  'notification',
  'keepalive',
  'refresh',
  'operational',
] as const;

const NEIGHBOR_KEYWORDS =
  'inherit, description, host-name, domain-name, router-id, hold-time, rate-limit, local-address, peer-address, ' +
  'local-as, peer-as, passive, listen, connect, outgoing-ttl, incoming-ttl, md5-password, md5-base64, md5-ip, ' +
  'group-updates, auto-flush, adj-rib-out, adj-rib-in, manual-eor, route-reflector-client, cluster-id, ' +
  'route-server-client, or a block: family, capability, add-path, nexthop, api, static, flow, announce, filter';

/** One statement: its words and what ended it (`;`, `{`, `}` or end of input). */
interface Stmt {
  words: Token[];
  end: Token | undefined;
}

/** An entry of the fast path's memo of route tails. */
interface MemoTail {
  text: string;
  tail: RouteTail;
}

/** Slots of that memo: far more than the distinct tails of a real configuration, a fixed cost otherwise. */
const MEMO_SLOTS = 16384;

/** A neighbor or template body before inheritance is applied. Scalars keep the last value written. */
interface Draft {
  scalars: Map<string, { value: unknown; at: Token }>;
  capability: Map<string, unknown>;
  families?: FamilyKey[];
  addPath?: FamilyKey[];
  nexthops: NextHopFamily[];
  nexthopBlock: boolean;
  api: ApiConfig[];
  routes: RouteList;
  flows: FlowRouteConfig[];
  /** VPLS routes of `l2vpn` sections, and of `announce { l2vpn { } }` (which ExaBGP 4.2 sends first). */
  vpls: VplsRoute[];
  vplsAnnounce: VplsRoute[];
  /** EVPN routes of `l2vpn` and `announce { l2vpn { } }` sections, in file order (tsbgp's syntax). */
  evpn: EvpnConfigRoute[];
  inherit: { name: string; at: Token }[];
}

const newDraft = (file: string): Draft => ({
  scalars: new Map(),
  capability: new Map(),
  nexthops: [],
  nexthopBlock: false,
  api: [],
  routes: new RouteList(file),
  flows: [],
  vpls: [],
  vplsAnnounce: [],
  evpn: [],
  inherit: [],
});

class Parser {
  private readonly lx: Lexer;
  private readonly templates = new Map<string, Draft>();
  private readonly processes = new Map<string, ProcessConfig>();
  private readonly neighbors: NeighborConfig[] = [];
  private readonly routeCache = new Map<string, RouteTail>();
  /** Memo of the fast path: direct-mapped by the tail text's hash (a newer tail replaces an older one). */
  private readonly rawTails: (MemoTail | undefined)[] = new Array<MemoTail | undefined>(MEMO_SLOTS).fill(undefined);
  /** Hash of the tail in each slot, checked before the slot's entry is touched. */
  private readonly memoHash = new Int32Array(MEMO_SLOTS);
  /** Room for one prefix address (the static block's fast path parses into it). */
  private readonly addr = new Uint8Array(16);
  private readonly words: Token[] = [];
  private autoApi = 0;
  private readonly warnings: string[] = [];
  private readonly flowProtect: ProtectedPrefix[] = [];
  private rpkiConfig: RpkiConfig | undefined;
  private httpConfig: HttpConfig | undefined;
  private ddosConfig: DdosConfig | undefined;
  private clusterId: string | undefined;
  private alwaysCompareMed = false;
  private confederationConfig: ConfederationConfig | undefined;
  /** Where each neighbor's local-as and peer-as were written, for the confederation's checks at the end. */
  private readonly asAt = new Map<NeighborConfig, { local: Token; peer: Token }>();

  constructor(
    private readonly src: string,
    private readonly file: string,
    private readonly opts: ParseOptions,
  ) {
    this.lx = new Lexer(src, file);
  }

  // ------------------------------------------------------------------------------------ statements

  /** Reads words up to `;`, `{` or `}`. The words array is reused: copy it to keep it. */
  private stmt(): Stmt {
    const words = this.words;
    words.length = 0;
    for (;;) {
      const t = this.lx.next();
      if (t === undefined) return { words, end: undefined };
      if (t.punct && (t.text === ';' || t.text === '{' || t.text === '}')) {
        if (t.text === '}' && words.length > 0) throw expected(t, `';' after '${words[words.length - 1].text}'`);
        return { words, end: t };
      }
      words.push(t);
    }
  }

  private eof(): Location {
    return this.lx.endLocation();
  }

  /** For sections: loops statements until the closing `}`; `onStatement`/`onBlock` handle the rest. */
  private section(
    opener: Token,
    name: string,
    onStatement: (w: Token[], end: Token) => void,
    onBlock?: (w: Token[], brace: Token) => void,
    before?: () => void,
  ): void {
    for (;;) {
      before?.();
      const s = this.stmt();
      if (s.end === undefined) {
        if (s.words.length)
          throw expected(undefined, `';' or '{' after '${s.words[s.words.length - 1].text}'`, this.eof());
        // ExaBGP 4.2 takes the end of the file as closing every open section. tsbgp refuses it: a file cut
        // short (a copy or an editor that did not finish) would otherwise start with part of its routes.
        throw errorAt(opener, `section '${name}' is not closed: '}' missing before the end of the file`);
      }
      if (s.end.text === '}') return;
      if (s.words.length === 0) {
        if (s.end.text === ';') continue; // empty statement
        throw expected(s.end, `a keyword before '{' in ${name}`);
      }
      if (s.end.text === ';') onStatement(s.words, s.end);
      else if (onBlock) onBlock(s.words.slice(), s.end);
      else
        throw errorAt(
          s.words[0],
          `found '${s.words[0].text} {', expected a statement ending with ';' (no sub-section in ${name})`,
        );
    }
  }

  /** Skips nothing: reports an unknown keyword. */
  private unknown(w: Token, where: string, known: string): never {
    throw errorAt(w, `found '${w.text}', expected one of ${known} (in ${where})`);
  }

  private arity(w: Token[], n: number, what: string): void {
    if (w.length - 1 < n) throw expected(undefined, what, this.endAfter(w[w.length - 1]));
    if (w.length - 1 > n) throw expected(w[n + 1], `';' (${w[0].text} takes ${n === 1 ? 'one value' : `${n} values`})`);
  }

  /** `cluster-id A.B.C.D;` (RFC 4456 §7: four octets, written as an IPv4 address). */
  private clusterIdOf(s: Token[]): string {
    this.arity(s, 1, 'a cluster id (A.B.C.D)');
    if (ipBytes(s[1]!.text)?.length !== 4) throw expected(s[1], 'a cluster id written as an IPv4 address (A.B.C.D)');
    return s[1]!.text;
  }

  private endAfter(t: Token): Location {
    return { file: t.file, line: t.line, col: t.col + (t.end - t.start) };
  }

  // ------------------------------------------------------------------------------------ root

  parse(): Config {
    for (;;) {
      const s = this.stmt();
      if (s.end === undefined) {
        if (s.words.length)
          throw expected(undefined, `';' or '{' after '${s.words[s.words.length - 1].text}'`, this.eof());
        break;
      }
      if (s.end.text === '}') throw expected(s.end, "'process', 'neighbor' or 'template' (unbalanced '}')");
      if (s.words.length === 0) {
        if (s.end.text === ';') continue;
        throw expected(s.end, "'process', 'neighbor' or 'template'");
      }
      const w = s.words.slice();
      const kw = w[0];
      if (s.end.text === ';' && kw.text === 'cluster-id') {
        // tsbgp: the route reflector's cluster id for every neighbor without its own (RFC 4456 §7).
        if (this.clusterId !== undefined) throw errorAt(kw, 'cluster-id is given twice at the top level');
        this.clusterId = this.clusterIdOf(w);
        continue;
      }
      if (s.end.text === ';' && kw.text === 'always-compare-med') {
        // tsbgp: the decision process compares MED between paths from any neighbor AS (RFC 4271 §9.1.2.2 c).
        this.alwaysCompareMed = bool(w, true);
        continue;
      }
      if (s.end.text === ';')
        throw errorAt(
          kw,
          `found '${kw.text} ;', expected a section: process NAME { }, neighbor IP { } or template { }`,
        );
      if (kw.text === 'process') this.process(w, s.end);
      else if (kw.text === 'neighbor') this.neighbor(w, s.end);
      else if (kw.text === 'template') this.template(w, s.end);
      else if (kw.text === 'rpki') this.rpki(w, s.end);
      else if (kw.text === 'ddos') this.ddos(w, s.end);
      else if (kw.text === 'http') this.http(w, s.end);
      else if (kw.text === 'confederation') this.confederation(w, s.end);
      else
        this.unknown(
          kw,
          'the configuration root',
          "'process', 'neighbor', 'template', 'rpki', 'ddos', 'http' or 'confederation'",
        );
    }
    this.checkApis();
    this.joinConfederation();
    for (const p of this.ddosConfig?.processes ?? [])
      if (!this.processes.has(p))
        throw errorAt(this.ddosConfig!.pos, `ddos: processes names "${p}", which is no process section`);
    return {
      file: this.file,
      processes: this.processes,
      neighbors: this.neighbors,
      warnings: this.warnings,
      flowProtect: this.flowProtect,
      rpki: this.rpkiConfig,
      ...(this.httpConfig ? { http: this.httpConfig } : {}),
      ...(this.ddosConfig ? { ddos: this.ddosConfig } : {}),
      ...(this.clusterId !== undefined ? { clusterId: this.clusterId } : {}),
      ...(this.alwaysCompareMed ? { alwaysCompareMed: true } : {}),
      ...(this.confederationConfig ? { confederation: this.confederationConfig } : {}),
    };
  }

  /** tsbgp's `confederation { identifier N; members [ ... ]; }` section (config/confederation.ts); one per file. */
  private confederation(w: Token[], brace: Token): void {
    if (w.length !== 1) throw expected(w[1], "'{' (confederation takes no name)");
    if (this.confederationConfig) throw errorAt(w[0], 'a second confederation section: a speaker is in one');
    const c: Partial<ConfederationConfig> = {};
    this.section(brace, 'confederation', (st, end) => confederationStatement(st, end, c));
    this.confederationConfig = finishConfederation(c, w[0]);
  }

  /**
   * With a confederation, every neighbor is in it: its local-as is a member AS and its peer-as is known (the
   * AS our OPEN carries depends on it, RFC 5065 §4). The section may come after the neighbors: checked here.
   */
  private joinConfederation(): void {
    const c = this.confederationConfig;
    if (c === undefined) return;
    const members = `members ${c.members.join(' ')}`;
    for (const n of this.neighbors) {
      const at = this.asAt.get(n)!;
      const name = `neighbor ${n.peerAddress}`;
      if (n.localAs === 'auto' || !c.members.includes(n.localAs))
        throw errorAt(
          at.local,
          `${name}: local-as ${n.localAs} is not a member AS of confederation ${c.identifier} (${members})`,
        );
      if (n.peerAs === 'auto')
        throw errorAt(
          at.peer,
          `${name}: peer-as auto in confederation ${c.identifier}: the peer's AS decides which AS our OPEN carries (RFC 5065 §4)`,
        );
      if (n.peerAs === c.identifier)
        throw errorAt(
          at.peer,
          `${name}: peer-as ${n.peerAs} is our confederation identifier (a peer inside it has its member AS, ${members})`,
        );
      // RFC 7947 §2: a route server's clients are external; inside the confederation paths get our member AS.
      if (n.routeServerClient && c.members.includes(n.peerAs))
        throw errorAt(
          at.peer,
          `${name}: route-server-client needs a neighbor outside confederation ${c.identifier} (peer-as ${n.peerAs} is a member AS)`,
        );
      n.confederation = c;
    }
  }

  /** tsbgp's `rpki { cache ...; }` section (config/rpki.ts); one per file. */
  private rpki(w: Token[], brace: Token): void {
    if (w.length !== 1) throw expected(w[1], "'{' (rpki takes no name)");
    if (this.rpkiConfig) throw errorAt(w[0], 'a second rpki section: put every cache in one');
    const r: RpkiConfig = { caches: [], pos: loc(w[0]) };
    this.section(brace, 'rpki', (s, end) => rpkiStatement(s, end, r));
    if (r.caches.length === 0) throw errorAt(w[0], "rpki section without a 'cache' line");
    this.rpkiConfig = r;
  }

  /** tsbgp's `http { port ...; }` section (config/http.ts); one per file. */
  private http(w: Token[], brace: Token): void {
    if (w.length !== 1) throw expected(w[1], "'{' (http takes no name)");
    if (this.httpConfig) throw errorAt(w[0], 'a second http section: put every setting in one');
    const h: HttpConfig = { pos: loc(w[0]) };
    const dir = path.dirname(path.resolve(this.file));
    this.section(brace, 'http', (s, end) => httpStatement(s, end, h, dir));
    finishHttp(h);
    this.httpConfig = h;
  }

  /** tsbgp's `ddos { ... }` section (ddos/config.ts); one per file. */
  private ddos(w: Token[], brace: Token): void {
    if (w.length !== 1) throw expected(w[1], "'{' (ddos takes no name)");
    if (this.ddosConfig) throw errorAt(w[0], 'a second ddos section: put everything in one');
    const d = defaultDdos(loc(w[0]));
    this.section(
      brace,
      'ddos',
      (s, end) => ddosStatement(s, end, d),
      (b, br) => {
        if (b[0].text !== 'group') this.unknown(b[0], 'ddos', "'group NAME { }'");
        if (b.length !== 2) throw b.length < 2 ? expected(br, 'a group name') : expected(b[2], "'{'");
        const name = b[1].text;
        if (d.groups.some((g) => g.name === name)) throw errorAt(b[1], `a ddos group called "${name}" already exists`);
        const g: DdosGroup = { name, networks: [], thresholds: [], pos: loc(b[0]) };
        const index = d.groups.length;
        this.section(br, `group ${name}`, (s, end) => groupStatement(s, end, g, index));
        d.groups.push(g);
      },
    );
    finishDdos(d);
    this.ddosConfig = d;
  }

  // ------------------------------------------------------------------------------------ process

  private process(w: Token[], brace: Token): void {
    if (w.length !== 2) throw w.length < 2 ? expected(brace, 'a process name') : expected(w[2], "'{'");
    const name = w[1].text;
    if (this.processes.has(name)) throw errorAt(w[1], `a process section called "${name}" already exists`);
    let run: string[] | undefined;
    let encoder: 'json' | 'text' | undefined;
    let respawn = true;
    this.section(brace, `process ${name}`, (s) => {
      const k = s[0];
      switch (k.text) {
        case 'run': {
          if (s.length < 2) throw expected(undefined, 'a program to run', this.endAfter(k));
          run = joinAdjacent(s, 1);
          if (this.opts.checkPrograms !== false) run[0] = resolveProgram(run[0], s[1], this.file);
          break;
        }
        case 'encoder':
          this.arity(s, 1, "'json' or 'text'");
          if (s[1].text !== 'json' && s[1].text !== 'text') throw expected(s[1], "'json' or 'text'");
          encoder = s[1].text as 'json' | 'text';
          break;
        case 'respawn':
          respawn = bool(s, true);
          break;
        default:
          this.unknown(k, `process ${name}`, 'run, encoder, respawn');
      }
    });
    if (!run) throw errorAt(w[0], `process ${name} has no 'run' (expected run /path/to/program;)`);
    // Required, as ExaBGP 4.2 requires it ("unset process sections: encoder"): its exabgp.api.encoder is no default.
    if (!encoder)
      throw errorAt(
        w[0],
        `process ${name} has no 'encoder' (expected encoder json; or encoder text;, required as in ExaBGP)`,
      );
    this.processes.set(name, { name, run, encoder, respawn, pos: loc(w[0]) });
  }

  // ------------------------------------------------------------------------------------ template

  private template(w: Token[], brace: Token): void {
    if (w.length !== 1) throw expected(w[1], "'{' (template { neighbor NAME { ... } })");
    this.section(
      brace,
      'template',
      (s) => this.unknown(s[0], 'template', "'neighbor NAME { ... }'"),
      (b, br) => {
        if (b[0].text !== 'neighbor') this.unknown(b[0], 'template', "'neighbor NAME { ... }'");
        if (b.length !== 2) throw b.length < 2 ? expected(br, 'a template name') : expected(b[2], "'{'");
        const d = newDraft(this.file);
        this.neighborBody(d, br, `template neighbor ${b[1].text}`);
        this.templates.set(b[1].text, d);
      },
    );
  }

  // ------------------------------------------------------------------------------------ neighbor

  private neighbor(w: Token[], brace: Token): void {
    if (w.length !== 2)
      throw w.length < 2 ? expected(brace, 'the peer IP address (neighbor IP { ... })') : expected(w[2], "'{'");
    const d = newDraft(this.file);
    d.scalars.set('peer-address', { value: peerAddress(w[1]), at: w[1] });
    this.neighborBody(d, brace, `neighbor ${w[1].text}`);
    this.neighbors.push(this.finishNeighbor(d, w[0]));
  }

  private neighborBody(d: Draft, brace: Token, where: string): void {
    this.section(
      brace,
      where,
      (s) => this.neighborStatement(d, s, where),
      (b, br) => {
        const k = b[0];
        switch (k.text) {
          case 'family':
            this.noArgs(b, br);
            d.families = this.familyBlock(br, 'family', d.families);
            break;
          case 'add-path':
            this.noArgs(b, br);
            d.addPath = this.familyBlock(br, 'add-path', d.addPath);
            break;
          case 'capability':
            this.noArgs(b, br);
            this.capabilityBlock(d, br);
            break;
          case 'nexthop':
            this.noArgs(b, br);
            d.nexthopBlock = true;
            this.nexthopBlock(d, br);
            break;
          case 'api':
            if (b.length > 2) throw expected(b[2], "'{'");
            d.api.push(this.apiBlock(b, br));
            break;
          case 'static':
            this.noArgs(b, br);
            this.staticBlock(d, br);
            break;
          case 'announce':
            this.noArgs(b, br);
            this.announceBlock(d, br);
            break;
          case 'flow':
            this.noArgs(b, br);
            this.flowBlock(d, br);
            break;
          case 'l2vpn':
            this.noArgs(b, br);
            this.l2vpnBlock(d, br);
            break;
          case 'filter': {
            // tsbgp: a route server client's import filters (config/rs-filter.ts).
            this.noArgs(b, br);
            const f = defaultFilter();
            const dir = path.dirname(path.resolve(this.file));
            this.section(br, 'filter', (st, end) => filterStatement(st, end, f, dir));
            d.scalars.set('filter', { value: f, at: k });
            break;
          }
          case 'operational':
            throw errorAt(k, `'${k.text}' sections are not supported by tsbgp (refused rather than ignored)`);
          default:
            this.unknown(k, where, 'family, capability, add-path, nexthop, api, static, announce, flow, l2vpn, filter');
        }
      },
    );
  }

  private noArgs(b: Token[], br: Token): void {
    if (b.length > 1) throw expected(b[1], `'{' right after '${b[0].text}'`);
    void br;
  }

  private neighborStatement(d: Draft, s: Token[], where: string): void {
    const k = s[0];
    const set = (value: unknown): void => void d.scalars.set(k.text, { value, at: k });
    switch (k.text) {
      case 'inherit': {
        // `inherit a;` or `inherit [ a b ];`
        const names = s.length === 2 ? [s[1]] : listWords(s, 1, 'a template name');
        for (const n of names) d.inherit.push({ name: n.text, at: n });
        return;
      }
      case 'description':
      case 'host-name':
      case 'domain-name':
        this.arity(s, 1, `a ${k.text}`);
        if (k.text !== 'description' && !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(s[1].text))
          throw expected(s[1], `a ${k.text} (letters, digits, '.' and '-')`);
        return set(s[1].text);
      case 'router-id': {
        this.arity(s, 1, 'an IPv4 router-id');
        const b = ipBytes(s[1].text);
        if (b?.length !== 4) throw expected(s[1], 'an IPv4 router-id');
        return set(s[1].text);
      }
      case 'peer-address':
        this.arity(s, 1, 'an IP address');
        return set(peerAddress(s[1]));
      case 'local-address': {
        this.arity(s, 1, "an IP address or 'auto'");
        if (s[1].text === 'auto') return set('auto');
        if (!ipBytes(s[1].text)) throw expected(s[1], "an IP address or 'auto'");
        return set(s[1].text);
      }
      case 'local-as':
      case 'peer-as':
        this.arity(s, 1, "an AS number or 'auto'");
        return set(s[1].text === 'auto' ? 'auto' : parseAsn(s[1]));
      case 'hold-time': {
        this.arity(s, 1, 'a hold time in seconds');
        const v = parseUint(s[1], 65535, 'a hold time in seconds');
        if (v !== 0 && v < 3)
          throw errorAt(s[1], `found '${s[1].text}', expected a hold time of 0 or at least 3 seconds (RFC 4271 §4.2)`);
        return set(v);
      }
      case 'rate-limit': {
        this.arity(s, 1, "a number of messages per second or 'disable'");
        const t = s[1].text.toLowerCase();
        if (t === 'disable' || t === 'disabled') return set(0);
        const v = parseUint(s[1], 0xffffffff, "a number of messages per second or 'disable'");
        if (v === 0) throw expected(s[1], "a rate of at least 1 per second or 'disable'");
        return set(v);
      }
      case 'listen':
      case 'connect':
        this.arity(s, 1, 'a TCP port');
        return set(parseUint(s[1], 65535, 'a TCP port'));
      case 'passive':
      case 'group-updates':
      case 'auto-flush':
      case 'adj-rib-out':
      case 'adj-rib-in':
      case 'manual-eor':
        return set(bool(s, true));
      case 'md5-base64': {
        const t = s[1]?.text.toLowerCase();
        return set(t === 'auto' ? 'auto' : bool(s, false));
      }
      case 'md5-ip':
        this.arity(s, 1, 'an IP address');
        if (!ipBytes(s[1].text)) throw expected(s[1], 'an IP address');
        return set(s[1].text);
      case 'md5-password':
        // RFC 2385: the key is checked (decoded, at most 80 bytes) once the neighbor is complete, since
        // md5-base64 may come after it.
        this.arity(s, 1, 'a password (quoted or not)');
        if (s[1].text === '') throw expected(s[1], 'a non-empty password');
        return set(s[1].text);
      case 'outgoing-ttl':
      case 'incoming-ttl': {
        // RFC 5082 GTSM. ExaBGP: 0 and false/disable mean "not set", else 1..255.
        this.arity(s, 1, "a TTL from 1 to 255 or 'disable'");
        const t = s[1].text.toLowerCase();
        if (t === 'false' || t === 'disable' || t === 'disabled') return set(0);
        return set(parseUint(s[1], 255, "a TTL from 1 to 255 or 'disable'"));
      }
      case 'route-reflector-client':
        // tsbgp: RFC 4456 route reflection (docs/CONFIGURATION.md); checked against the AS numbers when complete.
        return set(bool(s, true));
      case 'cluster-id':
        return set(this.clusterIdOf(s));
      case 'route-server-client':
        // tsbgp: RFC 7947 route server client (docs/CONFIGURATION.md).
        return set(bool(s, true));
      case 'route': {
        // Routes written directly in a neighbor (an old form some configurations still use).
        d.routes.push(parseRoute(s, { cache: this.routeCache }, 0, s.length));
        return;
      }
      default:
        this.unknown(k, where, NEIGHBOR_KEYWORDS);
    }
  }

  private finishNeighbor(d: Draft, at: Token): NeighborConfig {
    // ExaBGP applies templates after the body, and a template's value replaces the neighbor's own
    // (Scope.transfer in 4.2): reproduced so that the same file yields the same sessions.
    for (const inh of d.inherit) {
      const t = this.templates.get(inh.name);
      if (!t) throw errorAt(inh.at, `found '${inh.name}', expected the name of a template defined earlier`);
      for (const [k, v] of t.scalars) d.scalars.set(k, v);
      for (const [k, v] of t.capability) d.capability.set(k, v);
      if (t.families) d.families = union(d.families, t.families);
      if (t.addPath) d.addPath = union(d.addPath, t.addPath);
      d.nexthops.push(...t.nexthops);
      d.nexthopBlock ||= t.nexthopBlock;
      d.api.push(...t.api);
      d.routes.append(t.routes);
      d.flows.push(...t.flows);
      d.vpls.push(...t.vpls);
      d.vplsAnnounce.push(...t.vplsAnnounce);
      d.evpn.push(...t.evpn);
    }
    const g = <T>(k: string, dflt: T): T => (d.scalars.has(k) ? (d.scalars.get(k)!.value as T) : dflt);
    const where = (k: string): Token => d.scalars.get(k)?.at ?? at;
    const peer = g<{ text: string; bytes: Uint8Array; len: number }>('peer-address', {
      text: '',
      bytes: new Uint8Array(4),
      len: 32,
    });
    const name = `neighbor ${peer.text}`;
    if (!d.scalars.has('local-address')) throw errorAt(at, `${name} is incomplete: missing local-address`);
    if (!d.scalars.has('local-as')) throw errorAt(at, `${name} is incomplete: missing local-as`);
    if (!d.scalars.has('peer-as')) throw errorAt(at, `${name} is incomplete: missing peer-as`);
    const localAddress = g<string>('local-address', 'auto');
    const v6 = peer.bytes.length === 16;
    if (localAddress !== 'auto' && (ipBytes(localAddress)!.length === 16) !== v6)
      throw errorAt(where('local-address'), `${name}: local-address and peer-address must be of the same family`);
    let routerId = g<string | undefined>('router-id', undefined);
    if (routerId === undefined) {
      if (v6 || localAddress === 'auto')
        throw errorAt(at, `${name}: missing router-id (it can only default to an IPv4 local-address)`);
      routerId = localAddress;
    }
    const passive = g('passive', false);
    const maxLen = v6 ? 128 : 32;
    if (peer.len < maxLen && !passive)
      throw errorAt(
        where('peer-address'),
        `${name}: an address range needs 'passive' (only incoming sessions can match a range)`,
      );
    const holdTime = g('hold-time', 180);

    const cap = d.capability;
    const gr = cap.get('graceful-restart');
    const capability: CapabilityConfig = {
      asn4: (cap.get('asn4') as boolean | undefined) ?? true,
      routeRefresh: (cap.get('route-refresh') as boolean | undefined) ?? false,
      gracefulRestart: gr === undefined || gr === false ? false : (gr as number),
      addPath: (cap.get('add-path') as 0 | 1 | 2 | 3 | undefined) ?? 0,
      multiSession: (cap.get('multi-session') as boolean | undefined) ?? false,
      operational: (cap.get('operational') as boolean | undefined) ?? false,
      aigp: (cap.get('aigp') as boolean | undefined) ?? false,
      extendedMessage: (cap.get('extended-message') as boolean | undefined) ?? true,
      softwareVersion: (cap.get('software-version') as boolean | undefined) ?? false,
      multipleLabels: (cap.get('multiple-labels') as number | undefined) ?? 0,
    };
    const nh = cap.get('nexthop') as boolean | undefined;
    if (nh !== undefined) capability.nexthop = nh;
    else if (d.nexthopBlock) capability.nexthop = true;

    const families = d.families?.length ? d.families : DEFAULT_FAMILIES.slice();
    const addPathFamilies = capability.addPath
      ? d.addPath?.length
        ? d.addPath.filter((f) => families.includes(f))
        : families.slice()
      : [];
    const nexthops = capability.nexthop ? d.nexthops.filter((n) => families.includes(n.family)) : [];

    for (let i = 0, last = FAMILY_NAMES.ipv4.unicast; i < d.routes.length; i++) {
      const f = d.routes.family(i);
      if (f === last) continue;
      if (!families.includes(f)) {
        const r = d.routes.get(i);
        throw new ConfigError(
          r.pos?.file ?? this.file,
          r.pos?.line ?? 0,
          r.pos?.col ?? 0,
          `${name}: route of family ${familyText(r.family)} but the family is not in the neighbor's family block`,
        );
      }
      last = f;
    }
    d.routes.trim();
    for (const f of d.flows) {
      const fam =
        f.rd !== undefined
          ? [FAMILY_NAMES.ipv4['flow-vpn'], FAMILY_NAMES.ipv6['flow-vpn']]
          : [FAMILY_NAMES.ipv4.flow, FAMILY_NAMES.ipv6.flow];
      if (!fam.some((x) => families.includes(x)))
        throw errorAt(f.pos, `${name}: flow route but no flow family in the neighbor's family block`);
    }

    // ExaBGP 4.2 (configuration/neighbor/__init__.py) lists the routes of announce sections before those of the
    // l2vpn ones: for the same NLRI, the l2vpn section's route is the one that stays.
    const vpls = [...d.vplsAnnounce, ...d.vpls];
    if (vpls.length > 0 && !families.includes(FAMILY_NAMES.l2vpn.vpls!))
      throw errorAt(vpls[0]!.pos, `${name}: vpls route but l2vpn vpls is not in the neighbor's family block`);
    if (d.evpn.length > 0 && !families.includes(FAMILY_NAMES.l2vpn.evpn!))
      throw errorAt(d.evpn[0]!.pos, `${name}: evpn route but l2vpn evpn is not in the neighbor's family block`);

    const localAs = g<number | 'auto'>('local-as', 'auto');
    const peerAs = g<number | 'auto'>('peer-as', 'auto');
    const routeReflectorClient = g('route-reflector-client', false);
    // RFC 4456 §2: reflection is between internal peers.
    if (routeReflectorClient && localAs !== 'auto' && peerAs !== 'auto' && localAs !== peerAs)
      throw errorAt(
        where('route-reflector-client'),
        `${name}: route-reflector-client needs an internal neighbor (peer-as ${peerAs} is not local-as ${localAs})`,
      );
    const cluster = g<string | undefined>('cluster-id', undefined);
    const routeServerClient = g('route-server-client', false);
    // RFC 7947 §2: a route server's clients are external peers.
    if (routeServerClient && localAs !== 'auto' && peerAs !== 'auto' && localAs === peerAs)
      throw errorAt(
        where('route-server-client'),
        `${name}: route-server-client needs an external neighbor (peer-as is local-as ${localAs})`,
      );
    const filter = g<RouteServerFilterConfig | undefined>('filter', undefined);
    if (filter && !routeServerClient)
      throw errorAt(where('filter'), `${name}: a filter block needs route-server-client (its import filters)`);
    const security = this.socketSecurity(d, name, localAddress, v6);
    const n: NeighborConfig = {
      peerAddress: peer.text,
      peerAddressBytes: peer.bytes,
      peerRangeLength: peer.len,
      routerId,
      localAddress,
      localAs,
      peerAs,
      description: g('description', ''),
      holdTime,
      passive,
      listen: g('listen', 0),
      connect: g('connect', 0),
      hostName: g('host-name', hostName()),
      domainName: g('domain-name', domainName()),
      groupUpdates: g('group-updates', true),
      autoFlush: g('auto-flush', true),
      adjRibIn: g('adj-rib-in', true),
      adjRibOut: g('adj-rib-out', true),
      manualEor: g('manual-eor', false),
      rateLimit: g('rate-limit', 0),
      ...security,
      families,
      addPathFamilies,
      nexthops,
      capability,
      api: d.api,
      routes: d.routes,
      flows: d.flows,
      vpls,
      evpn: d.evpn,
      inherit: d.inherit.map((x) => x.name),
      pos: loc(at),
      ...(routeServerClient ? { routeServerClient, filter: filter ?? defaultFilter() } : {}),
    };
    if (routeReflectorClient) n.routeReflectorClient = true;
    if (cluster !== undefined) n.clusterId = cluster;
    this.asAt.set(n, { local: where('local-as'), peer: where('peer-as') });
    const dup = this.neighbors.find(
      (o) =>
        o.peerAddress === n.peerAddress &&
        o.localAddress === n.localAddress &&
        o.localAs === n.localAs &&
        o.peerAs === n.peerAs,
    );
    if (dup)
      throw errorAt(
        at,
        `duplicate peer definition ${n.peerAddress} (first at ${dup.pos.file}:${dup.pos.line}:${dup.pos.col})`,
      );
    return n;
  }

  /** md5-password, md5-base64, md5-ip, outgoing-ttl and incoming-ttl of a complete neighbor (RFC 2385, RFC 5082). */
  private socketSecurity(d: Draft, name: string, localAddress: string, v6: boolean): SocketSecurityConfig {
    const g = d.scalars;
    const md5Base64 = (g.get('md5-base64')?.value as boolean | 'auto' | undefined) ?? false;
    const out: SocketSecurityConfig = {
      md5Base64,
      outgoingTtl: (g.get('outgoing-ttl')?.value as number | undefined) ?? 0,
      incomingTtl: (g.get('incoming-ttl')?.value as number | undefined) ?? 0,
    };
    const password = g.get('md5-password');
    if (password) {
      const text = password.value as string;
      const key = md5Key(text, md5Base64);
      if (key === undefined)
        throw errorAt(password.at, `${name}: md5-password is not valid base64 (md5-base64 is true)`);
      if (key.length > MD5_MAX_KEY)
        throw errorAt(
          password.at,
          `${name}: md5-password is ${key.length} bytes long, the kernel takes at most ${MD5_MAX_KEY} (TCP_MD5SIG_MAXKEYLEN)`,
        );
      out.md5Password = text;
      out.md5Key = key;
    }
    // ExaBGP binds to md5-ip (default local-address) and ignores it when local-address is auto.
    const ip = g.get('md5-ip');
    if (ip && localAddress !== 'auto') {
      if ((ipBytes(ip.value as string)!.length === 16) !== v6)
        throw errorAt(ip.at, `${name}: md5-ip and peer-address must be of the same family`);
      out.md5Ip = ip.value as string;
    }
    return out;
  }

  // ------------------------------------------------------------------------------------ blocks

  private familyBlock(brace: Token, name: string, prev: FamilyKey[] | undefined): FamilyKey[] {
    const out: FamilyKey[] = [];
    let all = false;
    this.section(brace, name, (s) => {
      const k = s[0];
      if (k.text === 'all') {
        if (s.length > 1) throw expected(s[1], "';' after all");
        if (out.length || all) throw errorAt(k, "'all' can not be used with any other family");
        all = true;
        out.push(...DEFAULT_FAMILIES);
        return;
      }
      if (k.text === 'minimal')
        throw errorAt(k, "'family minimal' is deprecated (ExaBGP 4 removed it): list the families");
      const table = FAMILY_NAMES[k.text];
      if (!table) this.unknown(k, name, 'ipv4, ipv6, l2vpn, bgp-ls or all');
      if (all) throw errorAt(k, "can not add a family once 'all' is set");
      if (s.length !== 2)
        throw s.length < 2
          ? expected(undefined, `a SAFI (${Object.keys(table).join(', ')})`, this.endAfter(k))
          : expected(s[2], "';'");
      const f = table[s[1].text.toLowerCase()];
      if (f === undefined) throw expected(s[1], `a SAFI for ${k.text} (${Object.keys(table).join(', ')})`);
      if (out.includes(f)) throw errorAt(s[1], `duplicate family ${k.text} ${s[1].text}`);
      out.push(f);
    });
    return union(prev, out);
  }

  private nexthopBlock(d: Draft, brace: Token): void {
    this.section(brace, 'nexthop', (s) => {
      const k = s[0];
      if (k.text !== 'ipv4' && k.text !== 'ipv6') this.unknown(k, 'nexthop', 'ipv4 or ipv6 (ipv4 unicast ipv6;)');
      if (s.length !== 3)
        throw s.length < 3
          ? expected(undefined, `'${k.text} SAFI NEXTHOP-AFI;'`, this.endAfter(s[s.length - 1]))
          : expected(s[3], "';'");
      const safis = ['unicast', 'multicast', 'nlri-mpls', 'mpls-vpn'];
      const safi = s[1].text.toLowerCase();
      if (!safis.includes(safi)) throw expected(s[1], `one of ${safis.join(', ')}`);
      const other = k.text === 'ipv4' ? 'ipv6' : 'ipv4';
      if (s[2].text.toLowerCase() !== other) throw expected(s[2], `'${other}' (the next-hop AFI)`);
      d.nexthops.push({ family: FAMILY_NAMES[k.text][safi], nextHopAfi: other === 'ipv6' ? AFI.IPV6 : AFI.IPV4 });
    });
  }

  private capabilityBlock(d: Draft, brace: Token): void {
    this.section(brace, 'capability', (s) => {
      const k = s[0];
      switch (k.text) {
        case 'asn4':
        case 'route-refresh':
        case 'multi-session':
        case 'operational':
        case 'aigp':
        case 'extended-message':
        case 'nexthop':
        case 'software-version':
          d.capability.set(k.text, bool(s, true));
          return;
        case 'graceful-restart': {
          if (s.length === 1) return void d.capability.set(k.text, 0);
          if (s.length > 2) throw expected(s[2], "';'");
          const t = s[1].text.toLowerCase();
          if (t === 'disable' || t === 'disabled') return void d.capability.set(k.text, false);
          if (t === 'enable' || t === 'enabled' || t === 'true') return void d.capability.set(k.text, 0);
          // RFC 4724 §3: the restart time is 12 bits.
          return void d.capability.set(k.text, parseUint(s[1], 4095, "a restart time (0-4095) or 'disable'"));
        }
        case 'multiple-labels': {
          // RFC 8277 §2.1: a Count of 0 or 1 would say nothing, so 2-255.
          this.arity(s, 1, "a label count (2-255) or 'disable'");
          const t = s[1].text.toLowerCase();
          if (t === 'disable' || t === 'disabled') return void d.capability.set(k.text, 0);
          const n = parseUint(s[1], 255, "a label count (2-255) or 'disable'");
          if (n < 2) throw expected(s[1], "a label count (2-255) or 'disable'");
          return void d.capability.set(k.text, n);
        }
        case 'add-path': {
          this.arity(s, 1, 'send, receive, send/receive or disable');
          const v = ({ disable: 0, disabled: 0, receive: 1, send: 2, 'send/receive': 3 } as Record<string, number>)[
            s[1].text.toLowerCase()
          ];
          if (v === undefined) throw expected(s[1], 'send, receive, send/receive or disable');
          return void d.capability.set(k.text, v);
        }
        default:
          this.unknown(
            k,
            'capability',
            'asn4, route-refresh, graceful-restart, add-path, multi-session, operational, aigp, extended-message, nexthop, software-version, multiple-labels',
          );
      }
    });
  }

  private apiBlock(b: Token[], brace: Token): ApiConfig {
    const dir = (): ApiDirection => ({
      parsed: false,
      packets: false,
      consolidate: false,
      open: false,
      update: false,
      notification: false,
      keepalive: false,
      refresh: false,
      operational: false,
    });
    const api: ApiConfig = {
      name: b[1]?.text ?? `auto-named-${++this.autoApi}`,
      processes: [],
      neighborChanges: false,
      negotiated: false,
      fsm: false,
      signal: false,
      send: dir(),
      receive: dir(),
      pos: loc(b[0]),
    };
    this.section(
      brace,
      'api',
      (s) => {
        const k = s[0];
        switch (k.text) {
          case 'processes':
            api.processes.push(...listWords(s, 1, 'a process name').map((t) => t.text));
            return;
          case 'neighbor-changes':
            api.neighborChanges = bool(s, true);
            return;
          case 'negotiated':
            api.negotiated = bool(s, true);
            return;
          case 'fsm':
            api.fsm = bool(s, true);
            return;
          case 'signal':
            api.signal = bool(s, true);
            return;
          default:
            this.unknown(k, 'api', 'processes, neighbor-changes, negotiated, fsm, signal, send { }, receive { }');
        }
      },
      (sb, br) => {
        const k = sb[0];
        if (k.text !== 'send' && k.text !== 'receive') this.unknown(k, 'api', 'send { } or receive { }');
        this.noArgs(sb, br);
        const target = k.text === 'send' ? api.send : api.receive;
        this.section(br, `api ${k.text}`, (s) => {
          const m = s[0].text as (typeof API_MESSAGES)[number];
          if (!API_MESSAGES.includes(m)) this.unknown(s[0], `api ${k.text}`, API_MESSAGES.join(', '));
          target[m] = bool(s, true);
        });
      },
    );
    return api;
  }

  private staticBlock(d: Draft, brace: Token): void {
    const cache = this.routeCache;
    this.section(
      brace,
      'static',
      (s) => {
        const k = s[0];
        if (k.text === 'route') {
          d.routes.push(parseRoute(s, { cache }, 0, s.length));
        } else if (k.text === 'attributes' || k.text === 'attribute') {
          for (const r of parseAttributesNlri(s, {}, 1, s.length)) d.routes.push(r);
        } else {
          this.unknown(k, 'static', "'route PREFIX ...;' or 'route PREFIX { ... }'");
        }
      },
      (b, br) => {
        if (b[0].text !== 'route') this.unknown(b[0], 'static', "'route PREFIX { ... }'");
        if (b.length !== 2) throw b.length < 2 ? expected(br, 'a prefix') : expected(b[2], "'{'");
        // Flatten `route P { k v; k v; }` into `route P k v k v` and parse it as one line.
        const toks: Token[] = [b[0], b[1]];
        this.section(br, `route ${b[1].text}`, (s) => {
          for (let i = 0; i < s.length; i++) toks.push(s[i]);
        });
        d.routes.push(parseRoute(toks, { cache }, 0, toks.length));
      },
      () => this.fastRoutes(d.routes),
    );
  }

  // Tail of the last route the fast path read, and its text: consecutive routes mostly share their tail.
  private lastTail: RouteTail | undefined;
  private lastTailText = '';
  private lastTailHash = 0;
  /** Memo statistics of the fast path, to stop filling a memo that never hits. */
  private memoHits = 0;
  private memoMisses = 0;

  /**
   * The fast path for a run of `route PREFIX TAIL;` statements: no token for the prefix, none for a tail
   * already seen (found by its text), no RouteSpec. Whatever it does not recognise is left to the general
   * path, and so is every error, so messages are those of the general path.
   */
  private fastRoutes(routes: RouteList): void {
    const lx = this.lx;
    const src = this.src;
    const addr = this.addr;
    const raw = this.rawTails;
    while (lx.routeStatement()) {
      let pr = parsePrefixAt(src, lx.routePrefixStart, lx.routePrefixEnd, addr);
      if (pr < 0) {
        // Not in the fast parser's reach: the general parser either reports the error or reads the prefix.
        const p = parsePrefixToken(lx.routePrefixToken());
        addr.set(p.addr);
        pr = (p.family << 8) | p.len;
      }
      const ts = lx.routeTailStart;
      const te = lx.routeTailEnd;
      // Tails are compared by the hash computed while scanning first, the text only when hashes agree.
      const h = lx.routeTailHash;
      let tail = this.lastTail;
      if (
        tail === undefined ||
        h !== this.lastTailHash ||
        te - ts !== this.lastTailText.length ||
        !lx.textIs(ts, this.lastTailText)
      ) {
        // A fixed direct-mapped table: with a million distinct tails, cutting each one out and looking it up
        // in a growing Map cost more than parsing it.
        const slot = h & (MEMO_SLOTS - 1);
        const m = this.memoHash[slot] === h ? raw[slot] : undefined;
        if (m !== undefined && m.text.length === te - ts && lx.textIs(ts, m.text)) {
          tail = m.tail;
          this.lastTailText = m.text;
          this.memoHits++;
        } else {
          tail = parseSimpleTail(src, ts, te);
          if (tail === undefined) {
            const { toks, count } = lx.routeTailTokens();
            const last = count > 0 ? toks[count - 1]! : lx.routePrefixToken();
            tail = parseRouteTail(new Cursor(toks, 0, count, this.endAfter(last)));
          }
          // While the memo finds nothing (every route written differently), only one tail in 64 goes in: the
          // text cut out for it would be garbage for the collector, and a repeating tail still gets in.
          if (this.memoMisses < MEMO_SLOTS || this.memoHits * 16 >= this.memoMisses || (this.memoMisses & 63) === 0) {
            const text = lx.text(ts, te);
            raw[slot] = { text, tail };
            this.memoHash[slot] = h;
            this.lastTailText = text;
          } else {
            // lastTail is then compared by hash and length only until the next miss: make sure it never matches.
            this.lastTailText = '\u0000';
          }
          this.memoMisses++;
        }
        this.lastTail = tail;
        this.lastTailHash = h;
      }
      const family = pr >>> 8;
      if (!tailAccepts(tail, family >>> 8 === AFI.IPV6)) {
        const at = lx.routePrefixToken();
        checkRoute(parsePrefixToken(at), tail, at, {});
      }
      routes.add(
        tailFamily(family, tail),
        pr & 0xff,
        addr,
        0,
        tail,
        lx.routeLine,
        lx.routePrefixStart - lx.routeLineStart + 1,
      );
    }
  }

  private announceBlock(d: Draft, brace: Token): void {
    this.section(
      brace,
      'announce',
      (s) => this.unknown(s[0], 'announce', 'ipv4 { }, ipv6 { }, l2vpn { }'),
      (b, br) => {
        const afi = b[0].text;
        if (afi === 'l2vpn') {
          this.noArgs(b, br);
          this.l2vpnBlock(d, br, 'announce l2vpn');
          return;
        }
        if (afi !== 'ipv4' && afi !== 'ipv6') this.unknown(b[0], 'announce', 'ipv4 { }, ipv6 { }, l2vpn { }');
        this.noArgs(b, br);
        this.section(br, `announce ${afi}`, (s) => {
          const safi = s[0].text;
          const fam = FAMILY_NAMES[afi][safi];
          if (fam === undefined || ['rtc', 'mcast-vpn', 'mup', 'sr-policy'].includes(safi))
            this.unknown(s[0], `announce ${afi}`, 'unicast, multicast, nlri-mpls, mpls-vpn');
          if (safi === 'flow' || safi === 'flow-vpn')
            throw errorAt(
              s[0],
              `'${safi}' routes inside announce are not supported by tsbgp: use flow { route NAME { match { } then { } } }`,
            );
          const r = parseRoute(s, { cache: this.routeCache, family: fam }, 1, s.length);
          const isV6 = r.prefix.addr.length === 16;
          if (isV6 !== (afi === 'ipv6')) throw errorAt(s[1], `found '${s[1].text}', expected an ${afi} prefix`);
          d.routes.push(r);
        });
      },
    );
  }

  /**
   * `l2vpn { vpls KEYWORDS; vpls [NAME] { KEYWORD VALUE; ... } }` (and `announce { l2vpn { vpls KEYWORDS; } }`):
   * VPLS routes, as ExaBGP 4.2's l2vpn sections take them; a block's name is a label only, as in ExaBGP. And
   * `evpn TYPE KEYWORDS;` there: EVPN routes in tsbgp's syntax (config/evpn.ts; ExaBGP has none).
   */
  private l2vpnBlock(d: Draft, brace: Token, where = 'l2vpn'): void {
    this.section(
      brace,
      where,
      (s) => {
        if (s[0].text === 'evpn') return void d.evpn.push(parseEvpn(s, { at: s[0] }, 1, s.length));
        if (s[0].text !== 'vpls') this.unknown(s[0], where, "'vpls ...;' or 'evpn ...;'");
        (where === 'l2vpn' ? d.vpls : d.vplsAnnounce).push(parseVpls(s, { at: s[0] }, 1, s.length));
      },
      (b, br) => {
        if (b[0].text !== 'vpls' || b.length > 2 || where !== 'l2vpn') this.unknown(b[0], where, "'vpls [NAME] { }'");
        const words: Token[] = [];
        this.section(br, 'l2vpn vpls', (s) => void words.push(...s));
        d.vpls.push(parseVpls(words, { at: b[0] }, 0, words.length));
      },
    );
  }

  private flowBlock(d: Draft, brace: Token): void {
    this.section(
      brace,
      'flow',
      (s) => {
        // tsbgp: `protect [ PREFIX ... ];` names BGP speakers for the FlowSpec guard (docs/FLOWSPEC.md). The list
        // is global wherever it is written: a rule sent to one router spreads to the others by iBGP.
        if (s[0].text !== 'protect')
          this.unknown(s[0], 'flow', "'route [NAME] { match { } then { } }' or 'protect [ ]'");
        for (const t of listWords(s, 1, 'an IP prefix')) {
          const p = parsePrefix(t.text);
          if (!p) throw expected(t, 'an IP prefix such as 192.0.2.0/24 or 2001:db8::1');
          this.flowProtect.push({ ...p, pos: loc(t) });
        }
      },
      (b, br) => {
        if (b[0].text !== 'route') this.unknown(b[0], 'flow', "'route [NAME] { ... }'");
        if (b.length > 2) throw expected(b[2], "'{'");
        const f: FlowRouteConfig = {
          name: b[1]?.text ?? '',
          match: [],
          then: [],
          scope: [],
          statements: [],
          pos: loc(b[0]),
        };
        this.section(
          br,
          'flow route',
          (s) => {
            const k = s[0];
            if (k.text === 'rd' || k.text === 'route-distinguisher') {
              this.arity(s, 1, 'a route distinguisher');
              f.rd = s[1].text;
            } else if (k.text === 'next-hop') {
              this.arity(s, 1, 'an IP address');
              if (!ipBytes(s[1].text)) throw expected(s[1], 'an IP address');
              f.nextHop = s[1].text;
              f.statements.push(toStatement(s));
            } else if (k.text === 'allow-unsafe' || k.text === 'expires') {
              // tsbgp's own words for the FlowSpec guard (docs/FLOWSPEC.md), read by the FlowSpec parser.
              f.statements.push(toStatement(s));
            } else {
              this.unknown(k, 'flow route', 'rd, next-hop, allow-unsafe, expires, match { }, then { }, scope { }');
            }
          },
          (sb, sbr) => {
            const k = sb[0].text;
            if (k !== 'match' && k !== 'then' && k !== 'scope')
              this.unknown(sb[0], 'flow route', 'match { }, then { }, scope { }');
            this.noArgs(sb, sbr);
            const into = k === 'match' ? f.match : k === 'then' ? f.then : f.scope;
            this.section(sbr, k, (s) => into.push(toStatement(s)));
          },
        );
        d.flows.push(f);
      },
    );
  }

  private checkApis(): void {
    for (const n of this.neighbors)
      for (const a of n.api)
        for (const p of a.processes)
          if (!this.processes.has(p))
            throw errorAt(a.pos, `api of neighbor ${n.peerAddress} uses process '${p}', which is not defined`);
  }
}

// ---------------------------------------------------------------------------------------------- helpers

const loc = (t: Location): Location => ({ file: t.file, line: t.line, col: t.col });

const toStatement = (s: Token[]): Statement => ({
  keyword: s[0].text,
  args: s.slice(1).map((t) => t.text),
  file: s[0].file,
  line: s[0].line,
  col: s[0].col,
});

const union = (a: FamilyKey[] | undefined, b: FamilyKey[]): FamilyKey[] => {
  const out = a ? a.slice() : [];
  for (const f of b) if (!out.includes(f)) out.push(f);
  return out;
};

/** ExaBGP booleans: the keyword alone means `dflt`; true/enable/enabled, false/disable/disabled. */
function bool(s: Token[], dflt: boolean): boolean {
  if (s.length === 1) return dflt;
  if (s.length > 2) throw expected(s[2], "';'");
  const t = s[1].text.toLowerCase();
  if (t === 'true' || t === 'enable' || t === 'enabled') return true;
  if (t === 'false' || t === 'disable' || t === 'disabled') return false;
  throw expected(s[1], 'true/enable or false/disable');
}

/** Words that were written touching each other (no blank between) become one word again: `arg(1)`. */
function joinAdjacent(s: Token[], from: number): string[] {
  const out: string[] = [];
  let prevEnd = -1;
  for (let i = from; i < s.length; i++) {
    const t = s[i];
    if (t.start === prevEnd && out.length && !t.quoted && !s[i - 1].quoted) out[out.length - 1] += t.text;
    else out.push(t.text);
    prevEnd = t.end;
  }
  return out;
}

function peerAddress(t: Token): { text: string; bytes: Uint8Array; len: number } {
  const s = t.text;
  const slash = s.indexOf('/');
  const ip = ipBytes(slash < 0 ? s : s.slice(0, slash));
  if (!ip) throw expected(t, 'an IP address (or a range ADDRESS/LENGTH for passive neighbors)');
  const max = ip.length * 8;
  let len = max;
  if (slash >= 0) {
    const l = s.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(l) || Number(l) > max) throw expected(t, `an address range with a length of 0-${max}`);
    len = Number(l);
  }
  return { text: s, bytes: ip, len };
}

/** ExaBGP looks for a relative program in /etc/exabgp, the configuration's folder, then PATH. */
function resolveProgram(prg: string, at: Token, confFile: string): string {
  const candidates: string[] = [];
  if (path.isAbsolute(prg)) candidates.push(prg);
  else {
    candidates.push(path.resolve(path.dirname(confFile), prg), path.resolve('/etc/exabgp', prg));
    for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(path.resolve(dir, prg));
  }
  for (const c of candidates) {
    let st: fs.Stats;
    try {
      st = fs.statSync(c);
    } catch {
      continue;
    }
    if (st.isDirectory()) throw errorAt(at, `can not execute the directory "${c}"`);
    if (st.mode & 0o4000) throw errorAt(at, `refusing to run the setuid program "${c}"`);
    try {
      fs.accessSync(c, fs.constants.X_OK);
    } catch {
      throw errorAt(at, `the program "${c}" is not executable`);
    }
    return c;
  }
  throw errorAt(
    at,
    `found '${prg}', expected a program that exists (looked in the configuration's folder, /etc/exabgp and PATH)`,
  );
}

function hostName(): string {
  return os.hostname().split('.')[0];
}

function domainName(): string {
  const h = os.hostname();
  const dot = h.indexOf('.');
  return dot < 0 ? '' : h.slice(dot + 1);
}

function familyText(f: FamilyKey): string {
  for (const afi of Object.keys(FAMILY_NAMES))
    for (const [safi, k] of Object.entries(FAMILY_NAMES[afi])) if (k === f) return `${afi} ${safi}`;
  return `afi ${Math.floor(f / 256)} safi ${f % 256}`;
}

/** Parses a configuration text. Throws ConfigError (`file:line:col: ...`) on the first error. */
export function parseConfig(text: string, file = '<input>', opts: ParseOptions = {}): Config {
  return new Parser(text, file, opts).parse();
}

/** Reads and parses a configuration file. */
export function parseConfigFile(file: string, opts: ParseOptions = {}): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, 0, 0, `can not read the configuration: ${(e as Error).message}`);
  }
  return parseConfig(text, file, opts);
}

/** All routes of a neighbor with `split` applied, as ExaBGP announces them. */
export function expandedRoutes(n: NeighborConfig): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const r of n.routes) {
    if (r.split === undefined) out.push(r);
    else for (const x of expandSplit(r)) out.push(x);
  }
  return out;
}

export { familyText };
