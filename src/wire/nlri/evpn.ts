// EVPN NLRI (RFC 7432 §7, AFI 25 L2VPN, SAFI 70, ExaBGP's "l2vpn evpn"): [path id] route type (1), length (1),
// then the route type's fields. Types 1 to 4 are RFC 7432's (Ethernet Auto-Discovery §7.1, MAC/IP Advertisement
// §7.2, Inclusive Multicast Ethernet Tag §7.3, Ethernet Segment §7.4), type 5 is RFC 9136's IP Prefix (§3.1).
// Any other type is kept as its bytes, as ExaBGP 4.2 keeps it, so it is shown and passed on unchanged.
//
// Label fields are kept as the 24 bits on the wire: MPLS labels carry the label in the top 20 bits and the
// bottom-of-stack bit, but a VXLAN network uses the whole field as the VNI (RFC 8365 §5.1.3), so nothing is
// dropped; ExaBGP prints both the 20-bit label and the raw field.
//
// RFC 7911 path identifiers are read and written when ADD-PATH is negotiated for the family (ExaBGP 4.2 and 5.0
// read none for EVPN).

import { writeU32 } from '../bytes';
import { AFI, type FamilyKey, familyKey, type NlriBlock, SAFI } from '../types';
import type { NlriCodec } from './codec';
import { RD_LENGTH } from './labeled';
import { malformed } from './prefix';
import { registerFamily } from './registry';

export const L2VPN_EVPN: FamilyKey = familyKey(AFI.L2VPN, SAFI.EVPN);

/** RFC 7432 §5: an Ethernet Segment Identifier is 10 bytes. */
export const ESI_LENGTH = 10;
export const MAC_LENGTH = 6;

/** The route types of RFC 7432 §7 and RFC 9136 §3.1, by code. */
export const EvpnType = { ETHERNET_AD: 1, MAC_IP: 2, MULTICAST: 3, SEGMENT: 4, PREFIX: 5 } as const;

interface Common {
  /** RFC 7911 path identifier; undefined without ADD-PATH. */
  pathId?: number;
}

/** RFC 7432 §7.1 Ethernet Auto-Discovery route. */
export interface EvpnEthernetAd extends Common {
  code: 1;
  rd: Uint8Array;
  esi: Uint8Array;
  etag: number;
  /** The 24-bit label field. */
  label: number;
}

/** RFC 7432 §7.2 MAC/IP Advertisement route. */
export interface EvpnMacIp extends Common {
  code: 2;
  rd: Uint8Array;
  esi: Uint8Array;
  etag: number;
  /** The MAC Address Length field, in bits (48). */
  macLen: number;
  mac: Uint8Array;
  /** The IPv4 or IPv6 address, or none. */
  ip?: Uint8Array;
  /** MPLS Label1 and, when present, Label2 (24-bit fields). */
  labels: number[];
}

/** RFC 7432 §7.3 Inclusive Multicast Ethernet Tag route. */
export interface EvpnMulticast extends Common {
  code: 3;
  rd: Uint8Array;
  etag: number;
  /** The originating router's IPv4 or IPv6 address. */
  ip: Uint8Array;
}

/** RFC 7432 §7.4 Ethernet Segment route. */
export interface EvpnSegment extends Common {
  code: 4;
  rd: Uint8Array;
  esi: Uint8Array;
  /** The originating router's IPv4 or IPv6 address. */
  ip: Uint8Array;
}

/** RFC 9136 §3.1 IP Prefix route: prefix and gateway are both IPv4 or both IPv6. */
export interface EvpnPrefix extends Common {
  code: 5;
  rd: Uint8Array;
  esi: Uint8Array;
  etag: number;
  /** The IP Prefix Length field. */
  prefixLen: number;
  /** The whole 4 or 16 bytes of the IP Prefix field, as sent. */
  prefix: Uint8Array;
  gateway: Uint8Array;
  label: number;
}

/** A route type this codec has no model for: its code and the bytes after the length. */
export interface EvpnOther extends Common {
  code: 'other';
  type: number;
  data: Uint8Array;
}

export type EvpnRoute = EvpnEthernetAd | EvpnMacIp | EvpnMulticast | EvpnSegment | EvpnPrefix | EvpnOther;

