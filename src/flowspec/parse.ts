// Building FlowSpec routes from ExaBGP 4.2 syntax (facts from ExaBGP's configuration/flow/*, own code).
//
// Two inputs:
//  A. the configuration: `flow { route NAME { rd ..; next-hop ..; match { .. } then { .. } } }`, which the config
//     parser hands over as statements (parseFlowBlock);
//  B. the API: `announce flow route { match { .. } then { .. } }` (the block form, name optional) and the flat
//     form ExaBGP also accepts, `announce flow route source 10.0.0.1/32 destination-port =80 discard`
//     (parseFlowCommand).
//
// tsbgp extensions (ExaBGP 4.2 rejects them, so no ExaBGP configuration changes meaning):
//  - `allow-unsafe;` in the route block (or the then block; `allow-unsafe` token in the flat API form): the
//    operator confirms a rule the safety guard (guard.ts) would refuse. Warnings are still reported.
//  - `expires SECONDS;` in the route or then block (`expires N` in the flat form): the daemon withdraws the rule
//    SECONDS after it was accepted. Parsed as FlowRoute.expiresIn and FlowRoute.expiresAt (now + expiresIn).
//  - `rate-limit-packets N` (RFC 8955 §7.1 traffic-rate-packets 0x800c).
//  - `redirect IP:N` (RFC 8955 §7.4, 0x8108; ExaBGP refuses it) and `redirect [IPv6]:N` (RFC 8956 §6.1, 0x000d).
//
// Deliberate difference: in `redirect IP` ExaBGP accepts only IPv4; tsbgp also takes a bare IPv6 address.

import { type ConfigError, errorAt, type Location, type Token, tokenize } from '../config/tokenizer';
import { parseIp } from '../wire/ip';
import { AFI, familyKey, SAFI } from '../wire/types';
import { actionCommunity } from './actions';
import {
  fragmentValue,
  icmpCodeValue,
  icmpTypeValue,
  parseNumber,
  portValue,
  protocolValue,
  tcpFlagValue,
} from './names';
import { type FlowAction, type FlowComponent, type FlowOps, type FlowPrefix, type FlowRoute, Op } from './rule';

/** One statement as the configuration parser produces it: `keyword args... ;` with where the keyword was. */
export interface Statement {
  keyword: string;
  args: string[];
  file: string;
  line: number;
  col: number;
}

/** One `route NAME { ... }` of a `flow` block. Route-level statements other than rd go in `statements`. */
export interface FlowRouteBlock {
  name?: string;
  /** The `rd`/`route-distinguisher` value, as text or as its statement. */
  rd?: string | Statement;
  /** Route-level statements: `next-hop`, `rd`, `allow-unsafe`, `expires`. */
  statements?: Statement[];
  match: Statement[];
  then: Statement[];
  /** The `scope { interface-set ...; }` statements. */
  scope?: Statement[];
  /** Where the route block starts, for errors about the route as a whole. */
  file?: string;
  line?: number;
  col?: number;
}

export interface ParseOptions {
  /** Clock for expiresAt, ms since the epoch (default Date.now()). */
  now?: number;
}

// ------------------------------------------------------------------------------------------- value syntax

interface ValueKind {
  type: number;
  bitmask: boolean;
  /** Converts one value word; undefined if not valid. */
  value: (s: string) => number | undefined;
  /** Largest value allowed (ExaBGP's checks; the guard catches values that can never match). */
  max: number;
  /** Human description for errors. */
  what: string;
}

const num = (s: string): number | undefined => parseNumber(s);

// Maps rather than object literals: keywords come from the tokenizer as fresh (not internalized) strings, which
// an object lookup must internalize first (a quarter of a microsecond each, measured), and a keyword such as
// `toString` must not find Object.prototype's.
const MATCH_KINDS = new Map<string, ValueKind>([
  [
    'protocol',
    { type: 3, bitmask: false, value: protocolValue, max: 0xff, what: 'a protocol (name like tcp/udp/icmp or 0-255)' },
  ],
  [
    'next-header',
    { type: 3, bitmask: false, value: protocolValue, max: 0xff, what: 'a next header (name like tcp/udp or 0-255)' },
  ],
  ['port', { type: 4, bitmask: false, value: portValue, max: 0xffff, what: 'a port (0-65535 or a service name)' }],
  [
    'destination-port',
    { type: 5, bitmask: false, value: portValue, max: 0xffff, what: 'a port (0-65535 or a service name)' },
  ],
  [
    'source-port',
    { type: 6, bitmask: false, value: portValue, max: 0xffff, what: 'a port (0-65535 or a service name)' },
  ],
  ['icmp-type', { type: 7, bitmask: false, value: icmpTypeValue, max: 0xff, what: 'an ICMP type (name or 0-255)' }],
  ['icmp-code', { type: 8, bitmask: false, value: icmpCodeValue, max: 0xff, what: 'an ICMP code (name or 0-255)' }],
  [
    'tcp-flags',
    {
      type: 9,
      bitmask: true,
      value: tcpFlagValue,
      max: 0xffff,
      what: 'TCP flags (fin syn rst push ack urgent ece cwr, joined by +)',
    },
  ],
  ['packet-length', { type: 10, bitmask: false, value: num, max: 0xffff, what: 'a packet length (0-65535)' }],
  ['dscp', { type: 11, bitmask: false, value: num, max: 0x3f, what: 'a DSCP value (0-63)' }],
  ['traffic-class', { type: 11, bitmask: false, value: num, max: 0xff, what: 'a traffic class (0-255)' }],
  [
    'fragment',
    {
      type: 12,
      bitmask: true,
      value: fragmentValue,
      max: 0xff,
      what: 'a fragment flag (not-a-fragment dont-fragment is-fragment first-fragment last-fragment)',
    },
  ],
  ['flow-label', { type: 13, bitmask: false, value: num, max: 0xfffff, what: 'a flow label (0-1048575)' }],
]);

