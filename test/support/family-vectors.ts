// UPDATE messages written for the decode-mostly families and attributes (BGP-LS, RT constraint, PMSI tunnel,
// unknown attributes): the bytes are built here from the RFC layouts, shared by the unit tests (expected JSON
// written by hand) and the differential test against exabgp --decode (the same bytes, ExaBGP's JSON).

export const h = (s: string): number[] => [...Buffer.from(s.replace(/\s/g, ''), 'hex')];
export const u16 = (n: number): number[] => [(n >> 8) & 255, n & 255];
export const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
export const attr = (flags: number, code: number, v: number[]): number[] =>
  v.length > 255 || flags & 0x10 ? [flags | 0x10, code, ...u16(v.length), ...v] : [flags, code, v.length, ...v];
/** A whole UPDATE message in upper-case hex, marker included. */
export const update = (withdrawn: number[] = [], attrs: number[] = [], nlri: number[] = []): string => {
  const body = [...u16(withdrawn.length), ...withdrawn, ...u16(attrs.length), ...attrs, ...nlri];
  return Buffer.from([...Array(16).fill(0xff), ...u16(19 + body.length), 2, ...body])
    .toString('hex')
    .toUpperCase();
};
export const ORIGIN = attr(0x40, 1, [0]);
export const PATH = (...asns: number[]): number[] =>
  attr(0x40, 2, asns.length ? [2, asns.length, ...asns.flatMap(u32)] : []);
export const LP = (n: number): number[] => attr(0x40, 5, u32(n));
export const MPREACH = (afi: number, safi: number, nh: number[], nlri: number[]): number[] =>
  attr(0x90, 14, [...u16(afi), safi, nh.length, ...nh, 0, ...nlri]);
export const MPUNREACH = (afi: number, safi: number, nlri: number[]): number[] =>
  attr(0x90, 15, [...u16(afi), safi, ...nlri]);
/** A TLV with a 2-octet type and 2-octet length (BGP-LS, RFC 7752 §3.1). */
export const tlv = (type: number, v: number[]): number[] => [...u16(type), ...u16(v.length), ...v];

// ------------------------------------------------------------------ BGP-LS (RFC 7752, RFC 9085)

const LS = 16388;
const ls = (type: number, body: number[]): number[] => [...u16(type), ...u16(body.length), ...body];
/** Protocol id and 8-octet identifier (RFC 7752 §3.2). */
const head = (proto: number, id: number): number[] => [proto, ...u32(0), ...u32(id)];
const f32 = (x: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return [...b];
};
const NH4 = [192, 0, 2, 9];
const LS_BASE = [...ORIGIN, ...PATH(65001)];

const nodeNlri = ls(1, [
  ...head(3, 0),
  ...tlv(256, [...tlv(512, u32(65000)), ...tlv(513, u32(7)), ...tlv(514, [0, 0, 0, 1]), ...tlv(515, [192, 0, 2, 1])]),
]);

