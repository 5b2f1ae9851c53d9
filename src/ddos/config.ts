// tsbgp's own `ddos { ... }` block (docs/DDOS.md): where flows come in, the networks to watch in host groups with
// their thresholds, and how attacks are mitigated. Parsed statement by statement by the configuration parser
// (config/parser.ts hands each statement here), with file:line:col errors.
//
//   ddos {
//     listen 127.0.0.1 2055;               # UDP, NetFlow v5/v9, IPFIX and sFlow told apart by their bytes
//     exporter 192.0.2.1 sampling-rate 1000;   # override what an exporter says
//     template-timeout 1800;               # seconds
//     window 10; min-duration 5; calm 300;  # seconds
//     mitigation flowspec;                 # flowspec | rtbh | both | none
//     action discard;                      # or: action rate-limit 125000 (bytes/s)
//     packet-length-match false;           # no packet-length in FlowSpec rules (default: when sizes are narrow)
//     next-hop 192.0.2.66; community [ 65535:666 ];   # RTBH (RFC 7999 BLACKHOLE by default)
//     max-rules 100; never-mitigate [ 203.0.113.1/32 ]; dry-run; processes [ watcher ];
//     group customers {
//       network 203.0.113.0/24; network 2001:db8:1::/48;
//       amplification-pps 50000; syn-pps 100000; bps 5000000000;
//       mitigation rtbh;                   # this group only
//     }
//   }

import { ipBytes } from '../config/addr';
import { parsePrefixToken, parseUint } from '../config/route';
import { errorAt, expected, type Location, type Token } from '../config/tokenizer';
import type { WordPrefix } from './hosts';
import { METRIC_NAMES } from './metrics';

export type Method = 'flowspec' | 'rtbh' | 'both' | 'none';
const METHODS: readonly Method[] = ['flowspec', 'rtbh', 'both', 'none'];

export interface Threshold {
  metric: string;
  value: number;
}

/** A prefix as written and as the host table matches it. */
export interface DdosPrefix extends WordPrefix {
  text: string;
}

export interface DdosGroup {
  name: string;
  networks: DdosPrefix[];
  thresholds: Threshold[];
  /** Undefined: the block's. */
  mitigation?: Method;
  pos: Location;
}

export interface DdosConfig {
  listen: { address: string; port: number }[];
  sampling: Map<string, number>;
  /** Seconds. */
  templateTimeout: number;
  window: number;
  minDuration: number;
  calm: number;
  mitigation: Method;
  action: { kind: 'discard' } | { kind: 'rate-limit'; rate: number };
  /** FlowSpec rules match the attack's packet lengths when they are narrow (mitigator.ts flowRule). */
  packetLengthMatch: boolean;
  nextHop?: string;
  communities: string[];
  maxRules: number;
  neverMitigate: DdosPrefix[];
  dryRun: boolean;
  /** API processes that hear attack events; undefined: every process. */
  processes?: string[];
  /** Sources listed per attack in events and `show ddos`. */
  topTalkers: number;
  groups: DdosGroup[];
  pos: Location;
}

export function defaultDdos(pos: Location): DdosConfig {
  return {
    listen: [],
    sampling: new Map(),
    templateTimeout: 1800,
    window: 10,
    minDuration: 5,
    calm: 300,
    mitigation: 'flowspec',
    action: { kind: 'discard' },
    packetLengthMatch: true,
    communities: ['65535:666'],
    maxRules: 100,
    neverMitigate: [],
    dryRun: false,
    topTalkers: 10,
    groups: [],
    pos,
  };
}

/** A prefix into four words over the IPv4-mapped space (hosts.ts). */
export function wordPrefix(t: Token, group = -1): DdosPrefix {
  const p = parsePrefixToken(t);
  const words = new Uint32Array(4);
  const v4 = p.addr.length === 4;
  const bytes = new Uint8Array(16);
  if (v4) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(p.addr.subarray(0, 4), 12);
  } else {
    bytes.set(p.addr.subarray(0, 16));
  }
  for (let i = 0; i < 4; i++)
    words[i] = ((bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!) >>> 0;
  return { words, len: v4 ? 96 + p.len : p.len, group, text: t.text };
}

