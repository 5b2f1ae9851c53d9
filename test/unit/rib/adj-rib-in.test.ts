import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { AdjRibIn, rawAttributeKey } from '../../../src/rib/adj-rib-in';
import { FakeClock } from '../../../src/session/clock';
import { DecodeError } from '../../../src/wire/errors';
import { l2vpnEvpn } from '../../../src/wire/nlri/evpn';
import {
  type Attributes,
  familyKey,
  IPV4_UNICAST,
  IPV6_UNICAST,
  type NlriBlock,
  type Update,
} from '../../../src/wire/types';

const block = (family: number, data: Uint8Array, count: number, addPath = false): NlriBlock => ({
  family,
  addPath,
  data,
  count,
});
const empty = (f = IPV4_UNICAST) => block(f, new Uint8Array(0), 0);

/** An UPDATE body with IPv4 NLRI: ORIGIN, AS_PATH [asn], NEXT_HOP, then prefixes. */
function v4Body(asn: number, prefixes: Uint8Array): { body: Uint8Array; nlriOff: number } {
  const attrs = [
    0x40,
    1,
    1,
    0,
    0x40,
    2,
    6,
    2,
    1,
    (asn >>> 24) & 255,
    (asn >>> 16) & 255,
    (asn >>> 8) & 255,
    asn & 255,
    0x40,
    3,
    4,
    192,
    0,
    2,
    1,
  ];
  const body = new Uint8Array(4 + attrs.length + prefixes.length);
  body[3] = attrs.length;
  body.set(attrs, 4);
  body.set(prefixes, 4 + attrs.length);
  return { body, nlriOff: 4 + attrs.length };
}

function v4Update(asn: number, prefixes: Uint8Array, count: number): { u: Update; body: Uint8Array } {
  const { body, nlriOff } = v4Body(asn, prefixes);
  const attributes: Attributes = {
    origin: 0,
    asPath: [{ type: 2, asns: [asn] }],
    nextHop: Uint8Array.of(192, 0, 2, 1),
  };
  return {
    u: { withdrawn: empty(), attributes, nlri: block(IPV4_UNICAST, body.subarray(nlriOff), count), issues: [] },
    body,
  };
}

const pfx = (...p: [number[], number][]) => {
  const out: number[] = [];
  for (const [a, len] of p) out.push(len, ...a.slice(0, (len + 7) >> 3));
  return Uint8Array.from(out);
};
const withdraw = (data: Uint8Array, count: number, f = IPV4_UNICAST): Update =>
  f === IPV4_UNICAST
    ? { withdrawn: block(f, data, count), attributes: {}, nlri: empty(), issues: [] }
    : {
        withdrawn: empty(),
        attributes: { mpUnreach: { family: f, nlri: block(f, data, count) } },
        nlri: empty(),
        issues: [],
      };

test('announce, replace, withdraw; attribute sets shared and released', () => {
  const rib = new AdjRibIn();
  const a = v4Update(65001, pfx([[10, 0, 0, 0], 8], [[10, 1, 0, 0], 16], [[10, 1, 2, 0], 24]), 3);
  assert.deepEqual(rib.apply(a.u, { body: a.body }), { announced: 3, withdrawn: 0 });
  assert.equal(rib.size, 3);
  assert.equal(rib.interner.size, 1);
  const s = rib.getIpv4(Uint8Array.of(10, 1, 2, 0), 24)!;
  assert.equal(s.attributes.refs, 3);
  assert.deepEqual(s.attributes.attributes.asPath, [{ type: 2, asns: [65001] }]);
  // 10.0.0.0/8 and 10.0.0.0/24 are different routes.
  assert.equal(rib.getIpv4(Uint8Array.of(10, 0, 0, 0), 24), undefined);
  const b = v4Update(65002, pfx([[10, 1, 0, 0], 16]), 1);
  rib.apply(b.u, { body: b.body });
  assert.equal(rib.size, 3);
  assert.equal(rib.interner.size, 2);
  assert.equal(rib.getIpv4(Uint8Array.of(10, 1, 0, 0), 16)!.attributes.attributes.asPath![0].asns[0], 65002);
  rib.apply(withdraw(pfx([[10, 0, 0, 0], 8], [[10, 1, 2, 0], 24]), 2));
  assert.equal(rib.size, 1);
  assert.equal(rib.interner.size, 1, 'the first set has no routes left');
  const routes = [...rib.routes()];
  assert.equal(routes.length, 1);
  assert.deepEqual(routes[0].entry, Uint8Array.of(16, 10, 1));
});

