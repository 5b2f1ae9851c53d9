// MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4), next hops per RFC 4760/2545 and RFC 8950.
// Errors follow RFC 7606 §7.11: AFI/SAFI disable when the family can be read, session reset otherwise.

import { DecodeError, ErrorCode } from '../errors';
import { isLabeledFamily } from '../nlri/labeled';
import { familyCodec, familyName } from '../nlri/registry';
// Every family's codec, registered before the first UPDATE is read (see nlri/families.ts).
import '../nlri/families';
import { AFI, type FamilyKey, familyKey, type MpReach, type MpUnreach, type NlriBlock, SAFI } from '../types';
import { AttrCode, attributeName, UpdateError } from './codes';

function mpError(code: number, family: FamilyKey | undefined, why: string): DecodeError {
  const where = family === undefined ? '' : ` (${familyName(family)})`;
  return new DecodeError(
    ErrorCode.UPDATE_MESSAGE,
    UpdateError.OPTIONAL_ATTRIBUTE,
    `${attributeName(code)}${where}: ${why}`,
    family === undefined ? 'session-reset' : 'afisafi-disable',
    new Uint8Array(0),
    family,
  );
}

/** Next hop lengths allowed for the families whose codecs live in this module; others are left to their codec. */
function nextHopLengthOk(family: FamilyKey, n: number): boolean | undefined {
  const afi = Math.floor(family / 256);
  const safi = family % 256;
  if (isLabeledFamily(family) && safi === SAFI.MPLS_VPN) {
    // RFC 4364 §4.3.2 / RFC 4659 §3.2.1: an RD of zero then an IPv4 (12) or IPv6 address (24; 48 with the
    // link-local one, each behind its RD; 40, one RD, is what ExaBGP 4.2 expects for that and is taken too);
    // RFC 8950 §3: VPN-IPv4 routes may have a VPN-IPv6 next hop.
    return n === 12 || n === 24 || n === 40 || n === 48;
  }
  if (safi !== SAFI.UNICAST && safi !== SAFI.MULTICAST && safi !== SAFI.MPLS_LABEL) return undefined;
  // RFC 2545 §3: 16 or 32 (global + link-local); RFC 8950 §3: IPv4 NLRI may carry an IPv6 next hop. IPv6 NLRI
  // with a 4-byte IPv4 next hop is what ExaBGP sends for `nexthop { ipv6 unicast ipv4; }` (the extended next
  // hop capability's other direction) and accepts: taken too, so such routes are not lost.
  if (afi === AFI.IPV4 || afi === AFI.IPV6) return n === 4 || n === 16 || n === 32;
  return undefined;
}

function scanBlock(code: number, family: FamilyKey, data: Uint8Array, addPath: boolean): NlriBlock {
  const codec = familyCodec(family);
  // A family without a codec (not negotiated, or not supported) is kept as opaque bytes: count 0, never walked.
  if (!codec) return { family, addPath, data, count: 0 };
  try {
    return { family, addPath, data, count: codec.scan(data, addPath) };
  } catch (e) {
    if (e instanceof DecodeError) {
      if (e.action === 'treat-as-withdraw' || e.action === 'attribute-discard') throw e;
      throw new DecodeError(
        e.code,
        e.subcode,
        `${attributeName(code)}: ${e.message}`,
        e.action,
        e.data,
        e.family ?? family,
      );
    }
    throw mpError(code, family, `NLRI could not be parsed: ${String(e)}`);
  }
}

export function decodeMpReach(v: Uint8Array, addPathFamilies: ReadonlySet<FamilyKey>): MpReach {
  if (v.length < 3) throw mpError(AttrCode.MP_REACH_NLRI, undefined, `length ${v.length} too short`);
  const family = familyKey((v[0]! << 8) | v[1]!, v[2]!);
  if (v.length < 5) throw mpError(AttrCode.MP_REACH_NLRI, family, `length ${v.length} too short`);
  const nhLen = v[3]!;
  // AFI, SAFI, next hop length, next hop, reserved octet.
  if (5 + nhLen > v.length)
    throw mpError(AttrCode.MP_REACH_NLRI, family, `next hop length ${nhLen} overruns the attribute`);
  if (nextHopLengthOk(family, nhLen) === false)
    throw mpError(AttrCode.MP_REACH_NLRI, family, `invalid next hop length ${nhLen}`);
  const nextHop = v.slice(4, 4 + nhLen);
  const nlri = scanBlock(AttrCode.MP_REACH_NLRI, family, v.subarray(5 + nhLen), addPathFamilies.has(family));
  return { family, nextHop, nlri };
}

export function decodeMpUnreach(v: Uint8Array, addPathFamilies: ReadonlySet<FamilyKey>): MpUnreach {
  if (v.length < 3) throw mpError(AttrCode.MP_UNREACH_NLRI, undefined, `length ${v.length} too short`);
  const family = familyKey((v[0]! << 8) | v[1]!, v[2]!);
  const nlri = scanBlock(AttrCode.MP_UNREACH_NLRI, family, v.subarray(3), addPathFamilies.has(family));
  return { family, nlri };
}

/** Bytes of MP_REACH before the NLRI: AFI, SAFI, next hop length, next hop, reserved. */
export function mpReachHead(family: FamilyKey, nextHop: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + nextHop.length);
  out[0] = (family >>> 16) & 0xff; // AFI high byte (family = afi * 256 + safi)
  out[1] = (family >>> 8) & 0xff;
  out[2] = family & 0xff;
  out[3] = nextHop.length;
  out.set(nextHop, 4);
  return out;
}

export function encodeMpReach(m: MpReach): Uint8Array {
  const head = mpReachHead(m.family, m.nextHop);
  const out = new Uint8Array(head.length + m.nlri.data.length);
  out.set(head);
  out.set(m.nlri.data, head.length);
  return out;
}

export function encodeMpUnreach(m: MpUnreach): Uint8Array {
  const out = new Uint8Array(3 + m.nlri.data.length);
  out[0] = (m.family >>> 16) & 0xff;
  out[1] = (m.family >>> 8) & 0xff;
  out[2] = m.family & 0xff;
  out.set(m.nlri.data, 3);
  return out;
}
