// ExaBGP 4.2.21 output captured from `exabgp --decode` / its JSON encoder (time, pid, host fixed), compared
// byte for byte with tsbgp's encoder on hand-built typed values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  extendedCommunityString,
  ipv6At,
  JsonEncoder,
  type NeighborContext,
  registerFamilyRenderer,
} from '../../../src/api/json';
import { decodeCapability } from '../../../src/wire/capabilities';
import { DecodeError } from '../../../src/wire/errors';
import {
  type Attributes,
  type Capability,
  familyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  type Update,
} from '../../../src/wire/types';

const N: NeighborContext = { localAddress: '127.0.0.2', peerAddress: '127.0.0.1', localAs: 65001, peerAs: 65002 };
const enc = (): JsonEncoder => new JsonEncoder({ host: 'vm', pid: 1, ppid: 2, now: () => 1795424899.5 });
const HEAD = '{ "exabgp": "4.0.1", "time": 1795424899.5, "host" : "vm", "pid" : 1, "ppid" : 2, "counter": 1, ';
const NB =
  '"neighbor": { "address": { "local": "127.0.0.2", "peer": "127.0.0.1" }, "asn": { "local": 65001, "peer": 65002 } ';

const block = (family: number, bytes: number[], addPath = false, count = 0): NlriBlock => ({
  family,
  addPath,
  data: Uint8Array.from(bytes),
  count,
});
const empty = (f = IPV4_UNICAST): NlriBlock => block(f, []);
const upd = (attributes: Attributes, nlri: number[] = [], withdrawn: number[] = [], addPath = false): Update => ({
  withdrawn: block(IPV4_UNICAST, withdrawn, addPath),
  nlri: block(IPV4_UNICAST, nlri, addPath),
  attributes,
  issues: [],
});
const ip = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ec = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

test('update with every attribute ExaBGP names, as exabgp --decode prints it', () => {
  const u = upd(
    {
      origin: 0,
      asPath: [
        { type: 2, asns: [65001, 65002] },
        { type: 1, asns: [7, 8] },
      ],
      nextHop: ip(1, 2, 3, 4),
      med: 100,
      localPref: 200,
      atomicAggregate: true,
      aggregator: { asn: 65000, address: ip(9, 9, 9, 9) },
      communities: [0xfde80001, 0xffffff01, 0xffff029a],
      originatorId: ip(5, 5, 5, 5),
      clusterList: [ip(6, 6, 6, 6), ip(7, 7, 7, 7)],
      extendedCommunities: [
        ec('0002fde800000001'),
        ec('0102010203040005'),
        ec('80060000477f2000'),
        ec('030c000000000008'),
      ],
      largeCommunities: [[1, 2, 3]],
      aigp: 12345n,
      other: [
        { flags: 0xc0, code: 99, value: ip(0xde, 0xad) },
        { flags: 0x80, code: 98, value: ip(0xbe, 0xef) },
      ],
    },
    [0x18, 10, 0, 0, 0x20, 10, 0, 1, 1, 0],
    [8, 11, 16, 12, 13],
  );
  const want =
    HEAD +
    '"type": "update", ' +
    NB +
    ', "direction": "in", "message": { "update": { "attribute": { "origin": "igp", "as-path": [ 65001, 65002 ], "as-set": [ 7, 8 ], "confederation-path": [], "med": 100, "local-preference": 200, "atomic-aggregate": true, "aggregator": "65000:9.9.9.9", "community": [ [ 65000, 1 ], [ 65535, 65281 ], [ 65535, 666 ] ], "originator-id": "5.5.5.5", "cluster-list": [ "6.6.6.6", "7.7.7.7" ], "extended-community": [ { "value": 842122827661313, "string": "target:65000:1" }, { "value": 72621652143505413, "string": "target:1.2.3.4:5" }, { "value": 9225060887914553344, "string": "rate-limit:65312" }, { "value": 219550481834311688, "string": "encap:VXLAN" } ], "large-community": [ [ 1, 2 , 3 ] ], "attribute-0x63-0xE0": "0xdead" }, "announce": { "ipv4 unicast": { "1.2.3.4": [ { "nlri": "10.0.0.0/24" }, { "nlri": "10.0.1.1/32" }, { "nlri": "0.0.0.0/0" } ] } }, "withdraw": { "ipv4 unicast": [ { "nlri": "11.0.0.0/8" }, { "nlri": "12.13.0.0/16" } ] } } } } }';
  const got = enc().update(N, 'in', u);
  assert.equal(got, want);
  JSON.parse(got);
});

