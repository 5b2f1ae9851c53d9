import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AS_TRANS, checkOpen, negotiate, omitCapabilities, refusedCapabilities } from '../../../src/session/negotiate';
import { type Capability, familyKey, IPV4_UNICAST, IPV6_UNICAST, type Open } from '../../../src/wire/types';

const id = (s: string) => Uint8Array.from(s.split('.').map(Number));
const open = (asn: number, hold: number, rid: string, caps: Capability[]): Open => ({
  version: 4,
  myAs: asn > 0xffff ? AS_TRANS : asn,
  holdTime: hold,
  routerId: id(rid),
  capabilities: caps,
});
const FLOW4 = familyKey(1, 133);

test('hold time is the minimum, keepalive a third; 0 wins', () => {
  const n = negotiate(open(1, 180, '1.1.1.1', []), open(2, 90, '2.2.2.2', []));
  assert.equal(n.holdTime, 90);
  assert.equal(n.keepaliveTime, 30);
  const z = negotiate(open(1, 0, '1.1.1.1', []), open(2, 90, '2.2.2.2', []));
  assert.equal(z.holdTime, 0);
  assert.equal(z.keepaliveTime, 0);
  assert.equal(negotiate(open(1, 3, '1.1.1.1', []), open(2, 90, '2.2.2.2', [])).keepaliveTime, 1);
});

test('families: intersection; IPv4 unicast implied without MP capabilities', () => {
  const none = negotiate(open(1, 90, '1.1.1.1', []), open(2, 90, '2.2.2.2', []));
  assert.deepEqual([...none.families], [IPV4_UNICAST]);
  const mp = negotiate(
    open(1, 90, '1.1.1.1', [
      { code: 1, afi: 1, safi: 1 },
      { code: 1, afi: 2, safi: 1 },
      { code: 1, afi: 1, safi: 133 },
    ]),
    open(2, 90, '2.2.2.2', [
      { code: 1, afi: 2, safi: 1 },
      { code: 1, afi: 1, safi: 133 },
    ]),
  );
  assert.deepEqual([...mp.families].sort(), [IPV6_UNICAST, FLOW4].sort());
  // Only we send MP with IPv6: the peer supports IPv4 unicast only (RFC 4760 §8).
  const one = negotiate(
    open(1, 90, '1.1.1.1', [
      { code: 1, afi: 2, safi: 1 },
      { code: 1, afi: 1, safi: 1 },
    ]),
    open(2, 90, '2.2.2.2', []),
  );
  assert.deepEqual([...one.families], [IPV4_UNICAST]);
});

test('asn4 both ways; peer AS taken from the capability', () => {
  const n = negotiate(
    open(65000, 90, '1.1.1.1', [{ code: 65, asn: 65000 }]),
    open(4200000000, 90, '2.2.2.2', [{ code: 65, asn: 4200000000 }]),
  );
  assert.equal(n.asn4, true);
  assert.equal(n.peerAs, 4200000000);
  assert.equal(n.ibgp, false);
  assert.equal(n.sendCtx.asn4, true);
  const o = negotiate(open(65000, 90, '1.1.1.1', [{ code: 65, asn: 65000 }]), open(65000, 90, '2.2.2.2', []));
  assert.equal(o.asn4, false);
  assert.equal(o.ibgp, true);
});

test('add-path per family and direction', () => {
  const ours = open(1, 90, '1.1.1.1', [
    { code: 1, afi: 1, safi: 1 },
    { code: 1, afi: 2, safi: 1 },
    {
      code: 69,
      families: [
        { afi: 1, safi: 1, mode: 3 },
        { afi: 2, safi: 1, mode: 1 },
      ],
    },
  ]);
  const theirs = open(2, 90, '2.2.2.2', [
    { code: 1, afi: 1, safi: 1 },
    { code: 1, afi: 2, safi: 1 },
    {
      code: 69,
      families: [
        { afi: 1, safi: 1, mode: 1 },
        { afi: 2, safi: 1, mode: 3 },
      ],
    },
  ]);
  const n = negotiate(ours, theirs);
  assert.deepEqual([...n.addPathSend], [IPV4_UNICAST]);
  assert.deepEqual([...n.addPathReceive], [IPV6_UNICAST]);
  assert.ok(n.recvCtx.addPath.has(IPV6_UNICAST) && !n.recvCtx.addPath.has(IPV4_UNICAST));
  assert.ok(n.sendCtx.addPath.has(IPV4_UNICAST));
});

