// Structured mutations of whole BGP messages for the live-session fuzz (test/reliability/): a valid OPEN or UPDATE
// is built from parts (attributes, capabilities, NLRI), damaged in one to three ways a faulty or hostile peer could
// damage it, and framed. Everything is drawn from one seeded generator, so a seed gives the same messages again.

import { type CodecContext, MessageType } from '../../src/wire/types';
import { decodeUpdate } from '../../src/wire/update';
import { rng } from './fuzz';

export type Rand = () => number;

/** A seeded generator with the helpers the builders need. */
export class Gen {
  readonly next: Rand;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): number[] {
    return Array.from({ length: n }, () => this.next() & 0xff);
  }
}

const u16 = (n: number): number[] => [(n >> 8) & 255, n & 255];
const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A message with its 16-byte marker, a length field (normally the true length) and a type. */
export function frameRaw(type: number, body: number[], lengthField = 19 + body.length): Buffer {
  return Buffer.from([...Array(16).fill(0xff), ...u16(lengthField), type, ...body]);
}

interface Attr {
  flags: number;
  code: number;
  value: number[];
  /** The length field as written, when a mutation makes it lie. */
  len?: number;
}

function attrBytes(a: Attr): number[] {
  const len = a.len ?? a.value.length;
  const ext = (a.flags & 0x10) !== 0 || len > 255;
  return [ext ? a.flags | 0x10 : a.flags, a.code, ...(ext ? u16(len & 0xffff) : [len & 0xff]), ...a.value];
}

function v4Prefixes(g: Gen, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = 8 + g.int(25);
    const addr = [10, g.int(256), g.int(256), g.int(256)];
    out.push(len, ...addr.slice(0, Math.ceil(len / 8)));
  }
  return out;
}

function v6Prefixes(g: Gen, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const len = 32 + g.int(97);
    const addr = [0x20, 0x01, 0x0d, 0xb8, ...g.bytes(12)];
    out.push(len, ...addr.slice(0, Math.ceil(len / 8)));
  }
  return out;
}

/** The mutation classes, named as the report counts them. */
export const UPDATE_MUTATIONS = [
  'bit-flip',
  'attribute-length',
  'truncation',
  'attribute-duplication',
  'random-attribute',
  'attribute-flags',
  'nlri-garbage',
  'field-length',
  'header-length',
] as const;
export type UpdateMutation = (typeof UPDATE_MUTATIONS)[number];

export const OPEN_MUTATIONS = [
  'capability-garbage',
  'capability-length',
  'capability-duplication',
  'parameter-length',
  'bit-flip',
  'truncation',
  'fields',
] as const;
export type OpenMutation = (typeof OPEN_MUTATIONS)[number];

export interface Mutated<M> {
  bytes: Buffer;
  mutations: M[];
}

/**
 * A valid eBGP UPDATE from `peerAs` (4-octet AS_PATH): IPv4 routes with NEXT_HOP and common attributes, and at times
 * IPv6 routes in MP_REACH, withdrawals and MP_UNREACH; then damaged by 1-3 mutations.
 */
export function mutatedUpdate(g: Gen, peerAs: number): Mutated<UpdateMutation> {
  const asns = 2 + g.int(3);
  const attrs: Attr[] = [
    { flags: 0x40, code: 1, value: [g.int(3)] },
    { flags: 0x40, code: 2, value: [2, asns, ...u32(peerAs), ...g.bytes(4 * (asns - 1))] },
  ];
  const withV4 = g.chance(0.8);
  if (withV4) attrs.push({ flags: 0x40, code: 3, value: [192, 0, 2, 1 + g.int(254)] });
  if (g.chance(0.5)) attrs.push({ flags: 0x80, code: 4, value: u32(g.next()) });
  if (g.chance(0.5))
    attrs.push({ flags: 0xc0, code: 8, value: Array.from({ length: 1 + g.int(6) }, () => u32(g.next())).flat() });
  if (g.chance(0.3)) attrs.push({ flags: 0xc0, code: 16, value: [0, 2, ...u16(65000), ...u32(g.int(1000))] });
  if (g.chance(0.3)) attrs.push({ flags: 0xc0, code: 32, value: [...u32(65000), ...u32(1), ...u32(g.int(1000))] });
  if (!withV4 || g.chance(0.3)) {
    const nh = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1 + g.int(254)];
    attrs.push({ flags: 0x90, code: 14, value: [...u16(2), 1, nh.length, ...nh, 0, ...v6Prefixes(g, 1 + g.int(8))] });
  }
  if (g.chance(0.1)) attrs.push({ flags: 0x90, code: 15, value: [...u16(2), 1, ...v6Prefixes(g, 1 + g.int(4))] });
  const withdrawn = g.chance(0.2) ? v4Prefixes(g, 1 + g.int(5)) : [];
  let nlri = withV4 ? v4Prefixes(g, 1 + g.int(20)) : [];
  let withdrawnLen: number | undefined;
  let attrsLen: number | undefined;
  let headerDelta = 0;

  const mutations: UpdateMutation[] = [];
  const count = 1 + g.int(3);
  const byteLevel: UpdateMutation[] = [];
  for (let i = 0; i < count; i++) {
    const m = g.pick(UPDATE_MUTATIONS);
    mutations.push(m);
    const a = attrs[g.int(attrs.length)]!;
    switch (m) {
      case 'attribute-length':
        a.len = g.chance(0.5) ? Math.max(0, a.value.length + g.pick([-3, -2, -1, 1, 2, 3])) : g.int(300);
        break;
      case 'attribute-duplication':
        attrs.splice(g.int(attrs.length + 1), 0, {
          ...a,
          value: g.chance(0.5) ? [...a.value] : g.bytes(a.value.length),
        });
        break;
      case 'random-attribute':
        attrs.splice(g.int(attrs.length + 1), 0, {
          flags: g.int(256) & 0xf0,
          code: g.int(256),
          value: g.bytes(g.int(40)),
        });
        break;
      case 'attribute-flags':
        a.flags = (g.int(256) & 0xe0) | (a.flags & 0x10);
        break;
      case 'nlri-garbage': {
        const garbage = g.bytes(1 + g.int(12));
        const mp = attrs.find((x) => x.code === 14 || x.code === 15);
        if (mp && g.chance(0.5))
          mp.value = g.chance(0.5)
            ? [...mp.value, ...garbage]
            : [...mp.value.slice(0, 5 + g.int(mp.value.length)), ...garbage];
        else nlri = g.chance(0.5) ? [...nlri, ...garbage] : garbage;
        break;
      }
      case 'field-length':
        if (g.chance(0.5)) withdrawnLen = g.int(64);
        else attrsLen = g.int(1024);
        break;
      case 'header-length':
        headerDelta = g.pick([-19, -3, -1, 1, 5, 4096]);
        break;
      default:
        byteLevel.push(m);
    }
  }
  const attrBody = attrs.flatMap(attrBytes);
  let body = [
    ...u16(withdrawnLen ?? withdrawn.length),
    ...withdrawn,
    ...u16(attrsLen ?? attrBody.length),
    ...attrBody,
    ...nlri,
  ];
  for (const m of byteLevel) {
    if (m === 'bit-flip') {
      for (let k = 1 + g.int(3); k > 0; k--) {
        const pos = g.int(body.length);
        body[pos] = body[pos]! ^ (1 << g.int(8));
      }
    } else body = body.slice(0, g.int(body.length));
  }
  return { bytes: frameRaw(MessageType.UPDATE, body, 19 + body.length + headerDelta), mutations };
}

