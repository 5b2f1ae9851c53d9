// Traffic filtering actions as extended communities (RFC 8955 §7, RFC 8956 §6.1, and the two redirect-to-IP
// forms ExaBGP 4.2 implements). Encoders return the 8-byte (RFC 4360) or 20-byte (RFC 5701) community;
// decoders turn them back into FlowAction values and into ExaBGP's display strings.
//
// What ExaBGP 4.2 sends for each `then` keyword (checked with `exabgp -d -t`):
//   discard            -> 0x8006 AS 0 rate 0.0           rate-limit N -> 0x8006 AS 0 rate N (float32)
//   redirect A:N       -> 0x8008 (2-octet A, 32-bit N) or 0x8208 (4-octet A, 16-bit N)
//   redirect IP        -> MP_REACH next hop = IP, plus 0x0800 with copy bit 0 ("redirect-to-nexthop")
//   copy IP            -> MP_REACH next hop = IP, plus 0x0800 with copy bit 1
//   redirect-to-nexthop-> 0x0800 copy 0 (next hop from the route's `next-hop`)
//   redirect-to-nexthop-ietf IPv4 -> 0x010c IP + 2 bytes (copy bit); IPv6 -> attribute 25, type 0x000c
//   mark D             -> 0x8009 ... D                   action sample|terminal -> 0x8007 bits S=0x02 T=0x01

import { ipv4ToString, ipv6ToString } from '../wire/ip';
import type { FlowAction } from './rule';

const f32 = new DataView(new ArrayBuffer(4));

function ext(type: number, subtype: number): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = type;
  b[1] = subtype;
  return b;
}
function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}
function put32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
const get16 = (b: Uint8Array, off: number): number => (b[off]! << 8) | b[off + 1]!;
const get32 = (b: Uint8Array, off: number): number =>
  ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;

/** RFC 8955 §7.1 traffic-rate-bytes (0x8006): IEEE float32 bytes per second, 0 = discard. */
export function trafficRate(rate: number, asn = 0): Uint8Array {
  const b = ext(0x80, 0x06);
  put16(b, 2, asn);
  f32.setFloat32(0, rate);
  for (let i = 0; i < 4; i++) b[4 + i] = f32.getUint8(i);
  return b;
}

/** RFC 8955 §7.1 traffic-rate-packets (0x800c): float32 packets per second. */
export function trafficRatePackets(rate: number, asn = 0): Uint8Array {
  const b = trafficRate(rate, asn);
  b[1] = 0x0c;
  return b;
}

/** RFC 8955 §7.3 traffic-action (0x8007): the last byte carries S (sample, 0x02) and T (terminal, 0x01). */
export function trafficAction(sample: boolean, terminal: boolean): Uint8Array {
  const b = ext(0x80, 0x07);
  b[7] = (sample ? 0x02 : 0) | (terminal ? 0x01 : 0);
  return b;
}

/** RFC 8955 §7.4 rt-redirect: 2-octet AS (0x8008, 32-bit value) or 4-octet AS (0x8208, 16-bit value). */
export function redirectRouteTarget(asn: number, target: number): Uint8Array {
  if (asn > 0xffff) {
    const b = ext(0x82, 0x08);
    put32(b, 2, asn);
    put16(b, 6, target);
    return b;
  }
  const b = ext(0x80, 0x08);
  put16(b, 2, asn);
  put32(b, 4, target);
  return b;
}

/** RFC 8955 §7.4 rt-redirect with an IPv4 global administrator (0x8108). */
export function redirectIpv4RouteTarget(ip: Uint8Array, target: number): Uint8Array {
  const b = ext(0x81, 0x08);
  b.set(ip.subarray(0, 4), 2);
  put16(b, 6, target);
  return b;
}

/** RFC 8956 §6.1 rt-redirect-ipv6: IPv6 address specific extended community (attribute 25) type 0x000d. */
export function redirectIpv6RouteTarget(ip: Uint8Array, target: number): Uint8Array {
  const b = new Uint8Array(20);
  b[0] = 0x00;
  b[1] = 0x0d;
  b.set(ip.subarray(0, 16), 2);
  put16(b, 18, target);
  return b;
}

/** RFC 8955 §7.5 traffic-marking (0x8009): DSCP in the low 6 bits of the last byte. */
export function trafficMark(dscp: number): Uint8Array {
  const b = ext(0x80, 0x09);
  b[7] = dscp & 0x3f;
  return b;
}

