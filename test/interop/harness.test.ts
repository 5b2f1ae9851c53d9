// Proves the interop harness against real daemons peering with each other on loopback:
// sessions reach Established, routes with attributes cross both ways, withdrawals cross, and
// flow routes cross where the daemons can originate them. Each pair skips when a daemon is missing.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startSender } from '../../bench/sender';
import {
  allocEndpoint,
  type BgpDaemon,
  Bird,
  createDaemon,
  type Family,
  Frr,
  GoBgp,
  type Route,
  type RouteSpec,
  runCmd,
  skipReason,
  stopAll,
  waitFor,
} from './peers';

after(stopAll);

type Kind = 'bird' | 'gobgp' | 'frr' | 'exabgp';

const V4A: RouteSpec = {
  prefix: '10.11.0.0/24',
  nextHop: '192.0.2.11',
  asPath: [64601, 64602],
  med: 11,
  communities: ['65000:11'],
  largeCommunities: ['65000:11:1'],
};
const V4A2: RouteSpec = { prefix: '10.11.1.0/24', nextHop: '192.0.2.11', med: 12 };
const V6A: RouteSpec = { prefix: '2001:db8:11::/48', nextHop: '2001:db8::11', med: 13, communities: ['65000:13'] };
const V4B: RouteSpec = {
  prefix: '10.22.0.0/24',
  nextHop: '192.0.2.22',
  med: 22,
  communities: ['65000:22', '65001:2'],
  largeCommunities: ['65000:22:2'],
};

