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
  // 32.1.13.184 is 0x20010db8: an IPv4 address must not match the first bytes of an IPv6 next hop.
  const v4only = policy({ nextHops: [parseIp('32.1.13.184')!] });
  assert.equal(reason(route('2a00:1::/32', {}, '2001:db8::66'), v4only), 'next-hop');
  // A global + link-local next hop (32 bytes) is the client's when its global address is.
  const both = {
    ...route('2a00:1::/32'),
    nextHop: new Uint8Array([...parseIp('2001:db8::11')!, ...parseIp('fe80::11')!]),
  };
  assert.equal(reason(both, policy({ nextHops: [parseIp('2001:db8::11')!] })), undefined);
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
  // The lists of NLNOG's BGP filter guide: RFC 7526 6to4 space, RFC 9637 documentation space.
  assert.equal(reason(route('192.88.99.0/24')), 'bogon-prefix');
  assert.equal(reason(route('2002:c000:0204::/48', {}, '::1'), policy({ nextHops: [] })), 'bogon-prefix');
  assert.equal(reason(route('3fff:1::/32', {}, '::1'), policy({ nextHops: [] })), 'bogon-prefix');
  assert.equal(reason(route('5f00:1::/32', {}, '::1'), policy({ nextHops: [] })), 'bogon-prefix');
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

test("bgpq4's BIRD (-b) and user (-F '%n/%l\\n') forms, and lists appended to each other, read like its JSON", () => {
  // bgpq4 -4 -b -A -l V4 AS-X; bgpq4 -6 -b -l V6 AS-X, appended into one file.
  const bird = parsePrefixList(
    'V4 = [\n    11.0.0.0/16,\n    12.0.0.0/16{16,24},\n    13.0.0.0/16{20,22}\n];\nV6 = [\n    2a00:1::/32\n];\n',
  );
  // bgpq4 -4 -F '%n/%l ' and -6 -F '%n/%l\n': bare prefixes, exact.
  const plain = parsePrefixList('11.0.0.0/16 12.0.0.0/16 \n2a00:1::/32\n');
  // bgpq4 -4 -j and -6 -j appended: two JSON documents.
  const json = parsePrefixList(
    '{ "V4": [\n    { "prefix": "11.0.0.0\\/16", "exact": true }\n] }\n{ "V6": [\n    { "prefix": "2a00:1::\\/32", "exact": true }\n] }\n',
  );
  const ok = (set: ReturnType<typeof parsePrefixList>, prefix: string) => {
    const nh = prefix.includes(':') ? '2001:db8::11' : '192.0.2.11';
    return reason(route(prefix, {}, nh), policy({ prefixList: set, nextHops: [] })) === undefined;
  };
  for (const set of [bird, plain, json]) {
    assert.equal(ok(set, '11.0.0.0/16'), true);
    assert.equal(ok(set, '11.0.1.0/24'), false);
    assert.equal(ok(set, '2a00:1::/32'), true);
    assert.equal(ok(set, '2a00:2::/32'), false);
  }
  assert.equal(ok(bird, '12.0.7.0/24'), true);
  assert.equal(ok(bird, '13.0.0.0/16'), false);
  assert.equal(ok(bird, '13.0.16.0/21'), true);
  assert.equal(ok(plain, '12.0.7.0/24'), false);
  // bgpq4 -b -t and -j -t.
  assert.deepEqual([...parseAsSet('NN = [\n    1001, 3356\n];\n')], [1001, 3356]);
  assert.deepEqual([...parseAsSet('{"A": [\n  1001]}\n{"B": [\n  3356,7018\n]}\n')], [1001, 3356, 7018]);
  assert.deepEqual([...parseAsSet('NN = [];\n')], []);
  assert.throws(() => parsePrefixList('V4 = [ 11.0.0.0/16 ]'), /bgpq4 -b/);
  assert.throws(() => parsePrefixList('11.0.0.0/16 eleven'), /entry 2: not a prefix: "eleven"/);
  assert.throws(() => parsePrefixList('11.0.0.0/16{8,24}'), /entry 1: "greater-equal" must be a length from 16/);
  assert.throws(() => parseAsSet('NN = [ 1001, AS3356 ];'), /entry 2: not an AS number: "AS3356"/);
  assert.throws(() => parsePrefixList('{ "V4": [] } x'), /between lists/);
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
