// The route syntax ExaBGP shares between `static { route ... }`, `announce { ipv4 { unicast ... } }` and the
// API's `announce route ...`: a prefix followed by keyword/value pairs. Facts from ExaBGP 4.2's behaviour
// (configuration/static/parser.py); own code.

import {
  AFI,
  type Aggregator,
  type AsPathSegment,
  type Attributes,
  type FamilyKey,
  familyKey,
  type Prefix,
  type RawAttribute,
  SAFI,
  SegmentType,
} from '../wire/types';
import { ipBytes, parseIpv4Into, parseIpv6Into } from './addr';
import { evpnExtendedCommunity } from './evpn-communities';
import { parsePrefixSid, parsePrefixSidSrv6 } from './prefix-sid';
import { ConfigError, errorAt, expected, isPunct, type Location, Token, tokenize } from './tokenizer';

/** Everything after the prefix: what routes written alike share. */
export interface RouteTail {
  /** Absent only for a withdrawal. 'self' = the session's local address. */
  nextHop?: Uint8Array | 'self';
  /** Shared between routes written with the same attribute text: treat as immutable. */
  attributes: Attributes;
  /** `path-information` (RFC 7911); a RouteSpec carries it in `prefix.pathId` instead. */
  pathId?: number;
  /** `split /N`: announce the prefix as its /N sub-prefixes (see expandSplit). */
  split?: number;
  watchdog?: string;
  /** `withdraw` keyword: configured but not announced until the watchdog says so. */
  withdraw?: boolean;
  name?: string;
  /** MPLS labels (RFC 8277), 20-bit values; family is then nlri-mpls (or mpls-vpn with rd). */
  labels?: number[];
  /** RFC 4364 route distinguisher, 8 bytes; family is then mpls-vpn. */
  rd?: Uint8Array;
}

/** One route as written. `attributes` never holds nextHop/mpReach/mpUnreach: the next hop is `nextHop`. */
export interface RouteSpec extends Omit<RouteTail, 'pathId'> {
  family: FamilyKey;
  /** `pathId` set when `path-information` was given (RFC 7911). */
  prefix: Prefix;
  pos?: Location;
  /** tsbgp's `expires SECONDS` (API announcements only, see RouteParseOptions.expires): withdrawn by itself then. */
  expiresIn?: number;
}

export interface RouteParseOptions {
  /** File name for messages when `input` is a string. */
  file?: string;
  /** Force a SAFI (`multicast`) or a whole family; default from the prefix as ExaBGP does. */
  family?: 'unicast' | 'multicast' | FamilyKey;
  /** Memo of attribute texts already parsed: a big static block parses each distinct tail once. */
  cache?: Map<string, RouteTail>;
  /** Default true: an announcement needs `next-hop` (ExaBGP: "missing next-hop"). */
  requireNextHop?: boolean;
  /**
   * Accept tsbgp's `expires SECONDS` (an API announcement withdrawn by itself after SECONDS, as a flow rule's
   * `expires`): not in the configuration, whose routes last as long as the file says them.
   */
  expires?: boolean;
}

/** RFC 1997 and IANA well-known communities, by the names ExaBGP (and tsbgp) accept. */
export const COMMUNITY_NAMES: ReadonlyMap<string, number> = new Map([
  ['no-export', 0xffffff01],
  ['no-advertise', 0xffffff02],
  ['no-export-subconfed', 0xffffff03],
  ['nopeer', 0xffffff04],
  ['no-peer', 0xffffff04],
  ['blackhole', 0xffff029a],
  ['graceful-shutdown', 0xffff0000],
  ['accept-own', 0xffff0001],
  ['llgr-stale', 0xffff0006],
  ['no-llgr', 0xffff0007],
]);

const ROUTE_KEYWORDS =
  'next-hop, origin, as-path, med, local-preference, atomic-aggregate, aggregator, community, ' +
  'large-community, extended-community, originator-id, cluster-list, label, rd, path-information, split, ' +
  'watchdog, withdraw, name, attribute, aigp, bgp-prefix-sid, bgp-prefix-sid-srv6';

/** A cursor over a token slice; `end` is where "found end of input" points. */
export class Cursor {
  constructor(
    public toks: Token[],
    public i: number,
    public stop: number,
    public endLoc: Location,
  ) {}
  done(): boolean {
    return this.i >= this.stop;
  }
  peek(): Token | undefined {
    return this.i < this.stop ? this.toks[this.i] : undefined;
  }
  next(): Token | undefined {
    return this.i < this.stop ? this.toks[this.i++] : undefined;
  }
  /** A word (not punctuation), else `found 'X', expected what`. */
  word(what: string): Token {
    const t = this.next();
    if (t === undefined || t.punct) throw expected(t, what, this.endLoc);
    return t;
  }
  expectPunct(p: string, what = `'${p}'`): Token {
    const t = this.next();
    if (t === undefined || !t.punct || t.text !== p) throw expected(t, what, this.endLoc);
    return t;
  }
  /** Either one word, or `[ w1 w2 ... ]` (commas ignored): the words. */
  list(what: string): Token[] {
    const t = this.peek();
    if (isPunct(t, '[')) {
      this.i++;
      const out: Token[] = [];
      for (;;) {
        const u = this.next();
        if (u === undefined) throw expected(u, `${what} or ']'`, this.endLoc);
        if (u.punct) {
          if (u.text === ']') return out;
          if (u.text === ',') continue;
          throw expected(u, `${what} or ']'`);
        }
        out.push(u);
      }
    }
    return [this.word(what)];
  }
}