async function startPair(
  ka: Kind,
  kb: Kind,
  families: Family[],
): Promise<{
  a: BgpDaemon;
  b: BgpDaemon;
  ea: { address: string; port: number };
  eb: { address: string; port: number };
}> {
  const a = createDaemon(ka);
  const b = createDaemon(kb);
  const ea = await allocEndpoint();
  const eb = await allocEndpoint();
  await Promise.all([
    a.start({ ...ea, as: 65101, neighbors: [{ ...eb, as: 65102, families }] }),
    b.start({ ...eb, as: 65102, neighbors: [{ ...ea, as: 65101, families }] }),
  ]);
  try {
    await waitFor(
      async () =>
        (await a.sessionState(eb.address)) === 'established' && (await b.sessionState(ea.address)) === 'established',
      20_000,
      `${ka} <-> ${kb} Established`,
      200,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- ${ka} log ---\n${a.logText().slice(-1500)}\n--- ${kb} log ---\n${b.logText().slice(-1500)}`,
    );
  }
  return { a, b, ea, eb };
}

async function waitRoute(d: BgpDaemon, family: Family, prefix: string, what: string): Promise<Route> {
  return waitFor(async () => (await d.routes(family)).find((r) => r.prefix === prefix), 10_000, what, 200);
}

/** The attributes that must survive one eBGP hop (local-pref does not cross eBGP; the sender's AS is prepended). */
function assertCrossed(r: Route, spec: RouteSpec, senderAs: number): void {
  assert.equal(r.nextHop, spec.nextHop, `next hop of ${spec.prefix}`);
  assert.deepEqual(r.asPath, [senderAs, ...(spec.asPath ?? [])], `AS path of ${spec.prefix}`);
  if (spec.med !== undefined) assert.equal(r.med, spec.med, `MED of ${spec.prefix}`);
  assert.deepEqual([...r.communities].sort(), [...(spec.communities ?? [])].sort(), `communities of ${spec.prefix}`);
  assert.deepEqual(
    [...r.largeCommunities].sort(),
    [...(spec.largeCommunities ?? [])].sort(),
    `large communities of ${spec.prefix}`,
  );
}

async function unicastBothWays(ka: Kind, kb: Kind): Promise<void> {
  const { a, b } = await startPair(ka, kb, ['ipv4', 'ipv6']);
  try {
    await a.addRoute('ipv4', V4A);
    await a.addRoute('ipv4', V4A2);
    await a.addRoute('ipv6', V6A);
    await b.addRoute('ipv4', V4B);
    assertCrossed(await waitRoute(b, 'ipv4', V4A.prefix, `${V4A.prefix} at ${kb}`), V4A, 65101);
    assertCrossed(await waitRoute(b, 'ipv4', V4A2.prefix, `${V4A2.prefix} at ${kb}`), V4A2, 65101);
    assertCrossed(await waitRoute(b, 'ipv6', V6A.prefix, `${V6A.prefix} at ${kb}`), V6A, 65101);
    assertCrossed(await waitRoute(a, 'ipv4', V4B.prefix, `${V4B.prefix} at ${ka}`), V4B, 65102);
    await a.withdrawRoute('ipv4', V4A2.prefix);
    await waitFor(
      async () => !(await b.routes('ipv4')).some((r) => r.prefix === V4A2.prefix),
      10_000,
      `withdrawal of ${V4A2.prefix} at ${kb}`,
      200,
    );
    assert.ok(
      (await b.routes('ipv4')).some((r) => r.prefix === V4A.prefix),
      'the other route stays',
    );
    assert.equal(await b.routeCount('ipv4'), 2, `${kb} ipv4 count (own + one from ${ka})`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}

describe('interop harness: real daemons peer with each other', { concurrency: true }, () => {
  it(
    'BIRD <-> GoBGP: ipv4/ipv6 routes with attributes both ways, withdraw',
    { skip: skipReason('bird', 'gobgp'), timeout: 45_000 },
    () => unicastBothWays('bird', 'gobgp'),
  );
  it(
    'GoBGP <-> FRR: ipv4/ipv6 routes with attributes both ways, withdraw',
    { skip: skipReason('gobgp', 'frr'), timeout: 45_000 },
    () => unicastBothWays('gobgp', 'frr'),
  );
  it(
    'BIRD <-> FRR: ipv4/ipv6 routes with attributes both ways, withdraw',
    { skip: skipReason('bird', 'frr'), timeout: 45_000 },
    () => unicastBothWays('frr', 'bird'),
  );
  it(
    'ExaBGP -> GoBGP: routes announced through the API arrive; GoBGP routes reach ExaBGP',
    { skip: skipReason('exabgp', 'gobgp'), timeout: 45_000 },
    () => unicastBothWays('exabgp', 'gobgp'),
  );

  it('GoBGP flowspec -> BIRD and FRR', { skip: skipReason('gobgp', 'bird', 'frr'), timeout: 45_000 }, async () => {
    const g = new GoBgp();
    const bird = new Bird();
    const frr = new Frr();
    const [eg, eb, ef] = await Promise.all([allocEndpoint(), allocEndpoint(), allocEndpoint()]);
    const fam: Family[] = ['ipv4', 'ipv4-flowspec'];
    try {
      await Promise.all([
        g.start({
          ...eg,
          as: 65201,
          neighbors: [
            { ...eb, as: 65202, families: fam },
            { ...ef, as: 65203, families: fam },
          ],
        }),
        bird.start({ ...eb, as: 65202, neighbors: [{ ...eg, as: 65201, families: fam }] }),
        frr.start({ ...ef, as: 65203, neighbors: [{ ...eg, as: 65201, families: fam }] }),
      ]);
      await waitFor(
        async () =>
          (await g.sessionState(eb.address)) === 'established' && (await g.sessionState(ef.address)) === 'established',
        20_000,
        'GoBGP sessions',
        200,
      );
      await g.addFlow('ipv4-flowspec', {
        destination: '10.33.0.0/24',
        protocol: [6],
        destinationPort: [80],
        action: 'discard',
      });
      const bf = await waitFor(
        async () => (await bird.flowRoutes('ipv4-flowspec')).find((f) => f.match.includes('10.33.0.0/24')),
        10_000,
        'flow route at BIRD',
        200,
      );
      assert.match(bf.match, /dport/);
      const ff = await waitFor(
        async () => (await frr.flowRoutes('ipv4-flowspec')).find((f) => f.match.includes('10.33.0.0/24')),
        10_000,
        'flow route at FRR',
        200,
      );
      assert.match(ff.match, /80/);
    } finally {
      await Promise.all([g.stop(), bird.stop(), frr.stop()]);
    }
  });

  it('bench/sender.ts: 20,000 IPv4 and IPv6 prefixes reach BIRD, then End-of-RIB and a clean stop', {
    skip: skipReason('bird'),
    timeout: 30_000,
  }, async () => {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const d = new Bird();
      const [ed, es] = await Promise.all([allocEndpoint(), allocEndpoint()]);
      await d.start({ ...ed, as: 65300, neighbors: [{ ...es, as: 65301, passive: true, families: [family] }] });
      const s = await startSender({
        host: ed.address,
        port: ed.port,
        localAddress: es.address,
        as: 65301,
        count: 20_000,
        family,
      });
      try {
        const r = await s.done;
        assert.equal(r.count, 20_000);
        await waitFor(
          async () => (await d.receivedCount(es.address, family)) === 20_000,
          10_000,
          `${family} count at BIRD`,
          100,
        );
        const some = (await d.routes(family)).find(
          (x) => x.prefix === (family === 'ipv4' ? '20.0.0.0/24' : '2400::/48'),
        );
        assert.ok(some, 'first prefix present');
        assert.deepEqual(some.asPath, [65301]);
        assert.equal(some.nextHop, family === 'ipv4' ? '192.0.2.1' : '2001:db8::1');
      } finally {
        await s.stop();
        await d.stop();
      }
    }
  });

  it('pause()/resume() freeze and thaw a daemon without losing the session', {
    skip: skipReason('gobgp', 'bird'),
    timeout: 30_000,
  }, async () => {
    const { a, b, eb } = await startPair('gobgp', 'bird', ['ipv4']);
    try {
      b.pause();
      // A stopped BIRD cannot answer its control socket.
      const r = await runCmd('birdc', ['-s', (b as Bird).ctl, 'show', 'status'], 1000);
      assert.notEqual(r.code, 0, 'birdc must time out while BIRD is stopped');
      b.resume();
      await a.addRoute('ipv4', V4A);
      await waitRoute(b, 'ipv4', V4A.prefix, 'route after resume');
      assert.equal(await a.sessionState(eb.address), 'established');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
