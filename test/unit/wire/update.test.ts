import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { DecodeError } from '../../../src/wire/errors';
import { forEachPrefix, ipv4Unicast, ipv6Unicast } from '../../../src/wire/nlri/prefix';
import { makeBlock } from '../../../src/wire/nlri/registry';
import {
  type AsPathSegment,
  type Attributes,
  type CodecContext,
  familyKey,
  HEADER_LENGTH,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type Prefix,
} from '../../../src/wire/types';
import { decodeUpdate, encodeAttributes, encodeEndOfRib, encodeUpdate, packUpdates } from '../../../src/wire/update';
import { EXABGP_VECTORS } from '../../vectors/update-vectors';

const ctx4: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 4096 };
const ctx2: CodecContext = { asn4: false, addPath: new Set(), maxMessage: 4096 };

const bodyOf = (msg: Uint8Array): Uint8Array => {
  assert.equal(msg.length, (msg[16]! << 8) | msg[17]!, 'header length');
  assert.equal(msg[18], 2, 'UPDATE type');
  assert.ok(
    msg.subarray(0, 16).every((b) => b === 0xff),
    'marker',
  );
  return msg.subarray(HEADER_LENGTH);
};

function fatal(b: Uint8Array, subcode: number, action = 'session-reset'): void {
  assert.throws(
    () => decodeUpdate(b, ctx4),
    (e: unknown) => e instanceof DecodeError && e.code === 3 && e.subcode === subcode && e.action === action,
  );
}

test('ExaBGP vectors decode, and re-encode byte for byte where the attribute order agrees', () => {
  for (const v of EXABGP_VECTORS) {
    const msg = hexToBytes(v.hex);
    const ctx: CodecContext = { asn4: v.asn4, addPath: new Set(v.addPath ? [IPV4_UNICAST] : []), maxMessage: 4096 };
    const u = decodeUpdate(bodyOf(msg), ctx);
    assert.deepEqual(u.issues, [], v.name);
    const attrLen = (msg[21]! << 8) | msg[22]!;
    const wire = bytesToHex(msg.subarray(23, 23 + attrLen));
    const ours = encodeAttributes(u.attributes, ctx);
    if (v.sameEncoding) assert.equal(bytesToHex(ours), wire, v.name);
    // Whatever the order, the whole message re-encodes to something that decodes the same.
    const again = decodeUpdate(bodyOf(encodeUpdate(u, ctx)), ctx);
    assert.deepEqual(again.attributes, u.attributes, v.name);
    assert.deepEqual(again.nlri, u.nlri, v.name);
  }
  const [v1, v2, , v4, v5, v6] = EXABGP_VECTORS.map((v) => ({ v, msg: hexToBytes(v.hex) }));
  const d = (x: typeof v1, ctx: CodecContext) => decodeUpdate(bodyOf(x!.msg), ctx);
  assert.deepEqual(d(v1, ctx4).attributes.asPath, [{ type: 2, asns: [65000, 65010, 4200000000] }]);
  assert.deepEqual(ipv4Unicast.items(d(v1, ctx4).nlri), [
    { family: IPV4_UNICAST, len: 24, addr: Uint8Array.of(10, 0, 0, 0) },
  ]);
  assert.deepEqual(d(v2, ctx4).attributes.asPath, [
    { type: 2, asns: [65000] },
    { type: 1, asns: [1, 2, 3] },
  ]);
  const as4 = d(v4, ctx2).attributes;
  assert.deepEqual(as4.asPath, [{ type: 2, asns: [65000, 4200000000] }]);
  assert.equal(as4.aggregator!.asn, 4200000001);
  const v6u = d(v5, ctx4).attributes.mpReach!;
  assert.equal(v6u.family, IPV6_UNICAST);
  assert.equal(ipv6Unicast.items(v6u.nlri)[0]!.len, 48);
  const ap = d(v6, { ...ctx4, addPath: new Set([IPV4_UNICAST]) });
  assert.deepEqual(ipv4Unicast.items(ap.nlri), [
    { family: IPV4_UNICAST, len: 24, addr: Uint8Array.of(10, 4, 0, 0), pathId: 7 },
  ]);
});