/** The words of a `[ a b ]` list or a single word, from index `from`. */
function listAt(s: Token[], from: number, end: Token, what: string): Token[] {
  const first = s[from];
  if (!first) throw expected(end, what);
  if (first.text !== '[') {
    if (s.length > from + 1) throw expected(s[from + 1], "';'");
    return [first];
  }
  const close = s.findIndex((t, i) => i > from && t.text === ']');
  if (close < 0) throw expected(end, "']' closing the list");
  if (s.length > close + 1) throw expected(s[close + 1], "';'");
  return s.slice(from + 1, close);
}

function seconds(t: Token | undefined, end: Token, what: string, min = 1): number {
  if (!t) throw expected(end, what);
  const n = parseUint(t, 86400 * 7, what);
  if (n < min) throw errorAt(t, `found '${t.text}', expected ${what} of at least ${min}`);
  return n;
}

/** One statement of the `ddos` block (not `group`, a sub-block). */
export function ddosStatement(s: Token[], end: Token, d: DdosConfig): void {
  const k = s[0]!;
  const done = (n: number) => {
    if (s.length > n) throw expected(s[n], "';'");
  };
  switch (k.text) {
    case 'listen': {
      const a = s[1];
      if (!a || ipBytes(a.text) === null) throw expected(a ?? end, 'an address to listen on (listen ADDRESS PORT;)');
      if (!s[2]) throw expected(end, 'a UDP port (listen ADDRESS PORT;)');
      d.listen.push({ address: a.text, port: parseUint(s[2], 65535, 'a UDP port') });
      return done(3);
    }
    case 'exporter': {
      const a = s[1];
      if (!a || ipBytes(a.text) === null) throw expected(a ?? end, "an exporter's address");
      if (s[2]?.text !== 'sampling-rate') throw expected(s[2] ?? end, "'sampling-rate'");
      if (!s[3]) throw expected(end, 'a sampling rate (1 in N packets)');
      const n = parseUint(s[3], 0xffffffff, 'a sampling rate (1 in N packets)');
      if (n < 1) throw errorAt(s[3], 'a sampling rate is at least 1');
      done(4);
      d.sampling.set(a.text, n);
      return;
    }
    case 'template-timeout':
      d.templateTimeout = seconds(s[1], end, 'a number of seconds');
      return done(2);
    case 'window':
      d.window = seconds(s[1], end, 'a window in seconds');
      return done(2);
    case 'min-duration':
      d.minDuration = seconds(s[1], end, 'a number of seconds', 0);
      return done(2);
    case 'calm':
      d.calm = seconds(s[1], end, 'a number of seconds');
      return done(2);
    case 'mitigation':
      d.mitigation = method(s, end);
      return;
    case 'action': {
      const a = s[1];
      if (a?.text === 'discard') {
        d.action = { kind: 'discard' };
        return done(2);
      }
      if (a?.text === 'rate-limit') {
        if (!s[2]) throw expected(end, 'a rate in bytes per second');
        d.action = { kind: 'rate-limit', rate: parseUint(s[2], 0xffffffff, 'a rate in bytes per second') };
        return done(3);
      }
      throw expected(a ?? end, "'discard' or 'rate-limit BYTES-PER-SECOND'");
    }
    case 'next-hop': {
      const a = s[1];
      if (!a || ipBytes(a.text) === null) throw expected(a ?? end, 'the next hop of blackhole routes');
      d.nextHop = a.text;
      return done(2);
    }
    case 'community': {
      const list = listAt(s, 1, end, 'a community (ASN:VALUE, or blackhole, no-export, no-advertise)');
      d.communities = list.map((t) => {
        const m = /^(\d+):(\d+)$/.exec(t.text);
        if (
          (m && Number(m[1]) <= 0xffff && Number(m[2]) <= 0xffff) ||
          ['blackhole', 'no-export', 'no-advertise'].includes(t.text)
        )
          return t.text;
        throw expected(t, 'a community (ASN:VALUE of 16 bits each, or blackhole, no-export, no-advertise)');
      });
      return;
    }
    case 'max-rules':
      if (!s[1]) throw expected(end, 'a number of rules');
      d.maxRules = parseUint(s[1], 100000, 'a number of rules');
      return done(2);
    case 'never-mitigate':
      for (const t of listAt(s, 1, end, 'a prefix')) d.neverMitigate.push(wordPrefix(t));
      return;
    case 'dry-run':
      d.dryRun = flag(s, end);
      return;
    case 'packet-length-match':
      d.packetLengthMatch = flag(s, end);
      return;
    case 'processes':
      d.processes = listAt(s, 1, end, 'a process name').map((t) => t.text);
      return;
    case 'top-talkers':
      if (!s[1]) throw expected(end, 'a number of sources');
      d.topTalkers = parseUint(s[1], 1000, 'a number of sources');
      return done(2);
    default:
      throw errorAt(
        k,
        `found '${k.text}', expected one of listen, exporter, template-timeout, window, min-duration, calm, mitigation, action, packet-length-match, next-hop, community, max-rules, never-mitigate, dry-run, processes, top-talkers, or a block: group (in ddos)`,
      );
  }
}

