// UPDATE message codec (RFC 4271 §4.3) with RFC 7606 revised error handling, RFC 4760 multiprotocol NLRI,
// RFC 6793 4-octet AS, RFC 7911 ADD-PATH and RFC 4724 End-of-RIB. Pure: bytes in, values out, no I/O.
//
// Decoding allocates per UPDATE, never per prefix: the withdrawn, NLRI and MP_REACH/MP_UNREACH blocks are views
// into the received body, validated and counted by the family codec's scan.

import { decodeAigp, encodeAigp } from './attributes/aigp';
import { AS_TRANS, encodeAsPath, mergeAs4Path, parseAsPath, toTwoOctet, withoutConfed } from './attributes/aspath';
import {
  decodeAtomicAggregate,
  decodeClusterList,
  decodeLocalPref,
  decodeMed,
  decodeNextHop,
  decodeOrigin,
  decodeOriginatorId,
  encodeAggregator,
  encodeList,
  encodeU32,
  parseAggregator,
} from './attributes/basic';
import {
  AttrCode,
  AttrFlag,
  attrError,
  attributeName,
  F_ON,
  F_OT,
  F_WK,
  KNOWN_ATTRIBUTES,
  UpdateError,
} from './attributes/codes';
import {
  decodeCommunities,
  decodeExtendedCommunities,
  decodeIpv6ExtendedCommunities,
  decodeLargeCommunities,
  encodeCommunities,
  encodeLargeCommunities,
} from './attributes/communities';
import { decodeMpReach, decodeMpUnreach, encodeMpReach, encodeMpUnreach, mpReachHead } from './attributes/mp';
import { decodePrefixSid, encodePrefixSid } from './attributes/prefixsid';
import { EMPTY, readU16, writeHeader, writeU16, writeU32 } from './bytes';
import { DecodeError, ErrorCode } from './errors';
import { scanPrefixes } from './nlri/prefix';
import {
  type Aggregator,
  type AsPathSegment,
  type Attributes,
  type CodecContext,
  type FamilyKey,
  HEADER_LENGTH,
  IPV4_UNICAST,
  MessageType,
  type NlriBlock,
  type Update,
} from './types';

// ---------------------------------------------------------------------------------------------------------------
// Decoding

function messageError(subcode: number, why: string): DecodeError {
  return new DecodeError(ErrorCode.UPDATE_MESSAGE, subcode, why, 'session-reset');
}

/** The IPv4 fields of the body. RFC 7606 §5.3: an unparsable NLRI field cannot be treat-as-withdraw'n. */
function bodyBlock(data: Uint8Array, addPath: boolean, what: string): NlriBlock {
  if (data.length === 0) return { family: IPV4_UNICAST, addPath, data, count: 0 };
  try {
    return { family: IPV4_UNICAST, addPath, data, count: scanPrefixes(data, addPath, 32, IPV4_UNICAST) };
  } catch (e) {
    throw messageError(UpdateError.INVALID_NETWORK_FIELD, `${what}: ${(e as Error).message}`);
  }
}

/** State gathered while walking the attributes that only means something once all are read. */
interface Pending {
  as4Path?: AsPathSegment[];
  as4Aggregator?: Aggregator;
}

/** An IPv4 NEXT_HOP that can name a host: not multicast (224/4), not 0.0.0.0, not 255.255.255.255. */
function isHostAddress(v: Uint8Array): boolean {
  if (v[0]! >= 224 && v[0]! <= 239) return false;
  const all = (b: number): boolean => v[0] === b && v[1] === b && v[2] === b && v[3] === b;
  return !all(0) && !all(255);
}

