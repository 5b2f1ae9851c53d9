// One test per attribute: hand-built hex, decoded and re-encoded, and its RFC 7606 §7 error handling.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AS_TRANS, AttrCode, WELL_KNOWN_COMMUNITIES } from '../../../src/wire/attributes';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { DecodeError } from '../../../src/wire/errors';
import {
  type Attributes,
  type CodecContext,
  type ErrorAction,
  familyKey,
  IPV6_UNICAST,
  type Update,
} from '../../../src/wire/types';
import { decodeUpdate, encodeAttributes } from '../../../src/wire/update';

const ctx4: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 4096 };
const ctx2: CodecContext = { asn4: false, addPath: new Set(), maxMessage: 4096 };

const ORIGIN = '40010100';
const AS_PATH4 = '40020602010000FDE8'; // SEQUENCE [65000], 4-octet
const AS_PATH2 = '4002040201FDE8'; // SEQUENCE [65000], 2-octet
const NEXT_HOP = '400304C0000201'; // 192.0.2.1
const NLRI = '180A0000'; // 10.0.0.0/24

/** An UPDATE body with the given attribute bytes and, by default, one IPv4 prefix. */
function body(attrHex: string, nlriHex = NLRI, withdrawnHex = ''): Uint8Array {
  const w = hexToBytes(withdrawnHex);
  const a = hexToBytes(attrHex);
  const n = hexToBytes(nlriHex);
  const b = new Uint8Array(4 + w.length + a.length + n.length);
  b[0] = w.length >> 8;
  b[1] = w.length & 0xff;
  b.set(w, 2);
  b[2 + w.length] = a.length >> 8;
  b[3 + w.length] = a.length & 0xff;
  b.set(a, 4 + w.length);
  b.set(n, 4 + w.length + a.length);
  return b;
}

/** Decode the mandatory three plus `extra`, expecting no issues. */
function decodeWith(extra: string, ctx = ctx4): Attributes {
  const u = decodeUpdate(body(ORIGIN + (ctx.asn4 ? AS_PATH4 : AS_PATH2) + NEXT_HOP + extra), ctx);
  assert.deepEqual(
    u.issues.map((i) => i.message),
    [],
  );
  return u.attributes;
}

function issue(u: Update, subcode: number, action: ErrorAction): DecodeError {
  const found = u.issues.find((i) => i.subcode === subcode && i.action === action);
  assert.ok(
    found,
    `expected issue ${subcode}/${action}, got ${u.issues.map((i) => `${i.subcode}/${i.action}: ${i.message}`).join('; ')}`,
  );
  assert.equal(found.code, 3);
  return found;
}

function fatal(b: Uint8Array, ctx: CodecContext, subcode: number, action: ErrorAction): DecodeError {
  let err: unknown;
  try {
    decodeUpdate(b, ctx);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof DecodeError, `expected a DecodeError, got ${String(err)}`);
  assert.equal(err.code, 3);
  assert.equal(err.subcode, subcode, err.message);
  assert.equal(err.action, action);
  return err;
}

/** encodeAttributes output for `a` must equal `hex`. */
const enc = (a: Attributes, hex: string, ctx = ctx4): void =>
  assert.equal(bytesToHex(encodeAttributes(a, ctx)), hex.toUpperCase());

test('ORIGIN (RFC 4271 §5.1.1, RFC 7606 §7.1)', () => {
  for (const o of [0, 1, 2]) {
    const u = decodeUpdate(body(`4001010${o}` + AS_PATH4 + NEXT_HOP), ctx4);
    assert.equal(u.attributes.origin, o);
    enc({ origin: o }, `4001010${o}`);
  }
  const bad = decodeUpdate(body('40010103' + AS_PATH4 + NEXT_HOP), ctx4);
  assert.equal(bad.attributes.origin, undefined);
  assert.deepEqual(issue(bad, 6, 'treat-as-withdraw').data, hexToBytes('40010103'));
  issue(decodeUpdate(body('4001020000' + AS_PATH4 + NEXT_HOP), ctx4), 5, 'treat-as-withdraw');
});

