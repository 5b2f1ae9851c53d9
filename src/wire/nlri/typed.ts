// NLRI made of typed entries, each [path id] header (route type, length) then a body the type defines: MVPN
// (RFC 6514 §4: type 1 octet, length 1) and MUP (draft-mpmz-bess-mup-safi §3.1: architecture type 1 octet,
// route type 2, length 1). The codec delimits entries and keeps each body as received: tsbgp decodes these
// families to show them (api/mvpn-json.ts, api/mup-json.ts), it does not originate them.

import { writeU32 } from '../bytes';
import { DecodeError, ErrorCode } from '../errors';
import { AFI, type FamilyKey, familyKey, type NlriBlock } from '../types';
import type { NlriCodec } from './codec';
import { countEntries, readEntries } from './entries';
import { registerFamily } from './registry';

export interface TypedNlri {
  /** MUP's architecture type; 0 for MVPN. */
  arch: number;
  /** Route type. */
  type: number;
  /** What follows the header. */
  body: Uint8Array;
  pathId?: number;
}

/** Octets of the header before the length: MVPN 1 (route type), MUP 3 (architecture type, route type). */
export function typedCodec(family: FamilyKey, name: string, headBytes: 1 | 3): NlriCodec<TypedNlri> {
  const hdr = headBytes + 1;
  // RFC 7606 §5.3: an entry that cannot be delimited leaves the rest unreadable: the family is disabled.
  const malformed = (why: string): DecodeError =>
    new DecodeError(ErrorCode.UPDATE_MESSAGE, 10, `${name}: ${why}`, 'afisafi-disable', new Uint8Array(0), family);
  const entryEnd = (d: Uint8Array, off: number, addPath: boolean): number => {
    const start = off + (addPath ? 4 : 0);
    if (start + hdr > d.length) throw malformed('NLRI header overruns the field');
    const end = start + hdr + d[start + headBytes]!;
    if (end > d.length) throw malformed(`NLRI length ${d[start + headBytes]} overruns the field`);
    return end;
  };
  return {
    family,
    name,
    scan: (data, addPath) => countEntries(data, addPath, entryEnd),
    items: (block: NlriBlock): TypedNlri[] =>
      readEntries(
        block,
        entryEnd,
        (d, p, end): TypedNlri =>
          headBytes === 1
            ? { arch: 0, type: d[p]!, body: d.subarray(p + hdr, end) }
            : { arch: d[p]!, type: (d[p + 1]! << 8) | d[p + 2]!, body: d.subarray(p + hdr, end) },
      ),
    encode(v, addPath) {
      if (v.body.length > 255) throw new RangeError(`${name} NLRI longer than 255 octets`);
      const h = addPath ? 4 : 0;
      const out = new Uint8Array(h + hdr + v.body.length);
      if (addPath) writeU32(out, 0, v.pathId ?? 0);
      if (headBytes === 1) out[h] = v.type;
      else {
        out[h] = v.arch;
        out[h + 1] = v.type >> 8;
        out[h + 2] = v.type & 0xff;
      }
      out[h + headBytes] = v.body.length;
      out.set(v.body, h + hdr);
      return out;
    },
  };
}

/** SAFI 5, RFC 6514 (ExaBGP 5.0's "mcast-vpn"). */
export const SAFI_MCAST_VPN = 5;
/** SAFI 85, draft-mpmz-bess-mup-safi (ExaBGP 5.0's "mup"). */
export const SAFI_MUP = 85;

export const ipv4Mvpn = typedCodec(familyKey(AFI.IPV4, SAFI_MCAST_VPN), 'ipv4 mcast-vpn', 1);
export const ipv6Mvpn = typedCodec(familyKey(AFI.IPV6, SAFI_MCAST_VPN), 'ipv6 mcast-vpn', 1);
export const ipv4Mup = typedCodec(familyKey(AFI.IPV4, SAFI_MUP), 'ipv4 mup', 3);
export const ipv6Mup = typedCodec(familyKey(AFI.IPV6, SAFI_MUP), 'ipv6 mup', 3);

for (const c of [ipv4Mvpn, ipv6Mvpn, ipv4Mup, ipv6Mup]) registerFamily(c as NlriCodec<unknown>);
