// RFC 8277 §2.1 Multiple Labels (capability code 8): the capability's codec, what negotiation makes of it, and
// its two rules: no route with more labels than the peer's Count goes out (one label without the capability),
// and a route received with more labels than our Count is treat-as-withdraw.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { AdjRibOut, type ExportSession } from '../../../src/rib/adj-rib-out';
import { negotiate } from '../../../src/session/negotiate';
import { checkReceived } from '../../../src/session/received';
import { decodeCapability, encodeCapability } from '../../../src/wire/capabilities';
import { DecodeError } from '../../../src/wire/errors';
import { ipv4Labeled, ipv4Vpn } from '../../../src/wire/nlri/labeled';
import { type Capability, type CodecContext, familyKey, type Open, type Update } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { waitFor } from '../../interop/peers/common';
import { type Pair, startPair } from '../daemon/pair';

const LU4 = familyKey(1, 4);
const VPN4 = familyKey(1, 128);
const open = (caps: Capability[]): Open => ({
  version: 4,
  myAs: 65001,
  holdTime: 90,
  routerId: Uint8Array.of(1, 1, 1, 1),
  capabilities: caps,
});
const mp = (...f: number[]): Capability[] => f.map((k) => ({ code: 1, afi: k >> 8, safi: k & 255 }));

test('capability 8: AFI, SAFI, Count triples both ways; a length that is not whole triples fails the OPEN', () => {
  const c: Capability = {
    code: 8,
    families: [
      { afi: 1, safi: 4, count: 3 },
      { afi: 2, safi: 128, count: 255 },
    ],
  };
  const bytes = encodeCapability(c);
  assert.equal(Buffer.from(bytes).toString('hex'), '080800010403000280ff');
  assert.deepEqual(decodeCapability(8, bytes.subarray(2)), c);
  assert.throws(
    () => decodeCapability(8, Uint8Array.of(0, 1, 4)),
    (e: unknown) => e instanceof DecodeError && e.code === 2 && e.subcode === 0,
  );
});

test('negotiation: counts per negotiated family, each way; the first triple of a family wins; 0 and 1 mean one label', () => {
  const ours = open([...mp(LU4, VPN4), { code: 8, families: [{ afi: 1, safi: 4, count: 4 }] }]);
  const theirs = open([
    ...mp(LU4, VPN4),
    {
      code: 8,
      families: [
        { afi: 1, safi: 4, count: 2 },
        { afi: 1, safi: 4, count: 9 },
        { afi: 1, safi: 128, count: 1 },
        { afi: 2, safi: 4, count: 5 },
      ],
    },
  ]);
  const n = negotiate(ours, theirs);
  assert.deepEqual([...n.labelsSend], [[LU4, 2]]);
  assert.deepEqual([...n.labelsReceive], [[LU4, 4]]);
  assert.deepEqual([...negotiate(open(mp(LU4)), open(mp(LU4))).labelsSend], []);
});

const session = (labels?: Map<number, number>): ExportSession => ({
  localAs: 65001,
  peerAs: 65002,
  ibgp: false,
  families: new Set([LU4, VPN4]),
  addPathSend: new Set(),
  sendCtx: { asn4: true, addPath: new Set(), maxMessage: 4096 },
  localAddress: Uint8Array.of(192, 0, 2, 1),
  labels,
});
const ctx: CodecContext = { asn4: true, addPath: new Set(), maxMessage: 4096 };
const lu = (a: number, labels: number[]) =>
  ipv4Labeled.encode({ family: LU4, addr: Uint8Array.of(10, a, 0, 0), len: 24, labels }, false);
const RD = Uint8Array.of(0, 0, 0xfd, 0xe8, 0, 0, 0, 1);
const vpn = (a: number, labels: number[]) =>
  ipv4Vpn.encode({ family: VPN4, addr: Uint8Array.of(10, a, 0, 0), len: 24, labels, rd: RD }, false);

/** What the Adj-RIB-Out sends: "announce|withdraw family prefix labels" per route. */
function sent(s: ExportSession, routes: [number, Uint8Array][]): { lines: string[]; held: string[] } {
  const out = new AdjRibOut();
  const held: string[] = [];
  out.onTooManyLabels = (f, n, max) => held.push(`${f} ${n} ${max}`);
  for (const [f, e] of routes) out.announce(f, e, { origin: 0 }, { nextHop: Uint8Array.of(192, 0, 2, 9) });
  out.attach(s);
  const lines: string[] = [];
  for (const m of out.pull()) {
    const u: Update = decodeUpdate(m.subarray(19), ctx);
    const codec = (f: number) => (f === LU4 ? ipv4Labeled : ipv4Vpn);
    if (u.attributes.mpReach && u.attributes.mpReach.nlri.count > 0)
      for (const p of codec(u.attributes.mpReach.family).items(u.attributes.mpReach.nlri))
        lines.push(`announce ${u.attributes.mpReach.family} 10.${p.addr[1]} ${p.labels.join('/')}`);
    const w = u.attributes.mpUnreach;
    if (w && w.nlri.count > 0)
      for (const p of codec(w.family).items(w.nlri)) lines.push(`withdraw ${w.family} 10.${p.addr[1]}`);
  }
  return { lines: lines.sort(), held };
}