test('AS_PATH 2- and 4-octet, every segment type (RFC 4271 §4.3, RFC 5065, RFC 7606 §7.2)', () => {
  const path = [
    { type: 3, asns: [64512] },
    { type: 4, asns: [64513, 64514] },
    { type: 2, asns: [65000, 65001] },
    { type: 1, asns: [1, 2] },
  ];
  const hex4 =
    '400224' + '030100' + '00FC00' + '040200' + '00FC010000FC02' + '02020000FDE80000FDE9' + '01020000000100000002';
  enc({ asPath: path }, hex4);
  assert.deepEqual(decodeUpdate(body(ORIGIN + hex4 + NEXT_HOP), ctx4).attributes.asPath, path);
  const hex2 = '400216' + '0301FC00' + '0402FC01FC02' + '0202FDE8FDE9' + '010200010002';
  enc({ asPath: path }, hex2, ctx2);
  assert.deepEqual(decodeUpdate(body(ORIGIN + hex2 + NEXT_HOP), ctx2).attributes.asPath, path);
  // Empty AS_PATH (iBGP) is fine.
  assert.deepEqual(decodeUpdate(body(ORIGIN + '400200' + NEXT_HOP), ctx4).attributes.asPath, []);
  // Malformed: zero-length segment, unknown type, overrun, odd trailing byte.
  for (const bad of ['4002020200', '400206050100000001', '40020602020000FDE8', '40020702010000FDE800']) {
    const u = decodeUpdate(body(ORIGIN + bad + NEXT_HOP), ctx4);
    issue(u, 11, 'treat-as-withdraw');
    assert.equal(u.attributes.asPath, undefined);
  }
  // Segments longer than 255 ASNs are split.
  const long = Array.from({ length: 300 }, (_, i) => i + 1);
  const a = encodeAttributes({ asPath: [{ type: 2, asns: long }] }, ctx4);
  assert.equal(
    bytesToHex(a.subarray(0, 6)),
    '5002' + (2 + 255 * 4 + 2 + 45 * 4).toString(16).toUpperCase().padStart(4, '0') + '02FF',
  );
  const back = decodeUpdate(body(ORIGIN + bytesToHex(a) + NEXT_HOP), ctx4).attributes.asPath!;
  assert.deepEqual(
    back.map((s) => s.asns.length),
    [255, 45],
  );
  assert.deepEqual(
    back.flatMap((s) => s.asns),
    long,
  );
});

test('NEXT_HOP (RFC 7606 §7.3)', () => {
  assert.deepEqual(decodeWith('').nextHop, Uint8Array.of(192, 0, 2, 1));
  enc({ nextHop: Uint8Array.of(192, 0, 2, 1) }, NEXT_HOP);
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + '400305C000020100'), ctx4), 5, 'treat-as-withdraw');
  const mc = decodeUpdate(body(ORIGIN + AS_PATH4 + '400304E0000001'), ctx4);
  issue(mc, 8, 'treat-as-withdraw');
  assert.equal(mc.attributes.nextHop, undefined);
});

test('MED and LOCAL_PREF (RFC 7606 §7.4, §7.5)', () => {
  const a = decodeWith('800404000000644005040000012C');
  assert.equal(a.med, 100);
  assert.equal(a.localPref, 300);
  enc({ med: 100, localPref: 300 }, '800404000000644005040000012C');
  enc({ med: 0xffffffff }, '800404FFFFFFFF');
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '8004030000FF'), ctx4), 5, 'treat-as-withdraw');
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '40050500000000FF'), ctx4), 5, 'treat-as-withdraw');
});

test('ATOMIC_AGGREGATE and AGGREGATOR: malformed ones are discarded (RFC 7606 §7.6, §7.7)', () => {
  const a = decodeWith('400600' + 'C007080000FDEDC0000209');
  assert.equal(a.atomicAggregate, true);
  assert.deepEqual(a.aggregator, { asn: 65005, address: Uint8Array.of(192, 0, 2, 9) });
  enc(
    { atomicAggregate: true, aggregator: { asn: 65005, address: Uint8Array.of(192, 0, 2, 9) } },
    '400600C007080000FDEDC0000209',
  );
  enc({ aggregator: { asn: 65005, address: Uint8Array.of(192, 0, 2, 9) } }, 'C00706FDEDC0000209', ctx2);
  assert.deepEqual(decodeWith('C00706FDEDC0000209', ctx2).aggregator, {
    asn: 65005,
    address: Uint8Array.of(192, 0, 2, 9),
  });

  const u = decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '40060101' + 'C00706FDEDC0000209'), ctx4);
  assert.equal(u.attributes.atomicAggregate, undefined);
  assert.equal(u.attributes.aggregator, undefined);
  assert.equal(u.issues.length, 2);
  assert.ok(u.issues.every((i) => i.action === 'attribute-discard' && i.subcode === 5));
});

