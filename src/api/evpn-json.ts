// EVPN routes (RFC 7432, RFC 9136) as ExaBGP 4.2 prints them (bgp/message/update/nlri/evpn/*.py json() and
// __str__): the route type's code, whether it was parsed, the NLRI bytes in hex, its name, then its fields in
// ExaBGP's order. ESIs are lowercase hex ("-" when all zero), MACs uppercase; a label is shown as its 20-bit value
// and the raw 24-bit field. Of a MAC/IP route with two labels ExaBGP shows the first; so does tsbgp.
// ADD-PATH path identifiers (which ExaBGP does not read for EVPN) come first, as "path-information".

import { bytesToHex } from '../wire/bytes';
import { ipToString } from '../wire/ip';
import { type EvpnRoute, encodeEvpn, evpnTypeOf } from '../wire/nlri/evpn';
import { rdToString } from '../wire/nlri/rd';

const NAMES: Record<number, [string, string]> = {
  1: ['Ethernet Auto-Discovery', 'ethernetad'],
  2: ['MAC/IP advertisement', 'macadv'],
  3: ['Inclusive Multicast Ethernet Tag', 'multicast'],
  4: ['Ethernet Segment', 'segment'],
  5: ['IP Prefix Advertisement', 'prfxadv'],
};

/** ExaBGP's ESI: "-" for the all-zero ESI (RFC 7432 §5: a single-homed site), else lowercase hex bytes. */
export function esiToString(esi: Uint8Array): string {
  if (esi.every((b) => b === 0)) return '-';
  return Array.from(esi, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** A MAC address as ExaBGP prints it: uppercase hex bytes joined by colons. */
export function macToString(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** A label field (24 bits) as JSON, `[ [label, raw] ]` (the raw value omitted when zero, as ExaBGP does). */
const labelJson = (raw: number): string => `"label": [ [${raw >> 4}${raw ? `, ${raw}` : ''}] ]`;
/** ...and as ExaBGP's text: " label 100 (1601)". */
const labelText = (raw: number): string => ` label ${raw >> 4}${raw ? ` (${raw})` : ''}`;

const dottedPathId = (n: number): string => `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;

/** One EVPN route's JSON object and its text form (ExaBGP's str(): "evpn:macadv::RD:ESI:TAG:MAC/48:IP: label L"). */
export function evpnJson(r: EvpnRoute): { json: string; text: string } {
  const type = evpnTypeOf(r);
  const raw = bytesToHex(encodeEvpn(r, false));
  const pi = r.pathId === undefined ? '' : dottedPathId(r.pathId);
  const head = pi ? `{ "path-information": "${pi}", ` : '{ ';
  const tail = pi ? ` path-information ${pi}` : '';
  if (r.code === 'other') {
    const hex = Array.from(r.data, (b) => b.toString(16).padStart(2, '0')).join('');
    return { json: `${head}"code": ${type}, "parsed": false, "raw": "${raw}" }`, text: `evpn:unknown:0x${hex}${tail}` };
  }
  const [name, short] = NAMES[type]!;
  const rd = rdToString(r.rd);
  let json = `${head}"code": ${type}, "parsed": true, "raw": "${raw}", "name": "${name}", "rd": "${rd}"`;
  let text = `evpn:${short}::${rd}`;
  switch (r.code) {
    case 1: {
      const esi = esiToString(r.esi);
      json += `, "esi": "${esi}", "ethernet-tag": ${r.etag}, ${labelJson(r.label)}`;
      text += `:${esi}:${r.etag}:${labelText(r.label)}`;
      break;
    }
    case 2: {
      const esi = esiToString(r.esi);
      const mac = macToString(r.mac);
      const ip = r.ip ? ipToString(r.ip) : '';
      json += `, "esi": "${esi}", "ethernet-tag": ${r.etag}, "mac": "${mac}", ${labelJson(r.labels[0]!)}`;
      if (ip) json += `, "ip": "${ip}"`;
      text += `:${esi}:${r.etag}:${mac}/${r.macLen}:${ip}:${labelText(r.labels[0]!)}`;
      break;
    }
    case 3: {
      const ip = ipToString(r.ip);
      json += `, "ethernet-tag": ${r.etag}, "ip": "${ip}"`;
      text += `:${r.etag}:${ip}`;
      break;
    }
    case 4: {
      const esi = esiToString(r.esi);
      const ip = ipToString(r.ip);
      json += `, "esi": "${esi}", "ip": "${ip}"`;
      text += `:${esi}:${ip}`;
      break;
    }
    case 5: {
      const esi = esiToString(r.esi);
      const ip = ipToString(r.prefix);
      const gw = ipToString(r.gateway);
      json += `, "esi": "${esi}", "ethernet-tag": ${r.etag}, ${labelJson(r.label)}, "ip": "${ip}", "iplen": ${r.prefixLen}, "gateway": "${gw}"`;
      text += `:${esi}:${r.etag}:${ip}/${r.prefixLen}:${gw}:${labelText(r.label)}`;
      break;
    }
  }
  return { json: `${json} }`, text: text + tail };
}
