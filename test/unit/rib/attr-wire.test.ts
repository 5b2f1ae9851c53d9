import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../../src/config/parser';
import { Cursor, parseRouteTail, parseSimpleTail } from '../../../src/config/route';
import type { RouteList } from '../../../src/config/route-list';
import { tokenize } from '../../../src/config/tokenizer';
import { withdrawRemoved } from '../../../src/daemon/routes';
import { AdjRibOut, type ExportSession } from '../../../src/rib/adj-rib-out';
import { AttrInterner } from '../../../src/rib/attr-intern';
import { type Attributes, IPV4_UNICAST } from '../../../src/wire/types';
import { type ByteSink, encodeAttributes, encodeAttributesInto } from '../../../src/wire/update';

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ip4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const attrs: fc.Arbitrary<Attributes> = fc.record(
  {
    origin: fc.integer({ min: 0, max: 2 }),
    asPath: fc.array(fc.record({ type: fc.integer({ min: 1, max: 4 }), asns: fc.array(u32, { maxLength: 300 }) }), {
      maxLength: 3,
    }),
    nextHop: ip4,
    med: u32,
    localPref: u32,
    atomicAggregate: fc.boolean(),
    aggregator: fc.record({ asn: u32, address: ip4 }),
    communities: fc.array(u32, { maxLength: 80 }),
    originatorId: ip4,
    clusterList: fc.array(ip4, { maxLength: 3 }),
    extendedCommunities: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { maxLength: 3 }),
    largeCommunities: fc.array(fc.tuple(u32, u32, u32), { maxLength: 30 }),
    aigp: fc.bigUintN(64),
    other: fc.constant([{ code: 99, flags: 0xc0, value: Uint8Array.of(1, 2) }]),
  },
  { requiredKeys: [] },
);

test('encodeAttributesInto writes the bytes encodeAttributes gives, for both AS sizes', () => {
  fc.assert(
    fc.property(attrs, fc.boolean(), (a, asn4) => {
      const ctx = { asn4, addPath: new Set<number>(), maxMessage: 65535 };
      const sink: ByteSink = { bytes: new Uint8Array(1), length: 3 };
      const end = encodeAttributesInto(a, ctx, sink);
      assert.deepEqual(sink.bytes.subarray(3, end), encodeAttributes(a, ctx));
    }),
  );
});

test('interning by bytes: equal attributes share a set, folded next hop equals the written one, release forgets', () => {
  const it = new AttrInterner();
  const nh = Uint8Array.of(192, 0, 2, 1);
  const a = it.intern({ med: 5, nextHop: nh });
  const b = it.internShaped({ med: 5 }, nh, undefined);
  assert.equal(a, b);
  assert.deepEqual(b.attributes, { med: 5, nextHop: nh });
  assert.notEqual(it.intern({ med: 5 }, Uint8Array.of(1, 2, 3, 4)), a);
  for (let i = 0; i < 5000; i++) it.intern({ med: i }).refs++;
  assert.equal(it.size, 5002);
  assert.equal(it.intern({ med: 4999 }).attributes.med, 4999);
  it.release(it.intern({ med: 7 }));
  assert.equal(it.size, 5001);
  it.sweep();
  assert.equal(it.size, 4999);
  assert.equal(it.internKey('k', () => ({ attributes: { med: 1 } })).key, 'k');
});

const session = (ibgp: boolean, asn4 = true): ExportSession => ({
  localAs: 65001,
  peerAs: ibgp ? 65001 : 65002,
  ibgp,
  families: new Set([IPV4_UNICAST]),
  addPathSend: new Set(),
  sendCtx: { asn4, addPath: new Set(), maxMessage: 4096 },
  localAddress: Uint8Array.of(10, 0, 0, 1),
});

test('export from the canonical bytes sends what the typed export sends', () => {
  fc.assert(
    fc.property(attrs, fc.boolean(), fc.boolean(), (raw, ibgp, self) => {
      const { other: _o, ...a } = raw;
      const { nextHop: _n, ...noNextHop } = a;
      const run = (shaped: boolean): Uint8Array[] => {
        const out = new AdjRibOut();
        const set = shaped
          ? out.shapedSet(noNextHop, self ? undefined : a.nextHop, self ? 'self' : undefined)
          : // Keyed sets always take the typed export.
            out.interner.internKey('x', () => ({
              attributes: self ? noNextHop : a,
              nextHop: self ? new Uint8Array(0) : undefined,
            }));
        out.announceAt(IPV4_UNICAST, Uint8Array.of(24, 10, 0, 0), 0, 4, set);
        out.attach(session(ibgp));
        return out.pull(100);
      };
      if (!self && a.nextHop === undefined) return;
      assert.deepEqual(run(true), run(false));
    }),
    { numRuns: 300 },
  );
});

test('the simple tail reader gives what the general route parser gives, or leaves it to it', () => {
  const tails = [
    ' next-hop 192.0.2.1 community [65000:1 65001:2]',
    ' next-hop 192.0.2.1 med 7 local-preference 200 origin egp community 1:2',
    ' community [ 1:2 , 3:4 ] next-hop 2001:db8::1 origin incomplete',
    ' next-hop self',
    ' next-hop 192.0.2.1 med 1 med 2',
    ' next-hop 192.0.2.1 community [ no-export ]',
    ' next-hop 192.0.2.1 community []',
    ' next-hop 192.0.2.1 community [1:99999]',
    ' next-hop 192.0.2.1 as-path [ 1 2 ]',
  ];
  for (const t of tails) {
    const simple = parseSimpleTail(t, 0, t.length);
    const toks = tokenize(t);
    let general: ReturnType<typeof parseRouteTail> | undefined;
    try {
      general = parseRouteTail(new Cursor(toks, 0, toks.length, { file: 'x', line: 1, col: 1 }));
    } catch {
      general = undefined;
    }
    if (simple !== undefined) assert.deepEqual(simple, general, t);
  }
  assert.ok(parseSimpleTail(tails[0]!, 0, tails[0]!.length));
  assert.equal(parseSimpleTail(tails[3]!, 0, tails[3]!.length), undefined);
});

test('withdrawRemoved names the routes of the old list the new one lacks', () => {
  const conf = (routes: string[]): RouteList =>
    parseConfig(
      `neighbor 127.0.0.2 { local-address 127.0.0.1; local-as 1; peer-as 2; router-id 1.1.1.1; static { ${routes.join(' ')} } }`,
      'x.conf',
      { checkPrograms: false },
    ).neighbors[0]!.routes;
  const before = conf([
    'route 10.0.0.0/24 next-hop 1.2.3.4 med 1;',
    'route 10.0.1.0/24 next-hop 1.2.3.4;',
    'route 10.2.0.0/23 next-hop 1.2.3.4 split /24;',
    'route 10.9.0.0/24 next-hop 1.2.3.4 withdraw;',
  ]);
  const after = conf(['route 10.0.0.0/24 next-hop 1.2.3.4 med 2;', 'route 10.2.0.0/24 next-hop 1.2.3.4;']);
  const gone: string[] = [];
  withdrawRemoved(before, after, (f, e, p) => gone.push(`${f}/${p}/${[...e].join('.')}`));
  assert.deepEqual(gone, [`${IPV4_UNICAST}/0/24.10.0.1`, `${IPV4_UNICAST}/0/24.10.2.1`]);
});
