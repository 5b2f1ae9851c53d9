// The health check end to end: two tsbgp daemons each run `tsbgp healthcheck` as an API process, probing a
// TCP service the test starts and stops, and BIRD 2 is their peer. With --withdraw-on-down the service
// address leaves BIRD's table when the service is down and comes back when it is up; without it, the route
// stays and its MED switches between the up metric and the down metric.

import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Bird, skipReason, stopAll, waitFor } from '../interop/peers';
import { e2eDir, NODE, neighborBlock, startTsbgp, TSBGP, type TsbgpDaemon, writeScript } from './launch';

after(stopAll);

const skip = skipReason('bird');

// Exit 0 when a TCP connection to 127.0.0.1:PORT opens within a second, 1 otherwise.
const PROBE_JS = `const s = require('net').connect(Number(process.argv[2]), '127.0.0.1');
s.once('connect', () => { s.destroy(); process.exit(0); });
s.once('error', () => process.exit(1));
setTimeout(() => process.exit(1), 1000);
`;

class Service {
  private server: net.Server | null = null;
  constructor(readonly port: number) {}
  up(): Promise<void> {
    const s = net.createServer((c) => c.destroy());
    this.server = s;
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(this.port, '127.0.0.1', () => resolve());
    });
  }
  down(): Promise<void> {
    const s = this.server;
    this.server = null;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}

describe('healthcheck against BIRD', { skip }, () => {
  let bird: Bird;
  let t1: TsbgpDaemon;
  let t2: TsbgpDaemon;
  let service: Service;

  before(async () => {
    const dir = e2eDir('hc');
    const eBird = await allocEndpoint();
    const e1 = await allocEndpoint();
    const e2 = await allocEndpoint();
    const svc = await allocEndpoint();
    service = new Service(svc.port);
    const probe = writeScript(dir, 'probe.js', PROBE_JS);
    bird = new Bird();
    await bird.start({
      ...eBird,
      as: 65020,
      neighbors: [
        { ...e1, as: 65010, families: ['ipv4'], passive: true },
        { ...e2, as: 65011, families: ['ipv4'], passive: true },
      ],
    });
    const conf = (local: string, as: number, ip: string, extra: string): string =>
      [
        'process hc {',
        `  run ${NODE} ${TSBGP} healthcheck --cmd "${NODE} ${probe} ${svc.port}" --interval 1 --fast-interval 1 --rise 1 --fall 1 --ip ${ip} --no-ip-setup --no-syslog --next-hop 192.0.2.1 --up-metric 100 --down-metric 1000${extra};`,
        '  encoder text;',
        '}',
        neighborBlock({
          peer: eBird.address,
          local,
          localAs: as,
          peerAs: 65020,
          connect: eBird.port,
          holdTime: 30,
          // As in ExaBGP 4.2, a process's routes go to the neighbors whose api block names it.
          extra: ['family {', '  ipv4 unicast;', '}', 'api {', '  processes [ hc ];', '}'],
        }),
      ].join('\n');
    await service.up();
    t1 = await startTsbgp({ name: 't1', dir, config: conf(e1.address, 65010, '192.0.2.10/32', ' --withdraw-on-down') });
    t2 = await startTsbgp({ name: 't2', dir, config: conf(e2.address, 65011, '192.0.2.20/32', '') });
    await waitFor(
      async () =>
        (await bird.sessionState(e1.address)) === 'established' &&
        (await bird.sessionState(e2.address)) === 'established',
      20_000,
      'BIRD sessions',
      200,
    );
  });

  const routes = async (): Promise<Map<string, { med?: number; nextHop: string; asPath: number[] }>> =>
    new Map((await bird.routes('ipv4')).map((r) => [r.prefix, r]));

  const waitState = async (what: string, ok: (r: Awaited<ReturnType<typeof routes>>) => boolean): Promise<void> => {
    try {
      await waitFor(async () => ok(await routes()), 15_000, what, 250);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- t1 ---\n${t1.log().slice(-2000)}\n--- t2 ---\n${t2.log().slice(-2000)}\n--- bird ---\n${bird.logText().slice(-1500)}`,
      );
    }
  };

  it('service up: both addresses in BIRD with the up metric', async () => {
    await waitState(
      'both routes, MED 100',
      (r) => r.get('192.0.2.10/32')?.med === 100 && r.get('192.0.2.20/32')?.med === 100,
    );
    const r = await routes();
    assert.equal(r.get('192.0.2.10/32')!.nextHop, '192.0.2.1');
    assert.deepEqual(r.get('192.0.2.10/32')!.asPath, [65010]);
    assert.deepEqual(r.get('192.0.2.20/32')!.asPath, [65011]);
  });

  it('service down: withdrawn with --withdraw-on-down, down metric without', async () => {
    await service.down();
    await waitState(
      '192.0.2.10/32 gone, 192.0.2.20/32 at MED 1000',
      (r) => !r.has('192.0.2.10/32') && r.get('192.0.2.20/32')?.med === 1000,
    );
  });

  it('service up again: announced again, up metric again', async () => {
    await service.up();
    await waitState(
      'both routes back at MED 100',
      (r) => r.get('192.0.2.10/32')?.med === 100 && r.get('192.0.2.20/32')?.med === 100,
    );
    await service.down();
    assert.match(t1.log(), /process=hc/);
  });
});