export const BGPLS_CASES: Record<string, string> = {
  'bgp-ls node with SR capabilities': update(
    [],
    [
      ...LS_BASE,
      ...attr(0x80, 29, [
        ...tlv(1024, [0x60]),
        ...tlv(1026, [...Buffer.from('edge-1')]),
        ...tlv(1027, h('490001')),
        ...tlv(1028, [192, 0, 2, 1]),
        ...tlv(1029, h('20010db8000000000000000000000001')),
        ...tlv(1034, [0x80, 0, 0, 0x1f, 0x40, ...tlv(1161, [0, 0x3e, 0x80])]),
        ...tlv(1035, [0, 1]),
      ]),
      ...MPREACH(LS, 71, NH4, nodeNlri),
    ],
  ),
  'bgp-ls link, IS-IS, TE and SR adjacency TLVs': update(
    [],
    [
      ...LS_BASE,
      ...attr(0x80, 29, [
        ...tlv(1030, [198, 51, 100, 2]),
        ...tlv(1088, u32(0x0f)),
        ...tlv(1089, f32(1e9)),
        ...tlv(1090, f32(1.1)),
        ...tlv(
          1091,
          [1, 2, 3, 4, 5, 6, 7, 8].flatMap((i) => f32(i * 1.25e8)),
        ),
        ...tlv(1092, u32(20)),
        ...tlv(1093, [0x40, 0]),
        ...tlv(1094, [0x80]),
        ...tlv(1095, [0, 0x27, 0x10]),
        ...tlv(1096, [...u32(1), ...u32(2)]),
        ...tlv(1099, [0x30, 0, 0, 0, 0x04, 0x93, 0x10]),
        ...tlv(1100, [0x30, 5, 0, 0, ...h('000000000002'), 0x04, 0x93, 0x20]),
        ...tlv(1106, [1, 2, 3]),
      ]),
      ...MPREACH(
        LS,
        71,
        NH4,
        ls(2, [
          ...head(2, 0),
          ...tlv(256, tlv(515, h('000000000001'))),
          ...tlv(257, tlv(515, h('00000000000203'))),
          ...tlv(258, [...u32(10), ...u32(11)]),
          ...tlv(259, [10, 0, 0, 1]),
          ...tlv(260, [10, 0, 0, 2]),
          ...tlv(261, h('20010db8000000000000000000000011')),
        ]),
      ),
    ],
  ),
  'bgp-ls link, OSPF pseudonode': update(
    [],
    [
      ...LS_BASE,
      ...attr(0x80, 29, [...tlv(1095, [0, 10]), ...tlv(1089, f32(1e16))]),
      ...MPREACH(
        LS,
        71,
        NH4,
        ls(2, [
          ...head(3, 5),
          ...tlv(256, [...tlv(512, u32(65000)), ...tlv(515, [10, 0, 0, 1])]),
          ...tlv(257, [...tlv(512, u32(65000)), ...tlv(515, [10, 0, 0, 2, 10, 1, 1, 2])]),
        ]),
      ),
    ],
  ),
  'bgp-ls IPv4 prefix, OSPF route type and prefix TLVs': update(
    [],
    [
      ...LS_BASE,
      ...attr(0x80, 29, [
        ...tlv(1152, [0x80]),
        ...tlv(1153, [...u32(100), ...u32(200)]),
        ...tlv(1154, [...u32(1), ...u32(2)]),
        ...tlv(1155, u32(30)),
        ...tlv(1156, [192, 0, 2, 77]),
        ...tlv(1158, [0x40, 0, 0, 0, ...u32(12)]),
        ...tlv(1170, [0x40]),
        ...tlv(1171, [192, 0, 2, 1]),
      ]),
      ...MPREACH(
        LS,
        71,
        NH4,
        ls(3, [
          ...head(3, 0),
          ...tlv(256, [...tlv(512, u32(65000)), ...tlv(515, [192, 0, 2, 1])]),
          ...tlv(264, [2]),
          ...tlv(265, [24, 198, 51, 100]),
        ]),
      ),
    ],
  ),
  'bgp-ls IPv6 prefix, IS-IS, labelled prefix SID': update(
    [],
    [
      ...LS_BASE,
      ...attr(0x80, 29, tlv(1158, [0x1c, 0, 0, 0, 0x00, 0x3e, 0x81])),
      ...MPREACH(
        LS,
        71,
        NH4,
        ls(4, [
          ...head(2, 0),
          ...tlv(256, [...tlv(512, u32(65000)), ...tlv(515, h('000000000001'))]),
          ...tlv(265, [48, ...h('20010db80001')]),
        ]),
      ),
    ],
  ),
  'bgp-ls node withdrawn': update([], [...MPUNREACH(LS, 71, nodeNlri)]),
};

// ------------------------------------------------------------------ RT constraint (RFC 4684)

/** One RTC NLRI: prefix length in bits, origin AS, then the route target's first len - 32 bits. */
export const rtcNlri = (len: number, origin: number, rt: number[]): number[] =>
  len === 0 ? [0] : [len, ...[...u32(origin), ...rt].slice(0, (len + 7) >> 3)];
const RT_ASN2 = h('0002fde800000001');
const RT_IP = h('0102c000020100 05');

export const RTC_CASES: Record<string, string> = {
  'rtc: an AS2 target, the default route, an IPv4 target': update(
    [],
    [
      ...ORIGIN,
      ...PATH(65001),
      ...LP(100),
      ...MPREACH(1, 132, [192, 0, 2, 9], [...rtcNlri(96, 65000, RT_ASN2), 0, ...rtcNlri(96, 65001, RT_IP)]),
    ],
  ),
  'rtc: withdrawn, a prefix shorter than a route target': update(
    [],
    MPUNREACH(1, 132, [...rtcNlri(96, 65000, RT_ASN2), ...rtcNlri(64, 65000, RT_ASN2)]),
  ),
};

// ------------------------------------------------------------------ PMSI tunnel (RFC 6514 §5), other attributes

const NH_ATTR = attr(0x40, 3, [192, 0, 2, 1]);
/** PMSI Tunnel: flags, tunnel type, MPLS label (3 octets, the label in the top 20 bits), tunnel identifier. */
const PMSI = (flags: number, type: number, label: number[], id: number[]): number[] =>
  attr(0xc0, 22, [flags, type, ...label, ...id]);
const route = (attrs: number[]): string =>
  update([], [...ORIGIN, ...PATH(65001), ...NH_ATTR, ...attrs].flat(), [24, 10, 0, 0]);

export const ATTRIBUTE_CASES: Record<string, string> = {
  'pmsi: ingress replication with a label': route(PMSI(0, 6, [0, 0x27, 0x11], [192, 0, 2, 7])),
  'pmsi: no tunnel, leaf information required': route(PMSI(1, 0, [0, 0, 0], [])),
  'pmsi: PIM-SSM tree (a type ExaBGP keeps as bytes)': route(PMSI(0, 3, [0, 0x06, 0x41], [192, 0, 2, 7, 232, 1, 1, 1])),
  'tunnel encapsulation (23): the generic form': route(attr(0xc0, 23, [...u16(8), ...u16(7), 1, 4, 0, 0, 0, 100, 0])),
  'an unknown transitive attribute with Partial set': route(attr(0xe0, 0xf0, [1, 2, 3])),
};

