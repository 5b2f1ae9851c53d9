import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAsSet, parsePrefixList } from '../../../src/policy/bgpq4';
import {
  BLACKHOLE,
  checkImport,
  DEFAULT_V4_LENGTHS,
  DEFAULT_V6_LENGTHS,
  type ImportPolicy,
  type ImportRoute,
  type ImportWorld,
  originAs,
} from '../../../src/policy/import';
import { INVALID, NOT_FOUND, ORIGIN_NONE, type OriginState, VALID } from '../../../src/rpki/vrp-table';
import { parseIp, parsePrefix } from '../../../src/wire/ip';
import { type Attributes, SegmentType } from '../../../src/wire/types';

const policy = (over: Partial<ImportPolicy> = {}): ImportPolicy => ({
  peerAs: 1001,
  nextHops: [parseIp('192.0.2.11')!],
  v4Lengths: DEFAULT_V4_LENGTHS,
  v6Lengths: DEFAULT_V6_LENGTHS,
  maxAsPathLength: 64,
  bogons: true,
  firstAs: true,
  rpki: 'drop',
  blackhole: true,
  ...over,
});

const world = (state: OriginState = NOT_FOUND, own = false): ImportWorld => ({
  rpki: () => state,
  ownCovering: () => own,
});

function route(prefix: string, a: Partial<Attributes> = {}, nh = '192.0.2.11'): ImportRoute {
  const p = parsePrefix(prefix)!;
  return {
    v6: p.addr.length === 16,
    buf: p.addr,
    off: 0,
    len: p.len,
    attributes: { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [1001, 3356] }], ...a },
    nextHop: parseIp(nh)!,
  };
}

const reason = (r: ImportRoute, p = policy(), w = world()) => checkImport(r, p, w).reason;

test('a clean route passes every filter', () => {
  assert.equal(reason(route('11.0.0.0/16')), undefined);
  assert.equal(
    reason(route('2a00:1::/32', {}, '2001:db8::11'), policy({ nextHops: [parseIp('2001:db8::11')!] })),
    undefined,
  );
});

test('each import filter refuses with its own reason', () => {
  assert.equal(reason(route('11.0.0.0/16', {}, '192.0.2.99')), 'next-hop');
  assert.equal(reason(route('11.0.0.0/16', {}, '192.0.2.99'), policy({ nextHops: [] })), undefined, 'any next hop');
  assert.equal(
    reason(route('11.0.0.0/16', { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [7, 1001] }] })),
    'first-as',
  );
  assert.equal(reason(route('11.0.0.0/16', { asPath: [] })), 'first-as');
  const long = Array.from({ length: 10 }, () => 1001);
  assert.equal(
    reason(
      route('11.0.0.0/16', { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: long }] }),
      policy({ maxAsPathLength: 9 }),
    ),
    'as-path-length',
  );
  assert.equal(
    reason(route('11.0.0.0/16', { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [1001, 65000] }] })),
    'bogon-asn',
  );
  assert.equal(
    reason(route('11.0.0.0/16', { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [1001, 23456] }] })),
    'bogon-asn',
  );
  assert.equal(reason(route('10.1.0.0/16')), 'bogon-prefix');
  assert.equal(reason(route('192.168.1.0/24')), 'bogon-prefix');
  assert.equal(reason(route('0.0.0.0/0')), 'prefix-length');
  assert.equal(reason(route('fc00::/16', {}, '2001:db8::11'), policy({ nextHops: [] })), 'bogon-prefix');
  assert.equal(reason(route('11.0.0.0/25')), 'prefix-length');
  assert.equal(reason(route('11.0.0.0/7')), 'prefix-length');
  assert.equal(reason(route('2a00:1::/49', {}, '::1'), policy({ nextHops: [] })), 'prefix-length');
  assert.equal(reason(route('2a00:1::/12', {}, '::1'), policy({ nextHops: [] })), 'prefix-length');
  assert.equal(reason(route('11.0.0.0/25'), policy({ v4Lengths: [8, 25] })), undefined);
  assert.equal(reason(route('11.0.0.0/16'), policy(), world(INVALID)), 'rpki-invalid');
  assert.equal(checkImport(route('11.0.0.0/16'), policy({ rpki: 'tag' }), world(INVALID)).rpki, INVALID);
  assert.equal(reason(route('11.0.0.0/16'), policy({ rpki: 'tag' }), world(INVALID)), undefined);
  assert.equal(reason(route('11.0.0.0/16'), policy(), world(VALID)), undefined);
  assert.equal(reason(route('10.1.0.0/16'), policy({ bogons: false })), undefined);
});

