// BGP-LS (RFC 7752, RFC 9085 segment routing extensions) as ExaBGP 4.2 prints it: the NLRI (node, link, IPv4 and
// IPv6 topology prefix) with their descriptors, and the BGP-LS attribute (type 29) with its TLVs. Names, order
// and value forms are ExaBGP 4.2's, repeated keys included (an attribute with two SR adjacency SIDs prints
// "sids" twice, as ExaBGP does, and a JSON parser keeps the last one there too). Where ExaBGP 4.2 prints
// something that is not JSON (a VPN link's RD) tsbgp prints the member ExaBGP meant; where it fails (an opaque
// TLV, a link or prefix with a multi-topology TLV) tsbgp prints ExaBGP 5.0's member.

import { readU16, readU32 } from '../wire/bytes';
import { type BgpLsNlri, LsNlriType } from '../wire/nlri/bgpls';
import { rdToString } from '../wire/nlri/rd';
import { hexUpper, ipv4At, ipv6At, jsonString } from './json';
import { pyFlags, pyFloat, pyIpv6, pyJsonString } from './python-repr';

/** An address TLV value as ExaBGP's IP.unpack prints it (inet_ntop), or null when it is no address. */
function ipText(v: Uint8Array): string | null {
  if (v.length === 4) return ipv4At(v, 0);
  if (v.length === 16) return ipv6At(v, 0, 16);
  return null;
}

const hexLowerPlain = (v: Uint8Array): string => hexUpper(v).slice(2).toLowerCase();