const PREFIX_KEYWORDS = new Map<string, 1 | 2>([
  ['source', 2],
  ['source-ipv4', 2],
  ['source-ipv6', 2],
  ['destination', 1],
  ['destination-ipv4', 1],
  ['destination-ipv6', 1],
]);

/** Then-keywords without an argument. */
const THEN_NO_ARG = new Set(['accept', 'discard', 'redirect-to-nexthop', 'allow-unsafe']);
/** Then-keywords with one argument (or a [ list ] for the community ones). */
const THEN_ONE_ARG = new Set([
  'rate-limit',
  'rate-limit-packets',
  'redirect',
  'redirect-to-nexthop-ietf',
  'copy',
  'mark',
  'action',
  'community',
  'extended-community',
  'large-community',
  'expires',
]);
const ROUTE_ONE_ARG = new Set(['rd', 'route-distinguisher', 'next-hop']);

/** Split a numeric operator off the front of a term (ExaBGP: = > >= < <= != true false; bare value means =). */
function numericOperator(s: string): [number, string] | undefined {
  const c = s[0];
  if (c === '=') return [Op.EQ, s.slice(1)];
  if (c === '>' || c === '<') {
    const base = c === '>' ? Op.GT : Op.LT;
    return s[1] === '=' ? [base | Op.EQ, s.slice(2)] : [base, s.slice(1)];
  }
  if (c === '!') return s[1] === '=' ? [Op.LT | Op.GT, s.slice(2)] : undefined;
  const low = s.toLowerCase();
  if (low.startsWith('true')) return [Op.LT | Op.GT | Op.EQ, s.slice(4)];
  if (low.startsWith('false')) return [0, s.slice(5)];
  return [Op.EQ, s];
}

/** Bitmask operators (ExaBGP): `=` match, `!=` not match, `!` not, bare value = "any of these bits". */
function bitmaskOperator(s: string): [number, string] {
  if (s[0] === '=') return [Op.MATCH, s.slice(1)];
  if (s[0] === '!') return s[1] === '=' ? [Op.NOT | Op.MATCH, s.slice(2)] : [Op.NOT, s.slice(1)];
  return [0, s];
}

/**
 * Parse a component's terms from its argument words: one word like `>1024&<2000`, or `[ =80 =443 >8080&<8088 ]`.
 * Inside a word `&` ANDs terms (RFC 8955 §4.2.1 a-bit); separate words are ORed.
 */
function parseTerms(kind: ValueKind, words: string[], at: Location, keyword: string): FlowOps {
  const ops: number[] = [];
  const values: number[] = [];
  const fail = (detail: string): ConfigError => errorAt(at, `${keyword}: ${detail}`);
  let list = words;
  if (list[0] === '[') {
    if (list[list.length - 1] !== ']') throw fail("missing ']' closing the list");
    list = list.slice(1, -1);
    if (list.length === 0) throw fail(`empty list, expected ${kind.what}`);
  } else if (list.length !== 1) {
    throw fail(`expected one value or a [ list ], found ${list.length} words`);
  }
  for (const word of list) {
    let rest = word;
    let and = 0;
    for (;;) {
      if (rest === '') throw fail(`expression '${word}' ends with '&'`);
      const split = kind.bitmask ? bitmaskOperator(rest) : numericOperator(rest);
      if (!split) throw fail(`invalid operator in '${word}', expected = > >= < <= != or a value`);
      const [op, tail] = split;
      const amp = tail.indexOf('&');
      const text = amp === -1 ? tail : tail.slice(0, amp);
      let value = 0;
      const isConst = !kind.bitmask && (op === (Op.LT | Op.GT | Op.EQ) || op === 0) && text === '';
      if (!isConst) {
        const v = kind.value(text);
        if (v === undefined || !Number.isSafeInteger(v)) throw fail(`'${text}' is not ${kind.what}`);
        if (v > kind.max) throw fail(`${v} is out of range, expected ${kind.what}`);
        value = v;
      }
      ops.push(op | and);
      values.push(value);
      if (amp === -1) break;
      rest = tail.slice(amp + 1);
      and = Op.AND;
    }
  }
  return { type: kind.type, ops, values };
}