test('IPv6 MP_REACH with link-local next hop lists every NLRI under both, as ExaBGP 4.2 does', () => {
  const nh = ec('20010db8000000000000000000000001fe800000000000000000000000000001');
  const u = upd({
    origin: 2,
    mpReach: { family: IPV6_UNICAST, nextHop: nh, nlri: block(IPV6_UNICAST, [64, 0x20, 1, 0xd, 0xb8, 0, 1, 0, 0, 0]) },
    mpUnreach: { family: IPV6_UNICAST, nlri: block(IPV6_UNICAST, [48, 0x20, 1, 0xd, 0xb8, 0, 2]) },
  });
  const want =
    HEAD +
    '"type": "update", ' +
    NB +
    ', "direction": "in", "message": { "update": { "attribute": { "origin": "incomplete" }, "announce": { "ipv6 unicast": { "2001:db8::1": [ { "nlri": "2001:db8:1::/64" }, { "nlri": "::/0" } ], "fe80::1": [ { "nlri": "2001:db8:1::/64" }, { "nlri": "::/0" } ] } }, "withdraw": { "ipv6 unicast": [ { "nlri": "2001:db8:2::/48" } ] } } } } }';
  assert.equal(enc().update(N, 'in', u), want);
});

test('no NEXT_HOP, add-path, End-of-RIB', () => {
  assert.match(
    enc().update(N, 'in', upd({ origin: 2 }, [24, 10, 0, 0])),
    /"announce": \{ "ipv4 unicast": \{ "no-nexthop": \[ \{ "nlri": "10.0.0.0\/24" \} \] \} \} \} \} \} \}$/,
  );
  const ap = upd(
    { origin: 2, asPath: [], nextHop: ip(1, 1, 1, 1) },
    [0, 0, 0, 0, 24, 10, 0, 0, 0, 0, 0, 7, 24, 10, 0, 0],
    [0, 0, 0, 5, 8, 11],
    true,
  );
  assert.ok(
    enc()
      .update(N, 'in', ap)
      .endsWith(
        '"message": { "update": { "attribute": { "origin": "incomplete" }, "announce": { "ipv4 unicast": { "1.1.1.1": [ { "nlri": "10.0.0.0/24", "path-information": "0.0.0.0" }, { "nlri": "10.0.0.0/24", "path-information": "0.0.0.7" } ] } }, "withdraw": { "ipv4 unicast": [ { "nlri": "11.0.0.0/8", "path-information": "0.0.0.5" } ] } } } } }',
      ),
  );
  const eor4 = enc().update(N, 'in', upd({}));
  assert.equal(
    eor4,
    HEAD +
      '"type": "update", ' +
      NB +
      ', "direction": "in", "message": { "eor": { "afi" : "ipv4", "safi" : "unicast" } } } }',
  );
  const eor6: Update = { ...upd({ mpUnreach: { family: IPV6_UNICAST, nlri: empty(IPV6_UNICAST) } }) };
  assert.match(enc().update(N, 'in', eor6), /"message": \{ "eor": \{ "afi" : "ipv6", "safi" : "unicast" \} \}/);
  // attributes only: not an EoR
  assert.match(
    enc().update(N, 'in', upd({ origin: 0 })),
    /"message": \{ "update": \{ "attribute": \{ "origin": "igp" \} \} \}/,
  );
});

test('treat-as-withdraw turns announcements into withdrawals', () => {
  const u = upd({ origin: 0, nextHop: ip(1, 1, 1, 1) }, [24, 10, 0, 0]);
  u.issues.push(new DecodeError(3, 1, 'x', 'treat-as-withdraw'));
  assert.match(enc().update(N, 'receive', u), /"withdraw": \{ "ipv4 unicast": \[ \{ "nlri": "10.0.0.0\/24" \} \] \}/);
});