test('UPDATE body framing errors reset the session (RFC 4271 §6.3, RFC 7606 §5.3)', () => {
  fatal(hexToBytes('000000'), 1);
  fatal(hexToBytes('0005000000'), 1); // withdrawn length past the end
  fatal(hexToBytes('00000005400101'), 1); // attribute length past the end
  fatal(hexToBytes('0002210A0000'), 10); // withdrawn /33
  fatal(hexToBytes('0000000018'), 10); // NLRI /24 without its bytes
  fatal(hexToBytes('0000000021'), 10);
  // RFC 7911: with ADD-PATH the same bytes are a path id and a prefix.
  const ap = decodeUpdate(hexToBytes('000800000001180A00000000'), { ...ctx4, addPath: new Set([IPV4_UNICAST]) });
  assert.equal(ap.withdrawn.count, 1);
});

test('End-of-RIB (RFC 4724 §2)', () => {
  const v4 = encodeEndOfRib(IPV4_UNICAST);
  assert.equal(bytesToHex(v4), 'F'.repeat(32) + '0017020000' + '0000');
  assert.equal(decodeUpdate(bodyOf(v4), ctx4).eorFamily, IPV4_UNICAST);
  const v6 = encodeEndOfRib(IPV6_UNICAST);
  assert.equal(bytesToHex(v6), 'F'.repeat(32) + '001D020000' + '0006800F03000201');
  assert.equal(decodeUpdate(bodyOf(v6), ctx4).eorFamily, IPV6_UNICAST);
  const flow = familyKey(1, 133);
  assert.equal(decodeUpdate(bodyOf(encodeEndOfRib(flow)), ctx4).eorFamily, flow);
  // Not EoR: withdrawals present, an attribute besides MP_UNREACH, NLRI in MP_UNREACH.
  assert.equal(decodeUpdate(hexToBytes('0004180A00000000'), ctx4).eorFamily, undefined);
  assert.equal(decodeUpdate(hexToBytes('0000000D800F0300020180040400000000'), ctx4).eorFamily, undefined);
  assert.equal(decodeUpdate(hexToBytes('00000009800F06000201102001'), ctx4).eorFamily, undefined);
});

/** /24s from 1.0.0.0 upwards, as encoded entries. */
const v4Entries = (n: number, addPath = false): Uint8Array[] =>
  Array.from({ length: n }, (_, i) =>
    ipv4Unicast.encode(
      { family: IPV4_UNICAST, len: 24, addr: Uint8Array.of(1 + (i >> 16), (i >> 8) & 0xff, i & 0xff, 0), pathId: i },
      addPath,
    ),
  );

const ATTRS: Attributes = {
  origin: 0,
  asPath: [{ type: 2, asns: [65001, 4200000000] }],
  med: 5,
  communities: [1, 2, 3],
  largeCommunities: [[1, 2, 3]],
};

/** Collect the prefixes of decoded messages as "a.b.c/len#pathId" strings. */
function collect(
  msgs: Uint8Array[],
  ctx: CodecContext,
  where: 'nlri' | 'withdrawn' | 'mpReach' | 'mpUnreach',
): string[] {
  const out: string[] = [];
  for (const m of msgs) {
    assert.ok(m.length <= ctx.maxMessage);
    const u = decodeUpdate(bodyOf(m), ctx);
    assert.deepEqual(u.issues, []);
    const block =
      where === 'nlri'
        ? u.nlri
        : where === 'withdrawn'
          ? u.withdrawn
          : where === 'mpReach'
            ? u.attributes.mpReach!.nlri
            : u.attributes.mpUnreach!.nlri;
    forEachPrefix(block, (len, d, off, pathId) =>
      out.push(`${Array.from(d.subarray(off, off + ((len + 7) >> 3))).join('.')}/${len}#${pathId}`),
    );
  }
  return out;
}

