// BGP Prefix-SID (RFC 8669, attribute 40): a list of TLVs, each type (1 byte), length (2 bytes, value only), value.
// Besides RFC 8669's Label-Index (1) and Originator SRGB (3) TLVs, ExaBGP 4.2 sends three pre-RFC SRv6 forms from
// the drafts (type 2 "IPv6 SID", type 4 "SRv6 VPN SID", type 5 of exactly 21 bytes "SRv6 L3VPN SID"); RFC 9252
// reassigned type 5 to the SRv6 L3 Service TLV and type 6 to the L2 one, whose value is a reserved byte then
// sub-TLVs (SRv6 SID Information, itself with SID Structure sub-sub-TLVs). Both forms are read and written: a
// type 5 TLV of 21 bytes cannot hold an RFC 9252 SID Information sub-TLV (25 bytes at least), so it is the old one.

import { concatBytes } from '../bytes';
import type { DecodeError } from '../errors';
import type { Attributes } from '../types';
import { AttrCode, attrError, UpdateError } from './codes';

/** RFC 9252 §3.2.1: the SID Structure sub-sub-TLV (type 1), six one-byte lengths/offsets. */
export interface Srv6SidStructure {
  locatorBlock: number;
  locatorNode: number;
  func: number;
  argument: number;
  transpositionLength: number;
  transpositionOffset: number;
}

/** RFC 9252 §3.1: the SRv6 SID Information sub-TLV (type 1). */
export interface Srv6SidInformation {
  sid: Uint8Array;
  flags: number;
  behavior: number;
  structure?: Srv6SidStructure;
}

export type PrefixSidTlv =
  /** RFC 8669 §3.1. */
  | { kind: 'label-index'; index: number }
  /** RFC 8669 §3.2: [base, range] pairs, 24 bits each. */
  | { kind: 'srgb'; ranges: [number, number][] }
  /** ExaBGP 4.2's draft forms: type 2, type 4, type 5 of 21 bytes (behavior 0xFFFF). */
  | { kind: 'ipv6-sid' | 'srv6-vpn-sid' | 'srv6-l3vpn-sid'; sid: Uint8Array }
  /** RFC 9252 §2: SRv6 L3 (type 5) and L2 (type 6) Service TLVs; unknown sub-TLVs are ignored (§2). */
  | { kind: 'l3-service' | 'l2-service'; sids: Srv6SidInformation[] }
  /** A TLV type tsbgp does not model, kept to be passed on as received (RFC 8669 §6). */
  | { kind: 'unknown'; type: number; value: Uint8Array };

const T_LABEL_INDEX = 1;
const T_IPV6_SID = 2;
const T_SRGB = 3;
const T_SRV6_VPN_SID = 4;
const T_L3_SERVICE = 5;
const T_L2_SERVICE = 6;
const SUB_SID_INFORMATION = 1;
const SUBSUB_STRUCTURE = 1;
const LEGACY_L3VPN_LENGTH = 21;

const malformed = (why: string): DecodeError => attrError(AttrCode.PREFIX_SID, UpdateError.OPTIONAL_ATTRIBUTE, why);

/** Walks type/length(16)/value items of `v`; a length running past the end is malformed. */
function eachTlv(v: Uint8Array, what: string, fn: (type: number, value: Uint8Array) => void): void {
  let off = 0;
  while (off < v.length) {
    if (off + 3 > v.length) throw malformed(`truncated ${what} header`);
    const type = v[off]!;
    const len = (v[off + 1]! << 8) | v[off + 2]!;
    if (off + 3 + len > v.length) throw malformed(`${what} type ${type} length ${len} overruns its container`);
    fn(type, v.subarray(off + 3, off + 3 + len));
    off += 3 + len;
  }
}

/** The SID Structure from its six values in wire order (block, node, function, argument, transposition). */
export function sidStructure(v: ArrayLike<number>): Srv6SidStructure {
  return {
    locatorBlock: v[0]!,
    locatorNode: v[1]!,
    func: v[2]!,
    argument: v[3]!,
    transpositionLength: v[4]!,
    transpositionOffset: v[5]!,
  };
}

function decodeSidInformation(v: Uint8Array): Srv6SidInformation {
  // RFC 9252 §3.1: reserved(1) SID(16) flags(1) behavior(2) reserved(1), then sub-sub-TLVs.
  if (v.length < 21) throw malformed(`SRv6 SID Information sub-TLV of ${v.length} bytes`);
  const info: Srv6SidInformation = { sid: v.slice(1, 17), flags: v[17]!, behavior: (v[18]! << 8) | v[19]! };
  eachTlv(v.subarray(21), 'SRv6 sub-sub-TLV', (type, s) => {
    if (type !== SUBSUB_STRUCTURE) return;
    // RFC 9252 §3.2.1: the SID Structure sub-sub-TLV is 6 bytes.
    if (s.length !== 6 || info.structure !== undefined) throw malformed('bad SRv6 SID Structure sub-sub-TLV');
    info.structure = sidStructure(s);
  });
  return info;
}

function decodeService(v: Uint8Array): Srv6SidInformation[] {
  if (v.length < 1) throw malformed('empty SRv6 Service TLV');
  const sids: Srv6SidInformation[] = [];
  eachTlv(v.subarray(1), 'SRv6 Service sub-TLV', (type, s) => {
    if (type === SUB_SID_INFORMATION) sids.push(decodeSidInformation(s));
  });
  return sids;
}

