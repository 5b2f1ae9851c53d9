// tsbgp reflecting for three real clients (BIRD 2, FRR, GoBGP, AS 65000) while it also originates: routes written
// in FRR's neighbor block and sent by `tsbgp cli` (a program's commands). BIRD announces 10.21.0.0/24 (the same
// prefix as a route written for FRR, LOCAL_PREF equal), 10.23.0.0/24 with LOCAL_PREF 200 (also written for FRR,
// with the default 100) and 10.24.0.0/24 (nobody else has it); 10.22.0.0/24 is only written for FRR. Proven, from
// each daemon's own view, that every client holds what the decision (docs/CONFIGURATION.md) gives it:
//  1. 10.21: FRR holds the route written for it (local-origin beats BIRD's path), GoBGP BIRD's path reflected
//     (a route written for FRR never goes elsewhere); `show rib` says why: beaten on local-origin;
//  2. 10.22: FRR only; 10.23: BIRD's path (LOCAL_PREF 200) reflected to FRR and GoBGP, the written route beaten on
//     local-pref; 10.24: reflected to both as without any written route;
//  3. `withdraw route` for FRR: the decision runs again, FRR gets BIRD's path for 10.21;
//  4. `announce route` to every neighbor: each client holds it (three local paths in `show rib`), and loses it
//     on `withdraw route`;
//  5. a reload without 10.22 in the file withdraws it from FRR, and puts back 10.21 (still in the file).
// Everything skips when a daemon is missing.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, makeTempDir, skipReason, sleep, stopAll, waitFor } from './peers';
import { type Clients, clientBlock, type Seen, startClients } from './reflection-clients';
import { startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const CLUSTER = '10.255.0.2';
const skip = skipReason('bird', 'frr', 'gobgp');

type Name = 'bird' | 'frr' | 'gobgp';

describe('route reflection with routes of our own: BIRD, FRR and GoBGP clients', { skip }, () => {
  let rr: Tsbgp;
  let c: Clients;
  let routesForFrr: string[];
  let config: (forFrr: string[]) => string;

  const rib = async (prefix: string) =>
    (
      JSON.parse((await rr.command(`show rib ${prefix} json`)).lines.join('')) as {
        paths: { from: string; best: boolean; beatenOn?: string }[];
      }
    ).paths.map((p) => [p.from, p.best ? 'best' : p.beatenOn]);

  /** Waits until `name` holds `want` for the prefix (undefined: holds nothing), then checks it. */
  async function holds(name: Name, prefix: string, want: Seen | undefined): Promise<void> {
    try {
      await waitFor(
        async () => (JSON.stringify(await c.view(name, prefix)) === JSON.stringify(want) ? true : undefined),
        20_000,
        `${prefix} at ${name}`,
        250,
      );
    } catch (e) {
      throw new Error(
        `${(e as Error).message}: holds ${JSON.stringify(await c.view(name, prefix))}\n${rr.log().slice(-2000)}`,
      );
    }
  }
  const written = (nextHop: string): Seen => ({ originator: undefined, clusters: [], nextHop });
  const fromBird = (nextHop: string): Seen => ({ originator: c.eB.address, clusters: [CLUSTER], nextHop });

  before(async () => {
    const dir = makeTempDir('route-reflector-local');
    const eT = await allocEndpoint();
    c = await startClients(eT, ['ipv4']);
    await c.bird.addRoutes('ipv4', [
      { prefix: '10.21.0.0/24', nextHop: '192.0.2.21' },
      { prefix: '10.23.0.0/24', nextHop: '192.0.2.23', localPref: 200 },
      { prefix: '10.24.0.0/24', nextHop: '192.0.2.24' },
    ]);
    const client = (e: { address: string; port: number }, body: string[]) =>
      clientBlock(eT, e, ['family { ipv4 unicast; }', ...body]);
    routesForFrr = [
      'route 10.21.0.0/24 next-hop 192.0.2.210;',
      'route 10.22.0.0/24 next-hop 192.0.2.220;',
      'route 10.23.0.0/24 next-hop 192.0.2.230;',
    ];
    config = (forFrr) =>
      [
        `cluster-id ${CLUSTER};`,
        client(c.eB, []),
        client(c.eF, ['static {', ...forFrr.map((r) => `  ${r}`), '}']),
        client(c.eG, []),
      ].join('\n') + '\n';
    rr = await startTsbgp(dir, config(routesForFrr));
    const peers = [c.eB.address, c.eF.address, c.eG.address];
    await waitFor(
      async () => (await Promise.all(peers.map((p) => rr.established(p)))).every(Boolean),
      30_000,
      'the reflector Established with all three',
      200,
    );
  });

  after(async () => {
    await rr?.stop();
    await Promise.all([c?.bird.stop(), c?.frr.stop(), c?.gobgp.stop()]);
  });

  it('the same prefix written for FRR and sent by BIRD: FRR holds ours, GoBGP holds BIRD’s', async () => {
    await holds('frr', '10.21.0.0/24', written('192.0.2.210'));
    await holds('gobgp', '10.21.0.0/24', fromBird('192.0.2.21'));
    assert.deepEqual(await rib('10.21.0.0/24'), [
      [`local (to ${c.eF.address})`, 'best'],
      [c.eB.address, 'local-origin'],
    ]);
  });

  it('a prefix only written for FRR reaches FRR alone; BIRD’s higher LOCAL_PREF wins over ours; other prefixes reflect', async () => {
    await holds('frr', '10.22.0.0/24', written('192.0.2.220'));
    await holds('frr', '10.23.0.0/24', fromBird('192.0.2.23'));
    await holds('gobgp', '10.23.0.0/24', fromBird('192.0.2.23'));
    await holds('frr', '10.24.0.0/24', fromBird('192.0.2.24'));
    await holds('gobgp', '10.24.0.0/24', fromBird('192.0.2.24'));
    assert.deepEqual(await rib('10.23.0.0/24'), [
      [c.eB.address, 'best'],
      [`local (to ${c.eF.address})`, 'local-pref'],
    ]);
    // Everything else arrived: the routes written for FRR had the time to go wrong, and did not.
    await sleep(1000);
    for (const name of ['bird', 'gobgp'] as const) assert.equal(await c.view(name, '10.22.0.0/24'), undefined, name);
  });

  it('a program withdraws the route written for FRR: FRR gets BIRD’s path', async () => {
    await rr.done(`neighbor ${c.eF.address} withdraw route 10.21.0.0/24`);
    await holds('frr', '10.21.0.0/24', fromBird('192.0.2.21'));
    assert.deepEqual(await rib('10.21.0.0/24'), [[c.eB.address, 'best']]);
  });

  it('a route a program sends to every neighbor reaches each client, and leaves on withdraw', async () => {
    await rr.done('announce route 10.25.0.0/24 next-hop 192.0.2.250');
    for (const name of ['bird', 'frr', 'gobgp'] as const) await holds(name, '10.25.0.0/24', written('192.0.2.250'));
    assert.equal((await rib('10.25.0.0/24')).length, 3, 'one local path per client it was written for');
    await rr.done('withdraw route 10.25.0.0/24');
    for (const name of ['bird', 'frr', 'gobgp'] as const) await holds(name, '10.25.0.0/24', undefined);
  });

  it('a reload without a written route withdraws it; one still in the file is back', async () => {
    fs.writeFileSync(rr.conf, config(routesForFrr.filter((r) => !r.includes('10.22.'))));
    await rr.done('reload');
    await holds('frr', '10.22.0.0/24', undefined);
    assert.deepEqual(await rib('10.22.0.0/24'), []);
    // The file still writes 10.21.0.0/24 for FRR: the reload puts it back, and it wins again.
    await holds('frr', '10.21.0.0/24', written('192.0.2.210'));
  });
});