/** The route type code of a route. */
export const evpnTypeOf = (r: EvpnRoute): number => (r.code === 'other' ? r.type : r.code);

const u16 = (d: Uint8Array, o: number): number => (d[o]! << 8) | d[o + 1]!;
const u24 = (d: Uint8Array, o: number): number => (d[o]! << 16) | (d[o + 1]! << 8) | d[o + 2]!;
const u32 = (d: Uint8Array, o: number): number => u16(d, o) * 0x10000 + u16(d, o + 2);

const fail = (why: string): never => {
  throw malformed(L2VPN_EVPN, why);
};

/** An IP Address Length field of 32 or 128 bits (RFC 7432 §7.3, §7.4): the address's byte count. */
function ipBytes(bits: number, what: string): number {
  if (bits !== 32 && bits !== 128) fail(`EVPN ${what} IP address length ${bits}, expected 32 or 128`);
  return bits / 8;
}

/**
 * Checks the fields of a known route type in d[p, end) (the bytes after type and length); throws DecodeError.
 * Lengths are those of RFC 7432 §7 and RFC 9136 §3.1, which are the ones ExaBGP 4.2 decodes.
 */
function check(type: number, d: Uint8Array, p: number, end: number): void {
  const n = end - p;
  switch (type) {
    case EvpnType.ETHERNET_AD:
      if (n !== 25) fail(`EVPN Ethernet Auto-Discovery route of ${n} bytes, expected 25`);
      return;
    case EvpnType.MAC_IP: {
      if (n < 30) fail(`EVPN MAC/IP Advertisement route of ${n} bytes is too short`);
      if (d[p + 22]! > 48) fail(`EVPN MAC address length ${d[p + 22]} exceeds 48`);
      const ipBits = d[p + 29]!;
      if (ipBits !== 0 && ipBits !== 32 && ipBits !== 128)
        fail(`EVPN MAC/IP Advertisement IP address length ${ipBits}, expected 0, 32 or 128`);
      const labels = n - 30 - ipBits / 8;
      if (labels !== 3 && labels !== 6)
        fail(`EVPN MAC/IP Advertisement route of ${n} bytes: no room for 1 or 2 labels`);
      return;
    }
    case EvpnType.MULTICAST:
      if (n < 13 || n !== 13 + ipBytes(d[p + 12]!, 'Inclusive Multicast'))
        fail(`EVPN Inclusive Multicast route of ${n} bytes does not match its IP address length`);
      return;
    case EvpnType.SEGMENT:
      if (n < 19 || n !== 19 + ipBytes(d[p + 18]!, 'Ethernet Segment'))
        fail(`EVPN Ethernet Segment route of ${n} bytes does not match its IP address length`);
      return;
    case EvpnType.PREFIX: {
      if (n !== 34 && n !== 58) fail(`EVPN IP Prefix route of ${n} bytes, expected 34 (IPv4) or 58 (IPv6)`);
      const max = n === 34 ? 32 : 128;
      if (d[p + 22]! > max) fail(`EVPN IP Prefix length ${d[p + 22]} exceeds ${max}`);
      return;
    }
  }
}

/** The offset after the entry at `off` (path id first when `addPath`), checked, or throws. */
function entryEnd(d: Uint8Array, off: number, addPath: boolean): number {
  const start = off + (addPath ? 4 : 0);
  if (start + 2 > d.length) fail('EVPN NLRI overruns the field');
  const end = start + 2 + d[start + 1]!;
  if (end > d.length) fail('EVPN NLRI overruns the field');
  check(d[start]!, d, start + 2, end);
  return end;
}