export const endOf = (toks: Token[], fallback: Location): Location => {
  const last = toks[toks.length - 1];
  return last ? { file: last.file, line: last.line, col: last.col + (last.end - last.start) } : fallback;
};

/**
 * A cursor over one statement's words (tokens [from, to) of `input`, a trailing `;` left out), and where errors
 * about the statement as a whole point: `opts.at`, else its first word (VPLS and EVPN routes).
 */
export function statementCursor(
  input: Token[] | string,
  opts: { file?: string; at?: Token },
  from: number,
  to: number | undefined,
): { c: Cursor; where: Location } {
  const toks = typeof input === 'string' ? tokenize(input, opts.file ?? '<input>') : input;
  let stop = to ?? toks.length;
  while (stop > from && isPunct(toks[stop - 1], ';')) stop--;
  const endLoc = endOf(toks, { file: opts.file ?? '<input>', line: 1, col: 1 });
  const at = opts.at ?? toks[from];
  const where: Location = at ? { file: at.file, line: at.line, col: at.col } : endLoc;
  return { c: new Cursor(toks, from, stop, endLoc), where };
}

// ---------------------------------------------------------------------------------------------- numbers

/** Unsigned decimal integer (ExaBGP uses isdigit/int), bounded. */
export function parseUint(t: Token, max: number, what: string): number {
  const s = t.text;
  if (s.length === 0 || s.length > 20) throw expected(t, what);
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) throw expected(t, what);
    v = v * 10 + (c - 48);
  }
  if (v > max) throw errorAt(t, `found '${s}', expected ${what} (at most ${max})`);
  return v;
}

/** `65000`, `4200000000` or asdot `1.10` (RFC 5396). */
export function parseAsn(t: Token, what = 'an AS number'): number {
  const s = t.text;
  const dot = s.indexOf('.');
  if (dot > 0) {
    const hi = parseUint(new Token(s.slice(0, dot), false, false, t.file, t.line, t.col, 0, 0), 0xffff, what);
    const lo = parseUint(new Token(s.slice(dot + 1), false, false, t.file, t.line, t.col, 0, 0), 0xffff, what);
    return hi * 65536 + lo;
  }
  return parseUint(t, 0xffffffff, what);
}

const ipv4Of = (t: Token, what: string): Uint8Array => {
  const b = new Uint8Array(4);
  if (!parseIpv4Into(t.text, 0, t.text.length, b, 0)) throw expected(t, what);
  return b;
};

const hexBytes = (t: Token, s: string, what: string): Uint8Array => {
  if (s.length % 2) throw expected(t, what);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const v = parseInt(s.substr(i * 2, 2), 16);
    if (!/^[0-9a-fA-F]{2}$/.test(s.substr(i * 2, 2))) throw expected(t, what);
    out[i] = v;
  }
  return out;
};

// ---------------------------------------------------------------------------------------------- prefix

// Prefix addresses are views into shared 64 KiB buffers: one ArrayBuffer per thousands of routes instead of
// one per route, which is what keeps a million-route configuration cheap for the garbage collector.
let pool = new Uint8Array(65536);
let poolUsed = 0;
const poolBytes = (n: number): Uint8Array => {
  if (poolUsed + n > pool.length) {
    pool = new Uint8Array(65536);
    poolUsed = 0;
  }
  const v = pool.subarray(poolUsed, poolUsed + n);
  poolUsed += n;
  return v;
};

/**
 * `10.0.0.0/24` or `2001:db8::/32` (no length: host route). Host bits must be zero (ExaBGP:
 * "invalid network"). Family from the address: IPv4 224/4 is multicast, as ExaBGP decides.
 */
export function parsePrefixToken(t: Token): Prefix {
  const s = t.text;
  const slash = s.indexOf('/');
  const addrEnd = slash < 0 ? s.length : slash;
  const v6 = s.indexOf(':') >= 0;
  const addr = poolBytes(v6 ? 16 : 4);
  const ok = v6 ? parseIpv6Into(s, 0, addrEnd, addr, 0) : parseIpv4Into(s, 0, addrEnd, addr, 0);
  if (!ok) throw expected(t, 'an IP prefix (address/length)');
  const max = v6 ? 128 : 32;
  let len = max;
  if (slash >= 0) {
    len = 0;
    if (slash + 1 === s.length || s.length - slash > 4) throw expected(t, `an IP prefix (length 0-${max})`);
    for (let i = slash + 1; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) throw expected(t, `an IP prefix (length 0-${max})`);
      len = len * 10 + c - 48;
    }
    if (len > max) throw expected(t, `an IP prefix (length 0-${max})`);
  }
  // Host bits must be clear.
  const full = len >> 3;
  if (full < addr.length) {
    const rest = len & 7;
    if (rest && addr[full] & (0xff >> rest)) throw errorAt(t, `invalid network ${s}: host bits set for /${len}`);
    for (let i = rest ? full + 1 : full; i < addr.length; i++)
      if (addr[i] !== 0) throw errorAt(t, `invalid network ${s}: host bits set for /${len}`);
  }
  const safi = !v6 && addr[0] >= 224 && addr[0] <= 239 ? SAFI.MULTICAST : SAFI.UNICAST;
  return { family: familyKey(v6 ? AFI.IPV6 : AFI.IPV4, safi), len, addr };
}

/**
 * parsePrefixToken for the text s[start, end) without a Token: the address goes into `addr` (16 bytes of
 * room) and the result is family << 8 | length, or -1 for anything parsePrefixToken would not accept as it
 * is (the caller then makes the Token and lets parsePrefixToken say what is wrong).
 */