/** The value of 1-3 decimal digits in s[from, to), or -1. */
function smallDecimal(s: string, from: number, to: number): number {
  if (to <= from || to - from > 3) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** `10.0.0.0/24`, `2001:db8::/32` or `2001:db8::/32/8` (IPv6 with bit offset, RFC 8956 §3.1). */
function parseFlowPrefix(type: 1 | 2, word: string | undefined, at: Location, keyword: string): FlowPrefix {
  const fail = (detail: string): ConfigError => errorAt(at, `${keyword}: ${detail}`);
  if (word === undefined) throw fail('expected a prefix like 10.0.0.0/24 or 2001:db8::/32/0');
  // address/length[/offset], cut with indexOf: split('/') was most of this function's time.
  const s1 = word.indexOf('/');
  const s2 = s1 < 0 ? -1 : word.indexOf('/', s1 + 1);
  const addr = s1 < 0 ? null : parseIp(word.slice(0, s1));
  const len = s1 < 0 ? -1 : smallDecimal(word, s1 + 1, s2 < 0 ? word.length : s2);
  const offset = s2 < 0 ? 0 : word.indexOf('/', s2 + 1) >= 0 ? -1 : smallDecimal(word, s2 + 1, word.length);
  if (!addr || len < 0 || offset < 0) {
    throw fail(`'${word}' is not a prefix, expected address/length (IPv6: address/length[/offset])`);
  }
  if (addr.length === 4 && s2 >= 0) throw fail(`'${word}': an offset is only allowed for IPv6 prefixes`);
  if (len > addr.length * 8) throw fail(`'${word}': prefix length ${len} is longer than the address`);
  if (offset > len) throw fail(`'${word}': offset ${offset} is beyond the prefix length ${len}`);
  return { type, len, offset, addr };
}

// ------------------------------------------------------------------------------------------- communities

const WELL_KNOWN: Record<string, number> = {
  'no-export': 0xffffff01,
  'no-advertise': 0xffffff02,
  'no-export-subconfed': 0xffffff03,
  nopeer: 0xffffff04,
  'no-peer': 0xffffff04,
  blackhole: 0xffff029a,
};

function listWords(args: string[]): string[] {
  if (args[0] === '[') return args.slice(1, args[args.length - 1] === ']' ? -1 : undefined);
  return args;
}

function parseCommunity(word: string): number | undefined {
  const m = /^(\d+):(\d+)$/.exec(word);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return a <= 0xffff && b <= 0xffff ? a * 0x10000 + b : undefined;
  }
  const w = WELL_KNOWN[word.toLowerCase()];
  if (w !== undefined) return w;
  const n = parseNumber(word);
  return n !== undefined && n <= 0xffffffff ? n : undefined;
}

function parseLarge(word: string): [number, number, number] | undefined {
  const m = /^(\d+):(\d+):(\d+)$/.exec(word);
  if (!m) return undefined;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])] as [number, number, number];
  return v.every((x) => x <= 0xffffffff) ? v : undefined;
}

