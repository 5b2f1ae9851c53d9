// Labeled unicast (RFC 8277) and MPLS VPN (RFC 4364, RFC 4659) NLRI: encode/scan/items round trips, the label
// stack's end (bottom of stack, withdrawal label), the RD forms, malformed lengths, and what the Adj-RIB-Out does
// with labels (they replace, they are not the key; withdrawals carry 0x800000).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { labeledJson } from '../../../src/api/json';
import { parseRouteDistinguisher } from '../../../src/config/route';
import { Token } from '../../../src/config/tokenizer';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { bytesToHex, hexToBytes } from '../../../src/wire/bytes';
import { DecodeError } from '../../../src/wire/errors';
import {
  ipv4Labeled,
  ipv4Vpn,
  ipv6Labeled,
  ipv6Vpn,
  type LabeledPrefix,
  labeledIdentity,
  withdrawalEntry,
} from '../../../src/wire/nlri/labeled';
import { rdToString } from '../../../src/wire/nlri/rd';
import { familyCodec, familyName, parseFamily } from '../../../src/wire/nlri/registry';
import { type CodecContext, MAX_MESSAGE } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';

/** An UPDATE body with no withdrawn routes and these path attributes. */
const updateBody = (attrs: string): Uint8Array =>
  hexToBytes(`0000${(attrs.length / 2).toString(16).padStart(4, '0')}${attrs}`);

const CODECS = [ipv4Labeled, ipv6Labeled, ipv4Vpn, ipv6Vpn];

function item(
  c: (typeof CODECS)[number],
  len: number,
  addr: Uint8Array,
  labels: number[],
  rd: Uint8Array,
): LabeledPrefix {
  const bytes = c.name.startsWith('ipv6') ? 16 : 4;
  const a = new Uint8Array(bytes);
  a.set(addr.subarray(0, bytes));
  // Bits past the length are not carried (RFC 4271 §4.3): the decoded value has them zero.
  for (let bit = len; bit < bytes * 8; bit++) a[bit >> 3]! &= ~(0x80 >> (bit & 7));
  const p: LabeledPrefix = { family: c.family, len, addr: a, labels };
  if (c.name.endsWith('mpls-vpn')) p.rd = rd;
  return p;
}

test('registered under ExaBGP names: ipv4/ipv6 nlri-mpls and mpls-vpn', () => {
  for (const c of CODECS) {
    assert.equal(familyCodec(c.family), c);
    assert.equal(familyName(c.family), c.name);
    const [afi, safi] = c.name.split(' ');
    assert.equal(parseFamily(afi!, safi!), c.family);
  }
});

test('encode/scan/items round trip, with and without ADD-PATH, every family', () => {
  for (const c of CODECS) {
    const maxBits = c.name.startsWith('ipv6') ? 128 : 32;
    // Room in the length byte: labels * 24 + RD + prefix <= 255.
    const maxLabels = c.name.endsWith('mpls-vpn') ? 2 : 3;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            len: fc.integer({ min: 0, max: maxBits }),
            addr: fc.uint8Array({ minLength: 16, maxLength: 16 }),
            labels: fc.array(fc.integer({ min: 16, max: 0xfffff }), { minLength: 1, maxLength: maxLabels }),
            rd: fc.uint8Array({ minLength: 8, maxLength: 8 }),
            pathId: fc.nat(),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.boolean(),
        (rs, addPath) => {
          const items = rs
            .filter((r) => r.labels.length * 24 + (c.name.endsWith('vpn') ? 64 : 0) + r.len <= 255)
            .map((r) => {
              const p = item(c, r.len, r.addr, r.labels, r.rd);
              if (addPath) p.pathId = r.pathId;
              return p;
            });
          const parts = items.map((p) => c.encode(p, addPath));
          const data = Uint8Array.from(parts.flatMap((x) => [...x]));
          assert.equal(c.scan(data, addPath), items.length);
          assert.deepEqual(c.items({ family: c.family, addPath, data, count: items.length }), items);
          // Each entry re-encodes to its own bytes.
          for (const [i, p] of items.entries()) assert.deepEqual(c.encode(p, addPath), parts[i]);
        },
      ),
      { numRuns: 200 },
    );
  }
});

