// ExaBGP 4.2.21's text encoder output (captured from ExaBGP itself) against tsbgp's ExabgpTextEncoder.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesText, ExabgpTextEncoder } from '../../../src/api/text';
import { type Attributes, IPV4_UNICAST, IPV6_UNICAST, type Update } from '../../../src/wire/types';

const N = { localAddress: '127.0.0.2', peerAddress: '127.0.0.1', localAs: 65001, peerAs: 65002 };
const ip = (...b: number[]): Uint8Array => Uint8Array.from(b);
const blk = (family: number, b: number[], addPath = false) => ({ family, addPath, data: Uint8Array.from(b), count: 0 });
const upd = (attributes: Attributes, nlri: number[] = [], withdrawn: number[] = []): Update => ({
  withdrawn: blk(IPV4_UNICAST, withdrawn),
  nlri: blk(IPV4_UNICAST, nlri),
  attributes,
  issues: [],
});

test('update: one line per NLRI, withdrawn first, attributes as ExaBGP prints them', () => {
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
        Buffer.from('0002fde800000001', 'hex'),
        Buffer.from('0102010203040005', 'hex'),
        Buffer.from('80060000477f2000', 'hex'),
        Buffer.from('030c000000000008', 'hex'),
      ],
      largeCommunities: [[1, 2, 3]],
      other: [{ flags: 0xc0, code: 99, value: ip(0xde, 0xad) }],
    },
    [24, 10, 0, 0],
    [8, 11],
  );
  const attrs =
    ' origin igp as-path [ 65001 65002 ( 7 8 ) ] med 100 local-preference 200 atomic-aggregate aggregator ( 65000:9.9.9.9 ) community [ 65000:1 blackhole no-export ] originator-id 5.5.5.5 cluster-list [ 6.6.6.6 7.7.7.7 ] extended-community [ target:65000:1 target:1.2.3.4:5 encap:VXLAN rate-limit:65312 ] large-community 1:2:3 attribute [ 0x63 0xE0 0xdead ]';
  assert.equal(
    new ExabgpTextEncoder().update(N, 'receive', u),
    'neighbor 127.0.0.1 receive update start\n' +
      'neighbor 127.0.0.1 receive update withdrawn 11.0.0.0/8\n' +
      `neighbor 127.0.0.1 receive update announced 10.0.0.0/24 next-hop 1.2.3.4${attrs}\n` +
      'neighbor 127.0.0.1 receive update end\n',
  );
});

test('update: MP families, add-path, End-of-RIB, raw header/body', () => {
  const u = upd({
    origin: 2,
    mpReach: {
      family: IPV6_UNICAST,
      nextHop: Buffer.from('20010db8000000000000000000000001', 'hex'),
      nlri: blk(IPV6_UNICAST, [0, 0, 0, 9, 32, 0x20, 1, 0xd, 0xb8], true),
    },
  });
  assert.equal(
    new ExabgpTextEncoder().update(N, 'send', u),
    'neighbor 127.0.0.1 send update start\n' +
      'neighbor 127.0.0.1 send update announced 2001:db8::/32 path-information 0.0.0.9 next-hop 2001:db8::1 origin incomplete\n' +
      'neighbor 127.0.0.1 send update end\n',
  );
  const eor = new ExabgpTextEncoder().update(N, 'receive', upd({}), {
    header: ip(0xff, 0, 23, 2),
    body: ip(0, 0, 0, 0),
  });
  assert.equal(
    eor,
    'neighbor 127.0.0.1 receive update start\n' +
      'neighbor 127.0.0.1 receive update route eor 1/1 (ipv4 unicast)\n' +
      ' header 0xFF001702 body 0x00000000\n' +
      'neighbor 127.0.0.1 receive update end\n',
  );
});

test('other events', () => {
  const t = new ExabgpTextEncoder({ pid: 3, ppid: 4 });
  assert.equal(t.up(N), 'neighbor 127.0.0.1 up\n');
  assert.equal(t.connected(N), 'neighbor 127.0.0.1 connected\n');
  assert.equal(t.down(N, 'r'), 'neighbor 127.0.0.1 down - r\n');
  assert.equal(t.shutdown(), 'shutdown 3 4\n');
  assert.equal(
    t.keepalive(N, 'receive', { header: ip(0xff, 0, 19, 4) }),
    'neighbor 127.0.0.1 receive keepalive header 0xFF001304\n',
  );
  assert.equal(
    t.notification(N, 'receive', { code: 3, subcode: 1, data: ip(0xff, 0) }),
    'neighbor 127.0.0.1 receive notification code 3 subcode 1 data 0xFF00\n',
  );
  assert.equal(
    t.refresh(N, 'receive', { afi: 1, safi: 1, subtype: 1 }),
    'neighbor 127.0.0.1 receive route-refresh afi ipv4 safi unicast begin\n',
  );
  assert.equal(t.negotiated(), null);
});

test('open capabilities text, as ExaBGP prints str(capabilities).lower() (hostname and software version: 5.0)', () => {
  const s = capabilitiesText([
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
  ]);
  assert.equal(
    s,
    'multiprotocol(ipv4 unicast,ipv6 unicast), cisco route refresh, nexthop(ipv4 unicast ipv6), extended message(65535), graceful restart flags 0x8 time 120 ipv4/unicast=0x80 ipv6/unicast=0x0, asn4(4200000000), addpath(send/receive ipv4 unicast,receive ipv6 unicast), enhanced route refresh, hostname(abc d.e), software(tsbg), cisco route refresh, reserved 200',
  );
});