test('state, keepalive, notification, refresh, signal, shutdown events', () => {
  const e = enc();
  assert.equal(e.up(N), HEAD + '"type": "state", ' + NB + ', "state": "up" } }');
  assert.equal(
    e.down(N, 'peer reset [x] {y} "q"'),
    HEAD.replace('"counter": 1', '"counter": 2') +
      '"type": "state", ' +
      NB +
      ', "state": "down", "reason": "peer reset (x) (y) \\"q\\"" } }',
  );
  assert.equal(
    e.shutdown(),
    '{ "exabgp": "4.0.1", "time": 1795424899.5, "host" : "vm", "pid" : 1, "ppid" : 2, "type": "notification", "notification": "shutdown" }',
  );
  const k = enc().keepalive(N, 'receive', { header: Uint8Array.from([...Array(16).fill(0xff), 0, 19, 4]) });
  assert.equal(
    k,
    HEAD +
      '"type": "keepalive", "header": "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304", ' +
      NB +
      ', "direction": "receive"  } }',
  );
  assert.equal(
    enc().notification(N, 'receive', { code: 3, subcode: 1, data: ip(0xff, 0) }),
    HEAD +
      '"type": "notification", ' +
      NB +
      ', "direction": "receive", "notification": { "code": 3, "subcode": 1, "data": "0xFF00" }  } }',
  );
  const r = enc().refresh(N, 'receive', { afi: 2, safi: 1, subtype: 2 });
  assert.equal(
    r,
    HEAD +
      '"type": "refresh", ' +
      NB +
      ', "direction": "receive", "route-refresh": { "afi": "ipv6", "safi": "unicast", "subtype": "end" } } }',
  );
  assert.equal(enc().signal(N, 1), HEAD + '"type": "signal", ' + NB + ', "code": "1", "name": "SIGHUP" } }');
  for (const s of [k, r]) JSON.parse(s);
});

test('hostname and software version: quotes escaped; a malformed value is shown as unknown with its bytes', () => {
  const caps = (...c: Capability[]) =>
    JSON.parse(
      enc().open(N, 'receive', { version: 4, myAs: 65002, holdTime: 180, routerId: ip(1, 2, 3, 4), capabilities: c }),
    ).neighbor.open.capabilities;
  assert.deepEqual(
    caps(decodeCapability(73, Uint8Array.of(2, 0x61, 0x22, 0)), decodeCapability(75, Uint8Array.of(1, 0x5c))),
    {
      '73': { 'host-name': 'a"', 'domain-name': '' },
      '75': { software: '\\' },
    },
  );
  // Multiple Labels (RFC 8277, code 8): ExaBGP 4.2 shows it as unknown, with its bytes.
  assert.deepEqual(caps({ code: 8, families: [{ afi: 1, safi: 4, count: 3 }] }), {
    '8': { name: 'unknown', iana: 'unknown', value: 8, raw: '00010403' },
  });
  assert.deepEqual(caps(decodeCapability(73, Uint8Array.of(5, 0x61)), decodeCapability(75, Uint8Array.of(3, 0x61))), {
    '73': { name: 'unknown', iana: 'unassigned', value: 73, raw: '0561' },
    '75': { name: 'unknown', iana: 'unassigned', value: 75, raw: '0361' },
  });
});

