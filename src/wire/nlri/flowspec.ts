// FlowSpec NLRI codec: IPv4 (RFC 8955, AFI 1 SAFI 133), IPv6 (RFC 8956, AFI 2 SAFI 133) and their VPN forms
// (SAFI 134, RFC 8955 §8: an 8-byte route distinguisher before the components).
//
// Error handling. RFC 8955 §4.2 requires components in strictly increasing type order and defines the types;
// RFC 8955 §10 defers error handling to RFC 7606. Every FlowSpec NLRI carries its own length, so a bad entry
// (unknown component type, bad order, a prefix longer than the family, an operator list running past the entry)
// can still be delimited and the rest of the attribute parsed: RFC 7606 §5.3 then allows "treat-as-withdraw",
// which is what we report. When the length itself runs past the attribute, entries can no longer be delimited
// and RFC 7606 §5.3 leaves only AFI/SAFI disable (or session reset): we report 'afisafi-disable'.

import {
  type FlowComponent,
  type FlowOps,
  type FlowPrefix,
  type FlowRule,
  isPrefixComponent,
  Op,
} from '../../flowspec/rule';
import { DecodeError, ErrorCode } from '../errors';
import { AFI, afiOf, type FamilyKey, familyKey, type NlriBlock, SAFI, safiOf } from '../types';
import type { NlriCodec } from './codec';
import { registerFamily } from './registry';

export const IPV4_FLOW = familyKey(AFI.IPV4, SAFI.FLOW);
export const IPV6_FLOW = familyKey(AFI.IPV6, SAFI.FLOW);
export const IPV4_FLOW_VPN = familyKey(AFI.IPV4, SAFI.FLOW_VPN);
export const IPV6_FLOW_VPN = familyKey(AFI.IPV6, SAFI.FLOW_VPN);

/** RFC 8955 §4.1: lengths of 240 and more use two bytes, 0xfnnn, so 4095 is the largest NLRI. */
export const MAX_FLOW_NLRI = 0xfff;

/** UPDATE Message Error subcode "Invalid Network Field" (RFC 4271 §6.3), as ExaBGP uses for FlowSpec. */
const SUB_INVALID_NETWORK = 10;

const malformed = (msg: string): DecodeError =>
  new DecodeError(ErrorCode.UPDATE_MESSAGE, SUB_INVALID_NETWORK, `flowspec: ${msg}`, 'treat-as-withdraw');

/** Bitmask components (RFC 8955 §4.2.2.9 TCP flags, §4.2.2.12 fragment); all others are numeric. */
export const isBitmaskType = (type: number): boolean => type === 9 || type === 12;

/** Highest component type the family knows: 12 for IPv4 (RFC 8955), 13 for IPv6 (flow label, RFC 8956 §3.7). */
const maxType = (afi: number): number => (afi === AFI.IPV6 ? 13 : 12);

// ---------------------------------------------------------------------------------------------- decoding

/**
 * The two layouts of an IPv6 prefix component with a non-zero offset. RFC 8956 §3.1 sends only the pattern,
 * bits [offset, length) of the address: ceil((length - offset) / 8) bytes ('rfc8956'). ExaBGP 4.2 (and 5.0),
 * GoBGP 3 and FRR 8 send the address from bit 0 instead, ceil(length / 8) bytes, as for offset 0 ('exabgp').
 * The two agree when every offset is 0. Measured on loopback (test/interop/flowspec-offset.test.ts): GoBGP
 * drops a rule in RFC 8956's layout and FRR resets the session; BIRD 2 drops one in ExaBGP's layout.
 */
export type Ipv6OffsetLayout = 'exabgp' | 'rfc8956';

/** The layout rules are sent in (tsbgp.flowspec.offset6), and read in first: ExaBGP's, as a drop-in must. */
let sendLayout: Ipv6OffsetLayout = 'exabgp';