test('extended message, extended next hop, route refresh, enhanced route refresh', () => {
  const ours = open(1, 90, '1.1.1.1', [
    { code: 6 },
    { code: 2 },
    { code: 70 },
    {
      code: 5,
      entries: [
        { afi: 1, safi: 1, nextHopAfi: 2 },
        { afi: 1, safi: 128, nextHopAfi: 2 },
      ],
    },
  ]);
  const theirs = open(2, 90, '2.2.2.2', [
    { code: 6 },
    { code: 128 },
    { code: 5, entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
  ]);
  const n = negotiate(ours, theirs);
  assert.equal(n.extendedMessage, true);
  assert.equal(n.sendCtx.maxMessage, 65535);
  assert.equal(n.recvCtx.maxMessage, 65535);
  assert.deepEqual([...n.extendedNextHop], [[IPV4_UNICAST, [2]]]);
  assert.equal(n.routeRefresh, true);
  assert.equal(n.enhancedRouteRefresh, false);
  // We announced extended message, the peer did not: we accept large ones but send small ones.
  const m = negotiate(ours, open(2, 90, '2.2.2.2', []));
  assert.equal(m.sendCtx.maxMessage, 4096);
  assert.equal(m.recvCtx.maxMessage, 65535);
  assert.equal(m.routeRefresh, false);
});

test('graceful restart of the peer, only when both announced it', () => {
  const gr: Capability = {
    code: 64,
    restartFlags: 0x8,
    restartTime: 120,
    families: [
      { afi: 1, safi: 1, flags: 0x80 },
      { afi: 2, safi: 1, flags: 0 },
    ],
  };
  const ours = open(1, 90, '1.1.1.1', [{ code: 64, restartFlags: 0, restartTime: 60, families: [] }]);
  const n = negotiate(ours, open(2, 90, '2.2.2.2', [gr]));
  assert.equal(n.gracefulRestart?.restartTime, 120);
  assert.equal(n.gracefulRestart?.restarting, true);
  // IPv6 was not negotiated, so only IPv4 unicast counts.
  assert.deepEqual([...n.gracefulRestart!.families], [[IPV4_UNICAST, true]]);
  assert.equal(negotiate(open(1, 90, '1.1.1.1', []), open(2, 90, '2.2.2.2', [gr])).gracefulRestart, undefined);
});

test('checkOpen: peer AS, hold time, router id, version', () => {
  const cfg = { localAs: 65000, peerAs: 65001 as number | 'auto', routerId: id('1.1.1.1') };
  assert.equal(checkOpen(cfg, open(65001, 90, '2.2.2.2', [])), null);
  assert.equal(checkOpen(cfg, open(65002, 90, '2.2.2.2', []))?.subcode, 2);
  assert.equal(checkOpen({ ...cfg, peerAs: 'auto' }, open(65002, 90, '2.2.2.2', [])), null);
  // 4-byte AS through the capability.
  assert.equal(
    checkOpen({ ...cfg, peerAs: 4200000000 }, open(4200000000, 90, '2.2.2.2', [{ code: 65, asn: 4200000000 }])),
    null,
  );
  assert.equal(checkOpen(cfg, open(65001, 2, '2.2.2.2', []))?.subcode, 6);
  assert.equal(checkOpen(cfg, open(65001, 0, '2.2.2.2', [])), null);
  assert.equal(checkOpen(cfg, open(65001, 90, '0.0.0.0', []))?.subcode, 3);
  // Same router id: fine for eBGP (RFC 6286), refused for iBGP.
  assert.equal(checkOpen(cfg, open(65001, 90, '1.1.1.1', [])), null);
  assert.equal(checkOpen({ ...cfg, peerAs: 65000 }, open(65000, 90, '1.1.1.1', []))?.subcode, 3);
  const v = checkOpen(cfg, { ...open(65001, 90, '2.2.2.2', []), version: 3 });
  assert.equal(v?.subcode, 1);
  assert.deepEqual(v?.data, Uint8Array.of(0, 4));
});

test('unsupported capability: the next OPEN omits what the peer named', () => {
  const caps: Capability[] = [
    { code: 1, afi: 1, safi: 1 },
    { code: 1, afi: 1, safi: 133 },
    { code: 2 },
    { code: 69, families: [{ afi: 1, safi: 1, mode: 3 }] },
  ];
  // Data: MP ipv4/flow (code 1, len 4) and ADD-PATH (code 69, len 4).
  const data = Uint8Array.of(1, 4, 0, 1, 0, 133, 69, 4, 0, 1, 1, 3);
  const refused = refusedCapabilities({ code: 2, subcode: 7, data });
  assert.deepEqual(
    refused.map((r) => r.code),
    [1, 69],
  );
  assert.deepEqual(omitCapabilities(caps, refused), [{ code: 1, afi: 1, safi: 1 }, { code: 2 }]);
  assert.deepEqual(refusedCapabilities({ code: 6, subcode: 2, data }), []);
});
