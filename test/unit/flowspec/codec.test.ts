import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseFlowCommand } from '../../../src/flowspec/parse';
import type { FlowComponent, FlowRule } from '../../../src/flowspec/rule';
import { isDecodeError } from '../../../src/wire/errors';
import {
  compareFlowRules,
  decodeFlowNlri,
  encodeFlowRule,
  IPV4_FLOW,
  IPV4_FLOW_VPN,
  IPV6_FLOW,
  IPV6_FLOW_VPN,
  type Ipv6OffsetLayout,
  ipv4Flow,
  ipv4FlowVpn,
  ipv6Flow,
  ipv6OffsetLayout,
  setIpv6OffsetLayout,
} from '../../../src/wire/nlri/flowspec';
import { familyCodec } from '../../../src/wire/nlri/registry';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** Keep only the address bits the wire carries (in the layout IPv6 offsets are sent in), to compare with decode. */
function normalize(c: FlowComponent, v6: boolean): FlowComponent {
  if (c.type > 2) return c;
  const p = c as Extract<FlowComponent, { addr: Uint8Array }>;
  const addr = new Uint8Array(p.addr.length);
  const from = v6 && ipv6OffsetLayout() === 'rfc8956' ? p.offset : 0;
  const bytes = (p.len - from + 7) >> 3;
  const to = Math.min(p.addr.length * 8, from + bytes * 8);
  for (let bit = from; bit < to; bit++)
    if (p.addr[bit >> 3]! & (0x80 >> (bit & 7))) addr[bit >> 3] |= 0x80 >> (bit & 7);
  return { ...p, addr };
}

const valueArb = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.integer({ min: 0, max: 0xffff }),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);

const opsArb = (type: number): fc.Arbitrary<FlowComponent> => {
  const bitmask = type === 9 || type === 12;
  return fc
    .array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: bitmask ? 3 : 7 }), valueArb), {
      minLength: 1,
      maxLength: 4,
    })
    .map((terms) => ({
      type,
      ops: terms.map(([and, op]) => (and ? 0x40 : 0) | (bitmask ? op : op)),
      values: terms.map((t) => t[2]),
    }));
};

const prefixArb = (type: 1 | 2, v6: boolean): fc.Arbitrary<FlowComponent> =>
  (v6
    ? fc
        .integer({ min: 0, max: 128 })
        .chain((len) =>
          fc.tuple(fc.constant(len), fc.integer({ min: 0, max: len }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
        )
    : fc.tuple(fc.integer({ min: 0, max: 32 }), fc.constant(0), fc.uint8Array({ minLength: 4, maxLength: 4 }))
  ).map(([len, offset, addr]) => normalize({ type, len, offset, addr }, v6));

const ruleArb: fc.Arbitrary<FlowRule> = fc
  .tuple(
    fc.constantFrom(IPV4_FLOW, IPV6_FLOW, IPV4_FLOW_VPN, IPV6_FLOW_VPN),
    fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]),
    fc.uint8Array({ minLength: 8, maxLength: 8 }),
  )
  .chain(([family, types, rd]) => {
    const v6 = family === IPV6_FLOW || family === IPV6_FLOW_VPN;
    const ts = v6 ? types : types.filter((t) => t !== 13);
    return fc.tuple(...ts.map((t) => (t <= 2 ? prefixArb(t as 1 | 2, v6) : opsArb(t)))).map((components) => {
      const r: FlowRule = { family, components };
      if (family === IPV4_FLOW_VPN || family === IPV6_FLOW_VPN) r.rd = rd;
      return r;
    });
  });

/** Run `f` with IPv6 offsets sent in `layout`, then back to the default (ExaBGP's). */
function inLayout<T>(layout: Ipv6OffsetLayout, f: () => T): T {
  setIpv6OffsetLayout(layout);
  try {
    return f();
  } finally {
    setIpv6OffsetLayout('exabgp');
  }
}