export function parsePrefixAt(s: string, start: number, end: number, addr: Uint8Array): number {
  let slash = -1;
  let v6 = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 /* / */) {
      slash = i;
      break;
    }
    if (c === 58 /* : */) v6 = true;
  }
  const addrEnd = slash < 0 ? end : slash;
  if (!(v6 ? parseIpv6Into(s, start, addrEnd, addr, 0) : parseIpv4Into(s, start, addrEnd, addr, 0))) return -1;
  const max = v6 ? 128 : 32;
  let len = max;
  if (slash >= 0) {
    if (slash + 1 === end || end - slash > 4) return -1;
    len = 0;
    for (let i = slash + 1; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
      len = len * 10 + c - 48;
    }
    if (len > max) return -1;
  }
  const size = max >> 3;
  const full = len >> 3;
  if (full < size) {
    const rest = len & 7;
    if (rest && addr[full]! & (0xff >> rest)) return -1;
    for (let i = rest ? full + 1 : full; i < size; i++) if (addr[i] !== 0) return -1;
  }
  const safi = !v6 && addr[0]! >= 224 && addr[0]! <= 239 ? SAFI.MULTICAST : SAFI.UNICAST;
  return (familyKey(v6 ? AFI.IPV6 : AFI.IPV4, safi) << 8) | len;
}

// ---------------------------------------------------------------------------------------------- attributes

function parseAsPath(c: Cursor): AsPathSegment[] {
  const seq: number[] = [];
  const set: number[] = [];
  const first = c.next();
  if (first === undefined) throw expected(first, "an AS number or '['", c.endLoc);
  if (!first.punct) {
    seq.push(parseAsn(first));
  } else if (first.text === '[') {
    // ExaBGP: `[ 1 2 ( 3 4 ) 5 ]` is the sequence 1 2 5 and the set 3 4 (one of each, sequence first).
    for (;;) {
      const t = c.next();
      if (t === undefined) throw expected(t, "an AS number or ']'", c.endLoc);
      if (t.punct) {
        if (t.text === ']') break;
        if (t.text === ',') continue;
        if (t.text === '(' || t.text === '[') {
          for (;;) {
            const u = c.next();
            if (u === undefined) throw expected(u, "an AS number or ')'", c.endLoc);
            if (u.punct && (u.text === ')' || u.text === ']')) break;
            if (u.punct && u.text === ',') continue;
            if (u.punct) throw expected(u, "an AS number or ')'");
            set.push(parseAsn(u));
          }
          continue;
        }
        throw expected(t, "an AS number or ']'");
      }
      seq.push(parseAsn(t));
    }
  } else {
    throw expected(first, "an AS number or '['");
  }
  const out: AsPathSegment[] = [];
  if (seq.length) out.push({ type: SegmentType.AS_SEQUENCE, asns: seq });
  if (set.length) out.push({ type: SegmentType.AS_SET, asns: set });
  return out;
}

function parseAggregator(c: Cursor): Aggregator {
  // `asn:ip`, `( asn:ip )` (the tokenizer splits `(asn:ip)` into the same three tokens).
  let t = c.next();
  if (t === undefined) throw expected(t, "an aggregator 'ASN:IPv4'", c.endLoc);
  let closing = false;
  if (isPunct(t, '(')) {
    closing = true;
    t = c.word("an aggregator 'ASN:IPv4'");
  } else if (t.punct) {
    throw expected(t, "an aggregator 'ASN:IPv4'");
  }
  const s = t.text;
  const colon = s.indexOf(':');
  if (colon <= 0) throw expected(t, "an aggregator 'ASN:IPv4'");
  const asnTok = new Token(s.slice(0, colon), false, false, t.file, t.line, t.col, 0, 0);
  const ipTok = new Token(s.slice(colon + 1), false, false, t.file, t.line, t.col + colon + 1, 0, 0);
  const agg = { asn: parseAsn(asnTok), address: ipv4Of(ipTok, 'an IPv4 address') };
  if (closing) c.expectPunct(')');
  return agg;
}

