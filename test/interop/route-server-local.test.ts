// tsbgp as route server for two real clients, BIRD 2 (AS 1001) and FRR (AS 1003), that also originates: routes
// written in FRR's neighbor block. BIRD announces 11.71.0.0/24 (also written for FRR) and 11.72.0.0/24; 11.73.0.0/24
// is only written for FRR. Proven from each daemon's own table: FRR holds the route written for it for 11.71 (the
// decision's local-origin step) and BIRD's path for 11.72, with BIRD's AS and next hop (transparent); BIRD never gets
// what is written for FRR; a program's `withdraw route` for FRR gives FRR BIRD's path. Skips without BIRD or FRR.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Bird, Frr, makeTempDir, type Route, skipReason, sleep, stopAll, waitFor } from './peers';
import { type Clients, RS_AS, received, type Scenario, startClients } from './route-server-scenario';
import { neighbor, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr');

const SCENARIO: Scenario = {
  family: 'ipv4',
  clients: [
    {
      name: 'bird',
      as: 1001,
      nh: '192.0.2.1',
      make: () => new Bird(),
      routes: [
        { prefix: '11.71.0.0/24', nextHop: '192.0.2.1' },
        { prefix: '11.72.0.0/24', nextHop: '192.0.2.1' },
      ],
    },
    { name: 'frr', as: 1003, nh: '192.0.2.3', make: () => new Frr(), routes: [] },
  ],
  vrps: [],
  want: {},
};

describe('route server with routes of its own: BIRD and FRR clients', { skip }, () => {
  let rs: Tsbgp;
  let cl: Clients;

  /** prefix -> "next hop, AS path" as a client holds it, once its table is `want`. */
  async function holds(name: string, want: Record<string, string>): Promise<void> {
    const text = (tb: Map<string, Route>) =>
      Object.fromEntries([...tb.values()].map((r) => [r.prefix, `${r.nextHop} ${r.asPath.join(' ')}`]));
    const goal = JSON.stringify(Object.entries(want).sort());
    await waitFor(
      async () => (JSON.stringify(Object.entries(text(await received(cl, name))).sort()) === goal ? true : undefined),
      20_000,
      `${name}'s table`,
      250,
    ).catch(async (e) => {
      throw new Error(
        `${(e as Error).message}: ${JSON.stringify(text(await received(cl, name)))}\n${rs.log().slice(-2000)}`,
      );
    });
  }

  before(async () => {
    const ep = await allocEndpoint();
    cl = await startClients(ep, SCENARIO);
    const block = (i: number, body: string[]) =>
      neighbor({
        peer: cl.ends[i]!.address,
        port: cl.ends[i]!.port,
        local: ep.address,
        localAs: RS_AS,
        peerAs: SCENARIO.clients[i]!.as,
        body: [
          'family { ipv4 unicast; }',
          'route-server-client;',
          `filter { next-hop [ ${SCENARIO.clients[i]!.nh} ]; }`,
          ...body,
        ],
      });
    rs = await startTsbgp(
      makeTempDir('route-server-local'),
      [
        block(0, []),
        block(1, [
          'static {',
          '  route 11.71.0.0/24 next-hop 192.0.2.99;',
          '  route 11.73.0.0/24 next-hop 192.0.2.99;',
          '}',
        ]),
      ].join('\n') + '\n',
    );
    await waitFor(
      async () => (await Promise.all(cl.ends.map((e) => rs.established(e.address)))).every(Boolean),
      30_000,
      'route server sessions Established',
      200,
    );
    const bird = cl.daemons.get('bird') as Bird;
    await bird.addRoutes('ipv4', SCENARIO.clients[0]!.routes);
  });

  after(async () => {
    await rs?.stop();
    await Promise.all([...(cl?.daemons.values() ?? [])].map((d) => d.stop()));
  });

  it('FRR holds the route written for it, and BIRD’s path for the prefix nobody wrote; BIRD none of ours', async () => {
    // A route written for an external neighbor without an AS_PATH gets ours (ExaBGP's rule).
    await holds('frr', {
      '11.71.0.0/24': `192.0.2.99 ${RS_AS}`,
      '11.72.0.0/24': '192.0.2.1 1001',
      '11.73.0.0/24': `192.0.2.99 ${RS_AS}`,
    });
    await sleep(1000);
    assert.deepEqual([...(await received(cl, 'bird')).keys()], []);
    const shown = JSON.parse((await rs.command('show rib 11.71.0.0/24 json')).lines.join('')) as {
      paths: { from: string; best: boolean; beatenOn?: string; reason?: string }[];
    };
    // FRR sends what it got from us back (its next hop is refused by its filter): listed with the reason, left out.
    assert.deepEqual(
      shown.paths.filter((p) => p.reason === undefined).map((p) => [p.from, p.best ? 'best' : p.beatenOn]),
      [
        [`local (to ${cl.ends[1]!.address})`, 'best'],
        [cl.ends[0]!.address, 'local-origin'],
      ],
    );
  });

  it('a program withdraws the route written for FRR: FRR gets BIRD’s path', async () => {
    await rs.done(`neighbor ${cl.ends[1]!.address} withdraw route 11.71.0.0/24`);
    await holds('frr', {
      '11.71.0.0/24': '192.0.2.1 1001',
      '11.72.0.0/24': '192.0.2.1 1001',
      '11.73.0.0/24': `192.0.2.99 ${RS_AS}`,
    });
  });
});