test('COMMUNITIES and well-known names (RFC 1997, RFC 7606 §7.8)', () => {
  const a = decodeWith('C00808FDE80001FFFFFF01');
  assert.deepEqual(a.communities, [0xfde80001, WELL_KNOWN_COMMUNITIES['no-export']]);
  enc({ communities: [0xfde80001, 0xffffff01] }, 'C00808FDE80001FFFFFF01');
  assert.equal(WELL_KNOWN_COMMUNITIES.blackhole, 0xffff029a);
  assert.equal(WELL_KNOWN_COMMUNITIES['no-peer'], 0xffffff04);
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + 'C00805FDE8000100'), ctx4), 5, 'treat-as-withdraw');
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + 'C00800'), ctx4), 5, 'treat-as-withdraw');
  // Extended length form decodes the same; values over 255 bytes are sent with it.
  assert.deepEqual(decodeWith('D0080004FDE80001').communities, [0xfde80001]);
  const many = Array.from({ length: 70 }, (_, i) => i);
  const e = encodeAttributes({ communities: many }, ctx4);
  assert.equal(bytesToHex(e.subarray(0, 4)), 'D0080118');
  assert.deepEqual(decodeWith(bytesToHex(e)).communities, many);
});

test('ORIGINATOR_ID and CLUSTER_LIST (RFC 4456, RFC 7606 §7.9, §7.10)', () => {
  const a = decodeWith('80090401010101' + '800A080202020203030303');
  assert.deepEqual(a.originatorId, Uint8Array.of(1, 1, 1, 1));
  assert.deepEqual(a.clusterList, [Uint8Array.of(2, 2, 2, 2), Uint8Array.of(3, 3, 3, 3)]);
  enc(
    { originatorId: Uint8Array.of(1, 1, 1, 1), clusterList: [Uint8Array.of(2, 2, 2, 2), Uint8Array.of(3, 3, 3, 3)] },
    '80090401010101800A080202020203030303',
  );
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '800903010101'), ctx4), 5, 'treat-as-withdraw');
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '800A050202020202'), ctx4), 5, 'treat-as-withdraw');
});

test('EXTENDED, IPv6 EXTENDED and LARGE COMMUNITIES (RFC 4360, RFC 5701, RFC 8092)', () => {
  const ext = '0002FDE800000001';
  const v6 = '000220010DB80000000000000000000000010064';
  const large = '00000B62000000000000029A';
  const a = decodeWith(`C01008${ext}` + `C01914${v6}` + `C0200C${large}`);
  assert.deepEqual(a.extendedCommunities, [hexToBytes(ext)]);
  assert.deepEqual(a.ipv6ExtendedCommunities, [hexToBytes(v6)]);
  assert.deepEqual(a.largeCommunities, [[2914, 0, 666]]);
  enc(
    {
      extendedCommunities: [hexToBytes(ext)],
      ipv6ExtendedCommunities: [hexToBytes(v6)],
      largeCommunities: [[2914, 0, 666]],
    },
    `C01008${ext}C01914${v6}C0200C${large}`,
  );
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + 'C010070002FDE8000000'), ctx4), 5, 'treat-as-withdraw');
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + `C01913${v6.slice(2)}`), ctx4), 5, 'treat-as-withdraw');
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + `C0200D${large}00`), ctx4), 5, 'treat-as-withdraw');
});

test('AIGP (RFC 7311): metric TLV, unknown TLVs skipped, malformed discarded', () => {
  assert.equal(decodeWith('801A0B01000B00000000000004D2').aigp, 1234n);
  enc({ aigp: 1234n }, '801A0B01000B00000000000004D2');
  enc({ aigp: 0xffffffffffffffffn }, '801A0B01000BFFFFFFFFFFFFFFFF');
  assert.equal(decodeWith('801A0F0700040001000B00000000000004D2').aigp, 1234n);
  const u = decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '801A0A01000A000000000004D2'), ctx4);
  issue(u, 9, 'attribute-discard');
  assert.equal(u.attributes.aigp, undefined);
});

