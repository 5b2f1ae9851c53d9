// Labeled unicast (RFC 8277, SAFI 4, ExaBGP's "nlri-mpls") and MPLS VPN (RFC 4364 §4.3.4, RFC 4659 §3.2, SAFI
// 128, ExaBGP's "mpls-vpn") NLRI, both AFIs: [path id] length, label stack, [route distinguisher], prefix.
// The length byte counts the bits of all three parts (RFC 8277 §2.2, RFC 4364 §4.3.4).
//
// Where the label stack ends. RFC 8277 §2.2 ends it at the label with the bottom-of-stack bit; RFC 8277 §2.4
// (and RFC 3107 before it) lets a withdrawal carry 0x800000 or 0x000000 as its one "label", neither of which has
// that bit set. The scan ends the stack at either, and never takes a label out of the bits the route distinguisher
// needs, which is how ExaBGP 4.2 reads these NLRI: what it accepts decodes here to the same labels, RD and prefix.
// Without the Multiple Labels capability (RFC 8277 §2.1) a sender puts one label per route; a stack of several
// is decoded all the same, as ExaBGP does, so nothing a peer sends is misread as a different prefix.

import { writeU32 } from '../bytes';
import { AFI, type FamilyKey, familyKey, type NlriBlock, type Prefix, SAFI, safiOf } from '../types';
import type { NlriCodec } from './codec';
import { malformed } from './prefix';
import { registerFamily } from './registry';

/** A labeled (and, for VPN families, route distinguished) prefix. `len` is the prefix length alone. */
export interface LabeledPrefix extends Prefix {
  /** 20-bit label values, outermost first; the bottom-of-stack bit is the codec's business. */
  labels: number[];
  /** RFC 4364 §4.2 route distinguisher, 8 bytes (VPN families only). */
  rd?: Uint8Array;
}

/** RFC 8277 §2.4: the label field of a withdrawal. */
export const WITHDRAW_LABEL = 0x800000;
export const RD_LENGTH = 8;

/** True for the families of this module. */
export const isLabeledFamily = (f: FamilyKey): boolean => safiOf(f) === SAFI.MPLS_LABEL || safiOf(f) === SAFI.MPLS_VPN;

/** Where the parts of one entry are, as offsets into the data (path id excluded). */
interface Layout {
  /** Offset of the first label. */
  labels: number;
  /** Number of 3-byte labels. */
  count: number;
  /** Prefix length in bits (RD and labels excluded). */
  bits: number;
  /** Offset after the entry. */
  end: number;
}

/**
 * The layout of the entry whose length byte is at `off`, or throws: labels (at least one, RFC 8277 §2.2), the
 * RD when `rd`, then a prefix of at most `maxBits` that ends inside `end`.
 */
function layout(d: Uint8Array, off: number, end: number, rd: boolean, maxBits: number, family: FamilyKey): Layout {
  let bits = d[off]!;
  const rdBits = rd ? RD_LENGTH * 8 : 0;
  let p = off + 1;
  let count = 0;
  while (bits - rdBits >= 24) {
    if (p + 3 > end) throw malformed(family, 'label overruns the NLRI field');
    const raw = (d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!;
    p += 3;
    bits -= 24;
    count++;
    if ((raw & 1) === 1 || raw === WITHDRAW_LABEL || raw === 0) break;
  }
  if (count === 0) throw malformed(family, `prefix length ${d[off]} leaves no room for a label`);
  bits -= rdBits;
  if (bits < 0) throw malformed(family, 'prefix length leaves no room for the route distinguisher');
  if (bits > maxBits) throw malformed(family, `prefix length ${bits} exceeds ${maxBits}`);
  const stop = p + (rd ? RD_LENGTH : 0) + ((bits + 7) >> 3);
  if (stop > end) throw malformed(family, 'prefix overruns the NLRI field');
  return { labels: off + 1, count, bits, end: stop };
}

/** Calls `cb` for each entry of a scanned block with its layout and path id (0 without ADD-PATH). */
export function forEachLabeled(block: NlriBlock, cb: (l: Layout, pathId: number) => void): void {
  const d = block.data;
  const rd = safiOf(block.family) === SAFI.MPLS_VPN;
  const maxBits = Math.floor(block.family / 256) === AFI.IPV6 ? 128 : 32;
  let off = 0;
  while (off < d.length) {
    let pathId = 0;
    if (block.addPath) {
      pathId = ((d[off]! << 24) >>> 0) + ((d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!);
      off += 4;
    }
    const l = layout(d, off, d.length, rd, maxBits, block.family);
    cb(l, pathId);
    off = l.end;
  }
}

/** The 20-bit label values of an entry (the raw 24-bit field shifted right by 4, as ExaBGP shows them). */
function labelsAt(d: Uint8Array, l: Layout): number[] {
  const out: number[] = [];
  for (let i = 0, p = l.labels; i < l.count; i++, p += 3) out.push(((d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!) >> 4);
  return out;
}

/** Encodes one entry: the last label carries the bottom-of-stack bit (RFC 3032 §2.1, RFC 8277 §2.2). */
function encodeLabeled(item: LabeledPrefix, addPath: boolean, rd: boolean, maxBits: number): Uint8Array {
  if (item.len > maxBits || item.len < 0) throw new RangeError(`prefix length ${item.len} exceeds ${maxBits}`);
  if (item.labels.length === 0) throw new RangeError('a labeled route needs at least one label');
  if (rd && item.rd?.length !== RD_LENGTH) throw new RangeError('a VPN route needs an 8-byte route distinguisher');
  const n = (item.len + 7) >> 3;
  const h = addPath ? 4 : 0;
  const rdLen = rd ? RD_LENGTH : 0;
  const bits = item.labels.length * 24 + rdLen * 8 + item.len;
  if (bits > 255) throw new RangeError(`labels, RD and prefix are ${bits} bits, more than one length byte counts`);
  const out = new Uint8Array(h + 1 + item.labels.length * 3 + rdLen + n);
  if (addPath) writeU32(out, 0, item.pathId ?? 0);
  out[h] = bits;
  let p = h + 1;
  item.labels.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0 || label > 0xfffff) throw new RangeError(`label ${label} is not 20 bits`);
    const raw = (label << 4) | (i === item.labels.length - 1 ? 1 : 0);
    out[p++] = (raw >>> 16) & 0xff;
    out[p++] = (raw >>> 8) & 0xff;
    out[p++] = raw & 0xff;
  });
  if (rd) {
    out.set(item.rd!, p);
    p += RD_LENGTH;
  }
  for (let i = 0; i < n; i++) out[p + i] = item.addr[i] ?? 0;
  // RFC 4271 §4.3: trailing bits past the length are irrelevant; send them as zero.
  const rem = item.len & 7;
  if (rem !== 0) out[p + n - 1]! &= (0xff << (8 - rem)) & 0xff;
  return out;
}