test('label stack: bottom of stack on the last label only; 0x800000 and 0 end a stack without it (RFC 8277 §2.4)', () => {
  const rd = parseRouteDistinguisher(new Token('65000:1', false, false, 't', 1, 1, 0, 0));
  const p: LabeledPrefix = {
    family: ipv4Vpn.family,
    len: 24,
    addr: Uint8Array.of(10, 0, 0, 0),
    labels: [100, 200],
    rd,
  };
  const e = ipv4Vpn.encode(p, false);
  // 136 bits = 2 labels, RD, /24; label 100 without S, 200 with S.
  assert.equal(bytesToHex(e), '88000640000C810000FDE8000000010A0000');
  // A withdrawal's one label: 0x800000 (no S bit) then the RD and prefix, not a second label.
  const w = withdrawalEntry(ipv4Vpn.family, e);
  assert.equal(bytesToHex(w), '708000000000FDE8000000010A0000');
  assert.deepEqual(ipv4Vpn.items({ family: ipv4Vpn.family, addPath: false, data: w, count: 1 })[0]!.labels, [0x80000]);
  const zero = hexToBytes('700000000000FDE8000000010A0000');
  assert.deepEqual(ipv4Vpn.items({ family: ipv4Vpn.family, addPath: false, data: zero, count: 1 })[0]!.labels, [0]);
  // The route's identity leaves the labels out: the same for both.
  assert.deepEqual(labeledIdentity(ipv4Vpn.family, e), labeledIdentity(ipv4Vpn.family, w));
  assert.equal(bytesToHex(labeledIdentity(ipv4Vpn.family, e)), '580000FDE8000000010A0000');
  // Labeled unicast: no RD.
  const l = ipv4Labeled.encode(
    { family: ipv4Labeled.family, len: 24, addr: Uint8Array.of(192, 0, 2, 0), labels: [100] },
    false,
  );
  assert.equal(bytesToHex(l), '30000641C00002');
});

test('malformed entries are errors, not other prefixes', () => {
  const bad = [
    [ipv4Labeled, '18000641'], // 24 bits: one label and a /0 prefix
    [ipv4Labeled, '100006'], // 16 bits: no room for a label
    [ipv4Labeled, '30000641'], // prefix overruns
    [ipv4Labeled, '300006'], // label overruns
    [ipv4Labeled, '39000641C0000200'], // prefix /33
    [ipv4Vpn, '400000FDE800000001'], // 64 bits: only an RD, no label
    [ipv4Vpn, '70000641'], // RD missing
    [ipv6Vpn, 'F1000641' + '00'.repeat(8) + '00'.repeat(16)], // prefix /129
  ] as const;
  // The first is valid (/0 behind one label); the others throw.
  assert.equal(ipv4Labeled.scan(hexToBytes(bad[0][1]), false), 1);
  for (const [c, h] of bad.slice(1)) {
    assert.throws(
      () => c.scan(hexToBytes(h), false),
      (e: unknown) => e instanceof DecodeError && e.action === 'afisafi-disable',
      `${c.name} ${h}`,
    );
  }
  assert.throws(() =>
    ipv4Labeled.encode({ family: ipv4Labeled.family, len: 24, addr: new Uint8Array(4), labels: [] }, false),
  );
  assert.throws(() =>
    ipv4Labeled.encode({ family: ipv4Labeled.family, len: 24, addr: new Uint8Array(4), labels: [0x100000] }, false),
  );
  assert.throws(() => ipv4Vpn.encode({ family: ipv4Vpn.family, len: 24, addr: new Uint8Array(4), labels: [1] }, false));
});

test('route distinguishers: the three types of RFC 4364 §4.2 both ways, others as hex', () => {
  const rd = (s: string): Uint8Array => parseRouteDistinguisher(new Token(s, false, false, 't', 1, 1, 0, 0));
  assert.equal(bytesToHex(rd('65000:1')), '0000FDE800000001');
  assert.equal(bytesToHex(rd('65000:4294967295')), '0000FDE8FFFFFFFF');
  assert.equal(bytesToHex(rd('192.0.2.1:10')), '0001C0000201000A');
  assert.equal(bytesToHex(rd('4200000000:7')), '0002FA56EA000007');
  for (const s of ['65000:1', '192.0.2.1:10', '4200000000:7', '0:0']) assert.equal(rdToString(rd(s)), s);
  assert.equal(rdToString(hexToBytes('0003FDE800000001')), '0x0003FDE800000001');
});