test('unknown attributes: optional kept with flags, Partial set on re-send; well-known one resets (RFC 4271 §5, §6.3)', () => {
  const a = decodeWith('C0630201028064010A');
  assert.deepEqual(a.other, [
    { flags: 0xe0, code: 99, value: Uint8Array.of(1, 2) },
    { flags: 0x80, code: 100, value: Uint8Array.of(10) },
  ]);
  // Optional transitive gets Partial when decoded (it will be passed on partial); flags are sent as kept.
  enc({ other: a.other! }, 'E0630201028064010A');
  // Written by hand (config `attribute [ ... ]`): sent exactly as written.
  enc({ other: [{ flags: 0xc0, code: 99, value: Uint8Array.of(1, 2) }] }, 'C063020102');
  // A repeated unknown attribute is dropped after the first (RFC 7606 §3.g).
  const u = decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + 'C063020102C0630103'), ctx4);
  assert.deepEqual(u.attributes.other, [{ flags: 0xe0, code: 99, value: Uint8Array.of(1, 2) }]);
  issue(u, 1, 'attribute-discard');
  fatal(body(ORIGIN + AS_PATH4 + NEXT_HOP + '40630100'), ctx4, 2, 'session-reset');
  // Code 153 (0x99), as in ExaBGP's qa/ci/conf-generic-attribute: optional transitive with Extended Length
  // kept with that bit (ExaBGP shows the flags as received, 0xF0 once Partial is set), re-sent short with 0xE0;
  // optional non-transitive kept for display rules to drop; with the optional bit clear (0x60, 0x70: "well-known")
  // the UPDATE is an error, Unrecognized Well-known Attribute (RFC 4271 §6.3), whatever ExaBGP does with it.
  const ext = decodeWith('D099000400000064');
  assert.deepEqual(ext.other, [{ flags: 0xf0, code: 153, value: Uint8Array.of(0, 0, 0, 100) }]);
  assert.deepEqual(decodeWith('8099010A').other, [{ flags: 0x80, code: 153, value: Uint8Array.of(10) }]);
  enc({ other: ext.other! }, 'E09904' + '00000064');
  fatal(body(ORIGIN + AS_PATH4 + NEXT_HOP + '60990400000064'), ctx4, 2, 'session-reset');
  fatal(body(ORIGIN + AS_PATH4 + NEXT_HOP + '7099000400000064'), ctx4, 2, 'session-reset');
  // A modelled code in `other` never duplicates the typed attribute.
  enc({ med: 1, other: [{ flags: 0x80, code: 4, value: Uint8Array.of(0, 0, 0, 9) }] }, '80040400000001');
});

test('attribute flags in conflict (RFC 7606 §3.c)', () => {
  const u = decodeUpdate(body('C0010100' + AS_PATH4 + NEXT_HOP), ctx4);
  issue(u, 4, 'treat-as-withdraw');
  assert.equal(u.attributes.origin, undefined);
  // AGGREGATOR as well-known: discarded, not withdrawn.
  const g = decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '4007080000FDEDC0000209'), ctx4);
  issue(g, 4, 'attribute-discard');
  assert.equal(g.issues.length, 1);
  // Extended-length and Partial bits are not in conflict.
  assert.equal(decodeWith('F0080004FDE80001').communities![0], 0xfde80001);
});

test('duplicates (RFC 7606 §3.g) and missing mandatory attributes (§3.d)', () => {
  const d = decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '80040400000001' + '80040400000002'), ctx4);
  assert.equal(d.attributes.med, 1);
  issue(d, 1, 'attribute-discard');
  const mp = '800E1A00020110' + '20010DB8000000000000000000000001' + '00' + '2020010DB8';
  fatal(body(ORIGIN + AS_PATH4 + mp + mp, ''), ctx4, 1, 'session-reset');
  fatal(body('800F03000201800F03000201', ''), ctx4, 1, 'session-reset');

  const m = decodeUpdate(body(ORIGIN + AS_PATH4), ctx4);
  assert.deepEqual(issue(m, 3, 'treat-as-withdraw').data, Uint8Array.of(AttrCode.NEXT_HOP));
  const m2 = decodeUpdate(body(NEXT_HOP), ctx4);
  assert.equal(m2.issues.filter((i) => i.subcode === 3).length, 2);
  // No NLRI: nothing is mandatory.
  assert.deepEqual(decodeUpdate(body('80040400000001', ''), ctx4).issues, []);
  // MP_REACH NLRI needs ORIGIN and AS_PATH but no NEXT_HOP.
  const v6 = '800E' + '1A' + '00020110' + '20010DB8000000000000000000000001' + '00' + '2020010DB8';
  assert.deepEqual(decodeUpdate(body(ORIGIN + AS_PATH4 + v6, ''), ctx4).issues, []);
  assert.equal(decodeUpdate(body(v6, ''), ctx4).issues.length, 2);
});