test('round trip: decode(encode(rule)) == rule, and the bytes re-encode identically, in both IPv6 offset layouts', () => {
  for (const layout of ['exabgp', 'rfc8956'] as const)
    inLayout(layout, () =>
      fc.assert(
        fc.property(ruleArb, (rule) => {
          const b = encodeFlowRule(rule);
          const back = decodeFlowNlri(rule.family, b);
          assert.deepEqual(back, rule);
          assert.equal(hex(encodeFlowRule(back)), hex(b));
        }),
        { numRuns: 2000 },
      ),
    );
});

test('ADD-PATH blocks: scan counts entries and items() returns them with path ids', () => {
  fc.assert(
    fc.property(
      fc.array(
        ruleArb.filter((r) => r.family === IPV4_FLOW),
        { minLength: 1, maxLength: 5 },
      ),
      (rules) => {
        const parts = rules.map((r, i) => encodeFlowRule({ ...r, pathId: i + 1 }, true));
        const data = new Uint8Array(Buffer.concat(parts));
        assert.equal(ipv4Flow.scan(data, true), rules.length);
        const items = ipv4Flow.items({ family: IPV4_FLOW, addPath: true, data, count: rules.length });
        assert.deepEqual(
          items,
          rules.map((r, i) => ({ ...r, pathId: i + 1 })),
        );
      },
    ),
  );
});

test('value lengths are minimal: 1, 2, 4, 8 bytes', () => {
  const enc = (v: number): string =>
    hex(encodeFlowRule({ family: IPV6_FLOW, components: [{ type: 13, ops: [1], values: [v] }] }));
  assert.equal(enc(5), '030d8105');
  assert.equal(enc(256), '040d910100');
  assert.equal(enc(70000), '060da100011170');
  assert.equal(enc(2 ** 33), '0a0db10000000200000000');
});

test('RFC 8955 §4 example: destination 10.0.1/24, protocol tcp, port 25', () => {
  const r = parseFlowCommand(
    'route { match { destination 10.0.1.0/24; protocol =6; port =25; } then { accept; } }',
  ).rule;
  assert.equal(hex(encodeFlowRule(r)), '0b' + '01180a0001' + '038106' + '048119');
});

test('RFC 8956 §3.8.2 style offset pattern: ::1:1234:5678:9800:0/104 offset 60, in both layouts', () => {
  const r = parseFlowCommand('route { match { source ::1:1234:5678:9800:0/104/60; } }').rule;
  // RFC 8956's layout: the 44 bits from bit 60, shifted to the first bit.
  const rfc = inLayout('rfc8956', () => encodeFlowRule(r));
  assert.equal(hex(rfc).slice(2), '02683c' + '1123456789' + '80');
  // ExaBGP's (the default): the 13 bytes of a /104 from bit 0.
  const exabgp = encodeFlowRule(r);
  assert.equal(hex(exabgp).slice(2), '02683c' + '00000000000000011234567898');
  assert.deepEqual(decodeFlowNlri(IPV6_FLOW, rfc), r);
  assert.deepEqual(decodeFlowNlri(IPV6_FLOW, exabgp), r);
});

test('IPv6 prefix with an offset sent from bit 0, as ExaBGP 4.2 sends it: decoded, not dropped', () => {
  // ExaBGP's bytes for "destination 2a02:b80:15::7aca:39ff:feae:a87a/128/0; source ::1/128/120; next-header udp;
  // traffic-class 101; flow-label 2013" (qa/ci/conf-flow.msg): the source carries 16 address bytes where
  // RFC 8956 §3.1 carries the one byte of bits 120-127.
  const exabgp = unhex(
    '30 0180002a020b80001500007aca39fffeaea87a 028078000000000000000000000000000000 01 0381 11 0b81 65 0d91 07dd',
  );
  const rfc = unhex('21 0180002a020b80001500007aca39fffeaea87a 02807801 0381 11 0b81 65 0d91 07dd');
  const r = parseFlowCommand(
    'route { match { destination 2a02:b80:15::7aca:39ff:feae:a87a/128/0; source ::1/128/120; next-header udp; traffic-class 101; flow-label 2013; } }',
  ).rule;
  for (const layout of ['exabgp', 'rfc8956'] as const)
    inLayout(layout, () => {
      // Either form is read whichever is sent.
      assert.deepEqual(decodeFlowNlri(IPV6_FLOW, exabgp), r, layout);
      assert.deepEqual(decodeFlowNlri(IPV6_FLOW, rfc), r, layout);
      assert.equal(hex(encodeFlowRule(r)), hex(layout === 'exabgp' ? exabgp : rfc));
      // Both through the codec as an MP_REACH block would carry them, one after the other.
      const both = new Uint8Array([...exabgp, ...rfc]);
      assert.equal(ipv6Flow.scan(both, false), 2);
      assert.deepEqual(
        ipv6Flow.items({ family: IPV6_FLOW, addPath: false, data: both, count: 2 }).map((x) => x.components),
        [r.components, r.components],
      );
    });
});