function decodeOne(code: number, v: Uint8Array, ctx: CodecContext, a: Attributes, p: Pending): void {
  switch (code) {
    case AttrCode.ORIGIN:
      return decodeOrigin(v, a);
    case AttrCode.AS_PATH:
      a.asPath = parseAsPath(code, v, ctx.asn4);
      return;
    case AttrCode.NEXT_HOP:
      decodeNextHop(v, a);
      // RFC 4271 §6.3: the NEXT_HOP must be a valid IP host address, which a multicast address, 0.0.0.0 and
      // the limited broadcast 255.255.255.255 are not; RFC 7606 §7.3: treat-as-withdraw.
      if (!isHostAddress(v)) {
        delete a.nextHop;
        throw attrError(code, UpdateError.INVALID_NEXT_HOP, `${v[0]}.${v[1]}.${v[2]}.${v[3]} is not a host address`);
      }
      return;
    case AttrCode.MED:
      return decodeMed(v, a);
    case AttrCode.LOCAL_PREF:
      return decodeLocalPref(v, a);
    case AttrCode.ATOMIC_AGGREGATE:
      return decodeAtomicAggregate(v, a);
    case AttrCode.AGGREGATOR:
      a.aggregator = parseAggregator(code, v, ctx.asn4);
      return;
    case AttrCode.COMMUNITIES:
      return decodeCommunities(v, a);
    case AttrCode.ORIGINATOR_ID:
      return decodeOriginatorId(v, a);
    case AttrCode.CLUSTER_LIST:
      return decodeClusterList(v, a);
    case AttrCode.MP_REACH_NLRI:
      a.mpReach = decodeMpReach(v, ctx.addPath);
      return;
    case AttrCode.MP_UNREACH_NLRI:
      a.mpUnreach = decodeMpUnreach(v, ctx.addPath);
      return;
    case AttrCode.EXTENDED_COMMUNITIES:
      return decodeExtendedCommunities(v, a);
    case AttrCode.AS4_PATH:
      p.as4Path = withoutConfed(parseAsPath(code, v, true));
      return;
    case AttrCode.AS4_AGGREGATOR:
      p.as4Aggregator = parseAggregator(code, v, true);
      return;
    case AttrCode.IPV6_EXTENDED_COMMUNITIES:
      return decodeIpv6ExtendedCommunities(v, a);
    case AttrCode.AIGP:
      return decodeAigp(v, a);
    case AttrCode.LARGE_COMMUNITIES:
      return decodeLargeCommunities(v, a);
    case AttrCode.PREFIX_SID:
      return decodePrefixSid(v, a);
  }
}

const MANDATORY = [AttrCode.ORIGIN, AttrCode.AS_PATH, AttrCode.NEXT_HOP] as const;