test('attribute list overruns (RFC 7606 §4): treat-as-withdraw, NLRI still found', () => {
  // MED claims 8 bytes but the list ends after 4.
  const u = decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '80040800000001'), ctx4);
  issue(u, 5, 'treat-as-withdraw');
  assert.equal(u.nlri.count, 1);
  assert.equal(u.attributes.origin, 0);
  // Two bytes left: not even an attribute header.
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '8004'), ctx4), 1, 'treat-as-withdraw');
  // Extended length header cut short.
  issue(decodeUpdate(body(ORIGIN + AS_PATH4 + NEXT_HOP + '900400'), ctx4), 1, 'treat-as-withdraw');
});

test('MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760, RFC 8950, RFC 7606 §7.11)', () => {
  const nh = '20010DB8000000000000000000000001';
  const ll = 'FE800000000000000000000000000001';
  const a = decodeUpdate(
    body(ORIGIN + AS_PATH4 + `800E2C000201 20${nh}${ll} 00 3020010DB80001`.replace(/ /g, ''), ''),
    ctx4,
  ).attributes;
  assert.equal(a.mpReach!.family, IPV6_UNICAST);
  assert.equal(bytesToHex(a.mpReach!.nextHop), nh + ll);
  assert.equal(a.mpReach!.nlri.count, 1);
  // RFC 8950: IPv4 NLRI with an IPv6 next hop.
  const v4 = decodeUpdate(
    body(ORIGIN + AS_PATH4 + `800E1C000101 10${nh} 00 180A0000 100B00`.replace(/ /g, ''), ''),
    ctx4,
  ).attributes;
  assert.equal(v4.mpReach!.family, familyKey(1, 1));
  assert.equal(v4.mpReach!.nlri.count, 2);
  // IPv6 NLRI with a 4-byte IPv4 next hop, as ExaBGP sends for `nexthop { ipv6 unicast ipv4; }`: taken.
  const v6v4 = decodeUpdate(
    body(ORIGIN + AS_PATH4 + `800E1A000201 04AAAAAAAA 00 80DEADBEEFDEADBEEFDEADBEEFDEADBEEF`.replace(/ /g, ''), ''),
    ctx4,
  ).attributes;
  assert.equal(bytesToHex(v6v4.mpReach!.nextHop), 'AAAAAAAA');
  assert.equal(v6v4.mpReach!.nlri.count, 1);
  // Bad next hop length for IPv6: the family is disabled.
  const e = fatal(
    body(ORIGIN + AS_PATH4 + `800E0E000201 08C0000201C0000202 00 00`.replace(/ /g, ''), ''),
    ctx4,
    9,
    'afisafi-disable',
  );
  assert.equal(e.family, IPV6_UNICAST);
  // Prefix length 129 in IPv6: AFI/SAFI disable (RFC 7606 §5.3).
  assert.equal(
    fatal(body(ORIGIN + AS_PATH4 + `800E17000201 10${nh} 00 8100`.replace(/ /g, ''), ''), ctx4, 10, 'afisafi-disable')
      .family,
    IPV6_UNICAST,
  );
  // Next hop running past the attribute; too short to hold AFI/SAFI.
  fatal(body(ORIGIN + AS_PATH4 + '800E0600020120AAAA', ''), ctx4, 9, 'afisafi-disable');
  fatal(body(ORIGIN + AS_PATH4 + '800E020002', ''), ctx4, 9, 'session-reset');
  fatal(body('800F020002', ''), ctx4, 9, 'session-reset');
  // Flags in conflict: MP attributes cannot be treat-as-withdraw'n.
  fatal(body('C00F03000201', ''), ctx4, 4, 'session-reset');
  // A family without a codec (SAFI 250, private use) is kept opaque.
  const vpn = decodeUpdate(body('800F070001FA01020304', ''), ctx4).attributes.mpUnreach!;
  assert.equal(vpn.family, familyKey(1, 250));
  assert.equal(vpn.nlri.count, 0);
  assert.equal(bytesToHex(vpn.nlri.data), '01020304');
  const un = decodeUpdate(body('800F0A000201 3020010DB80001'.replace(/ /g, ''), ''), ctx4).attributes.mpUnreach!;
  assert.equal(un.nlri.count, 1);
  // ADD-PATH applies per family.
  const ap: CodecContext = { ...ctx4, addPath: new Set([IPV6_UNICAST]) };
  assert.equal(
    decodeUpdate(body('800F0E000201 00000005 3020010DB80001'.replace(/ /g, ''), ''), ap).attributes.mpUnreach!.nlri
      .count,
    1,
  );
});

