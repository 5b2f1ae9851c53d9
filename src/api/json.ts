// ExaBGP 4.2 JSON encoder: the events an API process receives, byte for byte as ExaBGP 4.2.21 prints them
// (same keys, same order, same spacing), except where ExaBGP prints invalid JSON (route-refresh, some
// strings): there tsbgp prints the valid JSON ExaBGP evidently meant. The schema version string is the one
// ExaBGP 4.2 puts in "exabgp": "4.0.1" (its JSON schema version, not its release number).
//
// Updates are rendered by string building straight from the NLRI blocks (no per-prefix objects), so a full
// table costs one string per prefix and nothing else.

import * as os from 'node:os';
import { flowToJSONText, flowToString } from '../flowspec/json';
import { capabilityValue } from '../wire/capabilities';
import { parseIp } from '../wire/ip';
import { BGPLS_VPN, bgpLs, bgpLsVpn } from '../wire/nlri/bgpls';
import type { NlriCodec } from '../wire/nlri/codec';
import { l2vpnEvpn } from '../wire/nlri/evpn';
import { ipv4Flow, ipv4FlowVpn, ipv6Flow, ipv6FlowVpn } from '../wire/nlri/flowspec';
import { ipv4Labeled, ipv4Vpn, ipv6Labeled, ipv6Vpn, type LabeledPrefix } from '../wire/nlri/labeled';
import { prefixToString } from '../wire/nlri/prefix';
import { rdToString } from '../wire/nlri/rd';
import { ipv4Rtc } from '../wire/nlri/rtc';
import { ipv4SrPolicy, ipv6SrPolicy, SAFI_SR_POLICY } from '../wire/nlri/srpolicy';
import { ipv4Mup, ipv4Mvpn, ipv6Mup, ipv6Mvpn } from '../wire/nlri/typed';
import { l2vpnVpls, type Vpls } from '../wire/nlri/vpls';
import type {
  Attributes,
  Capability,
  FamilyKey,
  NlriBlock,
  Notification,
  Open,
  RouteRefresh,
  Update,
} from '../wire/types';
import { afiOf, familyKey, IPV4_UNICAST, safiOf } from '../wire/types';
import { bgpLsAttributeJson, bgpLsNlriJson } from './bgpls-json';
import { evpnJson } from './evpn-json';
import { mupJson } from './mup-json';
import { mvpnJson } from './mvpn-json';
import { pmsiJson } from './pmsi-json';
import { prefixSidJson, prefixSidText } from './prefixsid-json';
import { rtcJson } from './rtc-json';
import { srPolicyJson, tunnelEncapJson } from './tunnel-encap-json';

/** What ExaBGP prints as "exabgp": its JSON schema version (exabgp/version.py `json`), not the release. */
export const EXABGP_JSON_VERSION = '4.0.1';

/** The neighbor an event is about, as ExaBGP prints it in "neighbor". */
export interface NeighborContext {
  localAddress: string;
  peerAddress: string;
  localAs: number;
  peerAs: number;
  /** Key for the per-neighbor "counter"; defaults to local|peer address. */
  id?: string;
}

/** ExaBGP's runtime says 'receive'/'send'; its `--decode` says 'in'. */
export type Direction = 'receive' | 'send' | 'in' | 'out';

/** Raw bytes of the message, for processes configured with `receive-packets`/consolidate. */
export interface RawParts {
  header?: Uint8Array;
  body?: Uint8Array;
}

/** The "negotiated" object ExaBGP adds when the api has `negotiated` enabled. */
export interface NegotiatedInfo {
  messageSize: number;
  holdTime: number;
  asn4: boolean;
  multisession: boolean;
  operational: boolean;
  refresh: 'absent' | 'normal' | 'enhanced';
  families: FamilyKey[];
  /** RFC 8950 next-hop conversions: [afi, safi, next-hop afi]. */
  nexthop: [number, number, number][];
  addPathSend: FamilyKey[];
  addPathReceive: FamilyKey[];
}

export interface JsonEncoderOptions {
  version?: string;
  host?: string;
  pid?: number;
  ppid?: number;
  /** Seconds since the epoch, fractional. */
  now?: () => number;
  /** ExaBGP `api.compact`: a prefix without path-id is printed as "10.0.0.0/24" instead of { "nlri": ... }. */
  compact?: boolean;
  /**
   * ExaBGP 4.2 drops AIGP (RFC 7311) unless the neighbor is configured for it (and then crashes decoding it).
   * tsbgp prints `"aigp": N` only when this is set.
   */
  aigp?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Names and small formatters (shared with text.ts)

const AFI_NAMES: Record<number, string> = { 1: 'ipv4', 2: 'ipv6', 25: 'l2vpn', 16388: 'bgp-ls' };
const SAFI_NAMES: Record<number, string> = {
  1: 'unicast',
  2: 'multicast',
  4: 'nlri-mpls',
  5: 'mcast-vpn',
  65: 'vpls',
  70: 'evpn',
  71: 'bgp-ls',
  72: 'bgp-ls-vpn',
  73: 'sr-policy',
  85: 'mup',
  128: 'mpls-vpn',
  132: 'rtc',
  133: 'flow',
  134: 'flow-vpn',
};

/** ExaBGP's AFI spelling ("ipv4"); unknown values as ExaBGP prints them ("unknown afi N"). */
export const afiName = (afi: number): string => AFI_NAMES[afi] ?? `unknown afi ${afi}`;
export const safiName = (safi: number): string => SAFI_NAMES[safi] ?? `unknown safi ${safi}`;
/** "ipv4 unicast" */
export const familyString = (k: FamilyKey): string => `${afiName(afiOf(k))} ${safiName(safiOf(k))}`;

/** JSON string literal; escapes everything JSON requires (ExaBGP does not, we must). */
export function jsonString(s: string): string {
  // Fast path: nothing to escape.
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      plain = false;
      break;
    }
  }
  return plain ? `"${s}"` : JSON.stringify(s);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEXU = HEX.map((h) => h.toUpperCase());

/** ExaBGP's hexstring(): "0x" + uppercase hex, "0x" for nothing. */
export function hexUpper(b: Uint8Array, off = 0, end = b.length): string {
  let s = '0x';
  for (let i = off; i < end; i++) s += HEXU[b[i]!];
  return s;
}
export function hexLower(b: Uint8Array, off = 0, end = b.length): string {
  let s = '0x';
  for (let i = off; i < end; i++) s += HEX[b[i]!];
  return s;
}