/** Decodes the entry whose route type byte is at `start` and which ends at `end` (already checked). */
function decodeEntry(d: Uint8Array, start: number, end: number): EvpnRoute {
  const type = d[start]!;
  const p = start + 2;
  const rd = (): Uint8Array => d.slice(p, p + RD_LENGTH);
  const esi = (): Uint8Array => d.slice(p + 8, p + 8 + ESI_LENGTH);
  switch (type) {
    case EvpnType.ETHERNET_AD:
      return { code: 1, rd: rd(), esi: esi(), etag: u32(d, p + 18), label: u24(d, p + 22) };
    case EvpnType.MAC_IP: {
      const ipLen = d[p + 29]! / 8;
      const r: EvpnMacIp = {
        code: 2,
        rd: rd(),
        esi: esi(),
        etag: u32(d, p + 18),
        macLen: d[p + 22]!,
        mac: d.slice(p + 23, p + 29),
        labels: [],
      };
      if (ipLen > 0) r.ip = d.slice(p + 30, p + 30 + ipLen);
      for (let q = p + 30 + ipLen; q < end; q += 3) r.labels.push(u24(d, q));
      return r;
    }
    case EvpnType.MULTICAST:
      return { code: 3, rd: rd(), etag: u32(d, p + 8), ip: d.slice(p + 13, end) };
    case EvpnType.SEGMENT:
      return { code: 4, rd: rd(), esi: esi(), ip: d.slice(p + 19, end) };
    case EvpnType.PREFIX: {
      const n = (end - p - 26) / 2;
      return {
        code: 5,
        rd: rd(),
        esi: esi(),
        etag: u32(d, p + 18),
        prefixLen: d[p + 22]!,
        prefix: d.slice(p + 23, p + 23 + n),
        gateway: d.slice(p + 23 + n, p + 23 + 2 * n),
        label: u24(d, end - 3),
      };
    }
    default:
      return { code: 'other', type, data: d.slice(p, end) };
  }
}

function fixed(what: string, b: Uint8Array | undefined, n: number): Uint8Array {
  if (b?.length !== n) throw new RangeError(`an EVPN route needs a ${n}-byte ${what}`);
  return b;
}

function ipAddress(what: string, b: Uint8Array): Uint8Array {
  if (b.length !== 4 && b.length !== 16) throw new RangeError(`EVPN ${what} must be an IPv4 or IPv6 address`);
  return b;
}

function uint(what: string, n: number, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`EVPN ${what} ${n} is out of range`);
  return n;
}

/** The length of a route's fields after type and length, its values checked; throws RangeError. */
function bodyLength(r: EvpnRoute): number {
  if (r.code === 'other') {
    uint('route type', r.type, 0xff);
    return r.data.length;
  }
  fixed('route distinguisher', r.rd, RD_LENGTH);
  if (r.code !== 3) fixed('ESI', r.esi, ESI_LENGTH);
  if (r.code !== 4) uint('ethernet tag', r.etag, 0xffffffff);
  switch (r.code) {
    case 1:
      uint('label field', r.label, 0xffffff);
      return 25;
    case 2: {
      if (r.labels.length !== 1 && r.labels.length !== 2)
        throw new RangeError('an EVPN MAC/IP route has 1 or 2 labels');
      for (const l of r.labels) uint('label field', l, 0xffffff);
      uint('MAC address length', r.macLen, 48);
      fixed('MAC address', r.mac, MAC_LENGTH);
      return 30 + (r.ip === undefined ? 0 : ipAddress('MAC/IP address', r.ip).length) + 3 * r.labels.length;
    }
    case 3:
      return 13 + ipAddress('originating router', r.ip).length;
    case 4:
      return 19 + ipAddress('originating router', r.ip).length;
    case 5: {
      const n = ipAddress('IP prefix', r.prefix).length;
      if (r.gateway.length !== n) throw new RangeError('an EVPN IP Prefix route has a gateway of its prefix family');
      uint('IP prefix length', r.prefixLen, n * 8);
      uint('label field', r.label, 0xffffff);
      return 26 + 2 * n;
    }
  }
}

/** Writes a 32-bit value at p; returns the offset after it. */
function putU32(out: Uint8Array, p: number, v: number): number {
  out[p] = v >>> 24;
  out[p + 1] = (v >>> 16) & 0xff;
  out[p + 2] = (v >>> 8) & 0xff;
  out[p + 3] = v & 0xff;
  return p + 4;
}

/** Writes a 24-bit label field at p; returns the offset after it. */
function putU24(out: Uint8Array, p: number, v: number): number {
  out[p] = v >>> 16;
  out[p + 1] = (v >>> 8) & 0xff;
  out[p + 2] = v & 0xff;
  return p + 3;
}

