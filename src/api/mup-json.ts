// Mobile User Plane routes (draft-mpmz-bess-mup-safi, SAFI 85) as ExaBGP 5.0 prints them (ExaBGP 4.2 has no
// MUP): the 3GPP 5G architecture's (type 1) Interwork and Direct Segment Discovery routes and Type 1 and Type 2
// Session Transformed routes with their fields, anything else (or a route whose fields do not add up) as
// { arch, code, raw }, raw being the header and body in hex. ExaBGP 5.0 prints a Type 1 route without the comma
// after "endpoint_ip" (not JSON); tsbgp prints the comma.

import { rdToString } from '../wire/nlri/rd';
import type { TypedNlri } from '../wire/nlri/typed';
import { hexUpper, ipString } from './json';

const u32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) >>> 0) + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

/** `len` bits of prefix at `o` as an address of `size` octets (the rest zero). */
function prefixIp(b: Uint8Array, o: number, len: number, size: number): string {
  const a = new Uint8Array(size);
  a.set(b.subarray(o, o + ((len + 7) >> 3)));
  return ipString(a);
}

/**
 * The fields of a known route type after its RD, or null when they do not add up; `text` is ExaBGP's str() after
 * "mup:SHORT::RD:" (its Type 1 text repeats the prefix length after the endpoint, as ExaBGP 5.0 does).
 */
function fields(n: TypedNlri, size: number): { name: string; short: string; members: string[]; text: string } | null {
  const b = n.body;
  if (n.arch !== 1 || b.length < 9) return null;
  const max = size * 8;
  switch (n.type) {
    case 1: {
      const len = b[8]!;
      if (len > max || b.length !== 9 + ((len + 7) >> 3)) return null;
      const prefix = prefixIp(b, 9, len, size);
      return {
        name: 'InterworkSegmentDiscoveryRoute',
        short: 'isd',
        members: [`"prefix_ip_len": ${len}`, `"prefix_ip": "${prefix}"`, 'RD'],
        text: `${prefix}/${len}`,
      };
    }
    case 2:
      if (b.length !== 12 && b.length !== 24) return null;
      return {
        name: 'DirectSegmentDiscoveryRoute',
        short: 'dsd',
        members: [`"ip": "${ipString(b, 8, b.length - 8)}"`, 'RD'],
        text: ipString(b, 8, b.length - 8),
      };
    case 3: {
      const len = b[8]!;
      let o = 9 + ((len + 7) >> 3);
      if (len > max || b.length < o + 6) return null;
      const prefix = prefixIp(b, 9, len, size);
      const teid = u32(b, o);
      const qfi = b[o + 4]!;
      const epLen = b[o + 5]!;
      o += 6;
      if ((epLen !== 32 && epLen !== 128) || b.length < o + epLen / 8) return null;
      const ep = ipString(b, o, epLen / 8);
      o += epLen / 8;
      let srcLen = 0;
      let src = '';
      if (o < b.length) {
        srcLen = b[o]!;
        if ((srcLen !== 32 && srcLen !== 128) || b.length !== o + 1 + srcLen / 8) return null;
        src = ipString(b, o + 1, srcLen / 8);
      }
      return {
        name: 'Type1SessionTransformedRoute',
        short: 't1st',
        text: `${prefix}/${len}:${teid}:${qfi}:${ep}/${len}${srcLen ? `:${src}/${srcLen}` : ''}`,
        members: [
          `"prefix_ip_len": ${len}`,
          `"prefix_ip": "${prefix}"`,
          `"teid": "${teid}"`,
          `"qfi": "${qfi}"`,
          'RD',
          `"endpoint_ip_len": ${epLen}`,
          `"endpoint_ip": "${ep}"`,
          `"source_ip_len": ${srcLen}`,
          `"source_ip": "${src}"`,
        ],
      };
    }
    case 4: {
      const len = b[8]!;
      if (len < max || len > max + 32 || b.length !== 9 + size + ((len - max + 7) >> 3)) return null;
      let teid = 0;
      for (let o = 9 + size; o < b.length; o++) teid = teid * 256 + b[o]!;
      return {
        name: 'Type2SessionTransformedRoute',
        short: 't2st',
        text: `${len}:${ipString(b, 9, size)}:${teid}:`,
        members: [`"endpoint_len": ${len}`, `"endpoint_ip": "${ipString(b, 9, size)}"`, 'RD', `"teid": "${teid}"`],
      };
    }
  }
  return null;
}

/** One MUP route; `v6` for the IPv6 family (its prefixes and endpoints are 16 octets). */
export function mupJson(n: TypedNlri, v6: boolean): { json: string; text: string } {
  const raw = hexUpper(Uint8Array.from([n.arch, n.type >> 8, n.type & 0xff, n.body.length, ...n.body])).slice(2);
  const f = fields(n, v6 ? 16 : 4);
  if (f === null)
    return {
      json: `{ "arch": ${n.arch}, "code": ${n.type}, "raw": "${raw}" }`,
      text: `mup:unknown:${hexUpper(n.body).toLowerCase()}`,
    };
  const rdText = rdToString(n.body.subarray(0, 8));
  const rd = `"rd": "${rdText}"`;
  const members = f.members.map((m) => (m === 'RD' ? rd : m));
  return {
    json: `{ "name": "${f.name}", "arch": ${n.arch}, "code": ${n.type}, ${members.join(', ')}, "raw": "${raw}" }`,
    text: `mup:${f.short}::${rdText}:${f.text}`,
  };
}