/** Choose the layout of IPv6 prefixes with an offset, for the whole process (set once, at start). */
export function setIpv6OffsetLayout(layout: Ipv6OffsetLayout): void {
  sendLayout = layout;
}

export const ipv6OffsetLayout = (): Ipv6OffsetLayout => sendLayout;

/** Bytes an IPv6 prefix component's address takes on the wire in a layout. */
const v6PrefixBytes = (len: number, offset: number, layout: Ipv6OffsetLayout): number =>
  layout === 'rfc8956' ? (len - offset + 7) >> 3 : (len + 7) >> 3;

/**
 * Check one entry's components (from `off` to `end`, after the RD) without allocating. Returns why they are
 * malformed, or '' when they are well formed; `layout` says how IPv6 prefixes with an offset are read.
 */
function componentsFault(d: Uint8Array, off: number, end: number, afi: number, layout: Ipv6OffsetLayout): string {
  const v6 = afi === AFI.IPV6;
  const top = maxType(afi);
  let last = 0;
  while (off < end) {
    const type = d[off++]!;
    if (type === 0 || type > top) return `unknown component type ${type}`;
    if (type <= last) return `component type ${type} after type ${last} (RFC 8955 §4.2 order)`;
    last = type;
    if (type <= 2) {
      if (off >= end) return 'truncated prefix component';
      const len = d[off++]!;
      if (v6) {
        if (off >= end) return 'truncated prefix component';
        const offset = d[off++]!;
        if (len > 128) return `IPv6 prefix length ${len}`;
        if (offset > len) return `IPv6 prefix offset ${offset} beyond length ${len}`;
        off += v6PrefixBytes(len, offset, layout);
      } else {
        if (len > 32) return `IPv4 prefix length ${len}`;
        off += (len + 7) >> 3;
      }
      if (off > end) return 'truncated prefix component';
      continue;
    }
    for (;;) {
      if (off >= end) return `operator list of type ${type} not terminated`;
      const op = d[off++]!;
      off += 1 << ((op & Op.LEN) >> 4);
      if (off > end) return `truncated value in component type ${type}`;
      if (op & Op.END) break;
    }
  }
  return '';
}

/** True when an IPv6 entry has a prefix component with a non-zero offset (only then do the layouts differ). */
function hasV6Offset(d: Uint8Array, off: number, end: number): boolean {
  // Prefix components come first (types 1 and 2, RFC 8955 §4.2 order): looking at them is enough.
  for (let n = 0; n < 2 && off + 2 < end; n++) {
    const type = d[off]!;
    if (type !== 1 && type !== 2) return false;
    if (d[off + 2]! !== 0) return true;
    off += 3 + ((d[off + 1]! + 7) >> 3);
  }
  return false;
}

/**
 * The layout an entry's IPv6 prefixes are read in: the one rules are sent in when the entry parses that way
 * (offsets 1-7 of a /128 give both layouts the same length: the bytes cannot tell), else the other one when that
 * parses, so that rules from speakers of either kind are not lost. Throws when neither does.
 */
function entryLayout(d: Uint8Array, off: number, end: number, afi: number): Ipv6OffsetLayout {
  const fault = componentsFault(d, off, end, afi, sendLayout);
  if (fault === '') return sendLayout;
  const other = sendLayout === 'exabgp' ? 'rfc8956' : 'exabgp';
  if (afi === AFI.IPV6 && hasV6Offset(d, off, end) && componentsFault(d, off, end, afi, other) === '') return other;
  throw malformed(fault);
}

/** Read the entry length at `off`; returns [headerBytes, length] packed as header * 0x10000 + length. */
function readLength(d: Uint8Array, off: number, limit: number): number {
  if (off >= limit)
    throw new DecodeError(
      ErrorCode.UPDATE_MESSAGE,
      SUB_INVALID_NETWORK,
      'flowspec: missing NLRI length',
      'afisafi-disable',
    );
  const b = d[off]!;
  if (b < 0xf0) return 0x10000 + b;
  if (off + 1 >= limit)
    throw new DecodeError(
      ErrorCode.UPDATE_MESSAGE,
      SUB_INVALID_NETWORK,
      'flowspec: truncated NLRI length',
      'afisafi-disable',
    );
  return 0x20000 + (((b & 0x0f) << 8) | d[off + 1]!);
}

