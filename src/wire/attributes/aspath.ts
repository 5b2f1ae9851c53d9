// AS_PATH and AS4_PATH (RFC 4271 §4.3, RFC 5065 confederation segments, RFC 6793 4-octet AS numbers).

import type { AsPathSegment } from '../types';
import { SegmentType } from '../types';
import { attrError, UpdateError } from './codes';

/** RFC 6793 §9: the 2-octet placeholder for a 4-octet AS. */
export const AS_TRANS = 23456;

/**
 * Parse segments of 2- or 4-byte AS numbers. RFC 7606 §7.2: an unknown segment type, a zero segment length or
 * an overrun make the attribute malformed.
 */
export function parseAsPath(code: number, v: Uint8Array, asn4: boolean): AsPathSegment[] {
  const size = asn4 ? 4 : 2;
  const segs: AsPathSegment[] = [];
  let off = 0;
  while (off < v.length) {
    if (off + 2 > v.length) throw attrError(code, UpdateError.MALFORMED_AS_PATH, 'truncated segment header');
    const type = v[off]!;
    const count = v[off + 1]!;
    if (type < SegmentType.AS_SET || type > SegmentType.AS_CONFED_SET) {
      throw attrError(code, UpdateError.MALFORMED_AS_PATH, `unknown segment type ${type}`);
    }
    if (count === 0) throw attrError(code, UpdateError.MALFORMED_AS_PATH, 'empty segment');
    off += 2;
    if (off + count * size > v.length)
      throw attrError(code, UpdateError.MALFORMED_AS_PATH, 'segment overruns the attribute');
    const asns: number[] = new Array(count);
    if (asn4) {
      for (let i = 0; i < count; i++, off += 4) {
        asns[i] = ((v[off]! << 24) >>> 0) + ((v[off + 1]! << 16) | (v[off + 2]! << 8) | v[off + 3]!);
      }
    } else {
      for (let i = 0; i < count; i++, off += 2) asns[i] = (v[off]! << 8) | v[off + 1]!;
    }
    segs.push({ type, asns });
  }
  return segs;
}

/** Segments longer than 255 AS numbers are split (RFC 4271 §4.3: the count is one octet); empty ones dropped. */
export function encodeAsPath(segs: readonly AsPathSegment[], asn4: boolean): Uint8Array {
  const size = asn4 ? 4 : 2;
  let n = 0;
  for (const s of segs) n += Math.ceil(s.asns.length / 255) * 2 + s.asns.length * size;
  const out = new Uint8Array(n);
  let off = 0;
  for (const s of segs) {
    for (let start = 0; start < s.asns.length; start += 255) {
      const count = Math.min(255, s.asns.length - start);
      out[off++] = s.type;
      out[off++] = count;
      for (let i = 0; i < count; i++) {
        const asn = s.asns[start + i]!;
        if (asn4) {
          out[off++] = (asn >>> 24) & 0xff;
          out[off++] = (asn >>> 16) & 0xff;
        }
        out[off++] = (asn >>> 8) & 0xff;
        out[off++] = asn & 0xff;
      }
    }
  }
  return out;
}

export const isConfed = (t: number): boolean => t === SegmentType.AS_CONFED_SEQUENCE || t === SegmentType.AS_CONFED_SET;

/** RFC 6793 §4.2.3 path length: an AS_SET counts as one, confederation segments not at all. */
export function pathCount(segs: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segs) {
    if (s.type === SegmentType.AS_SEQUENCE) n += s.asns.length;
    else if (s.type === SegmentType.AS_SET) n += 1;
  }
  return n;
}

/**
 * RFC 6793 §4.2.3: rebuild the 4-octet path from AS_PATH (with AS_TRANS placeholders) and AS4_PATH.
 * When AS_PATH is shorter than AS4_PATH the AS4_PATH is ignored. Otherwise the leading AS_PATH entries
 * that the AS4_PATH does not cover are kept and the AS4_PATH follows.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4: readonly AsPathSegment[]): AsPathSegment[] {
  const total = pathCount(asPath);
  const n4 = pathCount(as4);
  if (total < n4) return asPath.map((s) => ({ type: s.type, asns: s.asns.slice() }));
  let keep = total - n4;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    // Confederation segments lead the path (RFC 5065 §5) and have no AS4_PATH counterpart: keep them.
    if (isConfed(s.type)) {
      out.push({ type: s.type, asns: s.asns.slice() });
      continue;
    }
    if (keep === 0) break;
    if (s.type === SegmentType.AS_SET) {
      out.push({ type: s.type, asns: s.asns.slice() });
      keep -= 1;
    } else {
      const take = Math.min(keep, s.asns.length);
      out.push({ type: s.type, asns: s.asns.slice(0, take) });
      keep -= take;
    }
  }
  const kept = out.length;
  for (let i = 0; i < as4.length; i++) {
    const s = as4[i]!;
    const last = out[kept - 1];
    // The kept head and the AS4_PATH were one sequence at the sender: join them back into one segment.
    if (
      i === 0 &&
      last &&
      last.type === SegmentType.AS_SEQUENCE &&
      s.type === SegmentType.AS_SEQUENCE &&
      last.asns.length + s.asns.length <= 255
    ) {
      last.asns.push(...s.asns);
    } else {
      out.push({ type: s.type, asns: s.asns.slice() });
    }
  }
  return out;
}

/** RFC 6793 §6: confederation segments have no place in AS4_PATH; they are dropped, the rest is used. */
export const withoutConfed = (segs: readonly AsPathSegment[]): AsPathSegment[] => segs.filter((s) => !isConfed(s.type));

/** For a 2-octet session: AS_TRANS in place of every AS that does not fit in 16 bits (RFC 6793 §4.2.2). */
export function toTwoOctet(segs: readonly AsPathSegment[]): { path: AsPathSegment[]; needsAs4: boolean } {
  let needsAs4 = false;
  const path = segs.map((s) => ({
    type: s.type,
    asns: s.asns.map((a) => {
      if (a > 0xffff) {
        needsAs4 = true;
        return AS_TRANS;
      }
      return a;
    }),
  }));
  return { path, needsAs4 };
}