/** Decimal value of s[from, to) when it is 1 to 5 digits, else -1 (then parseUint says what is wrong). */
function shortUint(s: string, from: number, to: number): number {
  if (to <= from || to - from > 5) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function parseCommunity(t: Token): number {
  const s = t.text;
  const colon = s.indexOf(':');
  if (colon > 0) {
    // The usual `A:B`, read in place; anything else takes the path below, which names the error.
    const h = shortUint(s, 0, colon);
    const l = shortUint(s, colon + 1, s.length);
    if (h >= 0 && h <= 0xffff && l >= 0 && l <= 0xffff) return h * 65536 + l;
    const hi = parseUint(
      new Token(s.slice(0, colon), false, false, t.file, t.line, t.col, 0, 0),
      0xffff,
      'a community (0-65535:0-65535)',
    );
    const lo = parseUint(
      new Token(s.slice(colon + 1), false, false, t.file, t.line, t.col, 0, 0),
      0xffff,
      'a community (0-65535:0-65535)',
    );
    return hi * 65536 + lo;
  }
  if (/^0x[0-9a-f]{1,8}$/i.test(s)) return parseInt(s.slice(2), 16);
  const named = COMMUNITY_NAMES.get(s.toLowerCase());
  if (named !== undefined) return named;
  if (/^[0-9]+$/.test(s)) return parseUint(t, 0xffffffff, 'a community');
  throw expected(t, `a community (A:B, a number or one of ${[...COMMUNITY_NAMES.keys()].join(', ')})`);
}

function parseLargeCommunity(t: Token): [number, number, number] {
  const parts = t.text.split(':');
  if (parts.length !== 3) throw expected(t, 'a large community A:B:C');
  const v = parts.map((p) => {
    if (!/^[0-9]{1,10}$/.test(p) || Number(p) > 0xffffffff)
      throw expected(t, 'a large community A:B:C (32-bit values)');
    return Number(p);
  });
  return [v[0], v[1], v[2]];
}

const EXT_HEADER: Record<string, [number, number]> = {
  target: [0x00, 0x02],
  target4: [0x02, 0x02],
  origin: [0x00, 0x03],
  origin4: [0x02, 0x03],
  redirect: [0x80, 0x08],
  l2info: [0x80, 0x0a],
  bandwidth: [0x40, 0x04],
};
const EXT_FIELDS: Record<string, number> = {
  target: 2,
  target4: 2,
  origin: 2,
  origin4: 2,
  redirect: 2,
  l2info: 4,
  bandwidth: 2,
};

/** One extended community (RFC 4360) in ExaBGP's text forms, as its 8 bytes. */
export function parseExtendedCommunity(t: Token): Uint8Array {
  const s = t.text;
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  const what =
    'an extended community (target:A:B, origin:A:B, redirect:A:B, l2info:A:B:C:D, bandwidth:A:B, redirect-to-nexthop, an EVPN one or 0x + 16 hex digits)';
  if (/^0x/i.test(s)) {
    const b = hexBytes(t, s.slice(2), what);
    if (b.length !== 8) throw expected(t, what);
    return b;
  }
  if (s === 'redirect-to-nexthop') {
    out[0] = 0x08;
    return out;
  }
  const evpn = evpnExtendedCommunity(t);
  if (evpn) return evpn;
  const parts = s.split(':');
  if (parts.length < 2) throw expected(t, what);
  const kind = parts.length === 2 ? 'target' : parts.shift()!;
  const header = EXT_HEADER[kind];
  if (!header) throw expected(t, what);
  if (parts.length !== EXT_FIELDS[kind])
    throw errorAt(t, `found '${s}', expected ${EXT_FIELDS[kind]} fields after '${kind}:'`);
  const num = (p: string, max: number): number => {
    if (!/^[0-9]+$/.test(p) || Number(p) > max) throw expected(t, what);
    return Number(p);
  };
  out[0] = header[0];
  out[1] = header[1];
  if (kind === 'l2info') {
    out[2] = num(parts[0], 0xff);
    out[3] = num(parts[1], 0xff);
    dv.setUint16(4, num(parts[2], 0xffff));
    dv.setUint16(6, num(parts[3], 0xffff));
    return out;
  }
  const ga = parts[0].toUpperCase();
  const la = parts[1].toUpperCase();
  if (kind === 'target' || kind === 'origin') {
    // ExaBGP keeps the 2-octet-AS type byte (0x00) for the IPv4 forms too; reproduced for identical bytes.
    const gdots = ga.split('.').length - 1;
    const ldots = la.split('.').length - 1;
    if (gdots === 0 && ldots === 3) {
      dv.setUint16(2, num(ga, 0xffff));
      const ip = ipv4Of(new Token(parts[1], false, false, t.file, t.line, t.col, 0, 0), what);
      out.set(ip, 4);
      return out;
    }
    if (gdots === 3 && ldots === 0) {
      const ip = ipv4Of(new Token(parts[0], false, false, t.file, t.line, t.col, 0, 0), what);
      out.set(ip, 2);
      dv.setUint16(6, num(la, 0xffff));
      return out;
    }
  }
  const gLong = ga.endsWith('L');
  const lLong = la.endsWith('L');
  const g = num(gLong ? ga.slice(0, -1) : ga, 0xffffffff);
  const l = num(lLong ? la.slice(0, -1) : la, 0xffffffff);
  if (kind === 'target' || kind === 'origin') {
    if (gLong || g > 0xffff) {
      out[0] = 0x02;
      dv.setUint32(2, g);
      dv.setUint16(6, num(String(l), 0xffff));
    } else {
      dv.setUint16(2, g);
      dv.setUint32(4, l);
    }
    return out;
  }
  if (kind === 'target4' || kind === 'origin4') {
    dv.setUint32(2, g);
    dv.setUint16(6, num(String(l), 0xffff));
    return out;
  }
  if (kind === 'redirect') {
    dv.setUint16(2, num(String(g), 0xffff));
    dv.setUint32(4, l);
    return out;
  }
  // bandwidth: 2-octet AS then IEEE float (RFC 7153 §3.1.5, link bandwidth).
  dv.setUint16(2, num(String(g), 0xffff));
  dv.setFloat32(4, l);
  return out;
}

function parseGenericAttribute(c: Cursor): RawAttribute {
  c.expectPunct('[', "'[' (attribute [ 0xCODE 0xFLAGS 0xVALUE ])");
  const hex = (what: string, max?: number): { t: Token; s: string } => {
    const t = c.word(what);
    if (!/^0x[0-9a-f]*$/i.test(t.text)) throw expected(t, what);
    if (max !== undefined && (t.text.length < 3 || parseInt(t.text.slice(2), 16) > max)) throw expected(t, what);
    return { t, s: t.text.slice(2) };
  };
  const code = parseInt(hex('an attribute code (0x..)', 0xff).s, 16);
  const flags = parseInt(hex('attribute flags (0x..)', 0xff).s, 16);
  const v = hex('an attribute value (0x..)');
  const value = hexBytes(v.t, v.s, 'an attribute value with an even number of hex digits');
  c.expectPunct(']');
  return { code, flags, value };
}

function parseLabels(c: Cursor): number[] {
  return c.list('an MPLS label').map((t) => parseUint(t, 0xfffff, 'an MPLS label (20 bits)'));
}

/** RFC 4364 §4.2: `ASN2:N32` (type 0), `IPv4:N16` (type 1), `ASN4:N16` (type 2). */
export function parseRouteDistinguisher(t: Token): Uint8Array {
  const s = t.text;
  const colon = s.lastIndexOf(':');
  const what = 'a route distinguisher (ASN:N or IPv4:N)';
  if (colon <= 0) throw expected(t, what);
  const left = s.slice(0, colon);
  const right = s.slice(colon + 1);
  if (!/^[0-9]+$/.test(right)) throw expected(t, what);
  const n = Number(right);
  const out = new Uint8Array(8);
  const dv = new DataView(out.buffer);
  if (left.indexOf('.') >= 0) {
    const ip = ipv4Of(new Token(left, false, false, t.file, t.line, t.col, 0, 0), what);
    if (n > 0xffff) throw expected(t, what);
    dv.setUint16(0, 1);
    out.set(ip, 2);
    dv.setUint16(6, n);
    return out;
  }
  if (!/^[0-9]+$/.test(left)) throw expected(t, what);
  const a = Number(left);
  if (a < 65536 && n <= 0xffffffff) {
    dv.setUint16(2, a);
    dv.setUint32(4, n);
  } else if (a <= 0xffffffff && n < 65536) {
    dv.setUint16(0, 2);
    dv.setUint32(2, a);
    dv.setUint16(6, n);
  } else {
    throw expected(t, what);
  }
  return out;
}

// Next hops are few and routes are many: routes written with the same next hop share its bytes (treated as
// immutable, like the attributes), instead of one 4-byte array with its own buffer per route.
const nextHops = new Map<string, Uint8Array>();
const nextHopBytes = (s: string): Uint8Array | null => {
  let b = nextHops.get(s);
  if (b === undefined) {
    const ip = ipBytes(s);
    if (!ip) return null;
    b = ip;
    if (nextHops.size < 4096) nextHops.set(s, b);
  }
  return b;
};

/**
 * Parses keyword/value pairs from the cursor up to its end (a `;` stops it too). ExaBGP keeps the first
 * occurrence of an attribute given twice; tsbgp does the same. `extra` takes the keywords of another NLRI
 * (VPLS's endpoint, base, ...): it returns true when it consumed the keyword and its value.
 */
export function parseRouteTail(c: Cursor, extra?: (kw: Token, c: Cursor) => boolean): RouteTail {
  const a: Attributes = {};
  const tail: RouteTail = { attributes: a };
  let other: RawAttribute[] | undefined;
  while (!c.done()) {
    const kw = c.next()!;
    if (kw.punct) {
      if (kw.text === ';') continue;
      throw expected(kw, `a route keyword (${ROUTE_KEYWORDS})`);
    }
    switch (kw.text) {
      case 'next-hop': {
        const t = c.word('an IP address or self');
        if (t.text.toLowerCase() === 'self') {
          if (tail.nextHop === undefined) tail.nextHop = 'self';
        } else {
          const ip = nextHopBytes(t.text);
          if (!ip) throw expected(t, 'an IP address or self');
          if (tail.nextHop === undefined) tail.nextHop = ip;
        }
        break;
      }
      case 'origin': {
        const t = c.word('igp, egp or incomplete');
        const v = { igp: 0, egp: 1, incomplete: 2 }[t.text.toLowerCase()];
        if (v === undefined) throw expected(t, 'igp, egp or incomplete');
        a.origin ??= v;
        break;
      }
      case 'as-path': {
        const p = parseAsPath(c);
        a.asPath ??= p;
        break;
      }
      case 'med': {
        const v = parseUint(c.word('a MED value'), 0xffffffff, 'a MED value');
        a.med ??= v;
        break;
      }
      case 'local-preference': {
        const v = parseUint(c.word('a local-preference value'), 0xffffffff, 'a local-preference value');
        a.localPref ??= v;
        break;
      }
      case 'atomic-aggregate':
        a.atomicAggregate = true;
        break;
      case 'aggregator': {
        const v = parseAggregator(c);
        a.aggregator ??= v;
        break;
      }
      case 'community': {
        const v = c.list('a community').map(parseCommunity);
        a.communities ??= v;
        break;
      }
      case 'large-community': {
        const v: [number, number, number][] = [];
        // ExaBGP drops repeated large communities within one list.
        for (const t of c.list('a large community')) {
          const lc = parseLargeCommunity(t);
          if (!v.some((x) => x[0] === lc[0] && x[1] === lc[1] && x[2] === lc[2])) v.push(lc);
        }
        a.largeCommunities ??= v;
        break;
      }
      case 'extended-community': {
        const v = c.list('an extended community').map(parseExtendedCommunity);
        a.extendedCommunities ??= v;
        break;
      }
      case 'originator-id': {
        const v = ipv4Of(c.word('an IPv4 originator-id'), 'an IPv4 originator-id');
        a.originatorId ??= v;
        break;
      }
      case 'cluster-list': {
        const v = c.list('an IPv4 cluster id').map((t) => ipv4Of(t, 'an IPv4 cluster id'));
        a.clusterList ??= v;
        break;
      }
      case 'aigp': {
        const t = c.word('an AIGP metric');
        let v: bigint;
        try {
          if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t.text)) throw new Error();
          v = BigInt(t.text);
        } catch {
          throw expected(t, 'an AIGP metric (decimal or 0x hexadecimal)');
        }
        if (v > 0xffffffffffffffffn) throw expected(t, 'an AIGP metric (64 bits)');
        a.aigp ??= v;
        break;
      }
      case 'attribute': {
        const g = parseGenericAttribute(c);
        other ??= [];
        if (!other.some((o) => o.code === g.code)) other.push(g);
        break;
      }
      case 'path-information': {
        const t = c.word('a path identifier (number or IPv4 form)');
        let v: number;
        if (/^[0-9]+$/.test(t.text)) v = parseUint(t, 0xffffffff, 'a path identifier');
        else {
          const b = ipv4Of(t, 'a path identifier (number or IPv4 form)');
          v = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
        }
        tail.pathId ??= v;
        break;
      }
      case 'label':
        tail.labels ??= parseLabels(c);
        break;
      case 'rd':
      case 'route-distinguisher':
        tail.rd ??= parseRouteDistinguisher(c.word('a route distinguisher'));
        break;
      case 'split': {
        const t = c.word("'/LENGTH'");
        if (!/^\/[0-9]{1,3}$/.test(t.text)) throw expected(t, "'/LENGTH' (split /24)");
        tail.split ??= Number(t.text.slice(1));
        break;
      }
      case 'watchdog': {
        const t = c.word('a watchdog name');
        if (t.text === 'announce' || t.text === 'withdraw')
          throw expected(t, 'a watchdog name (not announce/withdraw)');
        tail.watchdog ??= t.text;
        break;
      }
      case 'withdraw':
        tail.withdraw = true;
        break;
      case 'name':
        tail.name ??= c.word('a route name').text;
        break;
      case 'bgp-prefix-sid': {
        const v = parsePrefixSid(c);
        a.prefixSid ??= v;
        break;
      }
      case 'bgp-prefix-sid-srv6': {
        const v = parsePrefixSidSrv6(c);
        a.prefixSid ??= v;
        break;
      }
      default:
        if (extra?.(kw, c)) break;
        throw expected(kw, `a route keyword (${ROUTE_KEYWORDS})`);
    }
  }
  if (other) a.other = other.sort((x, y) => x.code - y.code);
  return tail;
}