function makeCodec(afi: number, safi: number, name: string): NlriCodec<LabeledPrefix> {
  const family = familyKey(afi, safi);
  const bytes = afi === AFI.IPV6 ? 16 : 4;
  const maxBits = bytes * 8;
  const rd = safi === SAFI.MPLS_VPN;
  return {
    family,
    name,
    scan(data, addPath) {
      let n = 0;
      let off = 0;
      while (off < data.length) {
        if (addPath) {
          if (off + 5 > data.length) throw malformed(family, 'NLRI path identifier overruns the field');
          off += 4;
        }
        off = layout(data, off, data.length, rd, maxBits, family).end;
        n++;
      }
      return n;
    },
    items(block: NlriBlock): LabeledPrefix[] {
      const out: LabeledPrefix[] = [];
      const d = block.data;
      forEachLabeled(block, (l, pathId) => {
        const at = l.labels + l.count * 3;
        const addr = new Uint8Array(bytes);
        addr.set(d.subarray(at + (rd ? RD_LENGTH : 0), l.end));
        const p: LabeledPrefix = { family, len: l.bits, addr, labels: labelsAt(d, l) };
        if (rd) p.rd = d.slice(at, at + RD_LENGTH);
        if (block.addPath) p.pathId = pathId;
        out.push(p);
      });
      return out;
    },
    encode: (item, addPath) => encodeLabeled(item, addPath, rd, maxBits),
  };
}

export const ipv4Labeled = makeCodec(AFI.IPV4, SAFI.MPLS_LABEL, 'ipv4 nlri-mpls');
export const ipv6Labeled = makeCodec(AFI.IPV6, SAFI.MPLS_LABEL, 'ipv6 nlri-mpls');
export const ipv4Vpn = makeCodec(AFI.IPV4, SAFI.MPLS_VPN, 'ipv4 mpls-vpn');
export const ipv6Vpn = makeCodec(AFI.IPV6, SAFI.MPLS_VPN, 'ipv6 mpls-vpn');

/** The codec of a labeled family. */
export function labeledCodec(f: FamilyKey): NlriCodec<LabeledPrefix> | undefined {
  return [ipv4Labeled, ipv6Labeled, ipv4Vpn, ipv6Vpn].find((c) => c.family === f);
}

/**
 * What identifies the route of an encoded entry (no path id): RD and prefix with their length in bits, without
 * the labels. A route announced again with other labels replaces the first (RFC 8277 §2.2: the labels are
 * attributes of the route, not part of its key), as ExaBGP 4.2 indexes them.
 */
export function labeledIdentity(family: FamilyKey, entry: Uint8Array): Uint8Array {
  const l = one(family, entry);
  const out = new Uint8Array(entry.length - l.count * 3);
  out[0] = entry[0]! - l.count * 24;
  out.set(entry.subarray(1 + l.count * 3), 1);
  return out;
}

/** An encoded entry (no path id) with its label stack replaced by the withdrawal label (RFC 8277 §2.4). */
export function withdrawalEntry(family: FamilyKey, entry: Uint8Array): Uint8Array {
  const l = one(family, entry);
  const out = new Uint8Array(entry.length - (l.count - 1) * 3);
  out[0] = entry[0]! - (l.count - 1) * 24;
  out[1] = WITHDRAW_LABEL >>> 16;
  out.set(entry.subarray(1 + l.count * 3), 4);
  return out;
}

/** RFC 4364 §4.3.2, RFC 4659 §3.2.1: a VPN next hop is the address behind a route distinguisher of zero. */
export function vpnNextHop(addr: Uint8Array): Uint8Array {
  const v = new Uint8Array(RD_LENGTH + addr.length);
  v.set(addr, RD_LENGTH);
  return v;
}

function one(family: FamilyKey, entry: Uint8Array): Layout {
  const maxBits = Math.floor(family / 256) === AFI.IPV6 ? 128 : 32;
  return layout(entry, 0, entry.length, safiOf(family) === SAFI.MPLS_VPN, maxBits, family);
}

for (const c of [ipv4Labeled, ipv6Labeled, ipv4Vpn, ipv6Vpn]) registerFamily(c as NlriCodec<unknown>);