export function ipv4At(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * RFC 5952 §4.2.3: the longest run of two or more zero groups (the first on ties), as start × 16 + length,
 * or -1 when there is none. A packed number rather than a pair: this runs once per IPv6 prefix printed.
 */
function zeroRun(g: ArrayLike<number>): number {
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (g[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  return bestLen < 2 ? -1 : bestBase * 16 + bestLen;
}

/**
 * IPv6 text as ExaBGP prints it (Python's socket.inet_ntop, i.e. glibc): RFC 5952 compression (longest run of
 * two or more zero groups, the first one on ties, lowercase), plus glibc's dotted forms for ::a.b.c.d and
 * ::ffff:a.b.c.d. Reads `n` bytes at `off` (fewer than 16 for a prefix: the rest is zero).
 */
export function ipv6At(b: Uint8Array, off: number, n = 16): string {
  const w = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 16 && i < n; i++) w[i >> 1]! |= b[off + i]! << (i & 1 ? 0 : 8);
  const run = zeroRun(w);
  const bestBase = run < 0 ? -1 : run >> 4;
  const bestLen = run & 15;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    const q = `${w[6]! >> 8}.${w[6]! & 0xff}.${w[7]! >> 8}.${w[7]! & 0xff}`;
    return bestLen === 5 ? `::ffff:${q}` : `::${q}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += w[i]!.toString(16);
  }
  return s;
}

/** An address of 4 or 16 bytes. */
export function ipString(b: Uint8Array, off = 0, len = b.length - off): string {
  return len === 4 ? ipv4At(b, off) : ipv6At(b, off, 16);
}

const u32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

// ---------------------------------------------------------------------------------------------------------
// Per-family NLRI rendering hook (FlowSpec and other families plug in here)

/**
 * Renders the NLRI of one family. `each` is called once per NLRI with its JSON value (an object literal, or a
 * string literal in compact mode) and its text form (what ExaBGP's text encoder prints after "announced"/
 * "withdrawn", without the next hop; `afterNextHop` is the rest of it that ExaBGP prints after the next hop, " rd
 * X" for VPN routes). `nextHop` is the MP_REACH next hop the NLRI are announced with (absent
 * for withdrawals and "no-nexthop"), for families whose JSON repeats it per NLRI (FlowSpec).
 */
export interface FamilyRenderer {
  forEach(
    block: NlriBlock,
    compact: boolean,
    each: (json: string, text: string, afterNextHop?: string) => void,
    nextHop?: string,
  ): void;
}

const renderers = new Map<FamilyKey, FamilyRenderer>();

/** Register how a family's NLRI appear in JSON/text (e.g. FlowSpec's flowToJSON). Replaces any previous one. */
export function registerFamilyRenderer(family: FamilyKey, r: FamilyRenderer): void {
  renderers.set(family, r);
}

export function familyRenderer(family: FamilyKey): FamilyRenderer {
  return renderers.get(family) ?? rawRenderer;
}

/** Unicast / multicast prefixes: `{ "nlri": "10.0.0.0/24" }`, with "path-information" under ADD-PATH. */
function prefixRenderer(v6: boolean): FamilyRenderer {
  const bytes = v6 ? 16 : 4;
  const scratch = new Uint8Array(16);
  return {
    forEach(block, compact, each) {
      const d = block.data;
      let o = 0;
      while (o < d.length) {
        let pi = '';
        if (block.addPath) {
          pi = `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
          o += 4;
        }
        const len = d[o++]!;
        const n = (len + 7) >> 3;
        let p: string;
        if (v6) {
          scratch.fill(0);
          for (let i = 0; i < n && i < bytes; i++) scratch[i] = d[o + i]!;
          p = `${ipv6At(scratch, 0, 16)}/${len}`;
        } else {
          p = `${n > 0 ? d[o] : 0}.${n > 1 ? d[o + 1] : 0}.${n > 2 ? d[o + 2] : 0}.${n > 3 ? d[o + 3] : 0}/${len}`;
        }
        o += n;
        if (block.addPath) each(`{ "nlri": "${p}", "path-information": "${pi}" }`, `${p} path-information ${pi}`);
        else each(compact ? `"${p}"` : `{ "nlri": "${p}" }`, p);
      }
    },
  };
}

/** Families without a renderer: the whole block as one opaque value, so nothing is silently lost. */
const rawRenderer: FamilyRenderer = {
  forEach(block, _compact, each) {
    if (block.data.length === 0) return;
    const h = hexUpper(block.data);
    each(`{ "raw": "${h}" }`, `raw ${h}`);
  },
};

/** The built-in prefix renderers: updates of these families are written by putPrefixes, which prints the same. */
const prefixRenderers = new Map<FamilyRenderer, boolean>();
for (const [afi, safi] of [
  [1, 1],
  [1, 2],
  [2, 1],
  [2, 2],
] as const) {
  const r = prefixRenderer(afi === 2);
  prefixRenderers.set(r, afi === 2);
  registerFamilyRenderer(familyKey(afi, safi), r);
}

/**
 * The next-hop keys of MP_REACH as ExaBGP 4.2 groups NLRI under them. With a 32-byte IPv6 next hop (global +
 * link-local) ExaBGP lists every NLRI twice, once under each address; tsbgp does the same so that processes
 * written for ExaBGP see the same thing. An empty next hop (FlowSpec) is "no-nexthop".
 */
export function mpNextHops(family: FamilyKey, nh: Uint8Array): string[] {
  // VPN families put a zero RD before the address (RFC 4364 §4.3.2, RFC 7752 §3.4 for BGP-LS VPN).
  const rd = safiOf(family) === 128 || family === BGPLS_VPN ? 8 : 0;
  if (nh.length === 0) return ['no-nexthop'];
  // RFC 4659 §3.2.1: a 48-byte VPN next hop is RD + global and RD + link-local; the second RD is not shown.
  const body =
    rd > 0 && nh.length === 48
      ? Uint8Array.from([...nh.subarray(8, 24), ...nh.subarray(32)])
      : nh.subarray(Math.min(rd, nh.length));
  if (body.length === 4) return [ipv4At(body, 0)];
  if (body.length < 16) return [ipString(body, 0, body.length === 4 ? 4 : 16)];
  const out: string[] = [];
  for (let p = 0; p + 16 <= body.length; p += 16) out.push(ipv6At(body, p, 16));
  if (out.length === 0) out.push('no-nexthop');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Update lines as bytes. A full table is a million prefixes: building a string per prefix, an array of them and
// a join, then encoding the result to UTF-8 for the pipe, costs more than decoding the table. Update lines are
// written as bytes instead, the prefixes digit by digit, into slabs that are handed out as views.

const SLAB_SIZE = 1 << 20;

/** Appends one line at a time to a slab; bytes of a finished line are never written again. */
class LineWriter {
  buf: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  pos = 0;
  private start = 0;

  begin(): void {
    this.start = this.pos;
  }

  /** Make room for `n` more bytes of the current line (it moves to a new slab when this one is full). */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const line = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(SLAB_SIZE, (line + n) * 2));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = line;
  }

  str(s: string): void {
    const n = s.length;
    this.room(n * 3);
    const b = this.buf;
    let p = this.pos;
    if (n < 64) {
      // Short pieces (keys, punctuation) are ASCII nearly always: copying them is cheaper than a native call.
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[p++] = c;
      }
      if (i === n) {
        this.pos = p;
        return;
      }
      p = this.pos;
    }
    this.pos = p + b.write(s, p, 'utf8');
  }

  /** The current line, as a view of the slab. */
  end(): Buffer {
    return this.buf.subarray(this.start, this.pos);
  }

  /** Forget the current line (its text was copied out). */
  rewind(): void {
    this.pos = this.start;
  }
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const NLRI_OPEN = ascii('{ "nlri": "');
const PATH_INFO = ascii('", "path-information": "');
/** Longest JSON of one prefix: `, { "nlri": "<39-char IPv6>/128", "path-information": "255.255.255.255" }`. */
const MAX_PREFIX_JSON = 96;
const HEX_DIGITS = ascii('0123456789abcdef');

function putBytes(b: Buffer, p: number, s: Uint8Array): number {
  for (let i = 0; i < s.length; i++) b[p + i] = s[i]!;
  return p + s.length;
}

/** Decimal of 0..999 (octets, prefix lengths). */
function putDec(b: Buffer, p: number, v: number): number {
  if (v >= 100) {
    b[p] = 48 + ((v / 100) | 0);
    b[p + 1] = 48 + (((v / 10) | 0) % 10);
    b[p + 2] = 48 + (v % 10);
    return p + 3;
  }
  if (v >= 10) {
    b[p] = 48 + ((v / 10) | 0);
    b[p + 1] = 48 + (v % 10);
    return p + 2;
  }
  b[p] = 48 + v;
  return p + 1;
}

