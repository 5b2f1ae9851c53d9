// SR Policy NLRI (RFC 9830 §2.1, SAFI 73, ExaBGP's "sr-policy"): [path id] a length in bits (96 for IPv4, 192 for
// IPv6), distinguisher (4), policy color (4), endpoint (4 or 16). Decoded to show it; tsbgp does not originate it.

import { readU32, writeU32 } from '../bytes';
import { DecodeError, ErrorCode } from '../errors';
import { AFI, type FamilyKey, familyKey, type NlriBlock } from '../types';
import type { NlriCodec } from './codec';
import { countEntries, readEntries } from './entries';
import { registerFamily } from './registry';

export const SAFI_SR_POLICY = 73;

export interface SrPolicy {
  distinguisher: number;
  color: number;
  /** 4 or 16 octets. */
  endpoint: Uint8Array;
  pathId?: number;
}

function makeCodec(afi: number, name: string): NlriCodec<SrPolicy> {
  const family: FamilyKey = familyKey(afi, SAFI_SR_POLICY);
  const size = afi === AFI.IPV6 ? 16 : 4;
  const bits = (8 + size) * 8;
  const entryEnd = (d: Uint8Array, off: number, addPath: boolean): number => {
    const start = off + (addPath ? 4 : 0);
    // RFC 9830 §2.1 fixes the length per AFI; another cannot be read (RFC 7606 §5.3: the family is disabled).
    if (start >= d.length || d[start] !== bits || start + 1 + bits / 8 > d.length)
      throw new DecodeError(
        ErrorCode.UPDATE_MESSAGE,
        10,
        `${name}: NLRI length ${d[start]} (expected ${bits}) or overrunning the field`,
        'afisafi-disable',
        new Uint8Array(0),
        family,
      );
    return start + 1 + bits / 8;
  };
  return {
    family,
    name,
    scan: (data, addPath) => countEntries(data, addPath, entryEnd),
    items: (block: NlriBlock): SrPolicy[] =>
      readEntries(
        block,
        entryEnd,
        (d, p, end): SrPolicy => ({
          distinguisher: readU32(d, p + 1),
          color: readU32(d, p + 5),
          endpoint: d.slice(p + 9, end),
        }),
      ),
    encode(v, addPath) {
      if (v.endpoint.length !== size) throw new RangeError(`${name}: the endpoint must be ${size} octets`);
      const h = addPath ? 4 : 0;
      const out = new Uint8Array(h + 1 + 8 + size);
      if (addPath) writeU32(out, 0, v.pathId ?? 0);
      out[h] = bits;
      writeU32(out, h + 1, v.distinguisher);
      writeU32(out, h + 5, v.color);
      out.set(v.endpoint, h + 9);
      return out;
    },
  };
}

export const ipv4SrPolicy = makeCodec(AFI.IPV4, 'ipv4 sr-policy');
export const ipv6SrPolicy = makeCodec(AFI.IPV6, 'ipv6 sr-policy');

registerFamily(ipv4SrPolicy as NlriCodec<unknown>);
registerFamily(ipv6SrPolicy as NlriCodec<unknown>);
