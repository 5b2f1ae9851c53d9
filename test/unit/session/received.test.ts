// Issue 11, finding 7: UPDATEs the RFCs say to ignore (treat-as-withdraw), without sockets.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateParts } from '../../../src/api/json';
import { AdjRibIn } from '../../../src/rib/adj-rib-in';
import { checkReceived } from '../../../src/session/received';
import { parseIp } from '../../../src/wire/ip';
import { type Attributes, type CodecContext, IPV4_UNICAST, IPV6_UNICAST, SegmentType } from '../../../src/wire/types';
import { decodeUpdate, encodeUpdate, packUpdates } from '../../../src/wire/update';

const ctx: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 4096 };
const ip = (s: string): Uint8Array => parseIp(s)!;
const prefix = (a: string, len: number): Uint8Array => Uint8Array.of(len, ...ip(a).subarray(0, Math.ceil(len / 8)));

/** An UPDATE announcing 198.51.100.0/24 with these attributes, decoded as a peer's would be. */
function received(attributes: Attributes) {
  const nlri = prefix('198.51.100.0', 24);
  const msg = encodeUpdate(
    {
      withdrawn: { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 },
      attributes,
      nlri: { family: IPV4_UNICAST, addPath: false, data: nlri, count: 1 },
    },
    ctx,
  );
  return decodeUpdate(msg.subarray(19), ctx);
}

const base: Attributes = {
  origin: 0,
  asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [65002] }],
  nextHop: ip('192.0.2.1'),
};

const withdrawnByRfc7606 = (u: ReturnType<typeof received>): boolean => {
  const parts = updateParts(u);
  return parts.announced.length === 0 && parts.withdrawn.length === 1;
};

test('NEXT_HOP 0.0.0.0 and 255.255.255.255 are no host addresses: treat-as-withdraw (RFC 4271 §6.3, RFC 7606 §7.3)', () => {
  for (const nh of ['0.0.0.0', '255.255.255.255', '224.0.0.1']) {
    const u = received({ ...base, nextHop: ip(nh) });
    assert.equal(u.issues.length, 1, nh);
    assert.equal(u.issues[0]!.subcode, 8, `${nh}: Invalid NEXT_HOP`);
    assert.equal(u.issues[0]!.action, 'treat-as-withdraw', nh);
    assert.ok(withdrawnByRfc7606(u), nh);
  }
  for (const nh of ['192.0.2.1', '0.0.0.1', '255.255.255.254', '223.255.255.255'])
    assert.deepEqual(received({ ...base, nextHop: ip(nh) }).issues, [], nh);
});

test('a NEXT_HOP that is our own address on the session: the route is ignored (RFC 4271 §6.3)', () => {
  const u = received({ ...base, nextHop: ip('192.0.2.7') });
  checkReceived(u, { ebgp: true, localAddress: ip('192.0.2.7') });
  assert.equal(u.issues.length, 1);
  assert.equal(u.issues[0]!.subcode, 8);
  assert.equal(u.issues[0]!.action, 'treat-as-withdraw');
  assert.ok(withdrawnByRfc7606(u));
  // An Adj-RIB-In drops an earlier version of the route.
  const rib = new AdjRibIn();
  rib.apply(received(base));
  assert.equal(rib.size, 1);
  rib.apply(u);
  assert.equal(rib.size, 0);
  // Someone else's address: fine.
  const ok = received({ ...base, nextHop: ip('192.0.2.8') });
  checkReceived(ok, { ebgp: true, localAddress: ip('192.0.2.7') });
  assert.deepEqual(ok.issues, []);
});

test('an IPv6 MP_REACH next hop that is our own address (with or without a link-local one) is ignored too', () => {
  const local = ip('2001:db8::7');
  for (const nextHop of [local, Uint8Array.of(...local, ...ip('fe80::1'))]) {
    const [msg] = packUpdates(
      {
        family: IPV6_UNICAST,
        attributes: { origin: 0, asPath: base.asPath },
        nextHop,
        announce: [prefix('2001:db8:1::', 48)],
        withdraw: [],
      },
      ctx,
    );
    const u = decodeUpdate(msg!.subarray(19), ctx);
    assert.equal(u.issues.length, 0);
    checkReceived(u, { ebgp: false, localAddress: local });
    assert.equal(u.issues.length, 1);
    assert.equal(u.issues[0]!.subcode, 8);
    assert.ok(withdrawnByRfc7606(u));
  }
});

test('confederation segments from an external neighbor: malformed AS_PATH, treat-as-withdraw (RFC 5065 §5, RFC 7606 §7.2)', () => {
  for (const type of [SegmentType.AS_CONFED_SEQUENCE, SegmentType.AS_CONFED_SET]) {
    const asPath = [
      { type, asns: [64512] },
      { type: SegmentType.AS_SEQUENCE, asns: [65002] },
    ];
    const ext = received({ ...base, asPath });
    checkReceived(ext, { ebgp: true, localAddress: null });
    assert.equal(ext.issues.length, 1);
    assert.equal(ext.issues[0]!.subcode, 11, 'Malformed AS_PATH');
    assert.equal(ext.issues[0]!.action, 'treat-as-withdraw');
    assert.ok(withdrawnByRfc7606(ext));
    // From an internal neighbor (inside our AS) they are the path within the confederation: kept.
    const int = received({ ...base, asPath });
    checkReceived(int, { ebgp: false, localAddress: null });
    assert.deepEqual(int.issues, []);
  }
  const plain = received(base);
  checkReceived(plain, { ebgp: true, localAddress: ip('192.0.2.7') });
  assert.deepEqual(plain.issues, []);
});

test('from a neighbor in another member AS the path must start with AS_CONFED_SEQUENCE (RFC 5065 §5)', () => {
  const facts = { ebgp: false, confederationPeer: true, localAddress: null };
  const ok = received({
    ...base,
    asPath: [
      { type: SegmentType.AS_CONFED_SEQUENCE, asns: [65002] },
      { type: SegmentType.AS_SEQUENCE, asns: [64500] },
    ],
  });
  checkReceived(ok, facts);
  assert.deepEqual(ok.issues, []);
  for (const asPath of [
    [{ type: SegmentType.AS_SEQUENCE, asns: [65002] }],
    [{ type: SegmentType.AS_CONFED_SET, asns: [65002] }],
    [],
  ]) {
    const bad = received({ ...base, asPath });
    checkReceived(bad, facts);
    assert.equal(bad.issues.length, 1, JSON.stringify(asPath));
    assert.equal(bad.issues[0]!.subcode, 11, 'Malformed AS_PATH');
    assert.ok(withdrawnByRfc7606(bad));
  }
  // From an internal neighbor (our own member AS) a path without confederation segments is ordinary.
  const inside = received({ ...base, asPath: [{ type: SegmentType.AS_SEQUENCE, asns: [64500] }] });
  checkReceived(inside, { ebgp: false, localAddress: null });
  assert.deepEqual(inside.issues, []);
});
