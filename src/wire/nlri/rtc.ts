// Route Target membership NLRI (RFC 4684 §4, AFI 1, SAFI 132, ExaBGP's "ipv4 rtc"): [path id] a prefix length in
// bits (0 for the default route, else 32 to 96), then that many bits of origin AS (4 octets) and route target
// (8 octets, RFC 4360), the bits past the length left out.

import { readU32, writeU32 } from '../bytes';
import { DecodeError, ErrorCode } from '../errors';
import { AFI, type FamilyKey, familyKey, type NlriBlock, SAFI } from '../types';
import type { NlriCodec } from './codec';
import { countEntries, readEntries } from './entries';
import { registerFamily } from './registry';

export const IPV4_RTC: FamilyKey = familyKey(AFI.IPV4, SAFI.RTC);

export interface RtcRoute {
  /** Prefix length in bits: 0 (the default route: every route target), or 32 to 96. */
  len: number;
  /** Origin AS; 0 for the default route. */
  origin: number;
  /** The route target, 8 octets, zero past the prefix length; absent for the default route. */
  rt?: Uint8Array;
  pathId?: number;
}

/** RFC 4684 §4 (and RFC 7606 §5.3): a length that cannot be read disables the family. */
function malformed(why: string): DecodeError {
  return new DecodeError(ErrorCode.UPDATE_MESSAGE, 10, `rtc: ${why}`, 'afisafi-disable', new Uint8Array(0), IPV4_RTC);
}

function entryEnd(d: Uint8Array, off: number, addPath: boolean): number {
  const start = off + (addPath ? 4 : 0);
  if (start >= d.length) throw malformed('NLRI overruns the field');
  const len = d[start]!;
  if (len !== 0 && (len < 32 || len > 96)) throw malformed(`prefix length ${len}, expected 0 or 32 to 96`);
  const end = start + 1 + ((len + 7) >> 3);
  if (end > d.length) throw malformed('NLRI overruns the field');
  return end;
}

export const ipv4Rtc: NlriCodec<RtcRoute> = {
  family: IPV4_RTC,
  name: 'ipv4 rtc',
  scan: (data, addPath) => countEntries(data, addPath, entryEnd),
  items: (block: NlriBlock): RtcRoute[] =>
    readEntries(block, entryEnd, (d, p, end): RtcRoute => {
      const len = d[p]!;
      if (len === 0) return { len, origin: 0 };
      // The bits past the prefix length carry nothing (RFC 4684 §4): zeroed.
      const full = new Uint8Array(12);
      full.set(d.subarray(p + 1, end));
      if (len % 8) full[len >> 3]! &= 0xff << (8 - (len % 8));
      return { len, origin: readU32(full, 0), rt: full.slice(4) };
    }),
  encode(r, addPath) {
    if (r.len !== 0 && (r.len < 32 || r.len > 96)) throw new RangeError(`RTC prefix length ${r.len}`);
    const h = addPath ? 4 : 0;
    const n = (r.len + 7) >> 3;
    const out = new Uint8Array(h + 1 + n);
    if (addPath) writeU32(out, 0, r.pathId ?? 0);
    out[h] = r.len;
    if (r.len > 0) {
      const full = new Uint8Array(12);
      writeU32(full, 0, r.origin);
      full.set((r.rt ?? new Uint8Array(8)).subarray(0, 8), 4);
      out.set(full.subarray(0, n), h + 1);
    }
    return out;
  },
};

registerFamily(ipv4Rtc as NlriCodec<unknown>);