/** The next hop parseSimpleTail read last, as written and as bytes. */
let lastNextHopText = '';
let lastNextHop: Uint8Array = new Uint8Array(4);

/** Where parseSimpleTail gathers communities. */
const communityScratch: number[] = [];

const isBlank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/** Decimal digits s[from, to) as parseUint reads them when at most `max`, else -1. */
function digitsAt(s: string, from: number, to: number, max: number): number {
  if (to <= from || to - from > 10) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v > max ? -1 : v;
}

/**
 * parseRouteTail for the tails most configurations are made of (`next-hop IP`, `med N`, `local-preference N`,
 * `origin igp|egp|incomplete`, `community A:B` or `community [ A:B ... ]`, each at most once), read straight
 * from the text s[from, to): no token, cursor or list per tail, which is what a million distinct tails cost.
 * Anything else, and anything wrong, gives undefined: the general path then parses it (or names the error).
 */
export function parseSimpleTail(s: string, from: number, to: number): RouteTail | undefined {
  const a: Attributes = {};
  const tail: RouteTail = { attributes: a };
  let i = from;
  for (;;) {
    while (i < to && isBlank(s.charCodeAt(i))) i++;
    if (i >= to) return tail;
    const ks = i;
    while (i < to && !isBlank(s.charCodeAt(i))) i++;
    const ke = i;
    while (i < to && isBlank(s.charCodeAt(i))) i++;
    const vs = i;
    const k0 = s.charCodeAt(ks);
    if (k0 === 99 /* c */ && ke - ks === 9 && s.startsWith('community', ks)) {
      if (a.communities !== undefined) return undefined;
      let n = 0;
      const bracket = s.charCodeAt(i) === 91; /* [ */
      if (bracket) i++;
      for (;;) {
        while (i < to && (isBlank(s.charCodeAt(i)) || (bracket && s.charCodeAt(i) === 44))) i++;
        if (i >= to) return undefined;
        if (bracket && s.charCodeAt(i) === 93 /* ] */) {
          i++;
          break;
        }
        const ws = i;
        let colon = -1;
        for (; i < to; i++) {
          const c = s.charCodeAt(i);
          if (isBlank(c) || c === 44 || c === 91 || c === 93 || c === 40 || c === 41 || c === 59) break;
          if (c === 58 && colon < 0) colon = i;
        }
        if (colon < 0) return undefined;
        const h = digitsAt(s, ws, colon, 0xffff);
        const l = digitsAt(s, colon + 1, i, 0xffff);
        if (h < 0 || l < 0 || colon + 1 > i - 1 || colon - ws > 5 || i - colon - 1 > 5) return undefined;
        communityScratch[n++] = h * 65536 + l;
        if (!bracket) break;
      }
      if (n === 0) return undefined;
      // A copy of the exact length: an array grown by push keeps spare room, per route.
      a.communities = communityScratch.slice(0, n);
      continue;
    }
    // The other keywords take one plain word.
    while (i < to && !isBlank(s.charCodeAt(i))) {
      const c = s.charCodeAt(i);
      if (c === 91 || c === 93 || c === 40 || c === 41 || c === 44 || c === 59 || c === 123 || c === 125)
        return undefined;
      i++;
    }
    const ve = i;
    if (ve === vs) return undefined;
    const k = ke - ks;
    if (k === 8 && s.startsWith('next-hop', ks)) {
      if (tail.nextHop !== undefined) return undefined;
      // Routes mostly share their next hop: compare in place before cutting the text out to look it up.
      if (ve - vs !== lastNextHopText.length || !s.startsWith(lastNextHopText, vs)) {
        const text = s.slice(vs, ve);
        const ip = nextHopBytes(text);
        if (ip === null) return undefined;
        lastNextHopText = text;
        lastNextHop = ip;
      }
      tail.nextHop = lastNextHop;
    } else if (k === 3 && s.startsWith('med', ks)) {
      const v = digitsAt(s, vs, ve, 0xffffffff);
      if (v < 0 || a.med !== undefined) return undefined;
      a.med = v;
    } else if (k === 16 && s.startsWith('local-preference', ks)) {
      const v = digitsAt(s, vs, ve, 0xffffffff);
      if (v < 0 || a.localPref !== undefined) return undefined;
      a.localPref = v;
    } else if (k === 6 && s.startsWith('origin', ks)) {
      if (a.origin !== undefined) return undefined;
      const w = ve - vs;
      if (w === 3 && s.startsWith('igp', vs)) a.origin = 0;
      else if (w === 3 && s.startsWith('egp', vs)) a.origin = 1;
      else if (w === 10 && s.startsWith('incomplete', vs)) a.origin = 2;
      else return undefined;
    } else {
      return undefined;
    }
  }
}