/** Redirect/copy to the UPDATE's next hop, 0x0800 (draft-simpson-idr-flowspec-redirect; ExaBGP's "redirect-to-nexthop"). */
export function redirectToNextHop(copy: boolean): Uint8Array {
  const b = ext(0x08, 0x00);
  b[7] = copy ? 1 : 0;
  return b;
}

/**
 * Redirect to IP (draft-ietf-idr-flowspec-redirect-ip): IPv4 as the IPv4-address-specific 0x010c (8 bytes),
 * IPv6 as the IPv6-address-specific 0x000c (20 bytes, attribute 25). The last two bytes carry the copy bit.
 */
export function redirectToIpIetf(ip: Uint8Array, copy: boolean): Uint8Array {
  if (ip.length === 4) {
    const b = ext(0x01, 0x0c);
    b.set(ip, 2);
    b[7] = copy ? 1 : 0;
    return b;
  }
  const b = new Uint8Array(20);
  b[0] = 0x00;
  b[1] = 0x0c;
  b.set(ip.subarray(0, 16), 2);
  b[19] = copy ? 1 : 0;
  return b;
}

/** The community an action is carried in; `v6` true for 20-byte (attribute 25) ones. undefined for accept. */
export function actionCommunity(a: FlowAction): { bytes: Uint8Array; v6: boolean } | undefined {
  switch (a.kind) {
    case 'accept':
      return undefined;
    case 'discard':
      return { bytes: trafficRate(0, 0), v6: false };
    case 'rate-limit':
      return { bytes: trafficRate(a.rate, a.asn), v6: false };
    case 'rate-limit-packets':
      return { bytes: trafficRatePackets(a.rate, a.asn), v6: false };
    case 'redirect':
      return { bytes: redirectRouteTarget(a.asn, a.target), v6: false };
    case 'redirect-ip':
      return a.ip.length === 4
        ? { bytes: redirectIpv4RouteTarget(a.ip, a.target), v6: false }
        : { bytes: redirectIpv6RouteTarget(a.ip, a.target), v6: true };
    case 'redirect-to-nexthop':
      return { bytes: redirectToNextHop(a.copy), v6: false };
    case 'redirect-to-nexthop-ietf':
      return { bytes: redirectToIpIetf(a.ip, a.copy), v6: a.ip.length === 16 };
    case 'mark':
      return { bytes: trafficMark(a.dscp), v6: false };
    case 'action':
      return { bytes: trafficAction(a.sample, a.terminal), v6: false };
  }
}

function readRate(b: Uint8Array, off: number): number {
  for (let i = 0; i < 4; i++) f32.setUint8(i, b[off + 4 + i]!);
  return f32.getFloat32(0);
}

/**
 * Decode an 8-byte extended community at `off` into a FlowSpec action; undefined when it is not one.
 * A traffic-rate of 0 bytes/s is reported as `discard` (RFC 8955 §7.1).
 */
export function decodeFlowAction(b: Uint8Array, off = 0): FlowAction | undefined {
  const t = b[off]!;
  const s = b[off + 1]!;
  if (t === 0x80) {
    switch (s) {
      case 0x06: {
        const rate = readRate(b, off);
        return rate === 0 ? { kind: 'discard' } : { kind: 'rate-limit', rate, asn: get16(b, off + 2) };
      }
      case 0x0c:
        return { kind: 'rate-limit-packets', rate: readRate(b, off), asn: get16(b, off + 2) };
      case 0x07:
        return { kind: 'action', sample: (b[off + 7]! & 0x02) !== 0, terminal: (b[off + 7]! & 0x01) !== 0 };
      case 0x08:
        return { kind: 'redirect', asn: get16(b, off + 2), target: get32(b, off + 4) };
      case 0x09:
        return { kind: 'mark', dscp: b[off + 7]! & 0x3f };
    }
    return undefined;
  }
  if (t === 0x81 && s === 0x08)
    return { kind: 'redirect-ip', ip: b.slice(off + 2, off + 6), target: get16(b, off + 6) };
  if (t === 0x82 && s === 0x08) return { kind: 'redirect', asn: get32(b, off + 2), target: get16(b, off + 6) };
  if (t === 0x08 && s === 0x00) return { kind: 'redirect-to-nexthop', copy: (b[off + 7]! & 1) !== 0 };
  if (t === 0x01 && s === 0x0c)
    return { kind: 'redirect-to-nexthop-ietf', ip: b.slice(off + 2, off + 6), copy: (b[off + 7]! & 1) !== 0 };
  return undefined;
}