test('packUpdates: IPv4 unicast fills each message, attributes once per message', () => {
  for (const [ctx, addPath] of [
    [ctx4, false],
    [ctx2, false],
    [{ ...ctx4, addPath: new Set([IPV4_UNICAST]) }, true],
    [{ ...ctx4, maxMessage: 65535 }, false],
  ] as [CodecContext, boolean][]) {
    const announce = v4Entries(5000, addPath);
    const msgs = packUpdates(
      { family: IPV4_UNICAST, attributes: ATTRS, nextHop: Uint8Array.of(192, 0, 2, 1), announce, withdraw: [] },
      ctx,
    );
    const entry = announce[0]!.length;
    // Full messages: not even one more entry would have fit.
    for (const m of msgs.slice(0, -1)) assert.ok(m.length + entry > ctx.maxMessage);
    const got = collect(msgs, ctx, 'nlri');
    assert.equal(got.length, 5000);
    assert.deepEqual(
      got,
      announce.map(
        (e) =>
          `${Array.from(e.subarray(addPath ? 5 : 1)).join('.')}/24#${addPath ? (e[0]! << 24) | (e[1]! << 16) | (e[2]! << 8) | e[3]! : 0}`,
      ),
    );
    const u = decodeUpdate(bodyOf(msgs[0]!), ctx);
    assert.deepEqual(u.attributes, { ...ATTRS, nextHop: Uint8Array.of(192, 0, 2, 1) });
  }
  const w = packUpdates({ family: IPV4_UNICAST, attributes: {}, announce: [], withdraw: v4Entries(3000) }, ctx4);
  assert.equal(w.length, Math.ceil(3000 / Math.floor((4096 - 23) / 4)));
  assert.equal(collect(w, ctx4, 'withdrawn').length, 3000);
  for (const m of w) assert.equal(decodeUpdate(bodyOf(m), ctx4).attributes.origin, undefined);
  assert.deepEqual(packUpdates({ family: IPV4_UNICAST, attributes: ATTRS, announce: [], withdraw: [] }, ctx4), []);
});