test('JSON and text as ExaBGP 4.2 prints them', () => {
  const rd = hexToBytes('0000FDE800000001');
  const p: LabeledPrefix = { family: ipv4Vpn.family, len: 24, addr: Uint8Array.of(10, 0, 0, 0), labels: [100], rd };
  assert.deepEqual(labeledJson(p), {
    json: '{ "nlri": "10.0.0.0/24", "label": [ [100] ], "rd": "65000:1" }',
    text: '10.0.0.0/24 label 100',
    afterNextHop: ' rd 65000:1',
  });
  assert.deepEqual(labeledJson({ ...p, family: ipv4Labeled.family, rd: undefined, labels: [1, 2], pathId: 10 }), {
    json: '{ "nlri": "10.0.0.0/24", "path-information": "0.0.0.10", "label": [ [1], [2] ] }',
    text: '10.0.0.0/24 path-information 0.0.0.10 label [ 1 2 ]',
    afterNextHop: '',
  });
});

test('an UPDATE with a VPN-IPv4 route decodes with its next hop, RD and label', () => {
  const ctx: CodecContext = { asn4: true, addPath: new Set(), maxMessage: MAX_MESSAGE };
  // MP_REACH: AFI 1 SAFI 128, next hop RD 0 + 192.0.2.1, label 100, RD 65000:1, 10.0.0.0/24.
  const body = updateBody('40010100400200800E200001800C0000000000000000C000020100700006410000FDE8000000010A0000');
  const u = decodeUpdate(body, ctx);
  const mp = u.attributes.mpReach!;
  assert.equal(bytesToHex(mp.nextHop), '0000000000000000C0000201');
  const [r] = ipv4Vpn.items(mp.nlri);
  assert.deepEqual(r!.labels, [100]);
  assert.equal(rdToString(r!.rd!), '65000:1');
  // A 4-byte next hop is not a VPN next hop.
  const wrong = updateBody('40010100400200800E1800018004C000020100700006410000FDE8000000010A0000');
  assert.throws(() => decodeUpdate(wrong, ctx));
});

test('Adj-RIB-Out: a route announced again with other labels replaces it; a withdrawal finds it by RD and prefix', () => {
  const rib = new AdjRibOut();
  const rd = hexToBytes('0000FDE800000001');
  const at = (labels: number[]): Uint8Array =>
    ipv4Vpn.encode({ family: ipv4Vpn.family, len: 24, addr: Uint8Array.of(10, 0, 0, 0), labels, rd }, false);
  const nh = Uint8Array.of(192, 0, 2, 1);
  rib.attach({
    localAs: 65000,
    peerAs: 65000,
    ibgp: true,
    families: new Set([ipv4Vpn.family]),
    addPathSend: new Set(),
    sendCtx: { asn4: true, addPath: new Set(), maxMessage: MAX_MESSAGE },
    localAddress: Uint8Array.of(127, 0, 0, 1),
  });
  rib.pull();
  rib.announce(ipv4Vpn.family, at([100]), { origin: 0 }, { nextHop: nh });
  const first = rib.pull().map(bytesToHex);
  assert.equal(first.length, 1);
  // MP_REACH with the RD-0 next hop and label 100.
  assert.match(first[0]!, /800E200001800C0000000000000000C000020100700006410000FDE8000000010A0000$/);
  rib.announce(ipv4Vpn.family, at([200]), { origin: 0 }, { nextHop: nh });
  assert.equal(rib.size, 1);
  const second = rib.pull().map(bytesToHex);
  assert.equal(second.length, 1);
  assert.match(second[0]!, /70000C810000FDE8000000010A0000$/);
  assert.ok(rib.has(ipv4Vpn.family, at([999])));
  assert.ok(rib.withdraw(ipv4Vpn.family, at([999])));
  assert.equal(rib.size, 0);
  const gone = rib.pull().map(bytesToHex);
  // MP_UNREACH with the withdrawal label.
  assert.match(gone[0]!, /800F12000180708000000000FDE8000000010A0000$/);
  assert.ok(!rib.withdraw(ipv4Vpn.family, at([200])));
});