/** Encodes one route, [path id] type, length and fields; throws RangeError for a route that cannot be sent. */
export function encodeEvpn(r: EvpnRoute, addPath: boolean): Uint8Array {
  const n = bodyLength(r);
  if (n > 255) throw new RangeError(`an EVPN route of ${n} bytes does not fit its length byte`);
  const h = addPath ? 4 : 0;
  const out = new Uint8Array(h + 2 + n);
  if (addPath) writeU32(out, 0, r.pathId ?? 0);
  out[h] = evpnTypeOf(r);
  out[h + 1] = n;
  let p = h + 2;
  if (r.code === 'other') {
    out.set(r.data, p);
    return out;
  }
  out.set(r.rd, p);
  p += RD_LENGTH;
  if (r.code !== 3) {
    out.set(r.esi, p);
    p += ESI_LENGTH;
  }
  switch (r.code) {
    case 1:
      p = putU32(out, p, r.etag);
      putU24(out, p, r.label);
      break;
    case 2:
      p = putU32(out, p, r.etag);
      out[p++] = r.macLen;
      out.set(r.mac, p);
      p += MAC_LENGTH;
      if (r.ip === undefined) out[p++] = 0;
      else {
        out[p++] = r.ip.length * 8;
        out.set(r.ip, p);
        p += r.ip.length;
      }
      for (const l of r.labels) p = putU24(out, p, l);
      break;
    case 3:
      p = putU32(out, p, r.etag);
      out[p++] = r.ip.length * 8;
      out.set(r.ip, p);
      break;
    case 4:
      out[p++] = r.ip.length * 8;
      out.set(r.ip, p);
      break;
    case 5:
      p = putU32(out, p, r.etag);
      out[p++] = r.prefixLen;
      out.set(r.prefix, p);
      out.set(r.gateway, p + r.prefix.length);
      putU24(out, p + 2 * r.prefix.length, r.label);
      break;
  }
  return out;
}

/** Calls `cb` with each entry's decoded route and its bytes from the route type on (no path id). */
export function forEachEvpn(block: NlriBlock, cb: (r: EvpnRoute, entry: Uint8Array) => void): void {
  const d = block.data;
  for (let off = 0; off < d.length; ) {
    const end = entryEnd(d, off, block.addPath);
    const start = off + (block.addPath ? 4 : 0);
    const r = decodeEntry(d, start, end);
    if (block.addPath) r.pathId = u32(d, off);
    cb(r, d.subarray(start, end));
    off = end;
  }
}

/**
 * What identifies the route of an entry (no path id, already scanned): the fields RFC 7432 and RFC 9136 make the
 * route's key, without those they make attributes of it: the label of type 1 (§7.1), the ESI and labels of type
 * 2 (§7.2), the ESI, gateway and label of type 5 (RFC 9136 §3.1). A route announced again with another label
 * replaces the first, and a withdrawal with any label (or none, 0) takes it out. Only a key: not an NLRI.
 */
export function evpnIdentity(entry: Uint8Array): Uint8Array {
  const p = 2;
  switch (entry[0]) {
    case EvpnType.ETHERNET_AD:
      return entry.subarray(0, entry.length - 3);
    case EvpnType.MAC_IP: {
      const out = entry.slice(0, p + 30 + entry[p + 29]! / 8);
      out.fill(0, p + 8, p + 8 + ESI_LENGTH);
      return out;
    }
    case EvpnType.PREFIX: {
      const out = entry.slice(0, p + 23 + (entry.length - p - 26) / 2);
      out.fill(0, p + 8, p + 8 + ESI_LENGTH);
      return out;
    }
    default:
      return entry;
  }
}

export const l2vpnEvpn: NlriCodec<EvpnRoute> = {
  family: L2VPN_EVPN,
  name: 'l2vpn evpn',
  scan(data, addPath) {
    let n = 0;
    for (let off = 0; off < data.length; n++) off = entryEnd(data, off, addPath);
    return n;
  },
  items(block: NlriBlock): EvpnRoute[] {
    const out: EvpnRoute[] = [];
    forEachEvpn(block, (r) => out.push(r));
    return out;
  },
  encode: encodeEvpn,
};

registerFamily(l2vpnEvpn as NlriCodec<unknown>);