test('IPv6 offsets in both prefixes, every offset 1-127, both layouts, plain and VPN', () => {
  const addr = unhex('20010db8 85a3 0042 1000 8a2e 0370 7334');
  for (const layout of ['exabgp', 'rfc8956'] as const) {
    const other = layout === 'exabgp' ? 'rfc8956' : 'exabgp';
    for (let offset = 1; offset < 128; offset++) {
      for (const family of [IPV6_FLOW, IPV6_FLOW_VPN]) {
        const rd = family === IPV6_FLOW_VPN ? unhex('0000fde800000001') : undefined;
        // The address bits from `offset` to 128: what both layouts carry.
        const kept = new Uint8Array(16);
        for (let bit = offset; bit < 128; bit++)
          if (addr[bit >> 3]! & (0x80 >> (bit & 7))) kept[bit >> 3] |= 0x80 >> (bit & 7);
        const rule: FlowRule = {
          family,
          ...(rd ? { rd } : {}),
          components: [
            { type: 1, len: 128, offset, addr: kept },
            { type: 2, len: 128, offset, addr: kept },
            { type: 13, ops: [1], values: [0xfffff] },
          ],
        };
        const mine = inLayout(layout, () => encodeFlowRule(rule));
        const theirs = inLayout(other, () => encodeFlowRule(rule));
        inLayout(layout, () => {
          assert.deepEqual(decodeFlowNlri(family, mine), rule, `${layout}, offset ${offset}`);
          // Offsets 1-7 of a /128 give both layouts 16 bytes: the bytes cannot say which was meant, and the
          // sending layout's reading is taken (a rule from a speaker of the other kind is read shifted).
          if (offset < 8) assert.equal(theirs.length, mine.length, `offset ${offset}: same length`);
          else assert.deepEqual(decodeFlowNlri(family, theirs), rule, `${other} read by ${layout}, offset ${offset}`);
        });
      }
    }
  }
});

test('an IPv6 entry that fits neither layout is malformed (treat-as-withdraw)', () => {
  // Offset 8 of /128: 15 bytes in RFC 8956's layout, 16 in ExaBGP's; 14 given.
  expectMalformed(ipv6Flow, `11 0180 08 ${'aa'.repeat(14)}`, 'treat-as-withdraw');
});

test('two-byte length form for NLRI of 240 bytes and more', () => {
  const values = Array.from({ length: 80 }, (_, i) => 1000 + i);
  const rule: FlowRule = { family: IPV4_FLOW, components: [{ type: 5, ops: values.map(() => 1), values }] };
  const b = encodeFlowRule(rule);
  assert.equal(b[0]! & 0xf0, 0xf0);
  assert.equal(((b[0]! & 0x0f) << 8) | b[1]!, b.length - 2);
  assert.deepEqual(decodeFlowNlri(IPV4_FLOW, b), rule);
});

test('components are written in type order whatever the input order', () => {
  const a: FlowRule = {
    family: IPV4_FLOW,
    components: [
      { type: 5, ops: [1], values: [80] },
      { type: 1, len: 8, offset: 0, addr: new Uint8Array([10, 0, 0, 0]) },
    ],
  };
  assert.equal(hex(encodeFlowRule(a)), '0601080a058150');
  assert.throws(
    () =>
      encodeFlowRule({
        family: IPV4_FLOW,
        components: [
          { type: 5, ops: [1], values: [1] },
          { type: 5, ops: [1], values: [2] },
        ],
      }),
    RangeError,
  );
});