function scanFlow(data: Uint8Array, addPath: boolean, afi: number, vpn: boolean): number {
  let off = 0;
  let count = 0;
  const n = data.length;
  while (off < n) {
    if (addPath) {
      off += 4;
      if (off > n)
        throw new DecodeError(
          ErrorCode.UPDATE_MESSAGE,
          SUB_INVALID_NETWORK,
          'flowspec: truncated path identifier',
          'afisafi-disable',
        );
    }
    const h = readLength(data, off, n);
    off += h >>> 16;
    const len = h & 0xffff;
    const end = off + len;
    if (end > n) {
      throw new DecodeError(
        ErrorCode.UPDATE_MESSAGE,
        SUB_INVALID_NETWORK,
        `flowspec: NLRI length ${len} runs past the attribute`,
        'afisafi-disable',
      );
    }
    let c = off;
    if (vpn) {
      if (len < 8) throw malformed('flow-vpn NLRI shorter than its route distinguisher');
      c += 8;
    }
    entryLayout(data, c, end, afi);
    off = end;
    count++;
  }
  return count;
}

function readValue(d: Uint8Array, off: number, size: number): number {
  switch (size) {
    case 1:
      return d[off]!;
    case 2:
      return (d[off]! << 8) | d[off + 1]!;
    case 4:
      return ((d[off]! << 24) | (d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!) >>> 0;
    default:
      // 8-byte values: exact up to 2^53, which covers every field a component can describe.
      return readValue(d, off, 4) * 0x100000000 + readValue(d, off + 4, 4);
  }
}

/** Decode one already validated entry's components (`off`..`end`, after the RD). */
function decodeComponents(
  d: Uint8Array,
  off: number,
  end: number,
  afi: number,
  layout: Ipv6OffsetLayout,
): FlowComponent[] {
  const v6 = afi === AFI.IPV6;
  const out: FlowComponent[] = [];
  while (off < end) {
    const type = d[off++]!;
    if (type <= 2) {
      const len = d[off++]!;
      if (v6) {
        const offset = d[off++]!;
        const addr = new Uint8Array(16);
        const bytes = v6PrefixBytes(len, offset, layout);
        // RFC 8956 §3.1: the pattern holds bits [offset, len) of the address, starting at its first bit.
        // In ExaBGP's layout the bytes are the address from bit 0.
        const shift = layout === 'rfc8956' ? offset & 7 : 0;
        let at = layout === 'rfc8956' ? offset >> 3 : 0;
        if (shift === 0) {
          for (let i = 0; i < bytes; i++) addr[at + i] = d[off + i]!;
        } else {
          for (let i = 0; i < bytes; i++, at++) {
            const b = d[off + i]!;
            addr[at] |= b >> shift;
            if (at + 1 < 16) addr[at + 1] |= (b << (8 - shift)) & 0xff;
          }
        }
        off += bytes;
        out.push({ type: type as 1 | 2, len, offset, addr } satisfies FlowPrefix);
      } else {
        const addr = new Uint8Array(4);
        const bytes = (len + 7) >> 3;
        for (let i = 0; i < bytes; i++) addr[i] = d[off + i]!;
        off += bytes;
        out.push({ type: type as 1 | 2, len, offset: 0, addr } satisfies FlowPrefix);
      }
      continue;
    }
    const ops: number[] = [];
    const values: number[] = [];
    // RFC 8955 §4.2.1: reserved operator bits MUST be ignored on receipt.
    const keep = isBitmaskType(type) ? Op.AND | Op.NOT | Op.MATCH : Op.AND | Op.LT | Op.GT | Op.EQ;
    for (;;) {
      const op = d[off++]!;
      const size = 1 << ((op & Op.LEN) >> 4);
      ops.push(op & keep);
      values.push(readValue(d, off, size));
      off += size;
      if (op & Op.END) break;
    }
    out.push({ type, ops, values } satisfies FlowOps);
  }
  return out;
}

function itemsFlow(block: NlriBlock, afi: number, vpn: boolean): FlowRule[] {
  const d = block.data;
  const out: FlowRule[] = [];
  let off = 0;
  const n = d.length;
  while (off < n) {
    let pathId: number | undefined;
    if (block.addPath) {
      pathId = readValue(d, off, 4);
      off += 4;
    }
    const h = readLength(d, off, n);
    off += h >>> 16;
    const end = off + (h & 0xffff);
    let rule: FlowRule;
    const c = vpn ? off + 8 : off;
    const layout = afi === AFI.IPV6 ? entryLayout(d, c, end, afi) : sendLayout;
    const components = decodeComponents(d, c, end, afi, layout);
    if (vpn) rule = { family: block.family, rd: d.slice(off, c), components };
    else rule = { family: block.family, components };
    if (pathId !== undefined) rule.pathId = pathId;
    out.push(rule);
    off = end;
  }
  return out;
}

/** Decode one complete entry (length byte(s) included, no path id): for tests and tools. */
export function decodeFlowNlri(family: FamilyKey, data: Uint8Array): FlowRule {
  const afi = afiOf(family);
  const vpn = safiOf(family) === SAFI.FLOW_VPN;
  if (scanFlow(data, false, afi, vpn) !== 1) throw malformed('expected exactly one NLRI');
  return itemsFlow({ family, addPath: false, data, count: 1 }, afi, vpn)[0]!;
}

// ---------------------------------------------------------------------------------------------- encoding

/** Bytes needed for a value: the encoder always picks the shortest of 1, 2, 4, 8. */
const valueSize = (v: number): number => (v < 0x100 ? 1 : v < 0x10000 ? 2 : v <= 0xffffffff ? 4 : 8);
const sizeBits = (size: number): number => (size === 1 ? 0x00 : size === 2 ? 0x10 : size === 4 ? 0x20 : 0x30);

function writeValue(out: Uint8Array, off: number, v: number, size: number): void {
  switch (size) {
    case 1:
      out[off] = v;
      return;
    case 2:
      out[off] = v >>> 8;
      out[off + 1] = v;
      return;
    case 4:
      out[off] = v >>> 24;
      out[off + 1] = v >>> 16;
      out[off + 2] = v >>> 8;
      out[off + 3] = v;
      return;
    default: {
      const hi = Math.floor(v / 0x100000000);
      writeValue(out, off, hi, 4);
      writeValue(out, off + 4, v - hi * 0x100000000, 4);
    }
  }
}

/** Scratch buffer for one entry: path id + 2-byte length + the largest allowed body. */
const scratch = new Uint8Array(4 + 2 + MAX_FLOW_NLRI + 64);

/**
 * Write the components of a rule at `off` into `out`, sorted by type (the caller guarantees the list is sorted:
 * canonicalize() does it). Returns the new offset, or -1 if it would pass `limit`.
 */
function writeComponents(out: Uint8Array, off: number, limit: number, comps: FlowComponent[], v6: boolean): number {
  for (let k = 0; k < comps.length; k++) {
    const c = comps[k]!;
    if (isPrefixComponent(c)) {
      const len = c.len;
      const offset = v6 ? c.offset : 0;
      // The pattern starts at the offset in RFC 8956's layout, at bit 0 in ExaBGP's (and for IPv4).
      const from = v6 && sendLayout === 'rfc8956' ? offset : 0;
      const bytes = (len - from + 7) >> 3;
      if (off + 3 + bytes > limit) return -1;
      out[off++] = c.type;
      out[off++] = len;
      const a = c.addr;
      if (v6) {
        out[off++] = offset;
        const shift = from & 7;
        let at = from >> 3;
        if (shift === 0) {
          for (let i = 0; i < bytes; i++) out[off + i] = a[at + i]!;
        } else {
          for (let i = 0; i < bytes; i++, at++) {
            const lo = at + 1 < 16 ? a[at + 1]! >> (8 - shift) : 0;
            out[off + i] = ((a[at]! << shift) & 0xff) | lo;
          }
        }
        // Bits past `len` are sent as the address holds them, as for IPv4 and as ExaBGP does: decode and
        // encode then round-trip exactly. Parsed rules have them as written by the operator.
      } else {
        for (let i = 0; i < bytes; i++) out[off + i] = a[i]!;
      }
      off += bytes;
      continue;
    }
    const n = c.ops.length;
    if (n === 0) continue;
    if (off + 1 > limit) return -1;
    out[off++] = c.type;
    const keep = isBitmaskType(c.type) ? Op.AND | Op.NOT | Op.MATCH : Op.AND | Op.LT | Op.GT | Op.EQ;
    for (let i = 0; i < n; i++) {
      const v = c.values[i]!;
      const size = valueSize(v);
      if (off + 1 + size > limit) return -1;
      let op = (c.ops[i]! & keep) | sizeBits(size);
      if (i === n - 1) op |= Op.END;
      out[off++] = op;
      writeValue(out, off, v, size);
      off += size;
    }
  }
  return off;
}

const byType = (a: FlowComponent, b: FlowComponent): number => a.type - b.type;

function isSorted(comps: FlowComponent[]): boolean {
  for (let i = 1; i < comps.length; i++) if (comps[i]!.type <= comps[i - 1]!.type) return false;
  return true;
}

/**
 * Encode one rule as one NLRI entry (path id first when addPath). Components are written in type order
 * (RFC 8955 §4.2); values take the fewest bytes. Throws RangeError for a rule that cannot be encoded
 * (longer than 4095 bytes, two components of one type, a value out of range).
 */
export function encodeFlowRule(rule: FlowRule, addPath = false): Uint8Array {
  const v6 = afiOf(rule.family) === AFI.IPV6;
  const vpn = safiOf(rule.family) === SAFI.FLOW_VPN;
  let comps = rule.components;
  if (!isSorted(comps)) {
    comps = comps.slice().sort(byType);
    if (!isSorted(comps)) throw new RangeError('flowspec: two components of the same type');
  }
  const out = scratch;
  let off = 0;
  if (addPath) {
    writeValue(out, 0, rule.pathId ?? 0, 4);
    off = 4;
  }
  // Reserve two length bytes, then move the body back by one if the short form fits.
  const lenAt = off;
  let body = lenAt + 2;
  const start = body;
  if (vpn) {
    const rd = rule.rd;
    if (rd?.length !== 8) throw new RangeError('flowspec: flow-vpn rule needs an 8-byte route distinguisher');
    out.set(rd, body);
    body += 8;
  }
  const end = writeComponents(out, body, start + MAX_FLOW_NLRI, comps, v6);
  if (end < 0) throw new RangeError(`flowspec: rule longer than ${MAX_FLOW_NLRI} bytes`);
  const len = end - start;
  // Copy with a plain loop: cheaper than subarray()+set() for the few dozen bytes of a typical rule.
  if (len < 0xf0) {
    const res = new Uint8Array(lenAt + 1 + len);
    for (let i = 0; i < lenAt; i++) res[i] = out[i]!;
    res[lenAt] = len;
    for (let i = 0, j = lenAt + 1; i < len; i++, j++) res[j] = out[start + i]!;
    return res;
  }
  out[lenAt] = 0xf0 | (len >> 8);
  out[lenAt + 1] = len & 0xff;
  return out.slice(0, end);
}

// ---------------------------------------------------------------------------------------------- ordering

/** The component's wire bytes without its type byte (for RFC 8955 §5.1 memcmp). */
function componentBody(c: FlowOps): Uint8Array {
  const tmp = new Uint8Array(1 + c.ops.length * 9);
  const end = writeComponents(tmp, 0, tmp.length, [c], false);
  return tmp.subarray(1, end);
}

function comparePrefix(a: FlowPrefix, b: FlowPrefix): number {
  // RFC 8956 §4.1 (IPv6): a lower offset has precedence; with equal offsets compare as RFC 8955 §5.1.
  if (a.offset !== b.offset) return a.offset - b.offset;
  const common = Math.min(a.len, b.len);
  for (let bit = 0; bit < common; ) {
    const i = bit >> 3;
    const take = Math.min(8, common - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const x = (a.addr[i] ?? 0) & mask;
    const y = (b.addr[i] ?? 0) & mask;
    if (x !== y) return x - y; // no overlap: the lower address has precedence
    bit += take;
  }
  return b.len - a.len; // overlap: the longer (more specific) prefix has precedence
}

/**
 * RFC 8955 §5.1 rule ordering: negative when `a` has precedence over `b` (sorts first), 0 when equal.
 * Components are compared type by type; a missing type counts as "infinite", so the rule that still has a
 * component has precedence. Prefixes compare by address, then specificity; other components by memcmp of
 * their encoded operator/value bytes, a longer string winning over its own prefix. Rules in different VPNs
 * (route distinguishers) are ordered by RD first.
 */
export function compareFlowRules(a: FlowRule, b: FlowRule): number {
  if (a.rd || b.rd) {
    const x = a.rd ?? new Uint8Array(8);
    const y = b.rd ?? new Uint8Array(8);
    for (let i = 0; i < 8; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  const ca = a.components.slice().sort(byType);
  const cb = b.components.slice().sort(byType);
  const n = Math.max(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const p = ca[i];
    const q = cb[i];
    const ta = p ? p.type : Infinity;
    const tb = q ? q.type : Infinity;
    if (ta !== tb) return ta < tb ? -1 : 1;
    if (isPrefixComponent(p!)) {
      const r = comparePrefix(p, q as FlowPrefix);
      if (r !== 0) return r < 0 ? -1 : 1;
      continue;
    }
    const x = componentBody(p as FlowOps);
    const y = componentBody(q as FlowOps);
    const common = Math.min(x.length, y.length);
    for (let j = 0; j < common; j++) if (x[j] !== y[j]) return x[j]! < y[j]! ? -1 : 1;
    if (x.length !== y.length) return x.length > y.length ? -1 : 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------- codecs

function makeCodec(family: FamilyKey, name: string): NlriCodec<FlowRule> {
  const afi = afiOf(family);
  const vpn = safiOf(family) === SAFI.FLOW_VPN;
  return {
    family,
    name,
    scan: (data, addPath) => scanFlow(data, addPath, afi, vpn),
    items: (block) => itemsFlow(block, afi, vpn),
    encode: (item, addPath) => encodeFlowRule(item, addPath),
  };
}

export const ipv4Flow = makeCodec(IPV4_FLOW, 'ipv4 flow');
export const ipv6Flow = makeCodec(IPV6_FLOW, 'ipv6 flow');
export const ipv4FlowVpn = makeCodec(IPV4_FLOW_VPN, 'ipv4 flow-vpn');
export const ipv6FlowVpn = makeCodec(IPV6_FLOW_VPN, 'ipv6 flow-vpn');

export const isFlowFamily = (k: FamilyKey): boolean => {
  const s = safiOf(k);
  const a = afiOf(k);
  return (s === SAFI.FLOW || s === SAFI.FLOW_VPN) && (a === AFI.IPV4 || a === AFI.IPV6);
};

let registered = false;
/** Register the four FlowSpec families with the NLRI registry (done at module load; calling again is a no-op). */
export function registerFlowspec(): void {
  if (registered) return;
  registered = true;
  for (const c of [ipv4Flow, ipv6Flow, ipv4FlowVpn, ipv6FlowVpn]) registerFamily(c as NlriCodec<unknown>);
}
registerFlowspec();