test('RFC 7606 treat-as-withdraw removes instead of adding', () => {
  const rib = new AdjRibIn();
  const a = v4Update(1, pfx([[10, 0, 0, 0], 8]), 1);
  rib.apply(a.u);
  const bad = v4Update(2, pfx([[10, 0, 0, 0], 8]), 1);
  bad.u.issues.push(new DecodeError(3, 1, 'bad', 'treat-as-withdraw'));
  assert.deepEqual(rib.apply(bad.u), { announced: 0, withdrawn: 1 });
  assert.equal(rib.size, 0);
});

test('raw attribute key ignores MP NLRI but keeps the next hop', () => {
  // MP_REACH ipv6 unicast, next hop 16 bytes, one prefix; then the same with another prefix.
  const mk = (p: number, nh: number) => {
    const mp = [0, 2, 1, 16, ...new Array(15).fill(0), nh, 0, 32, 0x20, 0x01, 0x0d, p];
    return Uint8Array.from([0, 0, 0, 4 + 3 + mp.length, 0x40, 1, 1, 0, 0x80, 14, mp.length, ...mp]);
  };
  assert.equal(rawAttributeKey(mk(1, 1), true), rawAttributeKey(mk(2, 1), true));
  assert.notEqual(rawAttributeKey(mk(1, 1), true), rawAttributeKey(mk(1, 2), true));
  assert.notEqual(rawAttributeKey(mk(1, 1), true), rawAttributeKey(mk(1, 1), false));
});

test('IPv6 and labelled VPN: byte keys; a VPN withdrawal matches whatever label it carries', () => {
  const rib = new AdjRibIn();
  const v6 = Uint8Array.of(32, 0x20, 0x01, 0x0d, 0xb8, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1);
  const nh = new Uint8Array(16);
  const u6: Update = {
    withdrawn: empty(),
    nlri: empty(),
    issues: [],
    attributes: { origin: 0, mpReach: { family: IPV6_UNICAST, nextHop: nh, nlri: block(IPV6_UNICAST, v6, 2) } },
  };
  rib.apply(u6);
  assert.equal(rib.sizeOf(IPV6_UNICAST), 2);
  const route = [...rib.routes(IPV6_UNICAST)][0];
  assert.deepEqual(route.attributes.nextHop, nh);
  assert.equal(route.attributes.attributes.mpReach, undefined, 'no NLRI pinned in the set');
  rib.apply(withdraw(Uint8Array.of(32, 0x20, 0x01, 0x0d, 0xb8), 1, IPV6_UNICAST));
  assert.equal(rib.sizeOf(IPV6_UNICAST), 1);
  // VPNv4: len = 24 (label) + 64 (RD) + 24 bits; label 100 announced, withdrawn with 0x800000.
  const VPN4 = familyKey(1, 128);
  const rd = [0, 0, 0xfd, 0xe8, 0, 0, 0, 1];
  const ann = Uint8Array.of(112, 0, 0x06, 0x41, ...rd, 10, 0, 0);
  const uv: Update = {
    withdrawn: empty(),
    nlri: empty(),
    issues: [],
    attributes: { origin: 0, mpReach: { family: VPN4, nextHop: new Uint8Array(12), nlri: block(VPN4, ann, 1) } },
  };
  rib.apply(uv);
  assert.deepEqual([...rib.routes(VPN4)][0].entry, ann, 'label given back');
  rib.apply(withdraw(Uint8Array.of(112, 0x80, 0, 0, ...rd, 10, 0, 0), 1, VPN4));
  assert.equal(rib.sizeOf(VPN4), 0);
  // A two-label stack (RFC 8277 §2.2): one route, withdrawn with the one-label 0x800000 form.
  const two = Uint8Array.of(136, 0, 0x06, 0x40, 0, 0x0c, 0x81, ...rd, 10, 0, 0);
  rib.apply({ ...uv, attributes: { origin: 0, mpReach: { ...uv.attributes.mpReach!, nlri: block(VPN4, two, 1) } } });
  assert.equal(rib.sizeOf(VPN4), 1);
  assert.deepEqual([...rib.routes(VPN4)][0].entry, two);
  rib.apply(withdraw(Uint8Array.of(112, 0x80, 0, 0, ...rd, 10, 0, 0), 1, VPN4));
  assert.equal(rib.sizeOf(VPN4), 0);
});