// ------------------------------------------------------------------ MVPN (RFC 6514) and MUP (draft-mpmz-bess-mup-safi)

const RD1 = [0, 0, ...u16(65000), ...u32(1)];
const mvpn = (type: number, body: number[]): number[] => [type, body.length, ...body];
const mup = (type: number, body: number[]): number[] => [1, ...u16(type), body.length, ...body];

export const MVPN_CASES: Record<string, string> = {
  'mvpn: source active A-D, shared and source tree joins, an intra-AS I-PMSI A-D': update(
    [],
    [
      ...ORIGIN,
      ...PATH(),
      ...MPREACH(
        1,
        5,
        [192, 0, 2, 9],
        [
          ...mvpn(5, [...RD1, 32, 198, 51, 100, 1, 32, 232, 1, 1, 1]),
          ...mvpn(6, [...RD1, ...u32(65001), 32, 198, 51, 100, 2, 32, 239, 1, 1, 1]),
          ...mvpn(7, [...RD1, ...u32(65001), 32, 198, 51, 100, 3, 32, 232, 1, 1, 3]),
          ...mvpn(1, [...RD1, 192, 0, 2, 9]),
        ],
      ),
    ],
  ),
};

export const MUP_CASES: Record<string, string> = {
  'mup: interwork and direct segment discovery, type 1 and type 2 session transformed': update(
    [],
    [
      ...ORIGIN,
      ...PATH(),
      ...MPREACH(
        1,
        85,
        [192, 0, 2, 9],
        [
          ...mup(1, [...RD1, 24, 10, 0, 1]),
          ...mup(2, [...RD1, 192, 0, 2, 10]),
          ...mup(3, [...RD1, 32, 10, 0, 0, 7, ...u32(12345), 9, 32, 192, 0, 2, 20, 32, 192, 0, 2, 21]),
          ...mup(4, [...RD1, 64, 192, 0, 2, 30, ...u32(4000)]),
          ...mup(9, [1, 2]),
        ],
      ),
    ],
  ),
  'mup: IPv6 type 1 session transformed without source, withdrawn': update(
    [],
    MPUNREACH(
      2,
      85,
      mup(3, [...RD1, 64, ...h('20010db800000001'), ...u32(1), 0, 128, ...h('20010db8000000000000000000000020')]),
    ),
  ),
};

// ------------------------------------------------------------------ SR Policy (RFC 9830) and its tunnel TLV

/** A sub-TLV of the SR Policy tunnel: 1-octet length below type 128, 2 octets from 128 on (RFC 9012 §2). */
const sub = (type: number, v: number[]): number[] =>
  type >= 128 ? [type, ...u16(v.length), ...v] : [type, v.length, ...v];
const V6SID = h('20010db8000000000000000000000001');

export const SR_POLICY_CASES: Record<string, string> = {
  'sr-policy: a candidate path with every sub-TLV ExaBGP decodes': update(
    [],
    [
      ...ORIGIN,
      ...PATH(),
      ...attr(
        0xc0,
        23,
        tlv(15, [
          ...sub(12, [0, 0, ...u32(100)]),
          ...sub(13, [0, 0, ...u32(24001 << 12)]),
          ...sub(15, [5, 0]),
          ...sub(20, [0x20, 0, ...V6SID, ...u16(71), 0, 0, 32, 16, 16, 0]),
          ...sub(129, [0, ...Buffer.from('path-1')]),
          ...sub(130, [0, ...Buffer.from('pol "a"')]),
          ...sub(128, [
            0,
            ...sub(9, [0, 0, ...u32(10)]),
            ...sub(1, [0, 0, ...u32(((16001 << 12) | 0x100 | 64) >>> 0)]),
            ...sub(13, [0, 0, ...V6SID]),
            ...sub(3, [0, 0, 192, 0, 2, 5, ...u32((16005 << 12) >>> 0)]),
            ...sub(4, [0, 1, ...V6SID]),
          ]),
          ...sub(99, [7]),
        ]),
      ),
      ...MPREACH(1, 73, [192, 0, 2, 9], [96, ...u32(1), ...u32(100), 192, 0, 2, 1]),
    ],
  ),
  'sr-policy: IPv6 endpoint withdrawn': update([], MPUNREACH(2, 73, [192, ...u32(2), ...u32(200), ...V6SID])),
};

/** A BGP-LS node UPDATE with this BGP-LS attribute and next hop: where ExaBGP 4.2 fails and tsbgp decodes. */
export function bgpLsNode(attribute: number[], nextHop: number[] = NH4): string {
  return update([], [...LS_BASE, ...attr(0x80, 29, attribute), ...MPREACH(LS, 71, nextHop, nodeNlri)]);
}
