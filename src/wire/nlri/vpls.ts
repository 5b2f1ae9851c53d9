// VPLS NLRI (RFC 4761 §3.2.2, AFI 25 L2VPN, SAFI 65, ExaBGP's "l2vpn vpls"): [path id] a 2-byte length (17),
// route distinguisher (8), VE ID (2), VE block offset (2), VE block size (2), label base (3: 20 bits of label,
// then 4 bits whose last is bottom-of-stack, set when sent as ExaBGP 4.2 sets it).
//
// ExaBGP calls the VE ID "endpoint" and the label base "base"; the names here follow it so the configuration,
// API and JSON read the same.

import { writeU32 } from '../bytes';
import { AFI, type FamilyKey, familyKey, type NlriBlock, SAFI } from '../types';
import type { NlriCodec } from './codec';
import { RD_LENGTH } from './labeled';
import { malformed } from './prefix';
import { registerFamily } from './registry';

export interface Vpls {
  /** RFC 4364 §4.2 route distinguisher, 8 bytes. */
  rd: Uint8Array;
  /** VE ID. */
  endpoint: number;
  /** VE block offset. */
  offset: number;
  /** VE block size. */
  size: number;
  /** Label base, 20 bits. */
  base: number;
  pathId?: number;
}

export const L2VPN_VPLS: FamilyKey = familyKey(AFI.L2VPN, SAFI.VPLS);

/** RFC 4761 §3.2.2: what the length field counts (RD, VE ID, offset, size, label base). */
export const VPLS_LENGTH = RD_LENGTH + 2 + 2 + 2 + 3;

const u16 = (d: Uint8Array, o: number): number => (d[o]! << 8) | d[o + 1]!;

/** The offset after the entry at `off` (path id first when `addPath`), or throws. */
function entryEnd(d: Uint8Array, off: number, addPath: boolean): number {
  const start = off + (addPath ? 4 : 0);
  if (start + 2 > d.length) throw malformed(L2VPN_VPLS, 'VPLS NLRI overruns the field');
  const len = u16(d, start);
  // The fields have fixed sizes: another length cannot be read as RD, VE ID, offset, size and label base.
  if (len !== VPLS_LENGTH) throw malformed(L2VPN_VPLS, `VPLS NLRI length ${len}, expected ${VPLS_LENGTH}`);
  const end = start + 2 + len;
  if (end > d.length) throw malformed(L2VPN_VPLS, 'VPLS NLRI overruns the field');
  return end;
}

function encodeVpls(v: Vpls, addPath: boolean): Uint8Array {
  if (v.rd.length !== RD_LENGTH) throw new RangeError('a VPLS route needs an 8-byte route distinguisher');
  for (const [what, n, max] of [
    ['endpoint', v.endpoint, 0xffff],
    ['offset', v.offset, 0xffff],
    ['size', v.size, 0xffff],
    ['base', v.base, 0xfffff],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`VPLS ${what} ${n} is out of range`);
  }
  const h = addPath ? 4 : 0;
  const out = new Uint8Array(h + 2 + VPLS_LENGTH);
  if (addPath) writeU32(out, 0, v.pathId ?? 0);
  out[h + 1] = VPLS_LENGTH;
  out.set(v.rd, h + 2);
  let p = h + 2 + RD_LENGTH;
  for (const n of [v.endpoint, v.offset, v.size]) {
    out[p++] = n >> 8;
    out[p++] = n & 0xff;
  }
  const label = (v.base << 4) | 1;
  out[p++] = (label >>> 16) & 0xff;
  out[p++] = (label >>> 8) & 0xff;
  out[p] = label & 0xff;
  return out;
}

export const l2vpnVpls: NlriCodec<Vpls> = {
  family: L2VPN_VPLS,
  name: 'l2vpn vpls',
  scan(data, addPath) {
    let n = 0;
    for (let off = 0; off < data.length; n++) off = entryEnd(data, off, addPath);
    return n;
  },
  items(block: NlriBlock): Vpls[] {
    const d = block.data;
    const out: Vpls[] = [];
    for (let off = 0; off < d.length; ) {
      const end = entryEnd(d, off, block.addPath);
      const p = end - VPLS_LENGTH;
      const v: Vpls = {
        rd: d.slice(p, p + RD_LENGTH),
        endpoint: u16(d, p + 8),
        offset: u16(d, p + 10),
        size: u16(d, p + 12),
        base: ((d[p + 14]! << 16) | (d[p + 15]! << 8) | d[p + 16]!) >>> 4,
      };
      if (block.addPath) v.pathId = ((d[off]! << 24) >>> 0) + ((d[off + 1]! << 16) | (d[off + 2]! << 8) | d[off + 3]!);
      out.push(v);
      off = end;
    }
    return out;
  },
  encode: encodeVpls,
};

registerFamily(l2vpnVpls as NlriCodec<unknown>);