test('add-path: same prefix, different path ids are different routes', () => {
  const rib = new AdjRibIn();
  const data = Uint8Array.of(0, 0, 0, 1, 24, 10, 0, 0, 0, 0, 0, 2, 24, 10, 0, 0);
  const a = v4Update(1, new Uint8Array(0), 0);
  a.u.nlri = block(IPV4_UNICAST, data, 2, true);
  rib.apply(a.u);
  assert.equal(rib.size, 2);
  assert.ok(rib.getIpv4(Uint8Array.of(10, 0, 0, 0), 24, 2));
  rib.apply({
    withdrawn: block(IPV4_UNICAST, data.subarray(0, 8), 1, true),
    attributes: {},
    nlri: empty(),
    issues: [],
  });
  assert.equal(rib.size, 1);
  assert.equal(rib.getIpv4(Uint8Array.of(10, 0, 0, 0), 24, 1), undefined);
});

test('graceful restart receiver: stale on down, refreshed on re-announce, purged by End-of-RIB', () => {
  const clock = new FakeClock();
  const purged: [number, number, string][] = [];
  const rib = new AdjRibIn({ clock, onPurge: (f, n, why) => purged.push([f, n, why]) });
  const a = v4Update(1, pfx([[10, 0, 0, 0], 8], [[11, 0, 0, 0], 8], [[12, 0, 0, 0], 8]), 3);
  rib.apply(a.u);
  rib.apply({
    withdrawn: empty(),
    nlri: empty(),
    issues: [],
    attributes: {
      origin: 0,
      mpReach: {
        family: IPV6_UNICAST,
        nextHop: new Uint8Array(16),
        nlri: block(IPV6_UNICAST, Uint8Array.of(16, 0x20, 0x01), 1),
      },
    },
  });
  rib.sessionDown({ families: [IPV4_UNICAST], restartTime: 120 });
  assert.equal(rib.staleCount(IPV4_UNICAST), 3);
  assert.equal(rib.sizeOf(IPV6_UNICAST), 0, 'families outside GR go at once');
  assert.equal(rib.size, 3);
  rib.sessionUp(new Map([[IPV4_UNICAST, true]]));
  const b = v4Update(2, pfx([[10, 0, 0, 0], 8]), 1);
  rib.apply(b.u);
  assert.equal(rib.staleCount(), 2);
  assert.equal(rib.getIpv4(Uint8Array.of(10, 0, 0, 0), 8)!.stale, false);
  assert.equal(rib.getIpv4(Uint8Array.of(11, 0, 0, 0), 8)!.stale, true);
  rib.apply({ withdrawn: empty(), nlri: empty(), issues: [], attributes: {}, eorFamily: IPV4_UNICAST });
  assert.equal(rib.size, 1);
  assert.equal(rib.interner.size, 1);
  assert.deepEqual(purged, [[IPV4_UNICAST, 2, 'end-of-rib']]);
  assert.equal(clock.pending, 0, 'no timer left');
});

