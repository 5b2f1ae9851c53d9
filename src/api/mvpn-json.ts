// MVPN routes (RFC 6514 §4, SAFI 5) as ExaBGP 5.0 prints them (ExaBGP 4.2 has no MVPN): the Source Active A-D
// route (type 5) and the C-multicast Shared and Source Tree Joins (types 6 and 7) with their fields, every other
// type (and one whose fields do not add up) as { code, parsed: false, raw }, raw being the route type, length and
// body in hex.

import { rdToString } from '../wire/nlri/rd';
import type { TypedNlri } from '../wire/nlri/typed';
import { hexUpper, ipString } from './json';

/** Name in JSON, short name in text (ExaBGP's str(): "mvpn:sourcead::RD:SOURCE:GROUP"). */
const NAMES: Record<number, [string, string]> = {
  5: ['Source Active A-D Route', 'sourcead'],
  6: ['C-Multicast Shared Tree Join route', 'shared-join'],
  7: ['C-Multicast Source Tree Join route', 'source-join'],
};

/** An address given as its length in bits then its octets (RFC 6514 §4.5, §4.6), or null. */
function lengthAddress(d: Uint8Array, o: number): { ip: string; end: number } | null {
  if (o >= d.length) return null;
  const bits = d[o]!;
  if (bits !== 32 && bits !== 128) return null;
  const end = o + 1 + bits / 8;
  if (end > d.length) return null;
  return { ip: ipString(d, o + 1, bits / 8), end };
}

export function mvpnJson(n: TypedNlri): { json: string; text: string } {
  const raw = hexUpper(Uint8Array.from([n.type, n.body.length, ...n.body])).slice(2);
  const generic = {
    json: `{ "code": ${n.type}, "parsed": false, "raw": "${raw}" }`,
    text: `mvpn:unknown:${hexUpper(n.body).toLowerCase()}`,
  };
  const [name, short] = NAMES[n.type] ?? [];
  const b = n.body;
  if (name === undefined || short === undefined || b.length < 8) return generic;
  const rd = rdToString(b.subarray(0, 8));
  let o = 8;
  let asn = '';
  if (n.type !== 5) {
    if (b.length < 12) return generic;
    asn = String(((b[8]! << 24) >>> 0) + ((b[9]! << 16) | (b[10]! << 8) | b[11]!));
    o = 12;
  }
  const source = lengthAddress(b, o);
  const group = source && lengthAddress(b, source.end);
  if (!source || !group || group.end !== b.length) return generic;
  const as = asn ? `"source-as": "${asn}", ` : '';
  return {
    json: `{ "code": ${n.type}, "parsed": true, "raw": "${raw}", "name": "${name}", "rd": "${rd}", ${as}"source": "${source.ip}", "group": "${group.ip}"}`,
    text: `mvpn:${short}::${rd}:${asn ? `${asn}:` : ''}${source.ip}:${group.ip}`,
  };
}
