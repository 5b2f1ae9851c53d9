// Unicast and multicast prefixes (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 path identifiers).
// Decoding never creates per-prefix objects: scan() validates and counts, forEachPrefix() walks with offsets.

import { DecodeError, ErrorCode } from '../errors';
import { ipv4ToString, ipv6ToString } from '../ip';
import { AFI, type FamilyKey, familyKey, type NlriBlock, type Prefix, SAFI } from '../types';
import type { NlriCodec } from './codec';

/** UPDATE message error subcode "Invalid Network Field", RFC 4271 §6.3. */
const INVALID_NETWORK_FIELD = 10;

/** An NLRI entry that cannot be delimited (bad length), for the prefix-based families. */
export function malformed(family: FamilyKey, why: string): DecodeError {
  // RFC 7606 §5.3: a prefix that overruns the field or is too long cannot be treat-as-withdraw'n (the rest of the
  // field cannot be located), so the family is disabled; the UPDATE decoder turns this into a session reset for
  // the IPv4 fields of the UPDATE body.
  return new DecodeError(
    ErrorCode.UPDATE_MESSAGE,
    INVALID_NETWORK_FIELD,
    why,
    'afisafi-disable',
    new Uint8Array(0),
    family,
  );
}

/**
 * Count the prefixes of `data`, checking each length against `maxBits` and the end of the field.
 * Written as one tight loop: this is the hot path of a full-table load.
 */
export function scanPrefixes(data: Uint8Array, addPath: boolean, maxBits: number, family: FamilyKey): number {
  const end = data.length;
  let off = 0;
  let n = 0;
  if (addPath) {
    while (off < end) {
      // 4-byte path identifier then the length byte (RFC 7911 §3).
      if (off + 5 > end) throw malformed(family, 'NLRI path identifier overruns the field');
      const len = data[off + 4]!;
      if (len > maxBits) throw malformed(family, `prefix length ${len} exceeds ${maxBits}`);
      off += 5 + ((len + 7) >> 3);
      n++;
    }
  } else {
    while (off < end) {
      const len = data[off]!;
      if (len > maxBits) throw malformed(family, `prefix length ${len} exceeds ${maxBits}`);
      off += 1 + ((len + 7) >> 3);
      n++;
    }
  }
  if (off !== end) throw malformed(family, 'prefix overruns the NLRI field');
  return n;
}

/**
 * Walk a scanned unicast/multicast block. `off` is the index in `data` of the first prefix byte;
 * `pathId` is 0 when the block has no path identifiers.
 */
export function forEachPrefix(
  block: NlriBlock,
  cb: (len: number, data: Uint8Array, off: number, pathId: number) => void,
): void {
  const d = block.data;
  const end = d.length;
  let off = 0;
  if (block.addPath) {
    while (off + 5 <= end) {
      const pathId = ((d[off]! << 24) >>> 0) + ((d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!);
      const len = d[off + 4]!;
      cb(len, d, off + 5, pathId);
      off += 5 + ((len + 7) >> 3);
    }
  } else {
    while (off < end) {
      const len = d[off]!;
      cb(len, d, off + 1, 0);
      off += 1 + ((len + 7) >> 3);
    }
  }
}

function makeCodec(afi: number, safi: number, name: string): NlriCodec<Prefix> {
  const family = familyKey(afi, safi);
  const bytes = afi === AFI.IPV6 ? 16 : 4;
  const maxBits = bytes * 8;
  return {
    family,
    name,
    scan: (data, addPath) => scanPrefixes(data, addPath, maxBits, family),
    items(block: NlriBlock): Prefix[] {
      const out: Prefix[] = [];
      forEachPrefix(block, (len, data, off, pathId) => {
        const addr = new Uint8Array(bytes);
        const n = (len + 7) >> 3;
        for (let i = 0; i < n; i++) addr[i] = data[off + i]!;
        const p: Prefix = { family, len, addr };
        if (block.addPath) p.pathId = pathId;
        out.push(p);
      });
      return out;
    },
    encode(item: Prefix, addPath: boolean): Uint8Array {
      if (item.len > maxBits || item.len < 0) throw new RangeError(`prefix length ${item.len} exceeds ${maxBits}`);
      const n = (item.len + 7) >> 3;
      const h = addPath ? 5 : 1;
      const out = new Uint8Array(h + n);
      if (addPath) {
        const id = item.pathId ?? 0;
        out[0] = (id >>> 24) & 0xff;
        out[1] = (id >>> 16) & 0xff;
        out[2] = (id >>> 8) & 0xff;
        out[3] = id & 0xff;
      }
      out[h - 1] = item.len;
      for (let i = 0; i < n; i++) out[h + i] = item.addr[i] ?? 0;
      // RFC 4271 §4.3: trailing bits past the length are irrelevant; send them as zero.
      const rem = item.len & 7;
      if (rem !== 0) out[h + n - 1]! &= (0xff << (8 - rem)) & 0xff;
      return out;
    },
  };
}

export const ipv4Unicast = makeCodec(AFI.IPV4, SAFI.UNICAST, 'ipv4 unicast');
export const ipv6Unicast = makeCodec(AFI.IPV6, SAFI.UNICAST, 'ipv6 unicast');
export const ipv4Multicast = makeCodec(AFI.IPV4, SAFI.MULTICAST, 'ipv4 multicast');
export const ipv6Multicast = makeCodec(AFI.IPV6, SAFI.MULTICAST, 'ipv6 multicast');

/** "10.0.0.0/24", "2001:db8::/32". The path identifier is not part of the text. */
export function prefixToString(p: Prefix): string {
  const full = new Uint8Array(p.addr.length === 16 || Math.floor(p.family / 256) === AFI.IPV6 ? 16 : 4);
  full.set(p.addr.subarray(0, full.length));
  return `${full.length === 16 ? ipv6ToString(full) : ipv4ToString(full)}/${p.len}`;
}
