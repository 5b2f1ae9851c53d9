// ORIGIN, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR (RFC 4271 §5.1, RFC 6793 §3),
// ORIGINATOR_ID and CLUSTER_LIST (RFC 4456 §8). Lengths checked as RFC 7606 §7.1–§7.10 require.

import { readU16, readU32, u32Bytes, writeU16, writeU32 } from '../bytes';
import type { Aggregator, Attributes } from '../types';
import { AttrCode, attrError, UpdateError } from './codes';

export function decodeOrigin(v: Uint8Array, a: Attributes): void {
  if (v.length !== 1) throw attrError(AttrCode.ORIGIN, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, expected 1`);
  if (v[0]! > 2) throw attrError(AttrCode.ORIGIN, UpdateError.INVALID_ORIGIN, `undefined value ${v[0]}`);
  a.origin = v[0]!;
}

export const encodeOrigin = (o: number): Uint8Array => Uint8Array.of(o);

export function decodeNextHop(v: Uint8Array, a: Attributes): void {
  if (v.length !== 4)
    throw attrError(AttrCode.NEXT_HOP, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, expected 4`);
  a.nextHop = v.slice();
}

function u32Attr(code: number, v: Uint8Array): number {
  if (v.length !== 4) throw attrError(code, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, expected 4`);
  return readU32(v, 0);
}

export function decodeMed(v: Uint8Array, a: Attributes): void {
  a.med = u32Attr(AttrCode.MED, v);
}

export function decodeLocalPref(v: Uint8Array, a: Attributes): void {
  a.localPref = u32Attr(AttrCode.LOCAL_PREF, v);
}

export const encodeU32 = u32Bytes;

export function decodeAtomicAggregate(v: Uint8Array, a: Attributes): void {
  if (v.length !== 0)
    throw attrError(AttrCode.ATOMIC_AGGREGATE, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, expected 0`);
  a.atomicAggregate = true;
}

/** AGGREGATOR is 6 bytes on 2-octet sessions, 8 on 4-octet ones (RFC 6793 §3); AS4_AGGREGATOR always 8. */
export function parseAggregator(code: number, v: Uint8Array, asn4: boolean): Aggregator {
  const want = asn4 ? 8 : 6;
  if (v.length !== want) throw attrError(code, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, expected ${want}`);
  return asn4 ? { asn: readU32(v, 0), address: v.slice(4, 8) } : { asn: readU16(v, 0), address: v.slice(2, 6) };
}

export function encodeAggregator(g: Aggregator, asn4: boolean): Uint8Array {
  const out = new Uint8Array(asn4 ? 8 : 6);
  if (asn4) writeU32(out, 0, g.asn);
  else writeU16(out, 0, g.asn);
  out.set(g.address.subarray(0, 4), asn4 ? 4 : 2);
  return out;
}

export function decodeOriginatorId(v: Uint8Array, a: Attributes): void {
  if (v.length !== 4)
    throw attrError(AttrCode.ORIGINATOR_ID, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, expected 4`);
  a.originatorId = v.slice();
}

export function decodeClusterList(v: Uint8Array, a: Attributes): void {
  if (v.length === 0 || v.length % 4 !== 0) {
    throw attrError(
      AttrCode.CLUSTER_LIST,
      UpdateError.ATTRIBUTE_LENGTH,
      `length ${v.length}, not a non-zero multiple of 4`,
    );
  }
  const list: Uint8Array[] = [];
  for (let i = 0; i < v.length; i += 4) list.push(v.slice(i, i + 4));
  a.clusterList = list;
}

export function encodeList(items: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(items.length * size);
  for (let i = 0; i < items.length; i++) out.set(items[i]!.subarray(0, size), i * size);
  return out;
}