/** Most distinct route tails remembered by the memo. */
export const CACHE_LIMIT = 65536;

const tailKey = (toks: Token[], from: number, to: number): string => {
  let k = '';
  for (let i = from; i < to; i++) {
    const t = toks[i];
    // Quoted words can hold anything: mark them so `"["` and `[` differ.
    k += t.quoted ? `"${t.text}" ` : `${t.text} `;
  }
  return k;
};

/** Family of a route from its prefix, its tail (label/rd) and an optional forced SAFI. */
function routeFamily(p: Prefix, tail: RouteTail, forced: RouteParseOptions['family']): FamilyKey {
  if (typeof forced === 'number') return forced;
  const afi = Math.floor(p.family / 256);
  if (tail.rd) return familyKey(afi, SAFI.MPLS_VPN);
  if (tail.labels) return familyKey(afi, SAFI.MPLS_LABEL);
  if (forced === 'multicast') return familyKey(afi, SAFI.MULTICAST);
  if (forced === 'unicast') return familyKey(afi, SAFI.UNICAST);
  return p.family;
}

/**
 * Parses tokens `[route] PREFIX keyword value ...` (from a config statement or an API line) into a
 * RouteSpec. Throws ConfigError with file:line:col.
 */
export function parseRoute(input: Token[] | string, opts: RouteParseOptions = {}, from = 0, to?: number): RouteSpec {
  const toks = typeof input === 'string' ? tokenize(input, opts.file ?? '<input>') : input;
  let stop = to ?? toks.length;
  while (stop > from && isPunct(toks[stop - 1], ';')) stop--;
  let i = from;
  if (i < stop && !toks[i].punct && toks[i].text === 'route') i++;
  const endLoc = endOf(toks, { file: opts.file ?? '<input>', line: 1, col: 1 });
  const pt = toks[i];
  if (pt === undefined || i >= stop || pt.punct) throw expected(i < stop ? pt : undefined, 'an IP prefix', endLoc);
  const prefix = parsePrefixToken(pt);
  i++;
  let tail: RouteTail | undefined;
  let key: string | undefined;
  // A remembered tail would lose its `expires`: API lines (the only ones with it) are not memoised.
  if (opts.cache && !opts.expires) {
    key = tailKey(toks, i, stop);
    tail = opts.cache.get(key);
  }
  let expiresIn: number | undefined;
  if (tail === undefined) {
    const expiry = (kw: Token, c: Cursor): boolean => {
      if (kw.text !== 'expires') return false;
      const n = parseUint(c.word('a number of seconds'), 0xffffffff, 'a number of seconds');
      if (n < 1) throw errorAt(kw, 'expires: expected a number of seconds (> 0)');
      expiresIn ??= n;
      return true;
    };
    tail = parseRouteTail(new Cursor(toks, i, stop, endLoc), opts.expires ? expiry : undefined);
    // Bounded: a file where every route differs would only fill the memo (and the GC) for nothing.
    if (opts.cache && key !== undefined && opts.cache.size < CACHE_LIMIT) opts.cache.set(key, tail);
  }
  const r = finishRoute(prefix, tail, pt, opts);
  if (expiresIn !== undefined) r.expiresIn = expiresIn;
  return r;
}