function expectMalformed(codec: typeof ipv4Flow, data: string, action: string): void {
  try {
    codec.scan(unhex(data), false);
  } catch (e) {
    assert.ok(isDecodeError(e));
    assert.equal(e.action, action);
    assert.equal(e.code, 3);
    return;
  }
  assert.fail('no error for ' + data);
}

test('malformed NLRI: order, repeats, unknown types, truncation, overrun', () => {
  expectMalformed(ipv4Flow, '06 058150 01080a', 'treat-as-withdraw'); // type 5 then 1
  expectMalformed(ipv4Flow, '06 058150 058150', 'treat-as-withdraw'); // 5 twice
  expectMalformed(ipv4Flow, '03 0d8105', 'treat-as-withdraw'); // flow label is IPv6 only
  expectMalformed(ipv4Flow, '03 0e8105', 'treat-as-withdraw');
  expectMalformed(ipv4Flow, '03 050150', 'treat-as-withdraw'); // no end-of-list bit
  expectMalformed(ipv4Flow, '03 059100', 'treat-as-withdraw'); // 2-byte value truncated
  expectMalformed(ipv4Flow, '03 01210a', 'treat-as-withdraw'); // /33
  expectMalformed(ipv6Flow, '04 0108090a', 'treat-as-withdraw'); // offset beyond length
  expectMalformed(ipv4Flow, '09 0108', 'afisafi-disable'); // length past the end
  expectMalformed(ipv4FlowVpn, '03 000102', 'treat-as-withdraw'); // shorter than an RD
  assert.equal(ipv4Flow.scan(new Uint8Array(0), false), 0);
});

test('registry: the four families are registered under ExaBGP names', () => {
  assert.equal(familyCodec(IPV4_FLOW)?.name, 'ipv4 flow');
  assert.equal(familyCodec(IPV6_FLOW)?.name, 'ipv6 flow');
  assert.equal(familyCodec(IPV4_FLOW_VPN)?.name, 'ipv4 flow-vpn');
  assert.equal(familyCodec(IPV6_FLOW_VPN)?.name, 'ipv6 flow-vpn');
});

test('RFC 8955 §5.1 ordering', () => {
  const r = (t: string): FlowRule => parseFlowCommand(`route { match { ${t} } }`).rule;
  const sortNames = (xs: string[]): string[] =>
    xs
      .map((t) => ({ t, r: r(t) }))
      .sort((a, b) => compareFlowRules(a.r, b.r))
      .map((x) => x.t);
  // More specific destination first; non-overlapping: lower address first; a rule with a destination beats one without.
  assert.deepEqual(
    sortNames(['destination 10.0.0.0/8;', 'destination 10.1.0.0/16;', 'destination 9.0.0.0/8;', 'source 1.0.0.0/8;']),
    ['destination 9.0.0.0/8;', 'destination 10.1.0.0/16;', 'destination 10.0.0.0/8;', 'source 1.0.0.0/8;'],
  );
  // Same destination: the rule with the lower-typed extra component first; then memcmp of the operator bytes.
  assert.ok(compareFlowRules(r('destination 10.0.0.0/8; protocol tcp;'), r('destination 10.0.0.0/8; port =80;')) < 0);
  assert.ok(compareFlowRules(r('destination 10.0.0.0/8; port =80;'), r('destination 10.0.0.0/8;')) < 0);
  assert.ok(compareFlowRules(r('port =80;'), r('port =443;')) < 0); // 0x81 0x50 < 0x91 0x01 0xbb
  assert.ok(compareFlowRules(r('port [ =80 =81 ];'), r('port =80;')) < 0); // equal prefix: longer wins
  assert.equal(compareFlowRules(r('port =80;'), r('port =80;')), 0);
  // IPv6: lower offset first.
  assert.ok(compareFlowRules(r('destination 2001:db8::/64/0;'), r('destination 2001:db8::/64/8;')) < 0);
});