function ext8(t: number, s: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = t;
  b[1] = s;
  return b;
}
function putN(b: Uint8Array, off: number, v: number, n: number): void {
  for (let i = n - 1; i >= 0; i--) {
    b[off + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

/** ExaBGP extended-community words: 0xHEX, target:A:B, origin:A:B, (target4|origin4|redirect|bandwidth):A:B, l2info:a:b:c:d, redirect-to-nexthop, A:B. */
function parseExtended(word: string): Uint8Array | undefined {
  if (/^0x[0-9a-f]{16}$/i.test(word)) {
    const b = new Uint8Array(8);
    for (let i = 0; i < 8; i++) b[i] = parseInt(word.slice(2 + 2 * i, 4 + 2 * i), 16);
    return b;
  }
  if (word === 'redirect-to-nexthop') return ext8(0x08, 0x00);
  const parts = word.split(':');
  const cmd = parts.length === 2 ? 'target' : parts.shift()!;
  if (cmd === 'l2info') {
    if (parts.length !== 4 || !parts.every((p) => /^\d+$/.test(p))) return undefined;
    const b = ext8(0x80, 0x0a);
    b[2] = Number(parts[0]);
    b[3] = Number(parts[1]);
    putN(b, 4, Number(parts[2]), 2);
    putN(b, 6, Number(parts[3]), 2);
    return b;
  }
  if (parts.length !== 2) return undefined;
  const [ga, la] = parts as [string, string];
  const ip4 = (s: string): Uint8Array | null => (s.split('.').length === 4 ? parseIp(s) : null);
  const big = (s: string): boolean => s.toUpperCase().endsWith('L');
  const int = (s: string): number | undefined => (/^\d+L?$/i.test(s) ? Number(s.replace(/L$/i, '')) : undefined);
  if (cmd === 'target' || cmd === 'origin') {
    const sub = cmd === 'target' ? 0x02 : 0x03;
    const gip = ip4(ga);
    if (gip) {
      const n = int(la);
      if (n === undefined || n > 0xffff) return undefined;
      const b = ext8(0x01, sub);
      b.set(gip, 2);
      putN(b, 6, n, 2);
      return b;
    }
    const lip = ip4(la);
    const g = int(ga);
    if (g === undefined) return undefined;
    if (lip) {
      if (g > 0xffff) return undefined;
      const b = ext8(0x00, sub);
      putN(b, 2, g, 2);
      b.set(lip, 4);
      return b;
    }
    const l = int(la);
    if (l === undefined) return undefined;
    if (big(ga) || g > 0xffff) {
      if (g > 0xffffffff || l > 0xffff) return undefined;
      const b = ext8(0x02, sub);
      putN(b, 2, g, 4);
      putN(b, 6, l, 2);
      return b;
    }
    if (l > 0xffffffff) return undefined;
    const b = ext8(0x00, sub);
    putN(b, 2, g, 2);
    putN(b, 4, l, 4);
    return b;
  }
  const g = int(ga);
  const l = int(la);
  if (g === undefined || l === undefined) return undefined;
  if (cmd === 'target4' || cmd === 'origin4') {
    if (g > 0xffffffff || l > 0xffff) return undefined;
    const b = ext8(0x02, cmd === 'target4' ? 0x02 : 0x03);
    putN(b, 2, g, 4);
    putN(b, 6, l, 2);
    return b;
  }
  if (cmd === 'redirect') {
    if (g > 0xffff || l > 0xffffffff) return undefined;
    const b = ext8(0x80, 0x08);
    putN(b, 2, g, 2);
    putN(b, 4, l, 4);
    return b;
  }
  if (cmd === 'bandwidth') {
    if (g > 0xffff) return undefined;
    const b = ext8(0x40, 0x04);
    putN(b, 2, g, 2);
    new DataView(b.buffer).setFloat32(4, l);
    return b;
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------- the builder

/** Accumulates one route while its statements are read. */
class Builder {
  readonly comps = new Map<number, FlowComponent>();
  readonly route: FlowRoute;
  private v6: boolean | undefined;
  private v6Only: Location | undefined;
  private rdBytes: Uint8Array | undefined;

  constructor(name: string | undefined) {
    this.route = {
      rule: { family: 0, components: [] },
      actions: [],
      communities: [],
      extendedCommunities: [],
      ipv6ExtendedCommunities: [],
      largeCommunities: [],
      allowUnsafe: false,
    };
    if (name !== undefined) this.route.name = name;
  }

  match(st: Statement): void {
    const at: Location = st;
    const k = st.keyword;
    const ptype = PREFIX_KEYWORDS.get(k);
    if (ptype !== undefined) {
      if (st.args.length !== 1) throw errorAt(at, `${k}: expected one prefix like 10.0.0.0/24 or 2001:db8::/32/0`);
      const p = parseFlowPrefix(ptype, st.args[0], at, k);
      const v6 = p.addr.length === 16;
      if ((k.endsWith('-ipv4') && v6) || (k.endsWith('-ipv6') && !v6))
        throw errorAt(at, `${k}: address family does not match the keyword`);
      if (this.v6 !== undefined && this.v6 !== v6)
        throw errorAt(at, `${k}: cannot mix IPv4 and IPv6 prefixes in one rule`);
      if (this.comps.has(ptype))
        throw errorAt(at, `${k}: the rule already has a ${ptype === 1 ? 'destination' : 'source'} prefix`);
      this.v6 = v6;
      this.comps.set(ptype, p);
      return;
    }
    const kind = MATCH_KINDS.get(k);
    if (!kind) {
      throw errorAt(
        at,
        `unknown match keyword '${k}', expected one of: ${[...PREFIX_KEYWORDS.keys(), ...MATCH_KINDS.keys()].join(' ')}`,
      );
    }
    if (st.args.length === 0) throw errorAt(at, `${k}: expected ${kind.what}`);
    if (kind.type === 13) this.v6Only = at;
    const terms = parseTerms(kind, st.args, at, k);
    const prev = this.comps.get(kind.type) as FlowOps | undefined;
    if (prev) {
      // ExaBGP appends a repeated keyword's terms to the same component: they are ORed with the earlier ones.
      terms.ops[0] = terms.ops[0]! & ~Op.AND;
      prev.ops.push(...terms.ops);
      prev.values.push(...terms.values);
    } else {
      this.comps.set(kind.type, terms);
    }
  }

  private addAction(a: FlowAction): void {
    this.route.actions.push(a);
    const c = actionCommunity(a);
    if (!c) return;
    (c.v6 ? this.route.ipv6ExtendedCommunities : this.route.extendedCommunities).push(c.bytes);
  }

  private ip(word: string | undefined, at: Location, k: string): Uint8Array {
    const ip = word === undefined ? null : parseIp(word);
    if (!ip) throw errorAt(at, `${k}: '${word ?? ''}' is not an IP address`);
    return ip;
  }

  /** Statements allowed at route level or in `then`. */
  private common(st: Statement, opts: ParseOptions): boolean {
    const at: Location = st;
    if (st.keyword === 'allow-unsafe') {
      if (st.args.length !== 0) throw errorAt(at, 'allow-unsafe: takes no value');
      this.route.allowUnsafe = true;
      return true;
    }
    if (st.keyword === 'expires') {
      const n = st.args.length === 1 ? parseNumber(st.args[0]!) : undefined;
      if (n === undefined || n <= 0 || !/^\d+$/.test(st.args[0]!))
        throw errorAt(at, 'expires: expected a number of seconds (> 0)');
      this.route.expiresIn = n;
      this.route.expiresAt = (opts.now ?? Date.now()) + n * 1000;
      return true;
    }
    return false;
  }

  routeLevel(st: Statement, opts: ParseOptions): void {
    const at: Location = st;
    if (this.common(st, opts)) return;
    switch (st.keyword) {
      case 'rd':
      case 'route-distinguisher':
        this.rd(st.args[0], at);
        return;
      case 'next-hop': {
        if (st.args[0] === 'self')
          throw errorAt(at, 'next-hop: self is not supported for flow routes, give an address');
        this.route.nextHop = this.ip(st.args[0], at, 'next-hop');
        return;
      }
    }
    throw errorAt(
      at,
      `unknown keyword '${st.keyword}' in a flow route, expected rd, next-hop, match, then, allow-unsafe or expires`,
    );
  }

  rd(word: string | undefined, at: Location): void {
    const fail = (): ConfigError =>
      errorAt(at, `rd: '${word ?? ''}' is not a route distinguisher, expected ASN:NN or IP:NN`);
    const m = word === undefined ? null : /^([^:]+):(\d+)$/.exec(word);
    if (!m) throw fail();
    const b = new Uint8Array(8);
    const n = Number(m[2]);
    const ip = m[1]!.includes('.') ? parseIp(m[1]!) : null;
    if (ip) {
      if (ip.length !== 4 || n > 0xffff) throw fail();
      b[1] = 1;
      b.set(ip, 2);
      putN(b, 6, n, 2);
    } else if (/^\d+$/.test(m[1]!)) {
      const a = Number(m[1]);
      if (a <= 0xffff && n <= 0xffffffff) {
        putN(b, 2, a, 2);
        putN(b, 4, n, 4);
      } else if (a <= 0xffffffff && n <= 0xffff) {
        b[1] = 2;
        putN(b, 2, a, 4);
        putN(b, 6, n, 2);
      } else throw fail();
    } else throw fail();
    this.rdBytes = b;
  }

  /**
   * `scope { interface-set [ ]TRANSITIVITY:DIRECTION:ASN:GROUP[ ] }`: the interface-set extended community of
   * draft-ietf-idr-flowspec-interfaceset (type 0x07, or 0x47 when non-transitive, sub-type 0x02), a 4-octet AS,
   * then 2 direction bits (input 1, output 2, both 3) above a 14-bit group id.
   */
  scope(st: Statement): void {
    if (st.keyword !== 'interface-set')
      throw errorAt(st, `unknown scope keyword '${st.keyword}', expected interface-set`);
    const words = listWords(st.args);
    if (words.length === 0) throw errorAt(st, 'interface-set: expected a value');
    for (const w of words) {
      const m = /^(transitive|non-transitive):(input|output|input-output):(\d+):(\d+)$/.exec(w);
      const asn = m ? Number(m[3]) : NaN;
      const group = m ? Number(m[4]) : NaN;
      if (!m || asn > 0xffffffff || group >= 1 << 14)
        throw errorAt(
          st,
          `interface-set: '${w}' is not (non-)transitive:input|output|input-output:ASN:GROUP (ASN 32 bits, GROUP 14 bits)`,
        );
      const b = ext8(m[1] === 'transitive' ? 0x07 : 0x47, 0x02);
      putN(b, 2, asn, 4);
      putN(b, 6, ({ input: 1, output: 2, 'input-output': 3 }[m[2]!]! << 14) + group, 2);
      this.route.extendedCommunities.push(b);
    }
  }

  then(st: Statement, opts: ParseOptions): void {
    const at: Location = st;
    const k = st.keyword;
    if (this.common(st, opts)) return;
    const arg = st.args[0];
    const one = (): string => {
      if (st.args.length !== 1) throw errorAt(at, `${k}: expected one value`);
      return arg!;
    };
    switch (k) {
      case 'accept':
        this.route.actions.push({ kind: 'accept' });
        return;
      case 'discard':
        this.addAction({ kind: 'discard' });
        return;
      case 'rate-limit':
      case 'rate-limit-packets': {
        const v = one();
        if (!/^\d+$/.test(v))
          throw errorAt(at, `${k}: expected a whole number of ${k === 'rate-limit' ? 'bytes' : 'packets'} per second`);
        // ExaBGP caps the rate at 10^12 bytes/s.
        const rate = Math.min(Number(v), 1e12);
        this.addAction({ kind: k, rate, asn: 0 });
        return;
      }
      case 'redirect':
        // The tokenizer splits `[2001:db8::1]:9` at the brackets: glue the words back.
        this.redirect(st.args.length > 1 && st.args[0] === '[' ? st.args.join('') : one(), at);
        return;
      case 'redirect-to-nexthop':
        this.addAction({ kind: 'redirect-to-nexthop', copy: false });
        return;
      case 'redirect-to-nexthop-ietf':
        this.addAction({ kind: 'redirect-to-nexthop-ietf', ip: this.ip(one(), at, k), copy: false });
        return;
      case 'copy':
        this.route.nextHop = this.ip(one(), at, k);
        this.addAction({ kind: 'redirect-to-nexthop', copy: true });
        return;
      case 'mark': {
        const v = one();
        if (!/^\d+$/.test(v) || Number(v) > 63) throw errorAt(at, `mark: '${v}' is not a DSCP value (0-63)`);
        this.addAction({ kind: 'mark', dscp: Number(v) });
        return;
      }
      case 'action': {
        const v = one();
        const sample = v.includes('sample');
        const terminal = v.includes('terminal');
        if (!sample && !terminal) throw errorAt(at, `action: '${v}' is not sample, terminal or sample-terminal`);
        this.addAction({ kind: 'action', sample, terminal });
        return;
      }
      case 'community':
        for (const w of listWords(st.args)) {
          const c = parseCommunity(w);
          if (c === undefined)
            throw errorAt(at, `community: '${w}' is not a community (ASN:NN, number or well-known name)`);
          this.route.communities.push(c);
        }
        return;
      case 'large-community':
        for (const w of listWords(st.args)) {
          const c = parseLarge(w);
          if (c === undefined) throw errorAt(at, `large-community: '${w}' is not a large community (A:B:C)`);
          if (!this.route.largeCommunities.some((x) => x[0] === c[0] && x[1] === c[1] && x[2] === c[2]))
            this.route.largeCommunities.push(c);
        }
        return;
      case 'extended-community':
        for (const w of listWords(st.args)) {
          const c = parseExtended(w);
          if (c === undefined)
            throw errorAt(
              at,
              `extended-community: '${w}' is not an extended community (target:A:B, origin:A:B, redirect:A:B, 0xHEX ...)`,
            );
          this.route.extendedCommunities.push(c);
        }
        return;
    }
    throw errorAt(
      at,
      `unknown then keyword '${k}', expected one of: accept discard rate-limit rate-limit-packets redirect redirect-to-nexthop redirect-to-nexthop-ietf copy mark action community extended-community large-community expires allow-unsafe`,
    );
  }

  private redirect(v: string, at: Location): void {
    const colons = v.split(':').length - 1;
    if (colons === 0) {
      this.route.nextHop = this.ip(v, at, 'redirect');
      this.addAction({ kind: 'redirect-to-nexthop', copy: false });
      return;
    }
    const bracket = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(v);
    if (bracket) {
      const ip = parseIp(bracket[1]!);
      const n = Number(bracket[2]);
      if (ip?.length !== 16 || n > 0xffff) throw errorAt(at, `redirect: '${v}' expected [IPv6]:NN with NN 0-65535`);
      this.addAction({ kind: 'redirect-ip', ip, target: n });
      return;
    }
    if (colons === 1) {
      const [a, b] = v.split(':') as [string, string];
      if (!/^\d+$/.test(b)) throw errorAt(at, `redirect: '${v}' expected ASN:NN, IP:NN or an IP address`);
      const n = Number(b);
      if (a.includes('.')) {
        const ip = parseIp(a);
        if (ip?.length !== 4 || n > 0xffff) throw errorAt(at, `redirect: '${v}' expected IPv4:NN with NN 0-65535`);
        this.addAction({ kind: 'redirect-ip', ip, target: n });
        return;
      }
      if (!/^\d+$/.test(a)) throw errorAt(at, `redirect: '${v}' expected ASN:NN`);
      const asn = Number(a);
      if (asn > 0xffffffff) throw errorAt(at, `redirect: AS ${asn} is larger than 32 bits`);
      if (asn > 0xffff && n > 0xffff)
        throw errorAt(at, `redirect: with a 4-octet AS the value can only be 16 bits (${n})`);
      if (n > 0xffffffff) throw errorAt(at, `redirect: value ${n} is larger than 32 bits`);
      this.addAction({ kind: 'redirect', asn, target: n });
      return;
    }
    const ip = parseIp(v);
    if (ip) {
      this.route.nextHop = ip;
      this.addAction({ kind: 'redirect-to-nexthop', copy: false });
      return;
    }
    throw errorAt(at, `redirect: '${v}' expected ASN:NN, IP:NN, [IPv6]:NN or an IP address`);
  }

  finish(at: Location): FlowRoute {
    if (this.v6Only && this.v6 === false)
      throw errorAt(this.v6Only, 'flow-label: only valid in IPv6 rules (RFC 8956 §3.7)');
    const v6 = this.v6 === true || (this.v6 === undefined && this.v6Only !== undefined);
    // Components in type order (RFC 8955 §4.2), by insertion: a rule has a handful.
    const comps: FlowComponent[] = [];
    for (const c of this.comps.values()) {
      let i = comps.length;
      while (i > 0 && comps[i - 1]!.type > c.type) i--;
      comps.splice(i, 0, c);
    }
    if (comps.length === 0 && !this.rdBytes)
      throw errorAt(at, 'flow route: empty match, expected at least one match statement');
    const rule = this.route.rule;
    rule.components = comps;
    rule.family = familyKey(v6 ? AFI.IPV6 : AFI.IPV4, this.rdBytes ? SAFI.FLOW_VPN : SAFI.FLOW);
    if (this.rdBytes) rule.rd = this.rdBytes;
    return this.route;
  }
}

/** Build a route from the configuration's statements (input A). Throws ConfigError `file:line:col: ...`. */
export function parseFlowBlock(block: FlowRouteBlock, opts: ParseOptions = {}): FlowRoute {
  const b = new Builder(block.name);
  if (block.rd !== undefined) {
    if (typeof block.rd === 'string')
      b.rd(block.rd, { file: block.file ?? '<config>', line: block.line ?? 0, col: block.col ?? 0 });
    else b.routeLevel(block.rd, opts);
  }
  for (const st of block.statements ?? []) b.routeLevel(st, opts);
  for (const st of block.match) b.match(st);
  for (const st of block.then) b.then(st, opts);
  for (const st of block.scope ?? []) b.scope(st);
  const first = block.match[0] ?? block.then[0];
  const at: Location = {
    file: block.file ?? first?.file ?? '<config>',
    line: block.line ?? first?.line ?? 0,
    col: block.col ?? first?.col ?? 0,
  };
  return b.finish(at);
}

// ------------------------------------------------------------------------------------------- API text

const MATCH_WORDS = new Set([...PREFIX_KEYWORDS.keys(), ...MATCH_KINDS.keys()]);

/** Turn `keyword args... ;` tokens up to the closing `}` into statements. `pos` is an in/out cursor. */
function blockStatements(toks: Token[], pos: { i: number }, end: Location): Statement[] {
  const out: Statement[] = [];
  for (;;) {
    const t = toks[pos.i];
    if (!t) throw errorAt(end, "found end of input, expected '}'");
    if (t.punct && t.text === '}') {
      pos.i++;
      return out;
    }
    if (t.punct && t.text === ';') {
      pos.i++;
      continue;
    }
    out.push(blockStatementsOne(toks, pos, end, true));
  }
}

/** Read one value (word, or `[ ... ]`) for the flat form. */
function flatArgs(toks: Token[], pos: { i: number }, k: Token): string[] {
  const t = toks[pos.i];
  if (!t || (t.punct && t.text !== '[')) throw errorAt(t ?? k, `${k.text}: expected a value`);
  if (t.punct && t.text === '[') {
    const args = ['['];
    pos.i++;
    for (;;) {
      const a = toks[pos.i++];
      if (!a) throw errorAt(k, `${k.text}: missing ']'`);
      args.push(a.text);
      if (a.punct && a.text === ']') return args;
    }
  }
  pos.i++;
  return [t.text];
}

/**
 * Parse an API flow command (input B): `[announce|withdraw] [flow] route [NAME] { [rd ..;] [next-hop ..;]
 * match { .. } [then { .. }] }` or the flat form `route KEYWORD VALUE ... ACTION ...`. Throws ConfigError with
 * the column of the offending word (file `<api>`).
 */
export function parseFlowCommand(text: string, opts: ParseOptions = {}): FlowRoute {
  const toks = tokenize(text, '<api>');
  const end: Location = { file: '<api>', line: 1, col: text.length + 1 };
  const pos = { i: 0 };
  const word = (w: string): boolean => {
    const t = toks[pos.i];
    if (t && !t.punct && t.text === w) {
      pos.i++;
      return true;
    }
    return false;
  };
  if (!word('announce')) word('withdraw');
  word('flow');
  const head = toks[pos.i];
  if (!word('route')) throw errorAt(head ?? end, `found '${head?.text ?? 'end of input'}', expected 'route'`);
  // Block form: route [NAME] { ... }
  let name: string | undefined;
  const t1 = toks[pos.i];
  const t2 = toks[pos.i + 1];
  if (t1 && !t1.punct && t2?.punct && t2.text === '{') {
    name = t1.text;
    pos.i++;
  }
  const open = toks[pos.i];
  if (open?.punct && open.text === '{') {
    pos.i++;
    const b = new Builder(name);
    const top: Location = open;
    for (;;) {
      const t = toks[pos.i];
      if (!t) throw errorAt(end, "found end of input, expected '}' closing the route");
      if (t.punct && t.text === '}') {
        pos.i++;
        break;
      }
      if (t.punct && t.text === ';') {
        pos.i++;
        continue;
      }
      if (!t.punct && (t.text === 'match' || t.text === 'then' || t.text === 'scope')) {
        const o = toks[pos.i + 1];
        if (!o?.punct || o.text !== '{') throw errorAt(o ?? end, `expected '{' after '${t.text}'`);
        pos.i += 2;
        const sts = blockStatements(toks, pos, end);
        for (const st of sts)
          if (t.text === 'match') b.match(st);
          else if (t.text === 'then') b.then(st, opts);
          else b.scope(st);
        continue;
      }
      // Route-level statement.
      const sts = blockStatementsOne(toks, pos, end);
      b.routeLevel(sts, opts);
    }
    const rest = toks[pos.i];
    if (rest && !(rest.punct && rest.text === ';'))
      throw errorAt(rest, `found '${rest.text}' after the route, expected end of command`);
    return b.finish(top);
  }
  // Flat form: keywords one after another; match keywords take a value, then keywords take 0 or 1.
  const b = new Builder(undefined);
  const start: Location = head!;
  while (pos.i < toks.length) {
    const k = toks[pos.i]!;
    if (k.punct && k.text === ';') {
      pos.i++;
      continue;
    }
    if (k.punct) throw errorAt(k, `found '${k.text}', expected a match or then keyword`);
    pos.i++;
    const st = (args: string[]): Statement => ({ keyword: k.text, args, file: k.file, line: k.line, col: k.col });
    if (MATCH_WORDS.has(k.text)) b.match(st(flatArgs(toks, pos, k)));
    else if (THEN_NO_ARG.has(k.text)) b.then(st([]), opts);
    else if (THEN_ONE_ARG.has(k.text)) {
      const args = flatArgs(toks, pos, k);
      // `redirect [IPv6]:NN`: the `:NN` after the bracket belongs to the same value.
      const next = toks[pos.i];
      if (k.text === 'redirect' && args[0] === '[' && next && !next.punct && next.text.startsWith(':')) {
        args.push(next.text);
        pos.i++;
      }
      b.then(st(args), opts);
    } else if (ROUTE_ONE_ARG.has(k.text)) b.routeLevel(st(flatArgs(toks, pos, k)), opts);
    else
      throw errorAt(
        k,
        `unknown flow keyword '${k.text}', expected a match keyword (source destination protocol port ...) or an action (discard rate-limit redirect ...)`,
      );
  }
  return b.finish(start);
}

/**
 * One `keyword args ;` inside the block form, ending at `;` (consumed) or `}` (left for the caller). In `match`
 * and `then` (`valuesOnly`) only words and `[ ]` may follow the keyword; at route level the statement's own
 * handler judges its arguments.
 */
function blockStatementsOne(toks: Token[], pos: { i: number }, end: Location, valuesOnly = false): Statement {
  const t = toks[pos.i]!;
  if (t.punct) throw errorAt(t, `found '${t.text}', expected a keyword`);
  pos.i++;
  const args: string[] = [];
  for (;;) {
    const a = toks[pos.i];
    if (!a) throw errorAt(end, `found end of input, expected ';' after '${t.text}'`);
    if (a.punct && (a.text === ';' || a.text === '}')) {
      if (a.text === ';') pos.i++;
      break;
    }
    if (valuesOnly && a.punct && a.text !== '[' && a.text !== ']')
      throw errorAt(a, `found '${a.text}' in '${t.text}', expected a value or ';'`);
    args.push(a.text);
    pos.i++;
  }
  return { keyword: t.text, args, file: t.file, line: t.line, col: t.col };
}