test('packUpdates: MP families in MP_REACH/MP_UNREACH, RFC 8950 next hop, attribute order kept', () => {
  const nh = hexToBytes('20010DB8000000000000000000000001');
  const v6: Uint8Array[] = Array.from({ length: 3000 }, (_, i) =>
    ipv6Unicast.encode(
      { family: IPV6_UNICAST, len: 48, addr: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, i >> 8, i & 0xff) },
      false,
    ),
  );
  const a: Attributes = {
    ...ATTRS,
    nextHop: Uint8Array.of(1, 2, 3, 4),
    extendedCommunities: [hexToBytes('0002FDE800000001')],
  };
  const msgs = packUpdates(
    { family: IPV6_UNICAST, attributes: a, nextHop: nh, announce: v6, withdraw: v6.slice(0, 1000) },
    ctx4,
  );
  const withdrawMsgs = msgs.filter((m) => decodeUpdate(bodyOf(m), ctx4).attributes.mpUnreach);
  const announceMsgs = msgs.filter((m) => decodeUpdate(bodyOf(m), ctx4).attributes.mpReach);
  assert.equal(withdrawMsgs.length + announceMsgs.length, msgs.length);
  assert.equal(collect(withdrawMsgs, ctx4, 'mpUnreach').length, 1000);
  assert.equal(collect(announceMsgs, ctx4, 'mpReach').length, 3000);
  for (const m of [...withdrawMsgs.slice(0, -1), ...announceMsgs.slice(0, -1)]) assert.ok(m.length + 7 > 4096);
  const u = decodeUpdate(bodyOf(announceMsgs[0]!), ctx4);
  // No NEXT_HOP attribute next to MP_REACH; the rest unchanged.
  const { nextHop: _nh, ...rest } = a;
  const { mpReach, ...others } = u.attributes;
  assert.deepEqual(others, rest);
  assert.deepEqual(mpReach!.nextHop, nh);
  // Type code order: MP_REACH (14) between CLUSTER_LIST-range codes and EXTENDED_COMMUNITIES (16).
  const codes: number[] = [];
  const body = bodyOf(announceMsgs[0]!);
  for (let off = 4; off < 4 + ((body[2]! << 8) | body[3]!); ) {
    codes.push(body[off + 1]!);
    off += body[off]! & 0x10 ? 4 + ((body[off + 2]! << 8) | body[off + 3]!) : 3 + body[off + 2]!;
  }
  assert.deepEqual(codes, [1, 2, 4, 8, 14, 16, 32]);

  // RFC 8950: IPv4 unicast with an IPv6 next hop goes in MP_REACH; withdrawals stay in the body.
  const e = packUpdates(
    { family: IPV4_UNICAST, attributes: ATTRS, nextHop: nh, announce: v4Entries(10), withdraw: v4Entries(2) },
    ctx4,
  );
  assert.equal(e.length, 2);
  assert.equal(decodeUpdate(bodyOf(e[0]!), ctx4).withdrawn.count, 2);
  const r = decodeUpdate(bodyOf(e[1]!), ctx4);
  assert.equal(r.attributes.mpReach!.family, IPV4_UNICAST);
  assert.equal(r.attributes.mpReach!.nlri.count, 10);
  assert.equal(r.nlri.count, 0);
  // The next hop may also come in attributes.nextHop: an IPv6 one there means RFC 8950 as well.
  const viaAttr = packUpdates(
    { family: IPV4_UNICAST, attributes: { ...ATTRS, nextHop: nh }, announce: v4Entries(1), withdraw: [] },
    ctx4,
  );
  assert.deepEqual(decodeUpdate(bodyOf(viaAttr[0]!), ctx4).attributes.mpReach!.nextHop, nh);
  const mc = familyKey(1, 2);
  const mcast = packUpdates(
    {
      family: mc,
      attributes: { ...ATTRS, nextHop: Uint8Array.of(192, 0, 2, 7) },
      announce: v4Entries(1),
      withdraw: [],
    },
    ctx4,
  );
  const mu = decodeUpdate(bodyOf(mcast[0]!), ctx4).attributes;
  assert.equal(mu.nextHop, undefined);
  assert.deepEqual(mu.mpReach!.nextHop, Uint8Array.of(192, 0, 2, 7));
  assert.equal(mu.mpReach!.family, mc);
  assert.throws(() => encodeAttributes({ nextHop: nh }, ctx4), RangeError);
  assert.throws(
    () => packUpdates({ family: IPV6_UNICAST, attributes: ATTRS, announce: v6, withdraw: [] }, ctx4),
    RangeError,
  );
  assert.throws(
    () =>
      packUpdates(
        { family: IPV6_UNICAST, attributes: ATTRS, nextHop: nh, announce: [new Uint8Array(5000)], withdraw: [] },
        ctx4,
      ),
    RangeError,
  );
});

// ---- property: Attributes -> encodeAttributes -> decodeUpdate gives the same Attributes ----

const u32 = fc.nat({ max: 0xffffffff });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const segment = (types: number[]) =>
  fc.record({ type: fc.constantFrom(...types), asns: fc.array(u32, { minLength: 1, maxLength: 12 }) });
/** Confederation segments only lead the path (RFC 5065), which is what RFC 6793 merging can rebuild on 2-octet sessions. */
const asPath = fc
  .tuple(fc.array(segment([3, 4]), { maxLength: 2 }), fc.array(segment([1, 2]), { maxLength: 4 }))
  .map(([c, s]) => [...c, ...s] as AsPathSegment[]);
const KNOWN = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 25, 26, 32, 40]);

