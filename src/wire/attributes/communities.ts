// COMMUNITIES (RFC 1997), EXTENDED COMMUNITIES (RFC 4360), IPv6 address specific extended communities
// (RFC 5701) and LARGE COMMUNITIES (RFC 8092). Malformed lengths: RFC 7606 §7.8, §7.14, §7.15, RFC 8092 §6.

import { readU32, writeU32 } from '../bytes';
import type { Attributes } from '../types';
import { AttrCode, attrError, UpdateError } from './codes';

/** Well-known community values (IANA "BGP Well-known Communities"), by ExaBGP's names. */
export const WELL_KNOWN_COMMUNITIES: Readonly<Record<string, number>> = {
  'graceful-shutdown': 0xffff0000, // RFC 8326
  'accept-own': 0xffff0001, // RFC 7611
  'llgr-stale': 0xffff0006, // RFC 9494
  'no-llgr': 0xffff0007, // RFC 9494
  blackhole: 0xffff029a, // RFC 7999
  'no-export': 0xffffff01, // RFC 1997
  'no-advertise': 0xffffff02, // RFC 1997
  'no-export-subconfed': 0xffffff03, // RFC 1997
  'no-peer': 0xffffff04, // RFC 3765
};

function checkMultiple(code: number, v: Uint8Array, size: number): void {
  if (v.length === 0 || v.length % size !== 0) {
    throw attrError(code, UpdateError.ATTRIBUTE_LENGTH, `length ${v.length}, not a non-zero multiple of ${size}`);
  }
}

export function decodeCommunities(v: Uint8Array, a: Attributes): void {
  checkMultiple(AttrCode.COMMUNITIES, v, 4);
  const out: number[] = new Array(v.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = readU32(v, i * 4);
  a.communities = out;
}

export function encodeCommunities(c: readonly number[]): Uint8Array {
  const out = new Uint8Array(c.length * 4);
  for (let i = 0; i < c.length; i++) writeU32(out, i * 4, c[i]!);
  return out;
}

function chunks(v: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < v.length; i += size) out.push(v.slice(i, i + size));
  return out;
}

export function decodeExtendedCommunities(v: Uint8Array, a: Attributes): void {
  checkMultiple(AttrCode.EXTENDED_COMMUNITIES, v, 8);
  a.extendedCommunities = chunks(v, 8);
}

export function decodeIpv6ExtendedCommunities(v: Uint8Array, a: Attributes): void {
  checkMultiple(AttrCode.IPV6_EXTENDED_COMMUNITIES, v, 20);
  a.ipv6ExtendedCommunities = chunks(v, 20);
}

export function decodeLargeCommunities(v: Uint8Array, a: Attributes): void {
  checkMultiple(AttrCode.LARGE_COMMUNITIES, v, 12);
  const out: [number, number, number][] = [];
  for (let i = 0; i < v.length; i += 12) out.push([readU32(v, i), readU32(v, i + 4), readU32(v, i + 8)]);
  a.largeCommunities = out;
}

export function encodeLargeCommunities(c: readonly [number, number, number][]): Uint8Array {
  const out = new Uint8Array(c.length * 12);
  for (let i = 0; i < c.length; i++) {
    writeU32(out, i * 12, c[i]![0]);
    writeU32(out, i * 12 + 4, c[i]![1]);
    writeU32(out, i * 12 + 8, c[i]![2]);
  }
  return out;
}
