// AIGP (RFC 7311 §3): a list of TLVs; type 1 carries the 8-byte accumulated metric, TLV length covers its header.

import type { Attributes } from '../types';
import { AttrCode, attrError, UpdateError } from './codes';

const AIGP_TLV = 1;

export function decodeAigp(v: Uint8Array, a: Attributes): void {
  let off = 0;
  let metric: bigint | undefined;
  while (off < v.length) {
    if (off + 3 > v.length) throw attrError(AttrCode.AIGP, UpdateError.OPTIONAL_ATTRIBUTE, 'truncated TLV header');
    const type = v[off]!;
    const len = (v[off + 1]! << 8) | v[off + 2]!;
    if (len < 3 || off + len > v.length)
      throw attrError(AttrCode.AIGP, UpdateError.OPTIONAL_ATTRIBUTE, `bad TLV length ${len}`);
    if (type === AIGP_TLV) {
      // RFC 7311 §3.1: one AIGP TLV of exactly 11 bytes.
      if (len !== 11 || metric !== undefined)
        throw attrError(AttrCode.AIGP, UpdateError.OPTIONAL_ATTRIBUTE, 'bad AIGP TLV');
      let m = 0n;
      for (let i = 0; i < 8; i++) m = (m << 8n) | BigInt(v[off + 3 + i]!);
      metric = m;
    }
    off += len;
  }
  if (metric !== undefined) a.aigp = metric;
}

export function encodeAigp(metric: bigint): Uint8Array {
  const out = new Uint8Array(11);
  out[0] = AIGP_TLV;
  out[2] = 11;
  let m = BigInt.asUintN(64, metric);
  for (let i = 10; i >= 3; i--) {
    out[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  return out;
}