function decodeAttributes(attrs: Uint8Array, ctx: CodecContext, u: Update): number {
  const a = u.attributes;
  const end = attrs.length;
  const pending: Pending = {};
  // Codes seen so far: a bit mask for the common codes below 32, a set for the rest (RFC 7606 §3.g duplicates).
  let seenLow = 0;
  let seenHigh: Set<number> | undefined;
  let parsed = 0;
  let off = 0;
  while (off < end) {
    const start = off;
    // RFC 7606 §4: too few bytes left for an attribute header, or an attribute running past the Total Path
    // Attribute Length. The NLRI is still located by that length, so the update can be treat-as-withdraw'n.
    if (end - off < 3) {
      u.issues.push(
        new DecodeError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateError.MALFORMED_ATTRIBUTE_LIST,
          'truncated attribute header',
          'treat-as-withdraw',
        ),
      );
      break;
    }
    const flags = attrs[off]!;
    const code = attrs[off + 1]!;
    let len: number;
    let hdr: number;
    if (flags & AttrFlag.EXTENDED_LENGTH) {
      if (end - off < 4) {
        u.issues.push(
          new DecodeError(
            ErrorCode.UPDATE_MESSAGE,
            UpdateError.MALFORMED_ATTRIBUTE_LIST,
            'truncated attribute header',
            'treat-as-withdraw',
          ),
        );
        break;
      }
      len = readU16(attrs, off + 2);
      hdr = 4;
    } else {
      len = attrs[off + 2]!;
      hdr = 3;
    }
    if (off + hdr + len > end) {
      u.issues.push(
        new DecodeError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateError.ATTRIBUTE_LENGTH,
          `${attributeName(code)}: length ${len} overruns the attribute list`,
          'treat-as-withdraw',
          attrs.slice(start, end),
        ),
      );
      break;
    }
    const v = attrs.subarray(off + hdr, off + hdr + len);
    off += hdr + len;
    parsed++;

    let dup: boolean;
    if (code < 32) {
      const bit = 1 << code;
      dup = (seenLow & bit) !== 0;
      seenLow |= bit;
    } else {
      seenHigh ??= new Set();
      dup = seenHigh.has(code);
      seenHigh.add(code);
    }
    if (dup) {
      // RFC 7606 §3.g: a repeated MP_REACH/MP_UNREACH is fatal; any other repeat is dropped after the first.
      if (code === AttrCode.MP_REACH_NLRI || code === AttrCode.MP_UNREACH_NLRI) {
        throw messageError(UpdateError.MALFORMED_ATTRIBUTE_LIST, `${attributeName(code)} appears more than once`);
      }
      u.issues.push(
        new DecodeError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateError.MALFORMED_ATTRIBUTE_LIST,
          `${attributeName(code)} appears more than once: repeats discarded`,
          'attribute-discard',
        ),
      );
      continue;
    }

    const known = KNOWN_ATTRIBUTES.get(code);
    if (known === undefined) {
      if ((flags & AttrFlag.OPTIONAL) === 0) {
        throw new DecodeError(
          ErrorCode.UPDATE_MESSAGE,
          UpdateError.UNRECOGNIZED_WELL_KNOWN,
          `unrecognized well-known attribute ${code}`,
          'session-reset',
          attrs.slice(start, off),
        );
      }
      // RFC 4271 §5: kept so it can be passed on; an optional transitive one we do not recognize goes on with
      // Partial set, so it is set here, once. Extended Length is kept as received, for display (ExaBGP shows
      // the flags as received); the encoder sets that bit from the value's length.
      let kept = flags;
      if ((kept & F_OT) === F_OT) kept |= AttrFlag.PARTIAL;
      (a.other ??= []).push({ flags: kept, code, value: v.slice() });
      continue;
    }
    // RFC 6793 §4.1: between two 4-octet speakers AS4_PATH/AS4_AGGREGATOR carry nothing and are ignored.
    if (ctx.asn4 && (code === AttrCode.AS4_PATH || code === AttrCode.AS4_AGGREGATOR)) continue;

    try {
      // RFC 7606 §3.c: Optional/Transitive bits in conflict make the attribute malformed, handled as its kind says.
      if ((flags & (AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE)) !== known.flags) {
        throw attrError(
          code,
          UpdateError.ATTRIBUTE_FLAGS,
          `flags 0x${flags.toString(16)} in conflict with the attribute`,
        );
      }
      decodeOne(code, v, ctx, a, pending);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      // RFC 4271 §6.3: the NOTIFICATION data is the erroneous attribute (type, length, value).
      const err =
        e.data.length > 0
          ? e
          : new DecodeError(e.code, e.subcode, e.message, e.action, attrs.slice(start, off), e.family);
      if (err.action === 'session-reset' || err.action === 'afisafi-disable') throw err;
      u.issues.push(err);
    }
  }

  // RFC 6793 §4.2.3: on a 2-octet session rebuild the 4-octet aggregator and path.
  if (!ctx.asn4) {
    let ignoreAs4Path = false;
    if (pending.as4Aggregator && a.aggregator) {
      // An AGGREGATOR without AS_TRANS means the aggregating speaker was OLD: both AS4 attributes are stale.
      if (a.aggregator.asn === AS_TRANS) a.aggregator = pending.as4Aggregator;
      else ignoreAs4Path = true;
    }
    if (pending.as4Path && a.asPath && !ignoreAs4Path) a.asPath = mergeAs4Path(a.asPath, pending.as4Path);
  }

  // RFC 7606 §3.d: mandatory attributes are only required when there is something to announce; NEXT_HOP only
  // for NLRI in the body (RFC 4760 §3: MP_REACH carries its own).
  const mpNlri = a.mpReach !== undefined && a.mpReach.nlri.data.length > 0;
  if (u.nlri.count > 0 || mpNlri) {
    for (const code of MANDATORY) {
      if (code === AttrCode.NEXT_HOP && u.nlri.count === 0) continue;
      if ((seenLow & (1 << code)) === 0) {
        u.issues.push(
          new DecodeError(
            ErrorCode.UPDATE_MESSAGE,
            UpdateError.MISSING_WELL_KNOWN,
            `missing well-known attribute ${attributeName(code)}`,
            'treat-as-withdraw',
            Uint8Array.of(code),
          ),
        );
      }
    }
  }
  return parsed;
}

/**
 * Decode an UPDATE body (the bytes after the 19-byte header). Throws DecodeError for 'session-reset' and
 * 'afisafi-disable' errors; records 'treat-as-withdraw' and 'attribute-discard' ones in `issues`.
 */
export function decodeUpdate(body: Uint8Array, ctx: CodecContext): Update {
  try {
    return decodeUpdateBody(body, ctx);
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    // Every read is bounds-checked; should a bug slip through, the session still gets a proper NOTIFICATION.
    throw new DecodeError(
      ErrorCode.UPDATE_MESSAGE,
      UpdateError.MALFORMED_ATTRIBUTE_LIST,
      `internal decoder error: ${String(e)}`,
    );
  }
}