/** Walks TLVs (type 2, length 2); false when one overruns the value. */
function eachTlv(d: Uint8Array, cb: (type: number, v: Uint8Array) => boolean | undefined): boolean {
  let o = 0;
  while (o < d.length) {
    if (o + 4 > d.length) return false;
    const len = readU16(d, o + 2);
    if (o + 4 + len > d.length) return false;
    if (cb(readU16(d, o), d.subarray(o + 4, o + 4 + len)) === false) return false;
    o += 4 + len;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// NLRI

/** RFC 7752 §3.2.1.4 node descriptor sub-TLVs, each as ExaBGP prints it; `proto` says how to read an IGP router id. */
function nodeDescriptor(type: number, v: Uint8Array, proto: number): string | null {
  switch (type) {
    case 512:
      return v.length === 4 ? `"autonomous-system": ${readU32(v, 0)}` : null;
    case 513:
      return v.length === 4 ? `"bgp-ls-identifier": "${readU32(v, 0)}"` : null;
    case 514: {
      const ip = ipText(v);
      return ip === null ? null : `"ospf-area-id": "${ip}"`;
    }
    case 515: {
      const ospf = proto === 3 || proto === 6;
      const isis = proto === 1 || proto === 2;
      // OSPF pseudonode: router id and designated router's interface address (RFC 7752 §3.2.1.4).
      if (ospf && v.length === 8) return `"designated-router-id": "${ipv4At(v, 4)}", "router-id": "${ipv4At(v, 0)}"`;
      // IS-IS pseudonode: system id and pseudonode id.
      if (isis && v.length === 7) return `"psn": "${v[6]}", "router-id": "${hexLowerPlain(v.subarray(0, 6))}"`;
      if (isis && v.length === 6) return `"router-id": "${hexLowerPlain(v)}"`;
      const ip = ipText(v);
      return `"router-id": "${ip ?? hexLowerPlain(v)}"`;
    }
    default:
      // ExaBGP 4.2 refuses the NLRI for a sub-TLV it does not know (RFC 9086's BGP router id, 516, and member
      // ASN, 517): tsbgp leaves the sub-TLV out and shows the rest.
      return '';
  }
}

/** The members of a node descriptor TLV (256 local, 257 remote), or null if malformed. */
function nodeDescriptors(v: Uint8Array, proto: number): string | null {
  const parts: string[] = [];
  const ok = eachTlv(v, (t, sv) => {
    const s = nodeDescriptor(t, sv, proto);
    if (s === null) return false;
    if (s !== '') parts.push(s);
    return true;
  });
  return ok ? parts.join(', ') : null;
}

/** RFC 7752 §3.2.1.5 multi-topology id TLV: 12-bit ids, as ExaBGP 5.0 lists them. */
function multiTopology(v: Uint8Array): string {
  const ids: number[] = [];
  for (let o = 0; o + 2 <= v.length; o += 2) ids.push(readU16(v, o) & 0x0fff);
  return `"multi-topology-ids": [ ${ids.join(', ')} ]`;
}

/** RFC 7752 §3.2.3.2 IP Reachability Information, as ExaBGP 4.2 reads it: every octet after the length. */
function ipReach(v: Uint8Array, v6: boolean): string | null {
  if (v.length < 1) return null;
  const len = v[0]!;
  const octets = v.subarray(1);
  let p: string;
  if (v6) {
    if (octets.length > 16) return null;
    p = pyIpv6(octets);
  } else {
    const parts = Array.from(octets, (x) => String(x));
    while (parts.length < 4) parts.push('0');
    p = parts.join('.');
  }
  return `"ip-reachability-tlv": "${p}", "ip-reach-prefix": "${p}/${len}"`;
}

const NLRI_NAMES: Record<number, string> = {
  1: 'bgpls-node',
  2: 'bgpls-link',
  3: 'bgpls-prefix-v4',
  4: 'bgpls-prefix-v6',
};

/** ExaBGP's form of an NLRI type it does not decode: type and length as one octet each, then the rest. */
function genericNlri(n: BgpLsNlri): string {
  const body = n.rd ? Uint8Array.from([...n.rd, ...n.body]) : n.body;
  const raw = hexUpper(Uint8Array.from([n.type & 0xff, body.length & 0xff, ...body])).slice(2);
  return `{ "code": ${n.type}, "parsed": false, "raw": "${raw}" }`;
}

/**
 * One BGP-LS NLRI as ExaBGP 4.2 prints it. `nextHop` is the MP_REACH next hop (nodes and prefixes repeat it,
 * "None" when withdrawn, as ExaBGP); an NLRI whose descriptors cannot be read is shown as an unparsed one.
 */
export function bgpLsNlriJson(n: BgpLsNlri, nextHop: string | undefined): string {
  const name = NLRI_NAMES[n.type];
  const b = n.body;
  if (name === undefined || b.length < 9) return genericNlri(n);
  const proto = b[0]!;
  let domain = 0n;
  for (let i = 1; i < 9; i++) domain = (domain << 8n) | BigInt(b[i]!);
  const head = `"ls-nlri-type": "${name}", "l3-routing-topology": ${domain}, "protocol-id": ${proto}`;
  const nh = `"nexthop": "${nextHop ?? 'None'}"`;
  const rd = n.rd ? `, "rd": "${rdToString(n.rd)}"` : '';
  const tlvs = b.subarray(9);
  let local = '';
  let remote = '';
  const ifaces: string[] = [];
  const neighbors: string[] = [];
  let mt = '';
  let reach: string | null = '';
  let ospfType = '';
  const ok = eachTlv(tlvs, (t, v) => {
    if (t === 256 || t === 257) {
      const d = nodeDescriptors(v, proto);
      if (d === null) return false;
      if (t === 256) local = d;
      else remote = d;
    } else if (t === 258) {
      // Link local/remote identifiers (RFC 5307): read, and not shown, as ExaBGP 4.2 (its test for them is
      // always false) does.
      if (v.length !== 8) return false;
    } else if (t === 259 || t === 261 || t === 260 || t === 262) {
      const ip = ipText(v);
      if (ip === null) return false;
      if (t === 259 || t === 261) ifaces.push(`"interface-address": "${ip}"`);
      else neighbors.push(`"neighbor-address": "${ip}"`);
    } else if (t === 263) mt = multiTopology(v);
    else if (t === 264) ospfType = v.length === 1 ? `"ospf-route-type": ${v[0]}` : '';
    else if (t === 265) reach = ipReach(v, n.type === LsNlriType.PREFIX_V6);
    return true;
  });
  if (!ok || reach === null) return genericNlri(n);
  if (n.type === LsNlriType.NODE) return `{ ${head}, "node-descriptors": { ${local} }, ${nh}${rd} }`;
  if (n.type === LsNlriType.LINK) {
    let s =
      `{ ${head}, "local-node-descriptors": { ${local} }, "remote-node-descriptors": { ${remote} }, ` +
      `"interface-address": { ${ifaces.join(', ')} }, "neighbor-address": { ${neighbors.join(', ')} }`;
    if (mt) s += `, ${mt}`;
    return `${s}${rd} }`;
  }
  let s = `{ ${head}, "node-descriptors": { ${local} }`;
  if (reach) s += `, ${reach}`;
  s += `, ${nh}`;
  if (mt) s += `, ${mt}`;
  if (ospfType) s += `, ${ospfType}`;
  return `${s}${rd} }`;
}

// ---------------------------------------------------------------------------------------------------------
// The BGP-LS attribute (RFC 7752 §3.3), TLV by TLV

/** Flag names by bit, most significant first, as ExaBGP 4.2 names them ("RSV" for reserved bits). */
const FLAGS = {
  isisSr: ['R', 'N', 'P', 'E', 'V', 'L', 'RSV', 'RSV'], // RFC 8667 §2.1.1 Prefix-SID
  isisSrAttr: ['X', 'R', 'N', 'RSV', 'RSV', 'RSV', 'RSV', 'RSV'], // RFC 7794 §2.1
  isisSrAdj: ['F', 'B', 'V', 'L', 'S', 'P', 'RSV', 'RSV'], // RFC 8667 §2.2.1 Adj-SID
  isisSrCap: ['I', 'V', 'RSV', 'RSV', 'RSV', 'RSV', 'RSV', 'RSV'], // RFC 8667 §3.1
  node: ['O', 'T', 'E', 'B', 'R', 'V', 'RSV', 'RSV'], // RFC 7752 §3.3.1.1
  igp: ['D', 'N', 'L', 'P', 'RSV', 'RSV', 'RSV', 'RSV'], // RFC 7752 §3.3.3.1
  mpls: ['LDP', 'RSVP-TE', 'RSV', 'RSV', 'RSV', 'RSV', 'RSV', 'RSV'], // RFC 7752 §3.3.2.2
  protection: ['ExtraTrafic', 'Unprotected', 'Shared', 'Dedicated 1:1', 'Dedicated 1+1', 'Enhanced', 'RSV', 'RSV'],
} as const;

const f32 = new DataView(new ArrayBuffer(4));
function float32(v: Uint8Array, o: number): number {
  for (let i = 0; i < 4; i++) f32.setUint8(i, v[o + i]!);
  return f32.getFloat32(0);
}

const u24 = (v: Uint8Array, o: number): number => (v[o]! << 16) | (v[o + 1]! << 8) | v[o + 2]!;

/**
 * The SIDs of an SR TLV after its fixed part: 3-octet labels when V and L are set, 4-octet indexes when both are
 * clear (RFC 8667 §2.1.1); anything else is left undecoded, as hex. `wrap` lists each SID in a list of its own
 * (ExaBGP's adjacency SID form).
 */
function srSids(flags: number, vBit: number, lBit: number, d: Uint8Array, wrap: boolean): string {
  const v = (flags & vBit) !== 0;
  const l = (flags & lBit) !== 0;
  const sids: string[] = [];
  const raw: string[] = [];
  let o = 0;
  while (o < d.length) {
    if (v && l && o + 3 <= d.length) {
      sids.push(String(u24(d, o)));
      o += 3;
    } else if (!v && !l && o + 4 <= d.length) {
      sids.push(String(readU32(d, o)));
      o += 4;
    } else {
      raw.push(`"${hexUpper(d, o)}"`);
      break;
    }
  }
  const list = wrap ? sids.map((s) => `[${s}]`) : sids;
  return `"sids": [${list.join(', ')}], "undecoded-sids": [${raw.join(', ')}]`;
}

/** What a TLV renders to: its members, or null when malformed (the attribute is then discarded). */
type TlvJson = (v: Uint8Array, state: { teRids: string[] }) => string | null;

const ipMember =
  (name: string): TlvJson =>
  (v) => {
    const ip = ipText(v);
    return ip === null ? null : `"${name}": "${ip}"`;
  };
const flagMember =
  (name: string, names: readonly string[]): TlvJson =>
  (v) =>
    v.length >= 1 ? `"${name}": ${pyFlags(v[0]!, names)}` : null;
const floatMember =
  (name: string): TlvJson =>
  (v) =>
    v.length === 4 ? `"${name}": ${pyFloat(float32(v, 0))}` : null;
const listOf = (v: Uint8Array, size: number, read: (o: number) => string): string | null => {
  if (v.length % size !== 0) return null;
  const out: string[] = [];
  for (let o = 0; o < v.length; o += size) out.push(read(o));
  return `[${out.join(', ')}]`;
};
const utf8 = new TextDecoder('utf-8');

const TLVS = new Map<number, TlvJson>([
  // Node attribute TLVs (RFC 7752 §3.3.1)
  [1024, flagMember('node-flags', FLAGS.node)],
  [1025, (v) => `"opaque": ${pyJsonString(utf8.decode(v))}`],
  [1026, (v) => `"node-name": ${jsonString(utf8.decode(v))}`],
  [1027, (v) => `"area-id": "${hexLowerPlain(v)}"`],
  // Local TE router ids, IPv4 (1028) and IPv6 (1029): ExaBGP prints one member per TLV, each listing every id
  // read so far in the attribute.
  ...[1028, 1029].map((t): [number, TlvJson] => [
    t,
    (v, state) => {
      const ip = ipText(v);
      if (ip === null) return null;
      state.teRids.push(ip);
      return `"local-te-router-ids": ["${state.teRids.join('", "')}"]`;
    },
  ]),
  [1030, ipMember('remote-te-router-id')],
  [1031, ipMember('remote-te-router-id')],
  // RFC 9085 §2.1.2 SR Capabilities: flags, reserved, then ranges (size 3, SID/Label sub-TLV 1161).
  [
    1034,
    (v) => {
      if (v.length < 2) return null;
      const sids: string[] = [];
      let o = 2;
      while (o < v.length) {
        if (o + 7 > v.length || readU16(v, o + 3) !== 1161) return null;
        const l = readU16(v, o + 5);
        if ((l !== 3 && l !== 4) || o + 7 + l > v.length) return null;
        sids.push(`[${u24(v, o)}, ${l === 3 ? u24(v, o + 7) : readU32(v, o + 7)}]`);
        o += 7 + l;
      }
      return `"sr-capability-flags": ${pyFlags(v[0]!, FLAGS.isisSrCap)}, "sids": [${sids.join(', ')}]`;
    },
  ],
  // RFC 9085 §2.1.3 SR Algorithm; an empty one is algorithm 0 to ExaBGP (IOS XR sends it so).
  [1035, (v) => `"sr-algorithms": [${v.length ? Array.from(v).join(', ') : '0'}]`],
  // Link attribute TLVs (RFC 7752 §3.3.2)
  [1088, (v) => (v.length === 4 ? `"admin-group-mask": [${readU32(v, 0)}]` : null)],
  [1089, floatMember('maximum-link-bandwidth')],
  [1090, floatMember('maximum-reservable-link-bandwidth')],
  [1091, (v) => (v.length === 32 ? `"unreserved-bandwidth": ${listOf(v, 4, (o) => pyFloat(float32(v, o)))}` : null)],
  [1092, (v) => (v.length === 4 ? `"te-metric": ${readU32(v, 0)}` : null)],
  [1093, (v) => (v.length === 2 ? `"link-protection-flags": ${pyFlags(v[0]!, FLAGS.protection)}` : null)],
  [1094, (v) => (v.length === 1 ? `"mpls-mask": ${pyFlags(v[0]!, FLAGS.mpls)}` : null)],
  [
    1095,
    (v) => {
      // 1 octet: IS-IS narrow metric; 2: OSPF; 3: IS-IS wide metric (RFC 7752 §3.3.2.4).
      if (v.length < 1 || v.length > 3) return null;
      let m = 0;
      for (const x of v) m = m * 256 + x;
      return `"igp-metric": ${m}`;
    },
  ],
  [
    1096,
    (v) => {
      const l = v.length >= 4 ? listOf(v, 4, (o) => String(readU32(v, o))) : null;
      return l === null ? null : `"shared-risk-link-groups": ${l}`;
    },
  ],
  [1097, (v) => `"opaque-link": ${pyJsonString(utf8.decode(v))}`],
  [1098, (v) => `"link-name": ${pyJsonString(utf8.decode(v))}`],
  // RFC 9085 §2.2.1 Adjacency SID: flags, weight, reserved (2), SIDs.
  [
    1099,
    (v) =>
      v.length < 4
        ? null
        : `"sr-adj-flags": ${pyFlags(v[0]!, FLAGS.isisSrAdj)}, ${srSids(v[0]!, 0x20, 0x10, v.subarray(4), true)}, "sr-adj-weight": ${v[1]}`,
  ],
  // RFC 9085 §2.2.2 LAN Adjacency SID: flags, weight, reserved (2), neighbor system id (6), SIDs.
  [
    1100,
    (v) =>
      v.length < 10
        ? null
        : `"sr-adj-lan-flags": ${pyFlags(v[0]!, FLAGS.isisSrAdj)}, ${srSids(v[0]!, 0x20, 0x10, v.subarray(10), false)}, "sr-adj-lan-weight": ${v[1]}`,
  ],
  // Prefix attribute TLVs (RFC 7752 §3.3.3)
  [1152, (v) => (v.length === 1 ? `"igp-flags": ${pyFlags(v[0]!, FLAGS.igp)}` : null)],
  [
    1153,
    (v) => `"igp-route-tags": ${listOf(v.subarray(0, v.length - (v.length % 4)), 4, (o) => String(readU32(v, o)))}`,
  ],
  [
    1154,
    (v) => {
      const n = v.length - (v.length % 8);
      return `"igp-extended-route-tags": ${listOf(v.subarray(0, n), 8, (o) => ((BigInt(readU32(v, o)) << 32n) | BigInt(readU32(v, o + 4))).toString())}`;
    },
  ],
  [1155, (v) => (v.length === 4 ? `"prefix-metric": ${readU32(v, 0)}` : null)],
  [1156, ipMember('ospf-forwarding-address')],
  [1157, (v) => `"opaque-prefix": ${pyJsonString(utf8.decode(v))}`],
  // RFC 9085 §2.3.1 Prefix SID: flags, algorithm, reserved (2), SID.
  [
    1158,
    (v) => {
      if (v.length < 4) return null;
      const sids = v.subarray(4);
      // ExaBGP refuses a 4-octet index with anything after it.
      if ((v[0]! & 0x0c) === 0 && sids.length !== 4) return null;
      return `"sr-prefix-flags": ${pyFlags(v[0]!, FLAGS.isisSr)}, ${srSids(v[0]!, 0x08, 0x04, sids, false)}, "sr-algorithm": ${v[1]}`;
    },
  ],
  [1170, flagMember('sr-prefix-attribute-flags', FLAGS.isisSrAttr)],
  [1171, ipMember('sr-source-router-id')],
]);

/** The "bgp-ls" attribute member, or undefined when the attribute is malformed (RFC 9552 §8.2.2: discarded). */
export function bgpLsAttributeJson(value: Uint8Array): string | undefined {
  const parts: string[] = [];
  const state = { teRids: [] as string[] };
  const ok = eachTlv(value, (t, v) => {
    const r = TLVS.get(t);
    if (r === undefined) {
      parts.push(`"attribute-not-implemented": "${t}"`);
      return true;
    }
    const s = r(v, state);
    if (s === null) return false;
    parts.push(s);
    return true;
  });
  return ok ? `"bgp-ls": { ${parts.join(', ')} }` : undefined;
}
