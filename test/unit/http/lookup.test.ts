// Lookups over real Adj-RIBs: exact prefix, longest match by address (IPv4 and IPv6), ADD-PATH paths, the
// Adj-RIB-Out (every ADD-PATH path id), the scans by origin AS and community with offset and limit, and
// `show adj-rib in|out PREFIX`, which probes the same tables.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCommand } from '../../../src/api/commands';
import type { Daemon } from '../../../src/daemon/daemon';
import { streamAdjRib } from '../../../src/daemon/show';
import { CommunityNames } from '../../../src/http/communities';
import { byCommunity, byOriginAs, findRoutes, lookupPrefix, parsePrefixQuery } from '../../../src/http/lookup';
import { AdjRibIn } from '../../../src/rib/adj-rib-in';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { type Attributes, IPV4_UNICAST, IPV6_UNICAST, type Update } from '../../../src/wire/types';

const names = { names: new CommunityNames() };

function update(family: number, nlri: number[], count: number, a: Attributes, addPath = false): Update {
  const data = Uint8Array.from(nlri);
  const empty = { family: IPV4_UNICAST, addPath: false, data: new Uint8Array(0), count: 0 };
  if (family === IPV4_UNICAST)
    return { withdrawn: empty, attributes: a, nlri: { family, addPath, data, count }, issues: [] };
  return {
    withdrawn: empty,
    attributes: {
      ...a,
      mpReach: {
        family,
        nextHop: Uint8Array.of(0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
        nlri: { family, addPath, data, count },
      },
    },
    nlri: empty,
    issues: [],
  };
}

const attrs = (origin: number, communities: number[] = []): Attributes => ({
  origin: 0,
  asPath: [{ type: 2, asns: [65001, origin] }],
  nextHop: Uint8Array.of(192, 0, 2, 1),
  communities,
});

function world(): Daemon {
  const a = new AdjRibIn();
  // 10.0.0.0/8, 10.1.0.0/16 and 10.1.2.0/24 from AS 65010; 192.0.2.0/24 from AS 65020 with 65000:7.
  a.apply(update(IPV4_UNICAST, [8, 10, 16, 10, 1, 24, 10, 1, 2], 3, attrs(65010)));
  a.apply(update(IPV4_UNICAST, [24, 192, 0, 2], 1, attrs(65020, [(65000 << 16) | 7])));
  a.apply(update(IPV6_UNICAST, [32, 0x20, 1, 0xd, 0xb8, 48, 0x20, 1, 0xd, 0xb8, 0, 1], 2, attrs(65030)));
  const b = new AdjRibIn();
  // Two paths (ADD-PATH ids 1 and 2) for 10.1.2.0/24.
  b.apply(update(IPV4_UNICAST, [0, 0, 0, 1, 24, 10, 1, 2, 0, 0, 0, 2, 24, 10, 1, 2], 2, attrs(65040), true));
  const out = new AdjRibOut();
  out.announce(IPV4_UNICAST, Uint8Array.of(24, 198, 51, 100), attrs(65050));
  // ADD-PATH towards the peer: two more paths of the same prefix.
  out.announce(IPV4_UNICAST, Uint8Array.of(24, 198, 51, 100), attrs(65051), { pathId: 4 });
  out.announce(IPV4_UNICAST, Uint8Array.of(24, 198, 51, 100), attrs(65052), { pathId: 9 });
  return {
    neighbors: [
      { cfg: { peerAddress: '127.0.0.2' }, ribIn: a, ribOut: new AdjRibOut() },
      { cfg: { peerAddress: '127.0.0.3' }, ribIn: b, ribOut: out },
    ],
  } as unknown as Daemon;
}

test('a prefix is found exactly; an address by its longest match, in each neighbor', () => {
  const d = world();
  const q = (t: string) => parsePrefixQuery(t)!;
  const exact = lookupPrefix(d, names, q('10.1.0.0/16'), { rib: 'in', match: 'exact' });
  assert.deepEqual(
    exact.map((r) => [r.neighbor, r.prefix]),
    [['127.0.0.2', '10.1.0.0/16']],
  );
  const longest = lookupPrefix(d, names, q('10.1.2.77'), { rib: 'in', match: 'longest' });
  assert.deepEqual(
    longest.map((r) => [r.neighbor, r.prefix, r.pathId]),
    [
      ['127.0.0.2', '10.1.2.0/24', 0],
      ['127.0.0.3', '10.1.2.0/24', 1],
      ['127.0.0.3', '10.1.2.0/24', 2],
    ],
  );
  assert.deepEqual(
    lookupPrefix(d, names, q('10.200.0.1'), { rib: 'in', match: 'longest' }).map((r) => r.prefix),
    ['10.0.0.0/8'],
  );
  assert.equal(lookupPrefix(d, names, q('11.0.0.1'), { rib: 'in', match: 'longest' }).length, 0);
  assert.equal(lookupPrefix(d, names, q('10.1.2.0/25'), { rib: 'in', match: 'exact' }).length, 0);
  const v6 = lookupPrefix(d, names, q('2001:db8:1::5'), { rib: 'in', match: 'longest' });
  assert.deepEqual(
    v6.map((r) => [r.prefix, r.originAs]),
    [['2001:db8:1::/48', 65030]],
  );
  const only = lookupPrefix(d, names, q('10.1.2.1'), { rib: 'in', match: 'longest', neighbor: '127.0.0.2' });
  assert.equal(only.length, 1);
  const out = lookupPrefix(d, names, q('198.51.100.9'), { rib: 'out', match: 'longest' });
  assert.deepEqual(
    out.map((r) => [r.neighbor, r.prefix, r.nextHop, r.rib, r.pathId, r.originAs]),
    [
      ['127.0.0.3', '198.51.100.0/24', '192.0.2.1', 'out', 0, 65050],
      ['127.0.0.3', '198.51.100.0/24', '192.0.2.1', 'out', 4, 65051],
      ['127.0.0.3', '198.51.100.0/24', '192.0.2.1', 'out', 9, 65052],
    ],
  );
});

test('routes by origin AS and by community, paged', () => {
  const d = world();
  const all = findRoutes(d, names, byOriginAs(65010), { rib: 'in', offset: 0, limit: 10 });
  assert.deepEqual(
    all.map((r) => r.prefix),
    ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24'],
  );
  const page = findRoutes(d, names, byOriginAs(65010), { rib: 'in', offset: 1, limit: 1 });
  assert.deepEqual(
    page.map((r) => r.prefix),
    ['10.1.0.0/16'],
  );
  const c = findRoutes(d, names, byCommunity({ standard: (65000 << 16) | 7 }), { rib: 'in', offset: 0, limit: 10 });
  assert.deepEqual(
    c.map((r) => [r.prefix, r.communities[0]?.value]),
    [['192.0.2.0/24', '65000:7']],
  );
  const out = findRoutes(d, names, byOriginAs(65050), { rib: 'out', offset: 0, limit: 10 });
  assert.deepEqual(
    out.map((r) => r.prefix),
    ['198.51.100.0/24'],
  );
});

test('show adj-rib in|out PREFIX: the same probes, every path id of the prefix, nothing else', async () => {
  const d = world();
  const lines = async (dir: 'in' | 'out', prefix: string, ip?: string) => {
    const out: string[] = [];
    const emit = async (l: string[]) => {
      out.push(...l);
      return true;
    };
    await streamAdjRib(d, dir, emit, undefined, ip, prefix);
    return out;
  };
  assert.deepEqual(
    (await lines('out', '198.51.100.0/24')).map((l) => l.replace(/ next-hop.*/, '')),
    [
      'neighbor 127.0.0.3 ipv4 unicast 198.51.100.0/24',
      'neighbor 127.0.0.3 ipv4 unicast 198.51.100.0/24 path-information 0.0.0.4',
      'neighbor 127.0.0.3 ipv4 unicast 198.51.100.0/24 path-information 0.0.0.9',
    ],
  );
  assert.deepEqual(
    (await lines('in', '10.1.2.0/24')).map((l) => l.replace(/ next-hop.*/, '')),
    [
      'neighbor 127.0.0.2 ipv4 unicast 10.1.2.0/24',
      'neighbor 127.0.0.3 ipv4 unicast 10.1.2.0/24 path-information 0.0.0.1',
      'neighbor 127.0.0.3 ipv4 unicast 10.1.2.0/24 path-information 0.0.0.2',
    ],
  );
  assert.equal((await lines('in', '10.1.2.0/24', '127.0.0.2')).length, 1);
  assert.deepEqual(await lines('in', '10.1.3.0/24'), []);
  assert.equal((await lines('in', '2001:db8::/32')).length, 1);
  const p = parseCommand('show adj-rib out 127.0.0.3 198.51.100.0/24');
  assert.ok(p.ok && p.command.kind === 'show-adj-rib' && p.command.prefix === '198.51.100.0/24');
});