test('graceful restart receiver: restart timer and not-preserved families', () => {
  const clock = new FakeClock();
  const rib = new AdjRibIn({ clock, staleTime: 30 });
  const a = v4Update(1, pfx([[10, 0, 0, 0], 8]), 1);
  rib.apply(a.u);
  rib.sessionDown({ families: [IPV4_UNICAST], restartTime: 120 });
  clock.advance(119_000);
  assert.equal(rib.size, 1);
  clock.advance(1_000);
  assert.equal(rib.size, 0, 'restart time over');
  // Back with F bit clear: stale routes go immediately.
  rib.apply(a.u);
  rib.sessionDown({ families: [IPV4_UNICAST], restartTime: 120 });
  rib.sessionUp(new Map([[IPV4_UNICAST, false]]));
  assert.equal(rib.size, 0);
  // Back, but no End-of-RIB: the stale timer ends it.
  rib.apply(a.u);
  rib.sessionDown({ families: [IPV4_UNICAST], restartTime: 120 });
  rib.sessionUp(new Map([[IPV4_UNICAST, true]]));
  clock.advance(29_000);
  assert.equal(rib.size, 1);
  clock.advance(1_000);
  assert.equal(rib.size, 0);
  assert.equal(rib.interner.size, 0);
});

test('1,000,000 IPv4 prefixes: memory bounded (ingest time printed)', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const N = 1_000_000;
  const PER = 50;
  const updates: { u: Update; body: Uint8Array }[] = [];
  for (let i = 0; i < N; i += PER) {
    const p = new Uint8Array(PER * 4);
    for (let j = 0; j < PER; j++) {
      const a = 0x01000000 + (i + j) * 256; // distinct /24s from 1.0.0.0
      p[j * 4] = 24;
      p[j * 4 + 1] = a >>> 24;
      p[j * 4 + 2] = (a >>> 16) & 255;
      p[j * 4 + 3] = (a >>> 8) & 255;
    }
    updates.push(v4Update(64512 + ((i / PER) % 20000), p, PER));
  }
  gc();
  const before = process.memoryUsage().heapUsed;
  const rib = new AdjRibIn();
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  for (const { u, body } of updates) rib.apply(u, { body, asn4: true });
  const cpu = process.cpuUsage(t0);
  const wall = performance.now() - w0;
  updates.length = 0;
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  assert.equal(rib.size, N);
  assert.equal(rib.interner.size, 20000);
  const mib = heap / 2 ** 20;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(
    `# adj-rib-in 1M IPv4: heap ${mib.toFixed(1)} MiB, ingest ${wall.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms cpu, ${rib.interner.size} attribute sets`,
  );
  // Memory is a property of the data structure (asserted); ingest time is bench/'s job (printed only).
  assert.ok(mib < 300, `heap ${mib} MiB`);
  assert.ok(rib.getIpv4(0x01000000 + 999_999 * 256, 24));
  rib.clear();
  assert.equal(rib.interner.size, 0);
});

test('EVPN: keyed by the RFC 7432 route key: a relabeled MAC/IP route replaces the first, a withdrawal with label 0 finds it', () => {
  const rib = new AdjRibIn();
  const EVPN = familyKey(25, 70);
  const encode = (label: number, esi: number): Uint8Array =>
    l2vpnEvpn.encode(
      {
        code: 2,
        rd: Uint8Array.of(0, 0, 0xfd, 0xe8, 0, 0, 0, 1),
        esi: new Uint8Array(10).fill(esi),
        etag: 0,
        macLen: 48,
        mac: Uint8Array.of(0, 0x11, 0x22, 0x33, 0x44, 0x55),
        ip: Uint8Array.of(10, 0, 0, 1),
        labels: [label],
      },
      false,
    );
  const announce = (entry: Uint8Array): Update => ({
    withdrawn: empty(),
    nlri: empty(),
    issues: [],
    attributes: {
      origin: 0,
      mpReach: { family: EVPN, nextHop: Uint8Array.of(192, 0, 2, 1), nlri: block(EVPN, entry, 1) },
    },
  });
  rib.apply(announce(encode(0x641, 0)));
  const second = encode(0xc81, 1);
  rib.apply(announce(second));
  assert.equal(rib.sizeOf(EVPN), 1, 'another label and ESI: the same route (RFC 7432 §7.2)');
  assert.deepEqual([...rib.routes(EVPN)][0]!.entry, second, 'the entry as last received given back');
  rib.apply(withdraw(encode(0, 0), 1, EVPN));
  assert.equal(rib.sizeOf(EVPN), 0);
});