test('AS4_PATH / AS4_AGGREGATOR on 2-octet sessions (RFC 6793 §4.2.3)', () => {
  const agg4 = 'C01208FA56EA01C0000209';
  // AS_PATH [65000 23456] + AS4_PATH [4200000000] -> [65000 4200000000].
  const u = decodeUpdate(
    body(
      ORIGIN + '4002060202FDE85BA0' + NEXT_HOP + 'C007065BA0C0000209' + 'C01106020 1FA56EA00'.replace(' ', '') + agg4,
    ),
    ctx2,
  );
  assert.deepEqual(u.issues, []);
  assert.deepEqual(u.attributes.asPath, [{ type: 2, asns: [65000, 4200000000] }]);
  assert.deepEqual(u.attributes.aggregator, { asn: 4200000001, address: Uint8Array.of(192, 0, 2, 9) });
  // AS4_PATH longer than AS_PATH: ignored.
  const longer = decodeUpdate(body(ORIGIN + '4002040201FDE8' + NEXT_HOP + 'C0110A0202FA56EA00FA56EA01'), ctx2);
  assert.deepEqual(longer.attributes.asPath, [{ type: 2, asns: [65000] }]);
  // AGGREGATOR without AS_TRANS: both AS4 attributes are ignored.
  const old = decodeUpdate(
    body(ORIGIN + '4002060202FDE85BA0' + NEXT_HOP + 'C00706FDEDC0000209' + 'C011060201FA56EA00' + agg4),
    ctx2,
  );
  assert.deepEqual(old.attributes.asPath, [{ type: 2, asns: [65000, AS_TRANS] }]);
  assert.equal(old.attributes.aggregator!.asn, 65005);
  // Confederation segments in AS4_PATH are dropped; leading ones of AS_PATH stay.
  const conf = decodeUpdate(
    body(ORIGIN + '40020A0301FC000202FDE85BA0' + NEXT_HOP + 'C0110C0301FFFFFFFF0201FA56EA00'),
    ctx2,
  );
  assert.deepEqual(conf.attributes.asPath, [
    { type: 3, asns: [64512] },
    { type: 2, asns: [65000, 4200000000] },
  ]);
  // Malformed AS4_PATH: discarded, AS_PATH stands.
  const bad = decodeUpdate(body(ORIGIN + '4002060202FDE85BA0' + NEXT_HOP + 'C011050201FA56EA'), ctx2);
  issue(bad, 11, 'attribute-discard');
  assert.deepEqual(bad.attributes.asPath, [{ type: 2, asns: [65000, AS_TRANS] }]);
  // Between 4-octet speakers AS4_PATH is ignored.
  assert.deepEqual(decodeWith('C011060201FA56EA00').asPath, [{ type: 2, asns: [65000] }]);
});

test('encoding for 2-octet sessions: AS_TRANS with AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.2.2)', () => {
  enc(
    {
      asPath: [
        { type: 3, asns: [64512] },
        { type: 2, asns: [65000, 4200000000] },
      ],
      aggregator: { asn: 4200000001, address: Uint8Array.of(192, 0, 2, 9) },
    },
    // AS4_PATH right after AS_PATH and AS4_AGGREGATOR right after AGGREGATOR, as ExaBGP orders them.
    '40020A0301FC000202FDE85BA0' +
      'C0110A0202 0000FDE8 FA56EA00'.replace(/ /g, '') +
      'C007065BA0C0000209' +
      'C01208FA56EA01C0000209',
    ctx2,
  );
  // All 2-octet: no AS4_PATH.
  enc({ asPath: [{ type: 2, asns: [65000] }] }, AS_PATH2, ctx2);
});