test('prefix list and AS set from bgpq4 JSON', () => {
  const pl = parsePrefixList(
    '{ "NN": [\n { "prefix": "11.0.0.0\\/16", "exact": true },\n' +
      ' { "prefix": "12.0.0.0\\/16", "exact": false, "less-equal": 24 },\n' +
      ' { "prefix": "13.0.0.0\\/16", "exact": false,\n  "greater-equal": 20, "less-equal": 22 },\n' +
      ' { "prefix": "2a00:1::\\/32", "exact": true }\n] }\n',
  );
  const as = parseAsSet('{"NN": [\n  3356,\n  1001\n]}\n');
  const p = policy({ prefixList: pl, asSet: as });
  assert.equal(reason(route('11.0.0.0/16'), p), undefined);
  assert.equal(reason(route('11.0.1.0/24'), p), 'prefix-list', 'exact only');
  assert.equal(reason(route('12.0.7.0/24'), p), undefined);
  assert.equal(reason(route('12.0.0.0/16'), p), undefined);
  assert.equal(reason(route('13.0.0.0/16'), p), 'prefix-list');
  assert.equal(reason(route('13.0.16.0/21'), p), undefined);
  assert.equal(reason(route('14.0.0.0/16'), p), 'prefix-list');
  assert.equal(
    reason(route('11.0.0.0/16', { asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [1001, 7018] }] }), p),
    'as-set',
  );
  assert.throws(() => parsePrefixList('[1]'), /NAME/);
  assert.throws(() => parsePrefixList('{"a":[{"prefix":"11.0.0.0/8","exact":false,"less-equal":7}]}'), /less-equal/);
  assert.throws(() => parseAsSet('{"a":["AS1"]}'), /entry 1/);
  assert.throws(() => parseAsSet('{"a":[1],"b":[2]}'), /one list/);
});

test('RFC 7999 BLACKHOLE: accepted up to /32 inside the client space, refused outside it', () => {
  const bh = { communities: [BLACKHOLE] };
  assert.equal(
    reason(route('11.0.0.1/32', bh), policy(), world(INVALID, true)),
    undefined,
    'own space, RPKI not asked',
  );
  assert.equal(reason(route('11.0.0.1/32', bh), policy(), world(NOT_FOUND, false)), 'blackhole');
  const pl = parsePrefixList('{"x":[{"prefix":"11.0.0.0/16","exact":true}]}');
  assert.equal(reason(route('11.0.0.1/32', bh), policy({ prefixList: pl })), undefined, 'covered by the prefix list');
  assert.equal(reason(route('11.1.0.1/32', bh), policy({ prefixList: pl })), 'blackhole');
  assert.equal(reason(route('11.0.0.1/32', bh), policy({ blackhole: false }), world(NOT_FOUND, true)), 'prefix-length');
  assert.equal(reason(route('2a00:1::1/128', bh, '::1'), policy({ nextHops: [] }), world(NOT_FOUND, true)), undefined);
});

test('origin AS (RFC 6811 §2): last AS of a final sequence, NONE after an AS_SET', () => {
  assert.equal(originAs([{ type: SegmentType.AS_SEQUENCE, asns: [1, 2, 3] }]), 3);
  assert.equal(
    originAs([
      { type: SegmentType.AS_SEQUENCE, asns: [1] },
      { type: SegmentType.AS_SET, asns: [2, 3] },
    ]),
    ORIGIN_NONE,
  );
  assert.equal(originAs(undefined), ORIGIN_NONE);
});