function decodeUpdateBody(body: Uint8Array, ctx: CodecContext): Update {
  const n = body.length;
  // RFC 4271 §6.3: lengths that do not add up are "Malformed Attribute List".
  if (n < 4) throw messageError(UpdateError.MALFORMED_ATTRIBUTE_LIST, `UPDATE body of ${n} bytes is too short`);
  const wlen = readU16(body, 0);
  if (4 + wlen > n)
    throw messageError(UpdateError.MALFORMED_ATTRIBUTE_LIST, `withdrawn routes length ${wlen} overruns the message`);
  const alen = readU16(body, 2 + wlen);
  const aStart = 4 + wlen;
  if (aStart + alen > n)
    throw messageError(
      UpdateError.MALFORMED_ATTRIBUTE_LIST,
      `total path attribute length ${alen} overruns the message`,
    );
  const addPath = ctx.addPath.has(IPV4_UNICAST);
  const withdrawn = bodyBlock(body.subarray(2, 2 + wlen), addPath, 'withdrawn routes');
  const nlri = bodyBlock(body.subarray(aStart + alen), addPath, 'NLRI');
  const u: Update = { withdrawn, attributes: {}, nlri, issues: [] };
  if (alen === 0) {
    // RFC 4724 §2: an UPDATE with nothing in it is the IPv4 unicast End-of-RIB.
    if (wlen === 0 && nlri.data.length === 0) u.eorFamily = IPV4_UNICAST;
    return u;
  }
  const parsed = decodeAttributes(body.subarray(aStart, aStart + alen), ctx, u);
  const a = u.attributes;
  // RFC 4724 §2: an UPDATE holding only an empty MP_UNREACH_NLRI is that family's End-of-RIB.
  if (parsed === 1 && wlen === 0 && nlri.data.length === 0 && a.mpUnreach && a.mpUnreach.nlri.data.length === 0) {
    u.eorFamily = a.mpUnreach.family;
  }
  return u;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

interface Item {
  code: number;
  flags: number;
  value: Uint8Array;
}

function attributeItems(a: Attributes, ctx: CodecContext): Item[] {
  const items: Item[] = [];
  const add = (code: number, flags: number, value: Uint8Array): void => {
    items.push({ code, flags, value });
  };
  if (a.origin !== undefined) add(AttrCode.ORIGIN, F_WK, Uint8Array.of(a.origin));
  if (a.asPath !== undefined) {
    if (ctx.asn4) {
      add(AttrCode.AS_PATH, F_WK, encodeAsPath(a.asPath, true));
    } else {
      // RFC 6793 §4.2.2: AS_TRANS for what a 2-octet speaker cannot hold, the real path in AS4_PATH.
      const { path, needsAs4 } = toTwoOctet(a.asPath);
      add(AttrCode.AS_PATH, F_WK, encodeAsPath(path, false));
      if (needsAs4) add(AttrCode.AS4_PATH, F_OT, encodeAsPath(withoutConfed(a.asPath), true));
    }
  }
  if (a.nextHop !== undefined) {
    // NEXT_HOP is IPv4 only (RFC 4271 §5.1.3); an IPv6 next hop belongs in MP_REACH_NLRI (packUpdates does that).
    if (a.nextHop.length !== 4) throw new RangeError(`NEXT_HOP must be 4 bytes, not ${a.nextHop.length}`);
    add(AttrCode.NEXT_HOP, F_WK, a.nextHop);
  }
  if (a.med !== undefined) add(AttrCode.MED, F_ON, encodeU32(a.med));
  if (a.localPref !== undefined) add(AttrCode.LOCAL_PREF, F_WK, encodeU32(a.localPref));
  if (a.atomicAggregate) add(AttrCode.ATOMIC_AGGREGATE, F_WK, EMPTY);
  if (a.aggregator !== undefined) {
    if (ctx.asn4) {
      add(AttrCode.AGGREGATOR, F_OT, encodeAggregator(a.aggregator, true));
    } else if (a.aggregator.asn > 0xffff) {
      add(AttrCode.AGGREGATOR, F_OT, encodeAggregator({ asn: AS_TRANS, address: a.aggregator.address }, false));
      add(AttrCode.AS4_AGGREGATOR, F_OT, encodeAggregator(a.aggregator, true));
    } else {
      add(AttrCode.AGGREGATOR, F_OT, encodeAggregator(a.aggregator, false));
    }
  }
  if (a.communities !== undefined && a.communities.length > 0)
    add(AttrCode.COMMUNITIES, F_OT, encodeCommunities(a.communities));
  if (a.originatorId !== undefined) add(AttrCode.ORIGINATOR_ID, F_ON, a.originatorId.subarray(0, 4));
  if (a.clusterList !== undefined && a.clusterList.length > 0)
    add(AttrCode.CLUSTER_LIST, F_ON, encodeList(a.clusterList, 4));
  if (a.mpReach !== undefined) add(AttrCode.MP_REACH_NLRI, F_ON, encodeMpReach(a.mpReach));
  if (a.mpUnreach !== undefined) add(AttrCode.MP_UNREACH_NLRI, F_ON, encodeMpUnreach(a.mpUnreach));
  if (a.extendedCommunities !== undefined && a.extendedCommunities.length > 0) {
    add(AttrCode.EXTENDED_COMMUNITIES, F_OT, encodeList(a.extendedCommunities, 8));
  }
  if (a.ipv6ExtendedCommunities !== undefined && a.ipv6ExtendedCommunities.length > 0) {
    add(AttrCode.IPV6_EXTENDED_COMMUNITIES, F_OT, encodeList(a.ipv6ExtendedCommunities, 20));
  }
  if (a.aigp !== undefined) add(AttrCode.AIGP, F_ON, encodeAigp(a.aigp));
  if (a.largeCommunities !== undefined && a.largeCommunities.length > 0) {
    add(AttrCode.LARGE_COMMUNITIES, F_OT, encodeLargeCommunities(a.largeCommunities));
  }
  if (a.prefixSid !== undefined) add(AttrCode.PREFIX_SID, F_OT, encodePrefixSid(a.prefixSid));
  if (a.other !== undefined) {
    // A modelled code written by hand (`attribute [ 0x20 0xc0 ... ]`) is sent as written unless the typed field
    // is there too: two attributes of one code would be malformed (RFC 7606 §3g), and the typed field wins.
    const typed = new Set(items.map((it) => it.code));
    for (const o of a.other) {
      if (typed.has(o.code)) continue;
      // Flags go out as given: the decoder already set Partial on what it could not recognize (RFC 4271 §5).
      add(o.code, o.flags & ~AttrFlag.EXTENDED_LENGTH, o.value);
    }
  }
  // Order by type code (RFC 4271 §5 SHOULD), sort being stable so repeated unknown codes keep their order;
  // AS4_PATH and AS4_AGGREGATOR follow the attribute they complete, as ExaBGP sends them, so that the same
  // route gives the same bytes from both speakers.
  items.sort((x, y) => orderKey(x.code) - orderKey(y.code));
  return items;
}

const orderKey = (code: number): number =>
  code === AttrCode.AS4_PATH
    ? AttrCode.AS_PATH + 0.5
    : code === AttrCode.AS4_AGGREGATOR
      ? AttrCode.AGGREGATOR + 0.5
      : code;

function itemsSize(items: readonly Item[]): number {
  let n = 0;
  for (const it of items) n += (it.value.length > 255 ? 4 : 3) + it.value.length;
  return n;
}

function writeItems(items: readonly Item[], out: Uint8Array, off: number): number {
  for (const it of items) {
    const L = it.value.length;
    if (L > 0xffff) throw new RangeError(`${attributeName(it.code)} is ${L} bytes, more than an attribute can hold`);
    if (L > 255) {
      out[off] = it.flags | AttrFlag.EXTENDED_LENGTH;
      out[off + 1] = it.code;
      writeU16(out, off + 2, L);
      off += 4;
    } else {
      out[off] = it.flags & ~AttrFlag.EXTENDED_LENGTH;
      out[off + 1] = it.code;
      out[off + 2] = L;
      off += 3;
    }
    out.set(it.value, off);
    off += L;
  }
  return off;
}

function serialize(items: readonly Item[]): Uint8Array {
  const out = new Uint8Array(itemsSize(items));
  writeItems(items, out, 0);
  return out;
}

/**
 * Path attributes as they go in an UPDATE, in type code order. On a 2-octet session (ctx.asn4 false) 4-octet AS
 * numbers become AS_TRANS with AS4_PATH/AS4_AGGREGATOR alongside (RFC 6793 §4.2.2).
 */
export function encodeAttributes(a: Attributes, ctx: CodecContext): Uint8Array {
  return serialize(attributeItems(a, ctx));
}

/** A growable byte buffer that encodeAttributesInto appends to: bytes[0, length) are in use. */
export interface ByteSink {
  bytes: Uint8Array;
  length: number;
}

function reserve(s: ByteSink, n: number): Uint8Array {
  if (s.length + n > s.bytes.length) {
    const b = new Uint8Array(Math.max(s.bytes.length * 2, s.length + n, 256));
    b.set(s.bytes.subarray(0, s.length));
    s.bytes = b;
  }
  return s.bytes;
}

/** Appends one attribute (header and value) whose value is `len` bytes; returns where the value goes. */
function attrHead(s: ByteSink, flags: number, code: number, len: number): number {
  if (len > 0xffff) throw new RangeError(`${attributeName(code)} is ${len} bytes, more than an attribute can hold`);
  const b = reserve(s, len + 4);
  const off = writeAttrHeader(b, s.length, len > 255 ? flags | AttrFlag.EXTENDED_LENGTH : flags, code, len);
  s.length = off + len;
  return off;
}

function putU32(s: ByteSink, flags: number, code: number, v: number): void {
  // The offset first: attrHead may move s.bytes to a bigger buffer.
  const off = attrHead(s, flags, code, 4);
  writeU32(s.bytes, off, v);
}

function putBytes(s: ByteSink, flags: number, code: number, v: Uint8Array): void {
  const off = attrHead(s, flags, code, v.length);
  s.bytes.set(v, off);
}

function putList(s: ByteSink, flags: number, code: number, items: readonly Uint8Array[], size: number): void {
  let off = attrHead(s, flags, code, items.length * size);
  // Items are 4, 8, 12 or 20 bytes: copied by hand, since a subarray and a native set() per item cost more.
  const b = s.bytes;
  for (const it of items) {
    for (let i = 0; i < size; i++) b[off + i] = it[i]!;
    off += size;
  }
}

/**
 * encodeAttributes appended to `out`, the bytes identical, without an object per attribute: what interning
 * a million distinct attribute sets runs once per set. `nextHop`, when given, stands for `a.nextHop` (a
 * caller that folds the IPv4 next hop in then needs no copy of `a`). Attributes this writer does not
 * model itself (hand-written `other` ones, MP_REACH/MP_UNREACH, a 2-octet AS session) take the general
 * path; the result is the same either way.
 */
export function encodeAttributesInto(a: Attributes, ctx: CodecContext, out: ByteSink, nextHop?: Uint8Array): number {
  const nh = nextHop ?? a.nextHop;
  if (!ctx.asn4 || a.other !== undefined || a.mpReach !== undefined || a.mpUnreach !== undefined) {
    const enc = encodeAttributes(nextHop === undefined ? a : { ...a, nextHop }, ctx);
    reserve(out, enc.length).set(enc, out.length);
    out.length += enc.length;
    return out.length;
  }
  // Type code order (RFC 4271 §5 SHOULD), as attributeItems sorts them.
  if (a.origin !== undefined) {
    const off = attrHead(out, F_WK, AttrCode.ORIGIN, 1);
    out.bytes[off] = a.origin;
  }
  if (a.asPath !== undefined) {
    let n = 0;
    for (const seg of a.asPath) n += Math.ceil(seg.asns.length / 255) * 2 + seg.asns.length * 4;
    let off = attrHead(out, F_WK, AttrCode.AS_PATH, n);
    const b = out.bytes;
    for (const seg of a.asPath) {
      // RFC 4271 §4.3: a segment holds at most 255 AS numbers (the count is one octet).
      for (let start = 0; start < seg.asns.length; start += 255) {
        const count = Math.min(255, seg.asns.length - start);
        b[off++] = seg.type;
        b[off++] = count;
        for (let i = 0; i < count; i++, off += 4) writeU32(b, off, seg.asns[start + i]!);
      }
    }
  }
  if (nh !== undefined) {
    if (nh.length !== 4) throw new RangeError(`NEXT_HOP must be 4 bytes, not ${nh.length}`);
    putBytes(out, F_WK, AttrCode.NEXT_HOP, nh);
  }
  if (a.med !== undefined) putU32(out, F_ON, AttrCode.MED, a.med);
  if (a.localPref !== undefined) putU32(out, F_WK, AttrCode.LOCAL_PREF, a.localPref);
  if (a.atomicAggregate) attrHead(out, F_WK, AttrCode.ATOMIC_AGGREGATE, 0);
  if (a.aggregator !== undefined) {
    const off = attrHead(out, F_OT, AttrCode.AGGREGATOR, 8);
    writeU32(out.bytes, off, a.aggregator.asn);
    out.bytes.set(a.aggregator.address.subarray(0, 4), off + 4);
  }
  const c = a.communities;
  if (c !== undefined && c.length > 0) {
    let off = attrHead(out, F_OT, AttrCode.COMMUNITIES, c.length * 4);
    for (let i = 0; i < c.length; i++, off += 4) writeU32(out.bytes, off, c[i]!);
  }
  if (a.originatorId !== undefined) putBytes(out, F_ON, AttrCode.ORIGINATOR_ID, a.originatorId.subarray(0, 4));
  if (a.clusterList !== undefined && a.clusterList.length > 0)
    putList(out, F_ON, AttrCode.CLUSTER_LIST, a.clusterList, 4);
  if (a.extendedCommunities !== undefined && a.extendedCommunities.length > 0) {
    putList(out, F_OT, AttrCode.EXTENDED_COMMUNITIES, a.extendedCommunities, 8);
  }
  if (a.ipv6ExtendedCommunities !== undefined && a.ipv6ExtendedCommunities.length > 0) {
    putList(out, F_OT, AttrCode.IPV6_EXTENDED_COMMUNITIES, a.ipv6ExtendedCommunities, 20);
  }
  if (a.aigp !== undefined) putBytes(out, F_ON, AttrCode.AIGP, encodeAigp(a.aigp));
  const l = a.largeCommunities;
  if (l !== undefined && l.length > 0) {
    let off = attrHead(out, F_OT, AttrCode.LARGE_COMMUNITIES, l.length * 12);
    for (let i = 0; i < l.length; i++, off += 12) {
      writeU32(out.bytes, off, l[i]![0]);
      writeU32(out.bytes, off + 4, l[i]![1]);
      writeU32(out.bytes, off + 8, l[i]![2]);
    }
  }
  if (a.prefixSid !== undefined) putBytes(out, F_OT, AttrCode.PREFIX_SID, encodePrefixSid(a.prefixSid));
  return out.length;
}

/** A whole UPDATE message (header included) from decoded parts; RangeError if it exceeds ctx.maxMessage. */
export function encodeUpdate(u: Pick<Update, 'withdrawn' | 'attributes' | 'nlri'>, ctx: CodecContext): Uint8Array {
  const attrs = encodeAttributes(u.attributes, ctx);
  const w = u.withdrawn.data;
  const n = u.nlri.data;
  const total = HEADER_LENGTH + 4 + w.length + attrs.length + n.length;
  if (total > ctx.maxMessage) throw new RangeError(`UPDATE of ${total} bytes exceeds ${ctx.maxMessage}`);
  const out = new Uint8Array(total);
  writeHeader(out, total, MessageType.UPDATE);
  let off = HEADER_LENGTH;
  writeU16(out, off, w.length);
  out.set(w, off + 2);
  off += 2 + w.length;
  writeU16(out, off, attrs.length);
  out.set(attrs, off + 2);
  off += 2 + attrs.length;
  out.set(n, off);
  return out;
}

export interface PackInput {
  family: FamilyKey;
  /** Without mpReach/mpUnreach: packUpdates builds those. */
  attributes: Attributes;
  /** Next hop for MP_REACH families; for IPv4 unicast a 16/32-byte one selects RFC 8950 encoding. */
  nextHop?: Uint8Array;
  /** Each one encoded NLRI entry (path identifier first when ADD-PATH is on). */
  announce: Uint8Array[];
  withdraw: Uint8Array[];
}

// Set by fill(): bytes of the entries it took. A module variable keeps the packing loop allocation-free.
let filled = 0;

/** Index after the last entry from `i` whose lengths sum within `budget`; at least one entry or a RangeError. */
function fill(entries: readonly Uint8Array[], i: number, budget: number): number {
  let used = 0;
  let j = i;
  const n = entries.length;
  while (j < n) {
    const l = entries[j]!.length;
    if (used + l > budget) break;
    used += l;
    j++;
  }
  if (j === i)
    throw new RangeError(`an NLRI entry of ${entries[i]!.length} bytes does not fit in a ${budget}-byte space`);
  filled = used;
  return j;
}

function copyEntries(entries: readonly Uint8Array[], i: number, j: number, out: Uint8Array, off: number): number {
  for (let k = i; k < j; k++) {
    const e = entries[k]!;
    const L = e.length;
    // Unicast entries are a few bytes: a plain loop beats TypedArray.set's call overhead.
    if (L <= 16) {
      for (let b = 0; b < L; b++) out[off + b] = e[b]!;
    } else {
      out.set(e, off);
    }
    off += L;
  }
  return off;
}

/** Attribute header (flags, code, length) for a value of `len` bytes; returns the new offset. */
function writeAttrHeader(out: Uint8Array, off: number, flags: number, code: number, len: number): number {
  if (len > 255) {
    out[off] = flags | AttrFlag.EXTENDED_LENGTH;
    out[off + 1] = code;
    writeU16(out, off + 2, len);
    return off + 4;
  }
  out[off] = flags;
  out[off + 1] = code;
  out[off + 2] = len;
  return off + 3;
}

function afiSafiBytes(k: FamilyKey): Uint8Array {
  return Uint8Array.of((k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff);
}

/**
 * Full UPDATE messages carrying `p`: as many NLRI per message as fit in ctx.maxMessage, the attributes encoded
 * once. Withdrawals come first (IPv4 unicast in the Withdrawn Routes field, other families in MP_UNREACH_NLRI),
 * then announcements (IPv4 unicast in the body with NEXT_HOP, unless the next hop is IPv6 — RFC 8950 — or the
 * family is another one, then in MP_REACH_NLRI).
 */
export function packUpdates(p: PackInput, ctx: CodecContext): Uint8Array[] {
  const out: Uint8Array[] = [];
  const max = ctx.maxMessage;
  const v4 = p.family === IPV4_UNICAST;
  const fixed = HEADER_LENGTH + 4; // header, withdrawn length, total path attribute length

  if (p.withdraw.length > 0) {
    const w = p.withdraw;
    if (v4) {
      for (let i = 0; i < w.length; ) {
        const j = fill(w, i, max - fixed);
        const total = fixed + filled;
        const msg = new Uint8Array(total);
        writeHeader(msg, total, MessageType.UPDATE);
        writeU16(msg, HEADER_LENGTH, filled);
        copyEntries(w, i, j, msg, HEADER_LENGTH + 2);
        // The trailing total path attribute length is already zero.
        out.push(msg);
        i = j;
      }
    } else {
      const afiSafi = afiSafiBytes(p.family);
      for (let i = 0; i < w.length; ) {
        const j = fill(w, i, max - fixed - 4 - 3);
        const value = 3 + filled;
        const alen = (value > 255 ? 4 : 3) + value;
        const total = fixed + alen;
        const msg = new Uint8Array(total);
        writeHeader(msg, total, MessageType.UPDATE);
        writeU16(msg, HEADER_LENGTH + 2, alen);
        const off = writeAttrHeader(msg, HEADER_LENGTH + 4, F_ON, AttrCode.MP_UNREACH_NLRI, value);
        msg.set(afiSafi, off);
        copyEntries(w, i, j, msg, off + 3);
        out.push(msg);
        i = j;
      }
    }
  }

  if (p.announce.length > 0) {
    const ann = p.announce;
    // An MP next hop given in attributes.nextHop is accepted too (e.g. IPv4 multicast, or an IPv6 one for RFC 8950).
    const nh = p.nextHop ?? p.attributes.nextHop;
    const base: Attributes = { ...p.attributes };
    delete base.mpReach;
    delete base.mpUnreach;
    if (v4 && (nh === undefined || nh.length === 4)) {
      if (base.nextHop === undefined || base.nextHop.length !== 4) {
        if (nh === undefined) delete base.nextHop;
        else base.nextHop = nh;
      }
      const attrs = encodeAttributes(base, ctx);
      const budget = max - fixed - attrs.length;
      for (let i = 0; i < ann.length; ) {
        const j = fill(ann, i, budget);
        const total = fixed + attrs.length + filled;
        const msg = new Uint8Array(total);
        writeHeader(msg, total, MessageType.UPDATE);
        writeU16(msg, HEADER_LENGTH + 2, attrs.length);
        msg.set(attrs, fixed);
        copyEntries(ann, i, j, msg, fixed + attrs.length);
        out.push(msg);
        i = j;
      }
    } else {
      if (nh === undefined)
        throw new RangeError(`a next hop is needed to announce ${p.family >>> 8}/${p.family & 0xff} in MP_REACH_NLRI`);
      // RFC 4760 §3: MP_REACH carries the next hop; a NEXT_HOP attribute would only be ignored.
      delete base.nextHop;
      const items = attributeItems(base, ctx);
      const pre = serialize(items.filter((it) => it.code < AttrCode.MP_REACH_NLRI));
      const post = serialize(items.filter((it) => it.code > AttrCode.MP_REACH_NLRI));
      const head = mpReachHead(p.family, nh);
      const budget = max - fixed - pre.length - post.length - 4 - head.length;
      for (let i = 0; i < ann.length; ) {
        const j = fill(ann, i, budget);
        const value = head.length + filled;
        const alen = pre.length + (value > 255 ? 4 : 3) + value + post.length;
        const total = fixed + alen;
        const msg = new Uint8Array(total);
        writeHeader(msg, total, MessageType.UPDATE);
        writeU16(msg, HEADER_LENGTH + 2, alen);
        msg.set(pre, fixed);
        let off = writeAttrHeader(msg, fixed + pre.length, F_ON, AttrCode.MP_REACH_NLRI, value);
        msg.set(head, off);
        off = copyEntries(ann, i, j, msg, off + head.length);
        msg.set(post, off);
        out.push(msg);
        i = j;
      }
    }
  }
  return out;
}

/** RFC 4724 §2 End-of-RIB: an empty UPDATE for IPv4 unicast, an empty MP_UNREACH_NLRI for any other family. */
export function encodeEndOfRib(k: FamilyKey): Uint8Array {
  if (k === IPV4_UNICAST) {
    const msg = new Uint8Array(HEADER_LENGTH + 4);
    writeHeader(msg, msg.length, MessageType.UPDATE);
    return msg;
  }
  const msg = new Uint8Array(HEADER_LENGTH + 4 + 6);
  writeHeader(msg, msg.length, MessageType.UPDATE);
  writeU16(msg, HEADER_LENGTH + 2, 6);
  const off = writeAttrHeader(msg, HEADER_LENGTH + 4, F_ON, AttrCode.MP_UNREACH_NLRI, 3);
  msg.set(afiSafiBytes(k), off);
  return msg;
}
