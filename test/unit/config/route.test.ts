import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  expandSplit,
  parseAttributesNlri,
  parseExtendedCommunity,
  parseRoute,
  withSendDefaults,
} from '../../../src/config/route';
import { ConfigError, tokenize } from '../../../src/config/tokenizer';
import { familyKey, IPV4_UNICAST, IPV6_UNICAST } from '../../../src/wire/types';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('every attribute keyword', () => {
  const r = parseRoute(
    'route 10.0.0.0/24 next-hop 192.0.2.1 origin egp as-path [ 1 2 ( 3 4 ) ] med 5 local-preference 6 atomic-aggregate ' +
      'aggregator ( 65001:1.2.3.4 ) community [ 65000:1 no-export blackhole 0x10 7 ] extended-community [ target:1:2 0x0102030405060708 ] ' +
      'large-community [ 1:2:3 1:2:3 4:5:6 ] originator-id 9.9.9.9 cluster-list [ 1.1.1.1 2.2.2.2 ] aigp 0x10 ' +
      'attribute [ 0x99 0xc0 0xab ] path-information 1.0.0.2 split /26 watchdog dog withdraw name n1',
  );
  const a = r.attributes;
  assert.equal(r.family, IPV4_UNICAST);
  assert.equal(hex(r.nextHop as Uint8Array), 'c0000201');
  assert.equal(a.origin, 1);
  assert.deepEqual(a.asPath, [
    { type: 2, asns: [1, 2] },
    { type: 1, asns: [3, 4] },
  ]);
  assert.equal(a.med, 5);
  assert.equal(a.localPref, 6);
  assert.equal(a.atomicAggregate, true);
  assert.equal(a.aggregator!.asn, 65001);
  assert.deepEqual(a.communities, [0xfde80001, 0xffffff01, 0xffff029a, 0x10, 7]);
  assert.deepEqual(a.extendedCommunities!.map(hex), ['0002000100000002', '0102030405060708']);
  assert.deepEqual(a.largeCommunities, [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.equal(hex(a.originatorId!), '09090909');
  assert.equal(a.clusterList!.length, 2);
  assert.equal(a.aigp, 16n);
  assert.deepEqual(a.other, [{ code: 0x99, flags: 0xc0, value: Uint8Array.of(0xab) }]);
  assert.equal(r.prefix.pathId, 0x01000002);
  assert.equal(r.split, 26);
  assert.equal(r.watchdog, 'dog');
  assert.equal(r.withdraw, true);
  assert.equal(r.name, 'n1');
});

test('IPv6, next-hop self, multicast, labels and rd', () => {
  const r = parseRoute('2001:db8::/32 next-hop self');
  assert.equal(r.family, IPV6_UNICAST);
  assert.equal(r.nextHop, 'self');
  assert.equal(parseRoute('224.0.0.0/4 next-hop 1.1.1.1').family, familyKey(1, 2));
  assert.equal(parseRoute('10.0.0.0/8 next-hop 1.1.1.1', { family: 'multicast' }).family, familyKey(1, 2));
  const v = parseRoute('10.0.0.0/8 next-hop 1.1.1.1 label [ 100 ] rd 65000:1');
  assert.equal(v.family, familyKey(1, 128));
  assert.equal(hex(v.rd!), '0000fde800000001');
  assert.deepEqual(v.labels, [100]);
});

test('errors say where and what', () => {
  const cases: [string, RegExp][] = [
    ['10.0.0.1/24 next-hop 1.1.1.1', /^<input>:1:1: invalid network/],
    ['10.0.0.0/24 next-hop 1.1.1.1 med x', /^<input>:1:34: found 'x', expected a MED value/],
    ['10.0.0.0/24 next-hop 1.1.1.1 colour red', /1:30: found 'colour', expected a route keyword/],
    ['10.0.0.0/24', /no next-hop/],
    ['10.0.0.0/24 next-hop 1.1.1.1 community [ 1:1', /found end of input, expected a community or '\]'/],
    ['10.0.0.0/24 next-hop 1.1.1.1 bgp-prefix-sid [ 1, [ ( 16777216,1 ) ] ]', /1:54: .*24-bit/],
    ['10.0.0.0/24 next-hop 1.1.1.1 bgp-prefix-sid-srv6 ( l3vpn 10.0.0.1 )', /expected an IPv6 SID/],
    ['10.0.0.0/33 next-hop 1.1.1.1', /expected an IP prefix/],
  ];
  for (const [s, re] of cases)
    assert.throws(
      () => parseRoute(s),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      s,
    );
});

test('split, attributes ... nlri, send defaults', () => {
  const parts = expandSplit(parseRoute('10.0.0.0/24 next-hop 1.1.1.1 split /26'));
  assert.deepEqual(
    parts.map((p) => `${p.prefix.addr.join('.')}/${p.prefix.len}`),
    ['10.0.0.0/26', '10.0.0.64/26', '10.0.0.128/26', '10.0.0.192/26'],
  );
  const many = parseAttributesNlri(tokenize('attributes next-hop 1.1.1.1 med 2 nlri 10.0.0.0/8 11.0.0.0/8;'));
  assert.equal(many.length, 2);
  assert.equal(many[1].attributes.med, 2);
  const ibgp = withSendDefaults({}, 1, 1);
  assert.deepEqual(ibgp, { origin: 0, asPath: [], localPref: 100 });
  const ebgp = withSendDefaults({ localPref: 5 }, 1, 2);
  assert.deepEqual(ebgp, { origin: 0, asPath: [{ type: 2, asns: [1] }] });
});

test('extended community forms', () => {
  const e = (s: string): string => hex(parseExtendedCommunity(tokenize(s)[0]));
  assert.equal(e('target:65000:1'), '0002fde800000001');
  assert.equal(e('target:70000:1'), '0202000111700001');
  assert.equal(e('origin:1.2.3.4:5'), '0003010203040005');
  assert.equal(e('redirect:65000:100'), '8008fde800000064');
  assert.equal(e('l2info:19:0:1500:111'), '800a130005dc006f');
  assert.equal(e('redirect-to-nexthop'), '0800000000000000');
});

test('routes written alike share one attribute object through the cache', () => {
  const cache = new Map();
  const a = parseRoute('10.0.0.0/24 next-hop 1.1.1.1 med 1', { cache });
  const b = parseRoute('10.0.1.0/24 next-hop 1.1.1.1 med 1', { cache });
  assert.equal(a.attributes, b.attributes);
  assert.notEqual(a.prefix, b.prefix);
});
