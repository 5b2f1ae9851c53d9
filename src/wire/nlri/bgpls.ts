// BGP-LS NLRI (RFC 7752 §3.2, AFI 16388, SAFI 71; SAFI 72 for the VPN form with a route distinguisher): each
// entry is [path id] NLRI Type (2), Total NLRI Length (2), [RD (8)], then the type's body of descriptor TLVs.
// The codec delimits and keeps the body as received (tsbgp decodes BGP-LS to show it, it does not originate
// it); api/bgpls-json.ts reads the descriptors for the JSON.

import { readU16, writeU16, writeU32 } from '../bytes';
import { DecodeError, ErrorCode } from '../errors';
import { AFI, type FamilyKey, familyKey, type NlriBlock } from '../types';
import type { NlriCodec } from './codec';
import { countEntries, readEntries } from './entries';
import { RD_LENGTH } from './labeled';
import { registerFamily } from './registry';

export const SAFI_BGPLS = 71;
export const SAFI_BGPLS_VPN = 72;
export const BGPLS: FamilyKey = familyKey(AFI.BGPLS, SAFI_BGPLS);
export const BGPLS_VPN: FamilyKey = familyKey(AFI.BGPLS, SAFI_BGPLS_VPN);

/** RFC 7752 §3.2 NLRI types (and RFC 9514's SRv6 SID, type 6). */
export const LsNlriType = { NODE: 1, LINK: 2, PREFIX_V4: 3, PREFIX_V6: 4, SRV6_SID: 6 } as const;

export interface BgpLsNlri {
  /** NLRI Type. */
  type: number;
  /** The route distinguisher of SAFI 72, 8 bytes. */
  rd?: Uint8Array;
  /** What follows the type, length and RD: protocol id, identifier and descriptor TLVs for the known types. */
  body: Uint8Array;
  pathId?: number;
}

/**
 * RFC 9552 §8.2.2 (which updates RFC 7752): an NLRI that cannot be delimited makes the rest of the field
 * unreadable, so the family's routes of the UPDATE cannot be told apart: the family is disabled (RFC 7606 §5.3).
 */
function malformed(family: FamilyKey, why: string): DecodeError {
  return new DecodeError(ErrorCode.UPDATE_MESSAGE, 10, `bgp-ls: ${why}`, 'afisafi-disable', new Uint8Array(0), family);
}

/** The offset after the entry at `off`, or throws. */
function entryEnd(family: FamilyKey, d: Uint8Array, off: number, addPath: boolean): number {
  const start = off + (addPath ? 4 : 0);
  if (start + 4 > d.length) throw malformed(family, 'NLRI header overruns the field');
  const len = readU16(d, start + 2);
  const end = start + 4 + len;
  if (end > d.length) throw malformed(family, `NLRI length ${len} overruns the field`);
  if (family === BGPLS_VPN && len < RD_LENGTH) throw malformed(family, `NLRI length ${len} leaves no room for the RD`);
  return end;
}

function makeCodec(family: FamilyKey, name: string): NlriCodec<BgpLsNlri> {
  const rdLen = family === BGPLS_VPN ? RD_LENGTH : 0;
  return {
    family,
    name,
    scan: (data, addPath) => countEntries(data, addPath, (d, off, ap) => entryEnd(family, d, off, ap)),
    items: (block: NlriBlock): BgpLsNlri[] =>
      readEntries(
        block,
        (d, off, ap) => entryEnd(family, d, off, ap),
        (d, p, end): BgpLsNlri => {
          const v: BgpLsNlri = { type: readU16(d, p), body: d.subarray(p + 4 + rdLen, end) };
          if (rdLen) v.rd = d.slice(p + 4, p + 4 + rdLen);
          return v;
        },
      ),
    encode(v, addPath) {
      const h = addPath ? 4 : 0;
      const len = rdLen + v.body.length;
      if (len > 0xffff) throw new RangeError('BGP-LS NLRI longer than 65535 octets');
      const out = new Uint8Array(h + 4 + len);
      if (addPath) writeU32(out, 0, v.pathId ?? 0);
      writeU16(out, h, v.type);
      writeU16(out, h + 2, len);
      if (rdLen) {
        if (v.rd?.length !== RD_LENGTH) throw new RangeError('a BGP-LS VPN NLRI needs an 8-byte route distinguisher');
        out.set(v.rd, h + 4);
      }
      out.set(v.body, h + 4 + rdLen);
      return out;
    },
  };
}

export const bgpLs = makeCodec(BGPLS, 'bgp-ls bgp-ls');
export const bgpLsVpn = makeCodec(BGPLS_VPN, 'bgp-ls bgp-ls-vpn');

registerFamily(bgpLs as NlriCodec<unknown>);
registerFamily(bgpLsVpn as NlriCodec<unknown>);