function putDotted(b: Buffer, p: number, d: Uint8Array, o: number, n: number): number {
  for (let i = 0; i < 4; i++) {
    if (i > 0) b[p++] = 0x2e;
    p = putDec(b, p, i < n ? d[o + i]! : 0);
  }
  return p;
}

const groups = new Uint16Array(8);

/** IPv6 text of the first `n` octets at `o` (the rest zero), exactly as ipv6At prints it. */
function putIpv6(w: LineWriter, d: Uint8Array, o: number, n: number): void {
  const g = groups;
  for (let i = 0; i < 8; i++) {
    const k = i * 2;
    g[i] = ((k < n ? d[o + k]! : 0) << 8) | (k + 1 < n ? d[o + k + 1]! : 0);
  }
  const run = zeroRun(g);
  const bestBase = run < 0 ? -1 : run >> 4;
  const bestLen = run & 15;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    // glibc's dotted forms (::a.b.c.d, ::ffff:a.b.c.d): rare in tables, left to the string version.
    const full = new Uint8Array(16);
    for (let i = 0; i < n && i < 16; i++) full[i] = d[o + i]!;
    w.str(ipv6At(full, 0, 16));
    return;
  }
  const b = w.buf;
  let p = w.pos;
  const first = p;
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      b[p++] = 0x3a;
      b[p++] = 0x3a;
      i += bestLen - 1;
      continue;
    }
    if (p > first && b[p - 1] !== 0x3a) b[p++] = 0x3a;
    const v = g[i]!;
    if (v >= 0x1000) b[p++] = HEX_DIGITS[v >> 12]!;
    if (v >= 0x100) b[p++] = HEX_DIGITS[(v >> 8) & 15]!;
    if (v >= 0x10) b[p++] = HEX_DIGITS[(v >> 4) & 15]!;
    b[p++] = HEX_DIGITS[v & 15]!;
  }
  w.pos = p;
}

/**
 * The JSON values of a unicast/multicast block, each preceded by ", " unless it is the first of its list
 * (`count` values already written). Same text as prefixRenderer. Returns the new count.
 */