const attributesArb: fc.Arbitrary<Attributes> = fc.record(
  {
    origin: fc.constantFrom(0, 1, 2),
    asPath,
    nextHop: fc.tuple(fc.integer({ min: 1, max: 223 }), bytes(3)).map(([a, r]) => Uint8Array.of(a, ...r)),
    med: u32,
    localPref: u32,
    atomicAggregate: fc.constant(true),
    aggregator: fc.record({ asn: u32, address: bytes(4) }),
    communities: fc.array(u32, { minLength: 1, maxLength: 80 }),
    originatorId: bytes(4),
    clusterList: fc.array(bytes(4), { minLength: 1, maxLength: 5 }),
    extendedCommunities: fc.array(bytes(8), { minLength: 1, maxLength: 5 }),
    ipv6ExtendedCommunities: fc.array(bytes(20), { minLength: 1, maxLength: 3 }),
    largeCommunities: fc.array(fc.tuple(u32, u32, u32), { minLength: 1, maxLength: 5 }),
    aigp: fc.bigUintN(64),
    prefixSid: fc
      .tuple(u32, fc.array(fc.tuple(fc.nat(0xffffff), fc.nat(0xffffff)), { maxLength: 3 }))
      .map(([index, ranges]) => [
        { kind: 'label-index' as const, index },
        ...(ranges.length > 0 ? [{ kind: 'srgb' as const, ranges }] : []),
      ]),
    mpReach: fc.array(fc.tuple(fc.integer({ min: 0, max: 128 }), bytes(16)), { maxLength: 5 }).chain((ps) =>
      fc.tuple(fc.constantFrom(16, 32), fc.constant(ps)).chain(([n, ps2]) =>
        bytes(n).map((nh) => ({
          family: IPV6_UNICAST,
          nextHop: nh,
          nlri: makeBlock(
            IPV6_UNICAST,
            ps2.map(([len, addr]) => ({
              family: IPV6_UNICAST,
              len,
              addr: ipv6Unicast.items(
                makeBlock(IPV6_UNICAST, [{ family: IPV6_UNICAST, len, addr } as Prefix], false),
              )[0]!.addr,
            })),
            false,
          ),
        })),
      ),
    ),
    mpUnreach: fc
      .array(fc.tuple(fc.integer({ min: 0, max: 32 }), bytes(4)), { minLength: 1, maxLength: 5 })
      .map((ps) => ({
        family: familyKey(1, 2),
        nlri: makeBlock(
          familyKey(1, 2),
          ps.map(([len, addr]) => ({ family: familyKey(1, 2), len, addr })),
          false,
        ),
      })),
    other: fc.uniqueArray(
      fc.record({
        flags: fc.constantFrom(0x80, 0xc0, 0xe0, 0xa0),
        code: fc.integer({ min: 0, max: 255 }).filter((c) => !KNOWN.has(c)),
        value: fc.uint8Array({ maxLength: 300 }),
      }),
      { selector: (o) => o.code, maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

/** What decoding gives back: Partial set on optional transitive unknowns, host bits zeroed by the NLRI encoder. */
function expected(a: Attributes): Attributes {
  const e: Attributes = { ...a };
  if (a.other) {
    e.other = a.other
      .map((o) => ({ ...o, flags: (o.flags & 0xc0) === 0xc0 ? o.flags | 0x20 : o.flags }))
      .sort((x, y) => x.code - y.code);
    if (e.other.length === 0) delete e.other;
  }
  return e;
}

test('round trip: Attributes -> encodeAttributes -> decodeUpdate (fast-check)', () => {
  for (const ctx of [ctx4, ctx2]) {
    fc.assert(
      fc.property(attributesArb, (a0) => {
        // RFC 6793 §4.2.2: confederation members must fit in 2 octets for a 2-octet session (AS4_PATH has no confed segments).
        const a =
          ctx.asn4 || !a0.asPath
            ? a0
            : {
                ...a0,
                asPath: a0.asPath.map((s) => (s.type >= 3 ? { type: s.type, asns: s.asns.map((x) => x & 0xffff) } : s)),
              };
        const attrs = encodeAttributes(a, ctx);
        const body = new Uint8Array(4 + attrs.length);
        body[2] = attrs.length >> 8;
        body[3] = attrs.length & 0xff;
        body.set(attrs, 4);
        const u = decodeUpdate(body, ctx);
        assert.deepEqual(
          u.issues.filter((i) => i.subcode !== 3),
          [],
        );
        const got = { ...u.attributes };
        // Blocks decode as views; compare their content.
        assert.deepEqual(got, expected(a));
      }),
      { numRuns: 400 },
    );
  }
});