test('sending: more labels than the peer counts (one without the capability) is withdrawn instead of announced', () => {
  const routes: [number, Uint8Array][] = [
    [LU4, lu(1, [100])],
    [LU4, lu(2, [100, 200])],
    [LU4, lu(3, [100, 200, 300])],
    [VPN4, vpn(4, [400, 401])],
  ];
  const none = sent(session(), routes);
  assert.deepEqual(none.lines, [
    `announce ${LU4} 10.1 100`,
    `withdraw ${LU4} 10.2`,
    `withdraw ${LU4} 10.3`,
    `withdraw ${VPN4} 10.4`,
  ]);
  assert.deepEqual(none.held.sort(), [`${LU4} 2 1`, `${VPN4} 1 1`]);
  const two = sent(session(new Map([[LU4, 2]])), routes);
  assert.deepEqual(two.lines, [
    `announce ${LU4} 10.1 100`,
    `announce ${LU4} 10.2 100/200`,
    `withdraw ${LU4} 10.3`,
    `withdraw ${VPN4} 10.4`,
  ]);
  assert.deepEqual(
    sent(
      session(
        new Map([
          [LU4, 255],
          [VPN4, 2],
        ]),
      ),
      routes,
    ).lines.filter((l) => l.startsWith('withdraw')),
    [],
  );
});

test('receiving: a route with more labels than we announced is treat-as-withdraw (RFC 8277 §2.1)', () => {
  const update = (entry: Uint8Array): Update => {
    const u = decodeUpdate(encodeTestUpdate(entry), ctx);
    return u;
  };
  const facts = (labels?: Map<number, number>) => ({ ebgp: true, localAddress: null, labels });
  const one = update(lu(1, [100]));
  checkReceived(one, facts());
  assert.deepEqual(one.issues, []);
  const two = update(lu(2, [100, 200]));
  checkReceived(two, facts());
  assert.equal(two.issues.length, 1);
  assert.equal(two.issues[0]!.action, 'treat-as-withdraw');
  assert.match(two.issues[0]!.message, /2 labels, more than the 1 we accept/);
  const ok = update(lu(2, [100, 200]));
  checkReceived(ok, facts(new Map([[LU4, 2]])));
  assert.deepEqual(ok.issues, []);
});

/** An UPDATE body: ORIGIN, AS_PATH, MP_REACH_NLRI for ipv4 nlri-mpls with next hop 192.0.2.9 and `entry`. */
function encodeTestUpdate(entry: Uint8Array): Uint8Array {
  const mpv = [0, 1, 4, 4, 192, 0, 2, 9, 0, ...entry];
  const attrs = [0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xea, 0x80, 14, mpv.length, ...mpv];
  return Uint8Array.from([0, 0, attrs.length >> 8, attrs.length & 255, ...attrs]);
}

test('configuration: capability { multiple-labels N; } with N 2-255 or disable', () => {
  const conf = (v: string) =>
    `neighbor 192.0.2.1 { router-id 192.0.2.2; local-address 192.0.2.2; local-as 65001; peer-as 65002; family { ipv4 nlri-mpls; } capability { multiple-labels ${v}; } }\n`;
  assert.equal(parseConfig(conf('3')).neighbors[0]!.capability.multipleLabels, 3);
  assert.equal(parseConfig(conf('disable')).neighbors[0]!.capability.multipleLabels, 0);
  assert.throws(() => parseConfig(conf('1')), /1:\d+: .*label count \(2-255\)/);
  assert.throws(() => parseConfig(conf('256')), /label count/);
});

test('two tsbgp daemons: a two-label route arrives when B announces multiple-labels 2, and is held back when not', async () => {
  const routes = [
    'route 10.5.0.0/24 label [ 100 200 ] next-hop 192.0.2.9',
    'route 10.6.0.0/24 label 300 next-hop 192.0.2.9',
  ];
  const received = (p: Pair) =>
    [...p.b.neighbors[0]!.ribIn!.routes()].map(
      (r) => ipv4Labeled.items({ family: LU4, addPath: false, data: r.entry, count: 1 })[0]!,
    );
  const labelsAt = (p: Pair) =>
    received(p)
      .map((r) => `10.${r.addr[1]}/${r.labels.join('/')}`)
      .sort();
  for (const [capB, want] of [
    [' capability { multiple-labels 2; }\n', ['10.5/100/200', '10.6/300']],
    ['', ['10.6/300']],
  ] as const) {
    const p = await startPair('multiple-labels', routes, undefined, { families: 'ipv4 nlri-mpls;', neighborB: capB });
    try {
      await waitFor(() => labelsAt(p).length === want.length, 10_000, 'routes at B');
      assert.deepEqual(labelsAt(p), want);
      const held = p.logA.some((l) => /1 ipv4 nlri-mpls route\(s\) not sent: more than 1 label/.test(l));
      assert.equal(held, capB === '', p.logA.join('\n'));
    } finally {
      await p.stop();
    }
  }
});
