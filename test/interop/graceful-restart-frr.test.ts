// tsbgp as the restarting speaker of RFC 4724 with FRR 8.4 as the receiving speaker (its default helper mode):
// SIGTERM closes the session without NOTIFICATION and FRR keeps tsbgp's routes, marked stale, while tsbgp is
// away; tsbgp back with a changed table: the kept route is never missing, the new one arrives and the one tsbgp no
// longer has leaves once its End-of-RIB is in. FRR is passive; tsbgp connects. Skipped when FRR's bgpd is missing
// (failed under CI).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { e2eDir, neighborBlock, startTsbgp, type TsbgpDaemon } from '../e2e/launch';
import { allocEndpoint, Frr, skipReason, stopAll, waitFor } from './peers';

after(stopAll);

describe('graceful restart: tsbgp restarts, FRR keeps its routes', { skip: skipReason('frr') }, () => {
  it('SIGTERM without NOTIFICATION, routes kept stale, refreshed after End-of-RIB', async () => {
    const dir = e2eDir('gr-frr');
    const [eF, eTs] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    const f = new Frr();
    await f.start({
      ...eF,
      as: 65050,
      holdTime: 30,
      neighbors: [{ ...eTs, as: 65051, families: ['ipv4'], passive: true }],
    });
    const conf = (routes: string[]) =>
      neighborBlock({
        peer: eF.address,
        local: eTs.address,
        localAs: 65051,
        peerAs: 65050,
        connect: eF.port,
        holdTime: 30,
        extra: [
          'family { ipv4 unicast; }',
          'capability { graceful-restart 60; }',
          'static {',
          ...routes.map((p) => `  route ${p} next-hop 192.0.2.1;`),
          '}',
        ],
      });
    /** FRR's IPv4 table: "prefix" or "prefix stale" per route. */
    const table = async (): Promise<string[]> => {
      const j = JSON.parse(await f.vtysh(['show bgp ipv4 unicast json'])) as {
        routes?: Record<string, { stale?: boolean }[]>;
      };
      return Object.entries(j.routes ?? {})
        .map(([p, paths]) => (paths.some((x) => x.stale) ? `${p} stale` : p))
        .sort();
    };
    const established = async () => (await f.sessionState(eTs.address)) === 'established';
    const fail = (e: unknown, t: TsbgpDaemon) =>
      new Error(
        `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-2000)}\n--- frr ---\n${f.logText().slice(-2000)}`,
      );

    let t = await startTsbgp({ name: 'first', dir, config: conf(['10.82.0.0/24', '10.82.1.0/24']) });
    try {
      await waitFor(async () => (await table()).length === 2, 20_000, 'both routes at FRR');
    } catch (e) {
      throw fail(e, t);
    }
    const nb = JSON.parse(await f.vtysh([`show bgp neighbors ${eTs.address} json`]))[eTs.address];
    assert.equal(nb.gracefulRestartInfo?.remoteGrMode, 'Restart', JSON.stringify(nb.gracefulRestartInfo));

    process.kill(t.pid, 'SIGTERM');
    await waitFor(() => !t.proc.running, 10_000, 'tsbgp to exit');
    await waitFor(async () => !(await established()), 10_000, 'FRR to see the session go');
    const during = await waitFor(
      async () => {
        const now = await table();
        return now.every((r) => r.endsWith(' stale')) ? now : undefined;
      },
      10_000,
      'the routes marked stale at FRR',
    );
    assert.deepEqual(during, ['10.82.0.0/24 stale', '10.82.1.0/24 stale']);
    const last = JSON.parse(await f.vtysh([`show bgp neighbors ${eTs.address} json`]))[eTs.address];
    assert.doesNotMatch(JSON.stringify(last.lastNotificationReason ?? ''), /Administrative/);

    t = await startTsbgp({ name: 'second', dir, config: conf(['10.82.0.0/24', '10.82.2.0/24']) });
    try {
      await waitFor(
        async () => {
          const now = await table();
          assert.ok(
            now.some((r) => r.startsWith('10.82.0.0/24')),
            `the route kept went missing: ${now}`,
          );
          return now.join(' ') === '10.82.0.0/24 10.82.2.0/24';
        },
        20_000,
        "FRR's table refreshed by tsbgp's End-of-RIB",
        100,
      );
    } catch (e) {
      throw fail(e, t);
    }
  });
});