export function finishRoute(prefix: Prefix, tail: RouteTail, at: Token, opts: RouteParseOptions): RouteSpec {
  const family = checkRoute(prefix, tail, at, opts);
  if (tail.pathId !== undefined) prefix.pathId = tail.pathId;
  const r: RouteSpec = {
    family,
    prefix,
    attributes: tail.attributes,
    pos: { file: at.file, line: at.line, col: at.col },
  };
  if (prefix.family !== r.family) prefix.family = r.family;
  if (tail.nextHop !== undefined) r.nextHop = tail.nextHop;
  if (tail.split !== undefined) r.split = tail.split;
  if (tail.watchdog !== undefined) r.watchdog = tail.watchdog;
  if (tail.withdraw) r.withdraw = true;
  if (tail.name !== undefined) r.name = tail.name;
  if (tail.labels !== undefined) r.labels = tail.labels;
  if (tail.rd !== undefined) r.rd = tail.rd;
  return r;
}

/** The checks finishRoute makes (next hop present, split not too long), with `at` for the message; the route's family. */
export function checkRoute(prefix: Prefix, tail: RouteTail, at: Token, opts: RouteParseOptions): FamilyKey {
  if (tail.nextHop === undefined && !tail.withdraw && opts.requireNextHop !== false)
    throw errorAt(at, `route ${at.text} has no next-hop, expected 'next-hop IP' or 'next-hop self'`);
  if (tail.split !== undefined && tail.split > (prefix.addr.length === 16 ? 128 : 32))
    throw errorAt(at, `split /${tail.split} is longer than an ${prefix.addr.length === 16 ? 'IPv6' : 'IPv4'} address`);
  return routeFamily(prefix, tail, opts.family);
}