/** Decode a 20-byte IPv6 address specific extended community (RFC 5701) at `off` into an action, if it is one. */
export function decodeFlowAction6(b: Uint8Array, off = 0): FlowAction | undefined {
  if (b[off] !== 0x00) return undefined;
  if (b[off + 1] === 0x0d) return { kind: 'redirect-ip', ip: b.slice(off + 2, off + 18), target: get16(b, off + 18) };
  if (b[off + 1] === 0x0c)
    return { kind: 'redirect-to-nexthop-ietf', ip: b.slice(off + 2, off + 18), copy: (b[off + 19]! & 1) !== 0 };
  return undefined;
}

/**
 * ExaBGP 4.2's display string for a FlowSpec extended community (the "string" of its JSON and the
 * `extended-community` of its text output), e.g. "rate-limit:9600", "redirect:65500:12345", "mark 10",
 * "action sample-terminal", "redirect-to-nexthop", "copy-to-nexthop", "redirect-to-nexthop-ietf 1.2.3.4".
 * undefined for communities ExaBGP does not know as FlowSpec actions (0x800c, 0x8108, 0x000d).
 */
export function flowActionText(b: Uint8Array, off = 0): string | undefined {
  const t = b[off]!;
  const s = b[off + 1]!;
  if (t === 0x80 && s === 0x06) return `rate-limit:${Math.trunc(readRate(b, off))}`;
  if (t === 0x80 && s === 0x07) {
    const parts: string[] = [];
    if (b[off + 7]! & 0x02) parts.push('sample');
    if (b[off + 7]! & 0x01) parts.push('terminal');
    return `action ${parts.join('-')}`;
  }
  if (t === 0x80 && s === 0x08) return `redirect:${get16(b, off + 2)}:${get32(b, off + 4)}`;
  if (t === 0x82 && s === 0x08) return `redirect:${get32(b, off + 2)}:${get16(b, off + 6)}`;
  if (t === 0x80 && s === 0x09) return `mark ${b[off + 7]!}`;
  if (t === 0x08 && s === 0x00) return b[off + 7]! & 1 ? 'copy-to-nexthop' : 'redirect-to-nexthop';
  if (t === 0x01 && s === 0x0c) {
    const ip = ipv4ToString(b, off + 2);
    return b[off + 7]! & 1 ? `copy-to-nexthop-ietf ${ip} (with copy)` : `redirect-to-nexthop-ietf ${ip}`;
  }
  return undefined;
}

/** As flowActionText, for a 20-byte IPv6 address specific community (only 0x000c is known to ExaBGP). */
export function flowActionText6(b: Uint8Array, off = 0): string | undefined {
  if (b[off] === 0x00 && b[off + 1] === 0x0c) {
    const ip = ipv6ToString(b, off + 2);
    return b[off + 19]! & 1 ? `copy-to-nexthop-ietf ${ip} (with copy)` : `redirect-to-nexthop-ietf ${ip}`;
  }
  return undefined;
}

/** tsbgp's readable form of an action (the `then` keyword that produces it), for logs and the CLI. */
export function actionToString(a: FlowAction): string {
  const ip = (x: Uint8Array): string => (x.length === 4 ? ipv4ToString(x) : ipv6ToString(x));
  switch (a.kind) {
    case 'accept':
    case 'discard':
      return a.kind;
    case 'rate-limit':
      return `rate-limit ${a.rate}`;
    case 'rate-limit-packets':
      return `rate-limit-packets ${a.rate}`;
    case 'redirect':
      return `redirect ${a.asn}:${a.target}`;
    case 'redirect-ip':
      return a.ip.length === 4 ? `redirect ${ip(a.ip)}:${a.target}` : `redirect [${ip(a.ip)}]:${a.target}`;
    case 'redirect-to-nexthop':
      return a.copy ? 'copy-to-nexthop' : 'redirect-to-nexthop';
    case 'redirect-to-nexthop-ietf':
      return a.copy ? `copy-to-nexthop-ietf ${ip(a.ip)}` : `redirect-to-nexthop-ietf ${ip(a.ip)}`;
    case 'mark':
      return `mark ${a.dscp}`;
    case 'action':
      return `action ${[a.sample ? 'sample' : '', a.terminal ? 'terminal' : ''].filter(Boolean).join('-')}`;
  }
}