/** `KEYWORD;` (true), `KEYWORD true;` or `KEYWORD false;`. */
function flag(s: Token[], end: Token): boolean {
  const v = s[1]?.text ?? 'true';
  if (v !== 'true' && v !== 'false') throw expected(s[1] ?? end, "'true' or 'false'");
  if (s.length > 2) throw expected(s[2], "';'");
  return v === 'true';
}

function method(s: Token[], end: Token): Method {
  const t = s[1];
  if (!t || !(METHODS as readonly string[]).includes(t.text)) throw expected(t ?? end, `one of ${METHODS.join(', ')}`);
  if (s.length > 2) throw expected(s[2], "';'");
  return t.text as Method;
}

/** One statement of a `group NAME { }` block. */
export function groupStatement(s: Token[], end: Token, g: DdosGroup, index: number): void {
  const k = s[0]!;
  if (k.text === 'network') {
    for (const t of listAt(s, 1, end, 'a prefix')) g.networks.push(wordPrefix(t, index));
    return;
  }
  if (k.text === 'mitigation') {
    g.mitigation = method(s, end);
    return;
  }
  if (METRIC_NAMES.includes(k.text)) {
    if (!s[1]) throw expected(end, `a number (the ${k.text} threshold)`);
    const value = parseUint(s[1], Number.MAX_SAFE_INTEGER, `a number (the ${k.text} threshold)`);
    if (value < 1) throw errorAt(s[1], 'a threshold is at least 1');
    if (s.length > 2) throw expected(s[2], "';'");
    g.thresholds = g.thresholds.filter((t) => t.metric !== k.text);
    g.thresholds.push({ metric: k.text, value });
    return;
  }
  throw errorAt(
    k,
    `found '${k.text}', expected network, mitigation or a threshold (${METRIC_NAMES.join(', ')}) (in group ${g.name})`,
  );
}

/** Checks once the block is read: what a working detector needs. */
export function finishDdos(d: DdosConfig): void {
  if (d.listen.length === 0) throw errorAt(d.pos, 'ddos: no listen ADDRESS PORT; (where flows come in)');
  if (d.groups.length === 0) throw errorAt(d.pos, 'ddos: no group { network ...; thresholds } to watch');
  for (const g of d.groups) {
    if (g.networks.length === 0) throw errorAt(g.pos, `ddos group ${g.name}: no network`);
    if (g.thresholds.length === 0)
      throw errorAt(g.pos, `ddos group ${g.name}: no threshold (${METRIC_NAMES.join(', ')})`);
  }
  const uses = (m: Method) =>
    d.mitigation === m ||
    d.mitigation === 'both' ||
    d.groups.some((g) => g.mitigation === m || g.mitigation === 'both');
  if (uses('rtbh') && d.nextHop === undefined)
    throw errorAt(d.pos, 'ddos: rtbh mitigation needs next-hop ADDRESS; (the next hop of blackhole routes)');
}

/** What a ddos section says, as text, where it is written left out: a reload compares two of these. */
export function ddosKey(d: DdosConfig | undefined): string {
  if (d === undefined) return '';
  return JSON.stringify(d, (k, v: unknown) =>
    k === 'pos' || k === 'words' ? undefined : v instanceof Map ? [...v.entries()] : v,
  );
}