/** True when finishRoute would accept a route of this tail with an IPv6 (or IPv4) prefix. */
export function tailAccepts(tail: RouteTail, v6: boolean): boolean {
  if (tail.nextHop === undefined && !tail.withdraw) return false;
  return tail.split === undefined || tail.split <= (v6 ? 128 : 32);
}

/** routeFamily for a prefix known by its own family only (the static block's case: no forced family). */
export function tailFamily(prefixFamily: FamilyKey, tail: RouteTail): FamilyKey {
  const afi = prefixFamily >>> 8;
  if (tail.rd) return familyKey(afi, SAFI.MPLS_VPN);
  if (tail.labels) return familyKey(afi, SAFI.MPLS_LABEL);
  return prefixFamily;
}

/** How many routes expandSplit() makes of the route, without making them; throws past what tsbgp expands. */
export function splitCount(r: RouteSpec): number {
  const cut = r.split;
  if (cut === undefined || r.prefix.len >= cut) return 1;
  const count = 2 ** (cut - r.prefix.len);
  if (count > 1 << 24)
    throw new ConfigError(
      r.pos?.file ?? '<input>',
      r.pos?.line ?? 0,
      r.pos?.col ?? 0,
      `split /${cut} of /${r.prefix.len} makes ${count} routes, more than tsbgp expands`,
    );
  return count;
}

/**
 * `split /N` as ExaBGP applies it: the prefix cut into its /N sub-prefixes, same attributes.
 * A prefix already /N or longer stays as it is.
 */
export function expandSplit(r: RouteSpec): RouteSpec[] {
  const cut = r.split;
  if (cut === undefined || r.prefix.len >= cut) return [r];
  const count = splitCount(r);
  const out: RouteSpec[] = [];
  const addr = r.prefix.addr.slice();
  for (let n = 0; n < count; n++) {
    const p: Prefix = { family: r.prefix.family, len: cut, addr: addr.slice() };
    if (r.prefix.pathId !== undefined) p.pathId = r.prefix.pathId;
    const copy: RouteSpec = { ...r, prefix: p };
    delete copy.split;
    out.push(copy);
    // Add 1 at bit position `cut` (big-endian).
    const bit = cut - 1;
    let byte = bit >> 3;
    let inc = 1 << (7 - (bit & 7));
    while (byte >= 0) {
      const v = addr[byte] + inc;
      addr[byte] = v & 0xff;
      if (v < 256) break;
      byte--;
      inc = 1;
    }
  }
  return out;
}

/**
 * The ExaBGP 3.x/4.x form `attributes KEYWORD VALUE ... nlri P1 P2 ...`: one tail, several prefixes.
 */
export function parseAttributesNlri(
  input: Token[] | string,
  opts: RouteParseOptions = {},
  from = 0,
  to?: number,
): RouteSpec[] {
  const toks = typeof input === 'string' ? tokenize(input, opts.file ?? '<input>') : input;
  let stop = to ?? toks.length;
  while (stop > from && isPunct(toks[stop - 1], ';')) stop--;
  let i = from;
  if (i < stop && toks[i].text === 'attributes' && !toks[i].punct) i++;
  let nl = -1;
  for (let j = i; j < stop; j++)
    if (!toks[j].punct && toks[j].text === 'nlri') {
      nl = j;
      break;
    }
  const endLoc = endOf(toks, { file: opts.file ?? '<input>', line: 1, col: 1 });
  if (nl < 0) throw expected(undefined, "'nlri' followed by prefixes", endLoc);
  const tail = parseRouteTail(new Cursor(toks, i, nl, endLoc));
  const out: RouteSpec[] = [];
  for (let j = nl + 1; j < stop; j++) {
    const t = toks[j];
    if (t.punct) throw expected(t, 'an IP prefix');
    out.push(finishRoute(parsePrefixToken(t), tail, t, opts));
  }
  if (out.length === 0) throw expected(undefined, 'an IP prefix after nlri', endLoc);
  return out;
}

/**
 * What ExaBGP adds or drops when it sends a route (Attributes.pack in ExaBGP 4.2): ORIGIN IGP when absent;
 * AS_PATH empty on iBGP, [local AS] on eBGP when absent (a configured as-path is sent as written);
 * LOCAL_PREF 100 on iBGP when absent, and never sent on eBGP (RFC 4271 §5.1.5).
 */
export function withSendDefaults(a: Attributes, localAs: number, peerAs: number): Attributes {
  const ibgp = localAs === peerAs;
  const out: Attributes = { ...a };
  if (out.origin === undefined) out.origin = 0;
  if (out.asPath === undefined) out.asPath = ibgp ? [] : [{ type: SegmentType.AS_SEQUENCE, asns: [localAs] }];
  if (ibgp) {
    if (out.localPref === undefined) out.localPref = 100;
  } else {
    delete out.localPref;
  }
  return out;
}

export { ConfigError };