function putPrefixes(w: LineWriter, block: NlriBlock, v6: boolean, compact: boolean, count: number): number {
  const d = block.data;
  const ap = block.addPath;
  let o = 0;
  while (o < d.length) {
    w.room(MAX_PREFIX_JSON);
    const b = w.buf;
    let p = w.pos;
    if (count++ > 0) {
      b[p++] = 0x2c;
      b[p++] = 0x20;
    }
    const pi = o;
    if (ap) o += 4;
    const len = d[o++]!;
    const n = (len + 7) >> 3;
    const obj = ap || !compact;
    if (obj) p = putBytes(b, p, NLRI_OPEN);
    else b[p++] = 0x22;
    if (v6) {
      w.pos = p;
      putIpv6(w, d, o, n);
      p = w.pos;
    } else p = putDotted(b, p, d, o, n);
    b[p++] = 0x2f;
    p = putDec(b, p, len);
    o += n;
    if (ap) {
      p = putBytes(b, p, PATH_INFO);
      p = putDotted(b, p, d, pi, 4);
    }
    b[p++] = 0x22;
    if (obj) {
      b[p++] = 0x20;
      b[p++] = 0x7d;
    }
    w.pos = p;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// Attributes

const ORIGIN_NAMES = ['igp', 'egp', 'incomplete'];
/** ExaBGP prints Python's None for an origin it has no name for. */
export const originName = (o: number): string => ORIGIN_NAMES[o] ?? 'None';

interface FlatPath {
  seq: number[];
  set: number[];
  cseq: number[];
  cset: number[];
}
/** ExaBGP keeps one list per segment type, concatenating segments of the same type in order. */
function flattenPath(a: Attributes): FlatPath {
  const f: FlatPath = { seq: [], set: [], cseq: [], cset: [] };
  for (const s of a.asPath ?? []) {
    const into = s.type === 1 ? f.set : s.type === 2 ? f.seq : s.type === 3 ? f.cseq : s.type === 4 ? f.cset : null;
    if (into) for (const x of s.asns) into.push(x);
  }
  return f;
}

const WELL_KNOWN: Record<number, string> = {
  4294967041: 'no-export',
  4294967042: 'no-advertise',
  4294967043: 'no-export-subconfed',
  4294967044: 'no-peer',
  4294902426: 'blackhole',
};
export const communityText = (c: number): string => WELL_KNOWN[c] ?? `${c >>> 16}:${c & 0xffff}`;

const ENCAP: Record<number, string> = {
  0: 'Default',
  1: 'L2TPv3',
  2: 'GRE',
  7: 'IP-in-IP',
  8: 'VXLAN',
  9: 'NVGRE',
  10: 'MPLS',
  12: 'VXLAN-GPE',
  13: 'MPLS-in-UDP',
};
const IFSET_DIR: Record<number, string> = { 1: 'input', 2: 'output', 3: 'input-output' };

/** Python's "%d" of a float: truncation toward zero. */
const truncInt = (x: number): string => (Number.isFinite(x) ? Math.trunc(x).toFixed(0) : String(x));

const f32 = new DataView(new ArrayBuffer(4));
function float32At(b: Uint8Array, o: number): number {
  for (let i = 0; i < 4; i++) f32.setUint8(i, b[o + i]!);
  return f32.getFloat32(0);
}

/**
 * ExaBGP's name for an extended community (RFC 4360 and the registered sub-types ExaBGP 4.2 knows), or '' when
 * it has none. Like ExaBGP, the lookup ignores the IANA and transitive bits of the type (type & 0x0F).
 */
export function extendedCommunityString(b: Uint8Array, o = 0): string {
  const t = b[o]! & 0x0f;
  const st = b[o + 1]!;
  const asn2 = u16(b, o + 2);
  const asn4 = u32(b, o + 2);
  switch (st) {
    case 0x02: // route target (RFC 4360 §4, RFC 5668)
    case 0x13: {
      // rt-record
      const d = st === 0x02 ? 'target' : 'rtrecord';
      if (t === 0) return `${d}:${asn2}:${u32(b, o + 4)}`;
      if (t === 1) return `${d}:${ipv4At(b, o + 2)}:${u16(b, o + 6)}`;
      if (t === 2) return `${d}:${asn4}L:${u16(b, o + 6)}`;
      if (t === 7 && st === 0x02) {
        // FlowSpec interface-set (draft-ietf-idr-flowspec-interfaceset): 2 direction bits, 13-bit group id.
        const v = u16(b, o + 6);
        const dir = v >> 14;
        return `interface-set:${IFSET_DIR[dir] ?? String(dir)}:${asn4}:${v & 0x1fff}`;
      }
      break;
    }
    case 0x03: // route origin (site of origin)
      if (t === 0) return `origin:${asn2}:${ipv4At(b, o + 4)}`;
      // ExaBGP 4.2 swaps the two fields of the IPv4-address form when printing it.
      if (t === 1) return `origin:${u16(b, o + 6)}:${ipv4At(b, o + 2)}`;
      if (t === 2) return `origin:${asn4}L:${u16(b, o + 6)}`;
      break;
    case 0x0c:
      if (t === 3) {
        const tt = u16(b, o + 6);
        return `encap:${ENCAP[tt] ?? `encap:UNKNOWN-${tt}`}`;
      }
      if (t === 1) {
        // draft-ietf-idr-flowspec-redirect-ip
        const ip = ipv4At(b, o + 2);
        return b[o + 7]! & 1 ? `copy-to-nexthop-ietf ${ip} (with copy)` : `redirect-to-nexthop-ietf ${ip}`;
      }
      break;
    case 0x14:
      if (t === 3) return `consistentHashSortOrder:${asn4}`;
      break;
    case 0x06: // RFC 5575 traffic-rate
      if (t === 0) return `rate-limit:${truncInt(float32At(b, o + 4))}`;
      break;
    case 0x07: // traffic-action
      if (t === 0) {
        const bits = b[o + 7]!;
        const s: string[] = [];
        if (bits & 2) s.push('sample');
        if (bits & 1) s.push('terminal');
        return `action ${s.join('-')}`;
      }
      break;
    case 0x08: // redirect
      if (t === 0) return `redirect:${asn2}:${u32(b, o + 4)}`;
      if (t === 2) return `redirect:${asn4}:${u16(b, o + 6)}`;
      break;
    case 0x09:
      if (t === 0) return `mark ${b[o + 7]}`;
      break;
    case 0x0a:
      if (t === 0) return `l2info:${b[o + 2]}:${b[o + 3]}:${u16(b, o + 4)}:${u16(b, o + 6)}`;
      break;
    case 0x00:
      if (t === 6) {
        const seq = u32(b, o + 4);
        return b[o + 2] === 1 ? `mac-mobility:${seq}:sticky` : `mac-mobility:${seq}`;
      }
      if (t === 8) return b[o + 7]! & 1 ? 'copy-to-nexthop' : 'redirect-to-nexthop';
      break;
  }
  return '';
}

/** The 64-bit value of an extended community, in decimal (exact: beyond 2^53, so via BigInt). */
function bigDecimal(b: Uint8Array, o: number, n: number): string {
  let v = 0n;
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(b[o + i]!);
  return v.toString();
}

/** Text form of one extended community: its name, or ExaBGP's 0x%016X. */
export function extendedCommunityText(c: Uint8Array): string {
  const s = extendedCommunityString(c, 0);
  if (s) return s;
  let v = 0n;
  for (const x of c) v = (v << 8n) | BigInt(x);
  return '0x' + v.toString(16).toUpperCase().padStart(16, '0');
}

/** RFC 5701 IPv6-address-specific extended community as ExaBGP names it ('' if it has no name). */
function ipv6ExtendedText(c: Uint8Array): string {
  if ((c[0]! & 0x0f) === 0 && c[1] === 0x0c) {
    const ip = ipv6At(c, 2, 16);
    return u16(c, 18) & 1 ? `copy-to-nexthop-ietf ${ip} (with copy)` : `redirect-to-nexthop-ietf ${ip}`;
  }
  let v = 0n;
  for (const x of c) v = (v << 8n) | BigInt(x);
  return '0x' + v.toString(16).toUpperCase().padStart(16, '0');
}

const cmpBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
};

/** ExaBGP's Communities.__repr__: one item bare, several sorted (by wire bytes) in "[ ... ]". */
function listRepr<T>(items: T[], text: (x: T) => string, cmp: (a: T, b: T) => number): string {
  if (items.length === 1) return text(items[0]!);
  if (items.length === 0) return '';
  return `[ ${[...items].sort(cmp).map(text).join(' ')} ]`;
}

/** Large communities: ExaBGP drops repeats of the same value (RFC 8092 §5). */
function uniqueLarge(a: [number, number, number][]): [number, number, number][] {
  const seen = new Set<string>();
  const out: [number, number, number][] = [];
  for (const l of a) {
    const k = `${l[0]}:${l[1]}:${l[2]}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(l);
    }
  }
  return out;
}
const cmpLarge = (a: [number, number, number], b: [number, number, number]): number =>
  a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * Unknown attributes ExaBGP shows: only transitive ones (it drops unknown non-transitive attributes, RFC 4271
 * §5), printed with the Partial bit set as it would pass them on (§5: "Partial bit ... set to 1").
 */
function shownOther(a: Attributes): { code: number; flags: number; value: Uint8Array }[] {
  const out: { code: number; flags: number; value: Uint8Array }[] = [];
  const seen = new Set<number>();
  for (const o of a.other ?? []) {
    if (!(o.flags & 0x40) || seen.has(o.code)) continue; // first of duplicates wins, as in ExaBGP
    seen.add(o.code);
    // ExaBGP shows the flags as received, Extended Length included (the decoder keeps that bit); a value
    // over 255 octets could only be sent with it (RFC 4271 §4.3), whoever made the attribute.
    const ext = o.value.length > 255 ? 0x10 : 0;
    out.push({ code: o.code, flags: (o.flags | 0x20 | ext) & 0xff, value: o.value });
  }
  return out;
}
const hex2 = (n: number): string => HEXU[n & 0xff]!;

/**
 * How an attribute kept as received (in `other`) is shown: its JSON member and text, given the attribute and the
 * others of its UPDATE; undefined to leave it to the generic form (which shows only transitive attributes).
 */
export type AttributeRenderer = (
  value: Uint8Array,
  flags: number,
  attributes: Attributes,
) => { json: string; text: string } | undefined;

const attributeRenderers = new Map<number, AttributeRenderer>();

/**
 * Attributes tsbgp passes on without a model but ExaBGP shows in a form of its own (BGP-LS, PMSI tunnel): they
 * are shown so, whatever their transitive bit, instead of the generic attribute-0xNN-0xFF form.
 */
export function registerAttributeRenderer(code: number, r: AttributeRenderer): void {
  attributeRenderers.set(code, r);
}

/** One entry of the attribute list: type code (for ordering) and the JSON/text pieces. */
interface AttrPiece {
  code: number;
  json: string;
  text: string;
}

function attributePieces(a: Attributes, withAigp: boolean): AttrPiece[] {
  const p: AttrPiece[] = [];
  if (a.origin !== undefined) {
    const o = originName(a.origin);
    p.push({ code: 1, json: `"origin": "${o}"`, text: ` origin ${o}` });
  }
  if (a.asPath !== undefined && a.asPath.length > 0) {
    const f = flattenPath(a);
    const list = (x: number[], dflt: string): string => (x.length ? `[ ${x.join(', ')} ]` : dflt);
    const parts = [`"as-path": ${list(f.seq, '[]')}`];
    if (f.set.length) parts.push(`"as-set": ${list(f.set, '')}`);
    parts.push(`"confederation-path": ${list(f.cseq, '[]')}`);
    if (f.cset.length) parts.push(`"confederation-set": ${list(f.cset, '')}`);
    let text = pathText(f.seq, f.set);
    if (f.cseq.length || f.cset.length) text += pathText(f.cseq, f.cset);
    p.push({ code: 2, json: parts.join(', '), text: ` as-path ${text}` });
  }
  if (a.med !== undefined) p.push({ code: 4, json: `"med": ${a.med}`, text: ` med ${a.med}` });
  if (a.localPref !== undefined)
    p.push({ code: 5, json: `"local-preference": ${a.localPref}`, text: ` local-preference ${a.localPref}` });
  if (a.atomicAggregate) p.push({ code: 6, json: `"atomic-aggregate": true`, text: ' atomic-aggregate' });
  if (a.aggregator) {
    const s = `${a.aggregator.asn}:${ipv4At(a.aggregator.address, 0)}`;
    p.push({ code: 7, json: `"aggregator": "${s}"`, text: ` aggregator ( ${s} )` });
  }
  if (a.communities?.length) {
    const c = a.communities;
    let j = '[ ';
    for (let i = 0; i < c.length; i++) j += `${i ? ', ' : ''}[ ${c[i]! >>> 16}, ${c[i]! & 0xffff} ]`;
    p.push({
      code: 8,
      json: `"community": ${j} ]`,
      text: ` community ${listRepr(c, communityText, (x, y) => (x >>> 0) - (y >>> 0))}`,
    });
  }
  if (a.originatorId) {
    const s = ipv4At(a.originatorId, 0);
    p.push({ code: 9, json: `"originator-id": "${s}"`, text: ` originator-id ${s}` });
  }
  if (a.clusterList?.length) {
    const ids = a.clusterList.map((c) => ipv4At(c, 0));
    p.push({
      code: 10,
      json: `"cluster-list": [ ${ids.map((x) => `"${x}"`).join(', ')} ]`,
      text: ` cluster-list ${ids.length === 1 ? ids[0] : `[ ${ids.join(' ')} ]`}`,
    });
  }
  if (a.extendedCommunities?.length) {
    const e = a.extendedCommunities;
    const j = e.map((c) => `{ "value": ${bigDecimal(c, 0, 8)}, "string": "${extendedCommunityString(c, 0)}" }`);
    p.push({
      code: 16,
      json: `"extended-community": [ ${j.join(', ')} ]`,
      text: ` extended-community ${listRepr(e, extendedCommunityText, cmpBytes)}`,
    });
  }
  if (a.ipv6ExtendedCommunities?.length) {
    // ExaBGP 4.2 has no JSON name for attribute 25: it prints the generic form with its text as the value.
    const s = listRepr(a.ipv6ExtendedCommunities, ipv6ExtendedText, cmpBytes);
    p.push({ code: 25, json: `"attribute-0x19-0xC0": ${jsonString(s)}`, text: ` attribute [ 0x19 0xC0 ${s} ]` });
  }
  if (withAigp && a.aigp !== undefined)
    p.push({ code: 26, json: `"aigp": ${a.aigp.toString()}`, text: ` aigp ${a.aigp.toString()}` });
  if (a.largeCommunities?.length) {
    const l = uniqueLarge(a.largeCommunities);
    p.push({
      code: 32,
      json: `"large-community": [ ${l.map((x) => `[ ${x[0]}, ${x[1]} , ${x[2]} ]`).join(', ')} ]`,
      text: ` large-community ${listRepr(l, (x) => `${x[0]}:${x[1]}:${x[2]}`, cmpLarge)}`,
    });
  }
  if (a.prefixSid !== undefined)
    p.push({ code: 40, json: prefixSidJson(a.prefixSid), text: prefixSidText(a.prefixSid) });
  const rendered = new Set<number>();
  for (const o of a.other ?? []) {
    const r = attributeRenderers.get(o.code);
    if (r === undefined || rendered.has(o.code)) continue; // first of duplicates wins, as in ExaBGP
    const shown = r(o.value, o.flags, a);
    if (shown === undefined) continue;
    rendered.add(o.code);
    p.push({ code: o.code, ...shown });
  }
  for (const o of shownOther(a)) {
    if (rendered.has(o.code)) continue;
    const v = hexLower(o.value);
    p.push({
      code: o.code,
      json: `"attribute-0x${hex2(o.code)}-0x${hex2(o.flags)}": "${v}"`,
      text: ` attribute [ 0x${hex2(o.code)} 0x${hex2(o.flags)} ${v} ]`,
    });
  }
  // ExaBGP walks attributes by type code (sorted(self.keys())).
  p.sort((x, y) => x.code - y.code);
  return p;
}

/** ExaBGP's AS_PATH text: "[ 1 2 ( 3 4 ) ]". */
function pathText(seq: number[], set: number[]): string {
  const s = set.length ? `( ${set.join(' ')} ) ` : '';
  if (seq.length === 0) return set.length ? `[ ( ${set.join(' ')} )]` : '[ ]';
  return set.length ? `[ ${seq.join(' ')} ${s}]` : `[ ${seq.join(' ')} ]`;
}

/**
 * True when ExaBGP's Attributes dict for this update is non-empty: it then prints "attribute": { ... } even if
 * nothing in it has a JSON form (NEXT_HOP only gives `"attribute": {  }`). MP_REACH/MP_UNREACH do not count.
 */
function hasAnyAttribute(a: Attributes, pieces: AttrPiece[]): boolean {
  return pieces.length > 0 || a.nextHop !== undefined;
}

/** The attribute JSON members, comma separated (without braces), as ExaBGP orders and spells them. */
export function attributesJson(a: Attributes, opts: { aigp?: boolean } = {}): string {
  return attributePieces(a, opts.aigp === true)
    .map((x) => x.json)
    .join(', ');
}

/** ExaBGP's text form of the attributes: " origin igp as-path [ 1 2 ] ..." (leading space per attribute). */
export function attributesText(a: Attributes, opts: { aigp?: boolean } = {}): string {
  return attributePieces(a, opts.aigp === true)
    .map((x) => x.text)
    .join('');
}

// ---------------------------------------------------------------------------------------------------------
// Updates

/** The NLRI sets of an update, in ExaBGP's order: body withdrawn, body announced, MP_UNREACH, MP_REACH. */
export interface UpdateParts {
  /** End-of-RIB family, if the update is one (ExaBGP's rules: empty UPDATE, or MP_(UN)REACH with no NLRI). */
  eor?: FamilyKey;
  withdrawn: NlriBlock[];
  announced: { block: NlriBlock; nextHops: string[] }[];
}

const treatAsWithdraw = (u: Update): boolean => u.issues.some((i) => i.action === 'treat-as-withdraw');

export function updateParts(u: Update): UpdateParts {
  const a = u.attributes;
  const withdrawn: NlriBlock[] = [];
  const announced: { block: NlriBlock; nextHops: string[] }[] = [];
  if (u.withdrawn.data.length) withdrawn.push(u.withdrawn);
  if (u.nlri.data.length) announced.push({ block: u.nlri, nextHops: [a.nextHop ? ipString(a.nextHop) : 'no-nexthop'] });
  if (a.mpUnreach?.nlri.data.length) withdrawn.push(a.mpUnreach.nlri);
  if (a.mpReach?.nlri.data.length)
    announced.push({ block: a.mpReach.nlri, nextHops: mpNextHops(a.mpReach.family, a.mpReach.nextHop) });
  // RFC 7606 §2 treat-as-withdraw: every NLRI of the update is withdrawn.
  if (treatAsWithdraw(u) && announced.length) {
    for (const x of announced) withdrawn.push(x.block);
    announced.length = 0;
  }
  let eor = u.eorFamily;
  if (
    eor === undefined &&
    withdrawn.length === 0 &&
    announced.length === 0 &&
    !hasAnyAttribute(a, attributePieces(a, false))
  ) {
    // ExaBGP's rule: no attributes and no NLRI is an End-of-RIB of the MP family seen, else IPv4 unicast.
    eor = a.mpUnreach?.family ?? a.mpReach?.family ?? IPV4_UNICAST;
  }
  return eor === undefined ? { withdrawn, announced } : { eor, withdrawn: [], announced: [] };
}

// ---------------------------------------------------------------------------------------------------------
// The encoder

export const REFRESH_SUBTYPE = ['query', 'begin', 'end'];

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  6: 'SIGABRT',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  17: 'SIGCHLD',
};

/** An ExaBGP operational message (advisory / query / counter), as both encoders print it. */
export type OperationalEvent =
  | { what: 'advisory'; name: string; afi: number; safi: number; advisory: string }
  | { what: 'query'; name: string; afi: number; safi: number }
  | { what: 'counter'; name: string; afi: number; safi: number; routerId: string; sequence: number; counter: number };

export class JsonEncoder {
  readonly version: string;
  private readonly host: string;
  private readonly pid: number;
  private readonly ppid: number;
  private readonly now: () => number;
  readonly compact: boolean;
  readonly aigp: boolean;
  private readonly counters = new Map<string, number>();
  private readonly writer = new LineWriter();

  constructor(opts: JsonEncoderOptions = {}) {
    this.version = opts.version ?? EXABGP_JSON_VERSION;
    this.host = opts.host ?? os.hostname();
    this.pid = opts.pid ?? process.pid;
    this.ppid = opts.ppid ?? process.ppid;
    // Sub-millisecond, like Python's time.time().
    this.now = opts.now ?? (() => (performance.timeOrigin + performance.now()) / 1000);
    this.compact = opts.compact ?? false;
    this.aigp = opts.aigp ?? false;
  }

  private counter(n: NeighborContext): number {
    const k = n.id ?? `${n.localAddress}|${n.peerAddress}`;
    const c = (this.counters.get(k) ?? 0) + 1;
    this.counters.set(k, c);
    return c;
  }

  /** ExaBGP's envelope. `content` is the neighbor object (or, for shutdown, bare members). */
  private header(type: string, content: string, n: NeighborContext | null, raw?: RawParts): string {
    const t = this.now();
    let s = `{ "exabgp": "${this.version}", "time": ${Number.isInteger(t) ? t.toFixed(1) : String(t)}, "host" : ${jsonString(this.host)}, "pid" : ${this.pid}, "ppid" : ${this.ppid}, `;
    if (n) s += `"counter": ${this.counter(n)}, `;
    s += `"type": "${type}", `;
    if (raw?.header?.length) s += `"header": "${hexUpper(raw.header)}", `;
    if (raw?.body?.length) s += `"body": "${hexUpper(raw.body)}", `;
    return s + content + ' }';
  }

  private neighbor(n: NeighborContext, direction: Direction | null, content: string): string {
    return (
      `"neighbor": { "address": { "local": ${jsonString(n.localAddress)}, "peer": ${jsonString(n.peerAddress)} }, ` +
      `"asn": { "local": ${n.localAs}, "peer": ${n.peerAs} } ` +
      (direction ? `, "direction": "${direction}"` : '') +
      (content ? ', ' : ' ') +
      content +
      ' }'
    );
  }

  up(n: NeighborContext): string {
    return this.header('state', this.neighbor(n, null, `"state": "up"`), n);
  }

  connected(n: NeighborContext): string {
    return this.header('state', this.neighbor(n, null, `"state": "connected"`), n);
  }

  /** ExaBGP swaps brackets for parentheses in the reason (it would otherwise misparse it); kept for fidelity. */
  down(n: NeighborContext, reason = ''): string {
    const r = reason.replace(/[[{]/g, '(').replace(/[\]}]/g, ')');
    return this.header('state', this.neighbor(n, null, `"state": "down", "reason": ${jsonString(r)}`), n);
  }

  shutdown(): string {
    return this.header('notification', `"notification": "shutdown"`, null);
  }

  fsm(n: NeighborContext, state: string): string {
    return this.header('fsm', this.neighbor(n, null, `"state": ${jsonString(state)}`), n);
  }

  signal(n: NeighborContext, signal: number): string {
    const name = SIGNALS[signal] ?? 'UNKNOWN';
    return this.header('signal', this.neighbor(n, null, `"code": "${signal}", "name": "${name}"`), n);
  }

  private negotiatedMember(g: NegotiatedInfo): string {
    const fam = (k: FamilyKey): string => `"${familyString(k)}"`;
    return (
      `"negotiated": { "message_size": ${g.messageSize}, "hold_time": ${g.holdTime}, "asn4": ${g.asn4}, ` +
      `"multisession": ${g.multisession}, "operational": ${g.operational}, "refresh": "${g.refresh}", ` +
      `"families": [ ${g.families.map(fam).join(' ,')} ], ` +
      `"nexthop": [ ${g.nexthop.map(([a, s, h]) => `"${afiName(a)} ${safiName(s)} ${afiName(h)}"`).join(' ,')} ], ` +
      `"add_path": { "send": [ ${g.addPathSend.map(fam).join(', ')} ], "receive": [ ${g.addPathReceive.map(fam).join(', ')} ] } } `
    );
  }

  negotiated(n: NeighborContext, g: NegotiatedInfo): string {
    return this.header('negotiated', this.neighbor(n, null, this.negotiatedMember(g)), n);
  }

  keepalive(n: NeighborContext, direction: Direction, raw?: RawParts): string {
    return this.header('keepalive', this.neighbor(n, direction, ''), n, raw);
  }

  /** `receive-packets` without parsing: the raw message by category (message type). */
  packets(n: NeighborContext, direction: Direction, category: number, raw: RawParts, g?: NegotiatedInfo): string {
    const TYPES = ['unknown', 'open', 'update', 'notification', 'keepalive', 'refresh'];
    let m = `"message": { "category": ${category}, "header": "${hexUpper(raw.header ?? new Uint8Array(0))}", "body": "${hexUpper(raw.body ?? new Uint8Array(0))}" } `;
    if (g) m += ', ' + this.negotiatedMember(g);
    return this.header(TYPES[category] ?? 'unknown', this.neighbor(n, direction, m), n);
  }

  notification(n: NeighborContext, direction: Direction, m: Notification, raw?: RawParts): string {
    const c = `"notification": { "code": ${m.code}, "subcode": ${m.subcode}, "data": "${hexUpper(m.data)}" } `;
    return this.header('notification', this.neighbor(n, direction, c), n, raw);
  }

  open(n: NeighborContext, direction: Direction, o: Open, raw?: RawParts): string {
    const c =
      `"open": { "version": ${o.version}, "asn": ${o.myAs}, "hold_time": ${o.holdTime}, ` +
      `"router_id": "${ipv4At(o.routerId, 0)}", "capabilities": { ${capabilitiesJson(o.capabilities)} } }`;
    return this.header('open', this.neighbor(n, direction, c), n, raw);
  }

  refresh(n: NeighborContext, direction: Direction, r: RouteRefresh, raw?: RawParts): string {
    // ExaBGP 4.2 double-quotes these values (invalid JSON); tsbgp prints them quoted once.
    const c =
      `"route-refresh": { "afi": "${afiName(r.afi)}", "safi": "${safiName(r.safi)}", ` +
      `"subtype": "${REFRESH_SUBTYPE[r.subtype] ?? String(r.subtype)}" }`;
    return this.header('refresh', this.neighbor(n, direction, c), n, raw);
  }

  /** ExaBGP operational messages (advisory / query / counter). */
  operational(n: NeighborContext, direction: Direction, op: OperationalEvent, raw?: RawParts): string {
    let c = `"name": ${jsonString(op.name)}, "afi": "${afiName(op.afi)}", "safi": "${safiName(op.safi)}"`;
    if (op.what === 'advisory') c += `, "advisory": ${jsonString(op.advisory)}`;
    if (op.what === 'counter')
      c += `, "router-id": ${jsonString(op.routerId)}, "sequence": ${op.sequence}, "counter": ${op.counter}`;
    return this.header('operational', this.neighbor(n, direction, `"operational": { ${c} }`), n, raw);
  }

  /** The `"update": {...}` (or `"eor": {...}`) member of "message", for a decoded UPDATE. */
  updateMessage(u: Update): string {
    const w = this.writer;
    w.begin();
    this.putUpdateMessage(w, u);
    const text = w.end().toString('utf8');
    w.rewind();
    return text;
  }

  private putUpdateMessage(w: LineWriter, u: Update): void {
    const parts = updateParts(u);
    if (parts.eor !== undefined) {
      w.str(`{ "eor": { "afi" : "${afiName(afiOf(parts.eor))}", "safi" : "${safiName(safiOf(parts.eor))}" } }`);
      return;
    }
    // announce: family -> next hop -> blocks, each in order of first appearance (the NLRI are written later,
    // straight into the line).
    const plus = new Map<FamilyKey, Map<string, NlriBlock[]>>();
    for (const { block, nextHops } of parts.announced) {
      let byNh = plus.get(block.family);
      if (!byNh) plus.set(block.family, (byNh = new Map()));
      for (const nh of nextHops) {
        const l = byNh.get(nh);
        if (l) l.push(block);
        else byNh.set(nh, [block]);
      }
    }
    const minus = new Map<FamilyKey, NlriBlock[]>();
    for (const block of parts.withdrawn) {
      const l = minus.get(block.family);
      if (l) l.push(block);
      else minus.set(block.family, [block]);
    }
    const a = u.attributes;
    const pieces = attributePieces(a, this.aigp);
    const attributes = hasAnyAttribute(a, pieces) ? `"attribute": { ${pieces.map((x) => x.json).join(', ')} }` : '';
    w.str('{ "update": { ');
    w.str(attributes);
    if (attributes && (plus.size || minus.size)) w.str(', ');
    if (plus.size) {
      w.str('"announce": { ');
      let f = 0;
      for (const [fam, byNh] of plus) {
        w.str(`${f++ ? ', ' : ''}"${familyString(fam)}": { `);
        let h = 0;
        for (const [nh, blocks] of byNh) {
          w.str(`${h++ ? ', ' : ''}"${nh}": [ `);
          this.putList(w, fam, blocks, nh === 'no-nexthop' ? undefined : nh);
          w.str(' ]');
        }
        w.str(' }');
      }
      w.str(' }');
    }
    if (minus.size) {
      w.str(plus.size ? ', "withdraw": { ' : '"withdraw": { ');
      let f = 0;
      for (const [fam, blocks] of minus) {
        w.str(`${f++ ? ', ' : ''}"${familyString(fam)}": [ `);
        this.putList(w, fam, blocks);
        w.str(' ]');
      }
      w.str(' }');
    }
    w.str(' } }');
  }

  /** The NLRI of some blocks of one family, comma separated; `nextHop` when they are announced with one. */
  private putList(w: LineWriter, family: FamilyKey, blocks: NlriBlock[], nextHop?: string): void {
    const r = familyRenderer(family);
    const v6 = prefixRenderers.get(r);
    const compact = this.compact;
    let count = 0;
    for (const block of blocks) {
      if (v6 !== undefined) {
        count = putPrefixes(w, block, v6, compact, count);
        continue;
      }
      r.forEach(
        block,
        compact,
        (j) => {
          if (count++ > 0) w.str(', ');
          w.str(j);
        },
        nextHop,
      );
    }
  }

  /** The whole update event into the writer (one header, so one counter increment). */
  private putUpdate(
    w: LineWriter,
    n: NeighborContext,
    direction: Direction,
    u: Update,
    raw?: RawParts,
    g?: NegotiatedInfo,
  ): void {
    // The envelope is built as for every other event, around a marker that cannot occur in it (control
    // characters are escaped by jsonString), and the message is written where the marker is.
    const shell = this.header('update', this.neighbor(n, direction, '\u0000'), n, raw);
    const at = shell.indexOf('\u0000');
    w.str(shell.slice(0, at));
    w.str('"message": ');
    this.putUpdateMessage(w, u);
    if (g) w.str(', ' + this.negotiatedMember(g));
    w.str(shell.slice(at + 1));
  }

  update(n: NeighborContext, direction: Direction, u: Update, raw?: RawParts, g?: NegotiatedInfo): string {
    const w = this.writer;
    w.begin();
    this.putUpdate(w, n, direction, u, raw, g);
    const text = w.end().toString('utf8');
    w.rewind();
    return text;
  }

  /**
   * The same line as update(), as UTF-8 bytes: what the daemon sends to processes (no string is built). The
   * view stays valid for good: its bytes are never written again.
   */
  updateBytes(n: NeighborContext, direction: Direction, u: Update, raw?: RawParts, g?: NegotiatedInfo): Uint8Array {
    const w = this.writer;
    w.begin();
    this.putUpdate(w, n, direction, u, raw, g);
    return w.end();
  }
}

// ---------------------------------------------------------------------------------------------------------
// OPEN capabilities, keyed by capability code in order of first appearance (ExaBGP merges repeated
// Multiprotocol / ADD-PATH / Graceful Restart capabilities into one entry).

export const ADDPATH_MODE = ['disabled', 'receive', 'send', 'send/receive'];
const fam2 = (afi: number, safi: number): string => `${afiName(afi)}/${safiName(safi)}`;

export function capabilitiesJson(caps: Capability[]): string {
  const order: number[] = [];
  const merged = new Map<number, Capability[]>();
  // ExaBGP 4.2 shares one object between codes 2 and 128: both print the variant of the last one decoded.
  let refreshVariant = 'RFC';
  for (const c of caps) {
    if (!merged.has(c.code)) {
      order.push(c.code);
      merged.set(c.code, []);
    }
    merged.get(c.code)!.push(c);
    if (c.code === 2) refreshVariant = 'RFC';
    if (c.code === 128) refreshVariant = 'Cisco';
  }
  const out: string[] = [];
  for (const code of order) {
    const list = merged.get(code)!;
    const c = list[list.length - 1]!;
    let v: string;
    if ('unknown' in c && c.unknown) {
      v = unknownCap(code, c.value);
    } else if (c.code === 1) {
      const fams = (list as { afi: number; safi: number }[]).map((x) => ` "${fam2(x.afi, x.safi)}"`);
      v = `{ "name": "multiprotocol", "families": [${fams.join(',')} ] }`;
    } else if (c.code === 2 || c.code === 128) {
      v = `{ "name": "route-refresh", "variant": "${refreshVariant}" }`;
    } else if (c.code === 70) {
      v = `{ "name": "enhanced-route-refresh" }`;
    } else if (c.code === 6) {
      v = `{ "name": "extended-message", "size": 65535 }`;
    } else if (c.code === 65 && 'asn' in c) {
      v = `{ "name": "asn4", "asn4": ${c.asn} }`;
    } else if (c.code === 5 && 'entries' in c) {
      const e = list.flatMap((x) => ('entries' in x ? x.entries : []));
      v = `{ "name": "nexthop", "conversion": [${e.map((x) => ` "${fam2(x.afi, x.safi)}/${afiName(x.nextHopAfi)}"`).join(',')} ] }`;
    } else if (c.code === 69 && 'families' in c && list.every((x) => 'families' in x)) {
      // One entry per family, the last mode announced for it wins.
      const m = new Map<string, number>();
      for (const x of list)
        for (const f of (x as { families: { afi: number; safi: number; mode: number }[] }).families)
          m.set(fam2(f.afi, f.safi), f.mode);
      const fams = [...m].map(([k, mode]) => `"${k}": "${ADDPATH_MODE[mode] ?? String(mode)}"`).join(',');
      v = `{ "name": "addpath"${fams ? ', ' : ''}${fams} }`;
    } else if (c.code === 64 && 'restartTime' in c) {
      const fams = c.families.map((f) => `"${fam2(f.afi, f.safi)}": [${f.flags & 0x80 ? ' "restart"' : ''} ] `);
      // ExaBGP labels the R bit (0x8 of the 4 flag bits) "forwarding".
      v =
        `{ "name": "graceful restart", "time": ${c.restartTime}, "address-family-flags": { ${fams.join(', ')}}, ` +
        `"restart-flags": [${c.restartFlags & 0x8 ? ' "forwarding" ' : ' '}] }`;
    } else if (c.code === 73 && 'hostname' in c) {
      // ExaBGP 4.2 has no class for code 73 (its hostname capability used the private code 0xB8) and printed it
      // as unknown; ExaBGP 5.0 prints it so (draft-walton-bgp-hostname-capability).
      v = `{ "host-name": ${jsonString(c.hostname)}, "domain-name": ${jsonString(c.domain)} }`;
    } else if (c.code === 75 && 'version' in c) {
      // ExaBGP 5.0's form for draft-abraitis-bgp-version-capability; 4.2 printed it as unknown.
      v = `{ "software": ${jsonString(c.version)} }`;
    } else {
      // Codes neither ExaBGP prints (and malformed hostname / software version values) appear as unknown.
      // (Multiple Labels, code 8, too: ExaBGP 4.2 has no class for it.)
      v = unknownCap(code, capabilityValue(c));
    }
    out.push(`"${code}": ${v}`);
  }
  return out.join(', ');
}

function unknownCap(code: number, value: Uint8Array): string {
  const iana = code >= 128 ? 'reserved' : code >= 70 ? 'unassigned' : 'unknown';
  return `{ "name": "unknown", "iana": "${iana}", "value": ${code}, "raw": "${hexUpper(value).slice(2)}" }`;
}

// FlowSpec families (RFC 8955/8956): each rule as ExaBGP 4.2 prints it, component lists and "string". A rule
// announced with a next hop (redirect-to-nexthop, RFC 7674 / draft-ietf-idr-flowspec-redirect-ip) has it in
// its object and its "string" too, as ExaBGP prints it.
for (const codec of [ipv4Flow, ipv6Flow, ipv4FlowVpn, ipv6FlowVpn]) {
  registerFamilyRenderer(codec.family, {
    forEach(block, _compact, each, nextHop) {
      const nh = nextHop === undefined ? undefined : (parseIp(nextHop) ?? undefined);
      for (const rule of codec.items(block)) each(flowToJSONText(rule, nh), flowToString(rule));
    },
  });
}

/** An ADD-PATH path identifier in the dotted form ExaBGP prints. */
const dottedPathId = (n: number): string => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;

/**
 * Labeled unicast and MPLS VPN routes as ExaBGP 4.2 prints them (its INET/Label/IPVPN json and extensive): the
 * prefix, then path-information, label and rd members in that order, whether announced or withdrawn; in text
 * the rd comes after the next hop. Labels
 * are shown as 20-bit values, each in a list of its own (`[ [100], [200] ]`): ExaBGP's form for decoded labels.
 */
export function labeledJson(p: LabeledPrefix): { json: string; text: string; afterNextHop: string } {
  const nlri = prefixToString(p);
  let json = `{ "nlri": "${nlri}"`;
  let text = nlri;
  if (p.pathId !== undefined) {
    const pi = dottedPathId(p.pathId);
    json += `, "path-information": "${pi}"`;
    text += ` path-information ${pi}`;
  }
  json += `, "label": [ ${p.labels.map((l) => `[${l}]`).join(', ')} ]`;
  text += p.labels.length === 1 ? ` label ${p.labels[0]}` : ` label [ ${p.labels.join(' ')} ]`;
  let afterNextHop = '';
  if (p.rd !== undefined) {
    json += `, "rd": "${rdToString(p.rd)}"`;
    afterNextHop = ` rd ${rdToString(p.rd)}`;
  }
  return { json: `${json} }`, text, afterNextHop };
}

/** A labeled or VPN route on one line, rd included (logs, `show adj-rib`). */
export function labeledText(p: LabeledPrefix): string {
  const t = labeledJson(p);
  return t.text + t.afterNextHop;
}

for (const codec of [ipv4Labeled, ipv6Labeled, ipv4Vpn, ipv6Vpn]) {
  registerFamilyRenderer(codec.family, {
    forEach(block, _compact, each) {
      for (const p of codec.items(block)) {
        const r = labeledJson(p);
        each(r.json, r.text, r.afterNextHop);
      }
    },
  });
}

/**
 * VPLS routes (RFC 4761) as ExaBGP 4.2 prints them (its VPLS json and extensive): RD, endpoint (VE ID), base
 * (label base), offset and size, in that order, announced or withdrawn.
 */
export function vplsJson(v: Vpls): { json: string; text: string } {
  const rd = rdToString(v.rd);
  const pi = v.pathId === undefined ? '' : dottedPathId(v.pathId);
  const fields = `endpoint ${v.endpoint} base ${v.base} offset ${v.offset} size ${v.size}`;
  return {
    json: `{ ${pi ? `"path-information": "${pi}", ` : ''}"rd": "${rd}", "endpoint": ${v.endpoint}, "base": ${v.base}, "offset": ${v.offset}, "size": ${v.size} }`,
    text: `vpls${pi ? ` path-information ${pi}` : ''} rd ${rd} ${fields}`,
  };
}

registerFamilyRenderer(l2vpnVpls.family, {
  forEach(block, _compact, each) {
    for (const v of l2vpnVpls.items(block)) {
      const r = vplsJson(v);
      each(r.json, r.text);
    }
  },
});

registerFamilyRenderer(l2vpnEvpn.family, {
  forEach(block, _compact, each) {
    for (const r of l2vpnEvpn.items(block)) {
      const x = evpnJson(r);
      each(x.json, x.text);
    }
  },
});

// BGP-LS (RFC 7752): each NLRI as ExaBGP 4.2 prints it (api/bgpls-json.ts); its text form is the same object, as
// ExaBGP's str() of these NLRI is their JSON.
for (const codec of [bgpLs, bgpLsVpn]) {
  registerFamilyRenderer(codec.family, {
    forEach(block, _compact, each, nextHop) {
      for (const n of codec.items(block)) {
        const j = bgpLsNlriJson(n, nextHop);
        each(j, j);
      }
    },
  });
}

registerAttributeRenderer(22, pmsiJson);

registerAttributeRenderer(29, (value) => {
  const json = bgpLsAttributeJson(value);
  return json === undefined ? undefined : { json, text: ` bgp-ls ${json.slice('"bgp-ls": '.length)}` };
});

/** Families whose NLRI each render to one JSON value and text on their own (RT constraint, MVPN, MUP, SR Policy). */
function registerItems<T>(codec: NlriCodec<T>, render: (item: T) => { json: string; text: string }): void {
  registerFamilyRenderer(codec.family, {
    forEach(block, _compact, each) {
      for (const item of codec.items(block)) {
        const x = render(item);
        each(x.json, x.text);
      }
    },
  });
}

registerItems(ipv4Rtc, rtcJson);
registerItems(ipv4Mvpn, mvpnJson);
registerItems(ipv6Mvpn, mvpnJson);
registerItems(ipv4Mup, (n) => mupJson(n, false));
registerItems(ipv6Mup, (n) => mupJson(n, true));
registerItems(ipv4SrPolicy, srPolicyJson);
registerItems(ipv6SrPolicy, srPolicyJson);

// Tunnel Encapsulation (23): ExaBGP 4.2 shows it in the generic form, and so does tsbgp, but for SR Policy
// UPDATEs (which 4.2 cannot decode at all) it is shown as ExaBGP's main branch shows it.
registerAttributeRenderer(23, (value, _flags, a) => {
  const f = a.mpReach?.family ?? a.mpUnreach?.family;
  return f !== undefined && safiOf(f) === SAFI_SR_POLICY ? tunnelEncapJson(value) : undefined;
});