/** Decodes attribute 40; RFC 8669 §6 / RFC 7606: any malformation discards the whole attribute. */
export function decodePrefixSid(v: Uint8Array, a: Attributes): void {
  const tlvs: PrefixSidTlv[] = [];
  const seen = new Set<number>();
  eachTlv(v, 'TLV', (type, t) => {
    // RFC 8669 §6: more than one Label-Index or Originator SRGB TLV makes the attribute malformed.
    if ((type === T_LABEL_INDEX || type === T_SRGB) && seen.has(type)) throw malformed(`repeated TLV type ${type}`);
    seen.add(type);
    switch (type) {
      case T_LABEL_INDEX:
        // RFC 8669 §3.1: reserved(1) flags(2) label index(4).
        if (t.length !== 7) throw malformed(`Label-Index TLV of ${t.length} bytes, not 7`);
        tlvs.push({ kind: 'label-index', index: ((t[3]! << 24) >>> 0) + ((t[4]! << 16) | (t[5]! << 8) | t[6]!) });
        return;
      case T_SRGB: {
        // RFC 8669 §3.2: flags(2) then 6-byte base/range pairs, at least one.
        if (t.length < 8 || (t.length - 2) % 6 !== 0)
          throw malformed(`Originator SRGB TLV of ${t.length} bytes, not 2 + 6n`);
        const ranges: [number, number][] = [];
        for (let o = 2; o < t.length; o += 6)
          ranges.push([(t[o]! << 16) | (t[o + 1]! << 8) | t[o + 2]!, (t[o + 3]! << 16) | (t[o + 4]! << 8) | t[o + 5]!]);
        tlvs.push({ kind: 'srgb', ranges });
        return;
      }
      case T_IPV6_SID:
      case T_SRV6_VPN_SID:
        // The drafts' forms: 3 reserved/type/flag bytes then the SID.
        if (t.length !== 19) throw malformed(`TLV type ${type} of ${t.length} bytes, not 19`);
        tlvs.push({ kind: type === T_IPV6_SID ? 'ipv6-sid' : 'srv6-vpn-sid', sid: t.slice(3, 19) });
        return;
      case T_L3_SERVICE:
        if (t.length === LEGACY_L3VPN_LENGTH) tlvs.push({ kind: 'srv6-l3vpn-sid', sid: t.slice(1, 17) });
        else tlvs.push({ kind: 'l3-service', sids: decodeService(t) });
        return;
      case T_L2_SERVICE:
        tlvs.push({ kind: 'l2-service', sids: decodeService(t) });
        return;
      default:
        tlvs.push({ kind: 'unknown', type, value: t.slice() });
    }
  });
  a.prefixSid = tlvs;
}

function tlv(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(3 + value.length);
  out[0] = type;
  out[1] = value.length >> 8;
  out[2] = value.length & 0xff;
  out.set(value, 3);
  return out;
}

function encodeSidInformation(s: Srv6SidInformation): Uint8Array {
  const v = new Uint8Array(21 + (s.structure ? 9 : 0));
  v.set(s.sid, 1);
  v[17] = s.flags;
  v[18] = s.behavior >> 8;
  v[19] = s.behavior & 0xff;
  const st = s.structure;
  if (st) {
    v.set([SUBSUB_STRUCTURE, 0, 6, st.locatorBlock, st.locatorNode, st.func, st.argument], 21);
    v.set([st.transpositionLength, st.transpositionOffset], 28);
  }
  return tlv(SUB_SID_INFORMATION, v);
}

function encodeTlv(t: PrefixSidTlv): Uint8Array {
  switch (t.kind) {
    case 'label-index': {
      const v = new Uint8Array(7);
      new DataView(v.buffer).setUint32(3, t.index);
      return tlv(T_LABEL_INDEX, v);
    }
    case 'srgb': {
      const v = new Uint8Array(2 + 6 * t.ranges.length);
      t.ranges.forEach(([base, range], i) => {
        v.set([base >> 16, (base >> 8) & 0xff, base & 0xff, range >> 16, (range >> 8) & 0xff, range & 0xff], 2 + 6 * i);
      });
      return tlv(T_SRGB, v);
    }
    case 'ipv6-sid':
    case 'srv6-vpn-sid': {
      const v = new Uint8Array(19);
      v.set(t.sid, 3);
      return tlv(t.kind === 'ipv6-sid' ? T_IPV6_SID : T_SRV6_VPN_SID, v);
    }
    case 'srv6-l3vpn-sid': {
      // As ExaBGP 4.2 sends it: reserved, SID, flags 0, behavior 0xFFFF (opaque), reserved.
      const v = new Uint8Array(LEGACY_L3VPN_LENGTH);
      v.set(t.sid, 1);
      v[18] = 0xff;
      v[19] = 0xff;
      return tlv(T_L3_SERVICE, v);
    }
    case 'l3-service':
    case 'l2-service':
      return tlv(
        t.kind === 'l3-service' ? T_L3_SERVICE : T_L2_SERVICE,
        concatBytes([new Uint8Array(1), ...t.sids.map(encodeSidInformation)]),
      );
    case 'unknown':
      return tlv(t.type, t.value);
  }
}

/** The attribute's value, TLVs in the order given (ExaBGP sends Label-Index before Originator SRGB). */
export function encodePrefixSid(tlvs: readonly PrefixSidTlv[]): Uint8Array {
  return concatBytes(tlvs.map(encodeTlv));
}