test('open with capabilities as ExaBGP 4.2 prints them, hostname and software version as ExaBGP 5.0 does', () => {
  const o = enc().open(N, 'receive', {
    version: 4,
    myAs: 23456,
    holdTime: 180,
    routerId: ip(1, 2, 3, 4),
    capabilities: [
      { code: 1, afi: 1, safi: 1 },
      { code: 1, afi: 2, safi: 1 },
      { code: 2 },
      { code: 128 },
      { code: 65, asn: 4200000000 },
      {
        code: 69,
        families: [
          { afi: 1, safi: 1, mode: 3 },
          { afi: 2, safi: 1, mode: 1 },
        ],
      },
      {
        code: 64,
        restartFlags: 8,
        restartTime: 120,
        families: [
          { afi: 1, safi: 1, flags: 0x80 },
          { afi: 2, safi: 1, flags: 0 },
        ],
      },
      { code: 70 },
      { code: 6 },
      { code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
      { code: 73, hostname: 'abc', domain: 'd.e' },
      { code: 75, version: 'tsbg' },
      { code: 200, unknown: true, value: ip(1, 2) },
    ],
  });
  const want =
    HEAD +
    '"type": "open", ' +
    NB +
    ', "direction": "receive", "open": { "version": 4, "asn": 23456, "hold_time": 180, "router_id": "1.2.3.4", "capabilities": { "1": { "name": "multiprotocol", "families": [ "ipv4/unicast", "ipv6/unicast" ] }, "2": { "name": "route-refresh", "variant": "Cisco" }, "128": { "name": "route-refresh", "variant": "Cisco" }, "65": { "name": "asn4", "asn4": 4200000000 }, "69": { "name": "addpath", "ipv4/unicast": "send/receive","ipv6/unicast": "receive" }, "64": { "name": "graceful restart", "time": 120, "address-family-flags": { "ipv4/unicast": [ "restart" ] , "ipv6/unicast": [ ] }, "restart-flags": [ "forwarding" ] }, "70": { "name": "enhanced-route-refresh" }, "6": { "name": "extended-message", "size": 65535 }, "5": { "name": "nexthop", "conversion": [ "ipv4/unicast/ipv6" ] }, "73": { "host-name": "abc", "domain-name": "d.e" }, "75": { "software": "tsbg" }, "200": { "name": "unknown", "iana": "reserved", "value": 200, "raw": "0102" } } } } }';
  assert.equal(o, want);
  JSON.parse(o);
});

test('IPv6 text as glibc inet_ntop prints it', () => {
  const b = (h: string): Uint8Array => ec(h.padEnd(32, '0'));
  assert.equal(ipv6At(b('00000000000000000000000000000001'), 0), '::1');
  assert.equal(ipv6At(b(''), 0), '::');
  assert.equal(ipv6At(b('00000000000000000000ffff01020304'), 0), '::ffff:1.2.3.4');
  assert.equal(ipv6At(b('00000000000000000000000001020304'), 0), '::1.2.3.4');
  assert.equal(ipv6At(b('20010db8000100000001000000000001'), 0), '2001:db8:1:0:1::1');
  assert.equal(ipv6At(b('20010db8000000010000000000000000'), 0), '2001:db8:0:1::');
  assert.equal(ipv6At(b('20010000000100000000000100000000'), 0), '2001:0:1::1:0:0');
});

test('extended community names', () => {
  assert.equal(extendedCommunityString(ec('0002fde800000001')), 'target:65000:1');
  assert.equal(extendedCommunityString(ec('4002fde800000001')), 'target:65000:1');
  assert.equal(extendedCommunityString(ec('020200000001000a')), 'target:1L:10');
  assert.equal(extendedCommunityString(ec('0003fde801020304')), 'origin:65000:1.2.3.4');
  assert.equal(extendedCommunityString(ec('800800010000000a')), 'redirect:1:10');
  assert.equal(extendedCommunityString(ec('8009000000000012')), 'mark 18');
  assert.equal(extendedCommunityString(ec('8007000000000003')), 'action sample-terminal');
  assert.equal(extendedCommunityString(ec('0600000000000005')), 'mac-mobility:5');
  assert.equal(extendedCommunityString(ec('ffff000000000000')), '');
});

test('every output parses as JSON, whatever the strings', () => {
  const e = new JsonEncoder({ host: 'a"b\\c\n' });
  const n = { ...N, peerAddress: 'x"y' };
  for (const s of [
    e.up(n),
    e.down(n, 'bad\u0001"\\'),
    e.fsm(n, 'ESTABLISHED'),
    e.update(n, 'receive', upd({ origin: 9 })),
  ])
    JSON.parse(s);
});

test('family renderer hook and compact mode', () => {
  const fam = familyKey(1, 133);
  registerFamilyRenderer(fam, { forEach: (_b, _c, each) => each('{ "flow": 1 }', 'flow 1') });
  const u = upd({ origin: 0, mpReach: { family: fam, nextHop: new Uint8Array(0), nlri: block(fam, [1]) } });
  assert.match(enc().update(N, 'in', u), /"announce": \{ "ipv4 flow": \{ "no-nexthop": \[ \{ "flow": 1 \} \] \} \}/);
  const c = new JsonEncoder({ compact: true }).update(N, 'in', upd({ nextHop: ip(1, 1, 1, 1) }, [24, 10, 0, 0]));
  assert.match(c, /"1.1.1.1": \[ "10.0.0.0\/24" \]/);
  assert.match(c, /"attribute": \{ {2}\}/);
});

// Speed is measured by bench/ (the codec scenario), not asserted here: a loaded runner would make it flaky.
test('an UPDATE of 1000 prefixes encodes each prefix into valid JSON', () => {
  const data = new Uint8Array(4 * 1000);
  for (let i = 0; i < 1000; i++) data.set([24, 10, (i >> 8) & 255, i & 255], i * 4);
  const u = upd({ origin: 0, asPath: [{ type: 2, asns: [65001] }], nextHop: ip(1, 1, 1, 1) });
  u.nlri = block(IPV4_UNICAST, [...data], false, 1000);
  const e = enc();
  const first = e.update(N, 'receive', u);
  assert.equal(first.match(/"10\.\d+\.\d+\.0\/24"/g)?.length, 1000);
  assert.ok(first.includes('"10.3.231.0/24"'), 'the last prefix (999 = 3.231)');
  JSON.parse(first);
});