/**
 * A valid OPEN from `peerAs` (2-octet field plus the 4-octet AS capability, IPv4 and IPv6 unicast, route refresh),
 * hold time `holdTime`, then damaged by 1-2 mutations (none when `damage` is false).
 */
export function mutatedOpen(g: Gen, peerAs: number, holdTime: number, damage = true): Mutated<OpenMutation> {
  const caps: number[][] = [
    [1, 4, ...u16(1), 0, 1],
    [1, 4, ...u16(2), 0, 1],
    [65, 4, ...u32(peerAs)],
    [2, 0],
  ];
  const fields = [4, ...u16(peerAs), ...u16(holdTime), 10, g.int(256), g.int(256), 1 + g.int(254)];
  let paramLen: number | undefined;
  let optLen: number | undefined;
  const mutations: OpenMutation[] = [];
  const byteLevel: OpenMutation[] = [];
  for (let i = damage ? 1 + g.int(2) : 0; i > 0; i--) {
    const m = g.pick(OPEN_MUTATIONS);
    mutations.push(m);
    switch (m) {
      case 'capability-garbage': {
        const value = g.bytes(g.int(20));
        caps.splice(g.int(caps.length + 1), 0, [g.int(256), g.chance(0.7) ? value.length : g.int(256), ...value]);
        break;
      }
      case 'capability-length': {
        const c = caps[g.int(caps.length)]!;
        c[1] = g.chance(0.5) ? Math.max(0, c[1]! + g.pick([-2, -1, 1, 2])) : g.int(256);
        break;
      }
      case 'capability-duplication': {
        const c = caps[g.int(caps.length)]!;
        caps.push(g.chance(0.5) ? [...c] : [c[0]!, c[1]!, ...g.bytes(c.length - 2)]);
        break;
      }
      case 'parameter-length':
        if (g.chance(0.5)) paramLen = g.int(256);
        else optLen = g.int(256);
        break;
      case 'fields':
        // Version, AS, hold time (0, 1, 2 are refused; 3 is the least allowed) or identifier.
        fields[g.pick([0, 1, 3, 5, 8])] = g.int(256);
        break;
      default:
        byteLevel.push(m);
    }
  }
  const capBytes = caps.flat();
  const param = [2, (paramLen ?? capBytes.length) & 0xff, ...capBytes];
  let body = [...fields, (optLen ?? param.length) & 0xff, ...param];
  for (const m of byteLevel) {
    if (m === 'bit-flip') {
      const pos = g.int(body.length);
      body[pos] = body[pos]! ^ (1 << g.int(8));
    } else body = body.slice(0, g.int(body.length));
  }
  return { bytes: frameRaw(MessageType.OPEN, body), mutations };
}

/** What the daemon's own decoder makes of an UPDATE, without the session context (first AS, next hop checks). */
export type Verdict = 'session-reset' | 'treat-as-withdraw' | 'attribute-discard' | 'clean';

const CTX: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 4096 };

export function predictUpdate(msg: Buffer): Verdict {
  const len = msg.readUInt16BE(16);
  if (len !== msg.length || len > CTX.maxMessage) return 'session-reset';
  try {
    const u = decodeUpdate(msg.subarray(19), CTX);
    if (u.issues.some((i) => i.action === 'treat-as-withdraw')) return 'treat-as-withdraw';
    if (u.issues.length > 0) return 'attribute-discard';
    return 'clean';
  } catch {
    return 'session-reset';
  }
}
