// tsbgp as the restarting speaker of RFC 4724, with BIRD 2 as the receiving speaker ("graceful restart aware",
// BIRD's default). With `capability { graceful-restart N; }`:
//  1. tsbgp's OPEN carries the restart time, the R bit and the F bit of its family (BIRD shows them);
//  2. SIGTERM closes the session without NOTIFICATION, and BIRD keeps tsbgp's routes while tsbgp is away;
//  3. tsbgp started again with a changed configuration: its new route arrives, the route it no longer has leaves
//     once tsbgp's End-of-RIB is in, the route it still has stays (never withdrawn in between);
//  4. SIGALRM (restart) closes without NOTIFICATION as well, and BIRD never loses the routes;
//  5. with manual-eor, BIRD keeps the stale routes until the API sends `announce eor`;
//  6. tsbgp away for longer than its restart time: BIRD deletes the routes when the time runs out.
// BIRD is passive; tsbgp connects. Skipped when BIRD is missing (failed under CI).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { e2eDir, neighborBlock, startTsbgp, type TsbgpDaemon } from '../e2e/launch';
import { allocEndpoint, Bird, skipReason, stopAll, waitFor } from './peers';

after(stopAll);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('graceful restart: tsbgp restarts, BIRD keeps its routes', { skip: skipReason('bird') }, () => {
  it('SIGTERM without NOTIFICATION, routes kept stale, refreshed after End-of-RIB, dropped after the restart time', async () => {
    const dir = e2eDir('gr-bird');
    const eBird = await allocEndpoint();
    const eTs = await allocEndpoint();
    const bird = new Bird();
    await bird.start({ ...eBird, as: 65030, neighbors: [{ ...eTs, as: 65031, families: ['ipv4'], passive: true }] });
    const conf = (restartTime: number, routes: string[], extra: string[] = []) =>
      neighborBlock({
        peer: eBird.address,
        local: eTs.address,
        localAs: 65031,
        peerAs: 65030,
        connect: eBird.port,
        holdTime: 30,
        extra: [
          'family {',
          '  ipv4 unicast;',
          '}',
          'capability {',
          `  graceful-restart ${restartTime};`,
          '}',
          'static {',
          ...routes.map((p) => `  route ${p} next-hop 192.0.2.1;`),
          '}',
          ...extra,
        ],
      });
    const prefixes = async () => (await bird.routes('ipv4')).map((r) => r.prefix).sort();
    const established = async () => (await bird.sessionState(eTs.address)) === 'established';
    const protoAll = () => bird.birdc('show', 'protocols', 'all', bird.protoName(eTs.address));
    const stopped = async (t: TsbgpDaemon) => {
      process.kill(t.pid, 'SIGTERM');
      await waitFor(() => !t.proc.running, 10_000, 'tsbgp to exit');
      assert.equal(t.proc.child.exitCode, 0);
    };
    const fail = (e: unknown, t?: TsbgpDaemon) =>
      new Error(
        `${(e as Error).message}\n--- tsbgp ---\n${t?.log().slice(-2000)}\n--- bird ---\n${bird.logText().slice(-2000)}`,
      );

    let t = await startTsbgp({ name: 'first', dir, config: conf(60, ['10.81.0.0/24', '10.81.1.0/24']) });
    try {
      await waitFor(established, 20_000, 'the session at BIRD');
      await waitFor(async () => (await prefixes()).length === 2, 10_000, 'both routes at BIRD');
    } catch (e) {
      throw fail(e, t);
    }
    // 1. BIRD's view of tsbgp's capability: restart time 60, restart (R) bit, ipv4 with forwarding state preserved.
    const caps = await protoAll();
    const theirs = caps.slice(caps.indexOf('Neighbor capabilities'));
    assert.match(
      theirs,
      /Graceful restart\s+Restart time: 60\s+Restart recovery\s+AF supported: ipv4\s+AF preserved: ipv4/,
      caps,
    );

    // 2. SIGTERM: no NOTIFICATION, BIRD keeps both routes while tsbgp is away.
    await stopped(t);
    await waitFor(async () => !(await established()), 10_000, 'BIRD to see the session go');
    const during = await protoAll();
    assert.doesNotMatch(bird.logText(), /Received: Administrative shutdown/i);
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(
        await prefixes(),
        ['10.81.0.0/24', '10.81.1.0/24'],
        `routes kept, ${i * 0.5} s after\n${during}`,
      );
      await sleep(500);
    }

    // 3. Back with 10.81.1.0/24 gone and 10.81.2.0/24 new: BIRD ends with exactly the new table, and 10.81.0.0/24
    // is never missing on the way.
    t = await startTsbgp({ name: 'second', dir, config: conf(3, ['10.81.0.0/24', '10.81.2.0/24']) });
    try {
      await waitFor(
        async () => {
          const now = await prefixes();
          assert.ok(now.includes('10.81.0.0/24'), `the route kept across the restart went missing: ${now}`);
          return now.join(' ') === '10.81.0.0/24 10.81.2.0/24';
        },
        20_000,
        "BIRD's table refreshed by tsbgp's End-of-RIB",
        100,
      );
    } catch (e) {
      throw fail(e, t);
    }

    // SIGALRM (restart): the session closes without NOTIFICATION too and comes back, the routes never leave BIRD.
    const before = (bird.logText().match(/Received: /g) ?? []).length;
    process.kill(t.pid, 'SIGALRM');
    await waitFor(
      () => /session down: closed without NOTIFICATION for graceful restart/.test(t.log()),
      10_000,
      'the restart to close the session',
    );
    await waitFor(
      async () => {
        assert.deepEqual(await prefixes(), ['10.81.0.0/24', '10.81.2.0/24'], 'routes kept across SIGALRM');
        return established();
      },
      20_000,
      'the session back after SIGALRM',
      100,
    );
    assert.equal((bird.logText().match(/Received: /g) ?? []).length, before, 'no NOTIFICATION on SIGALRM');

    // 5. manual-eor: tsbgp back with 10.81.2.0/24 gone sends no End-of-RIB by itself, so BIRD keeps the stale route
    // until the API says `announce eor` (what a program does once it has announced its routes again).
    await stopped(t);
    t = await startTsbgp({ name: 'third', dir, config: conf(3, ['10.81.0.0/24'], ['manual-eor true;']) });
    try {
      await waitFor(established, 20_000, 'the session back with manual-eor');
      await sleep(1500);
      assert.deepEqual(await prefixes(), ['10.81.0.0/24', '10.81.2.0/24'], 'stale route kept: no End-of-RIB yet');
      const r = await t.send('announce eor ipv4 unicast');
      assert.equal(r.answer, 'done', JSON.stringify(r));
      await waitFor(
        async () => (await prefixes()).join(' ') === '10.81.0.0/24',
        10_000,
        'the stale route gone after EoR',
      );
    } catch (e) {
      throw fail(e, t);
    }

    // 6. Away longer than the restart time now announced (3 s): BIRD keeps the routes, then deletes them.
    await stopped(t);
    const left = Date.now();
    await waitFor(async () => !(await established()), 10_000, 'BIRD to see the session go');
    assert.equal((await prefixes()).length, 1, 'kept within the restart time');
    await waitFor(async () => (await prefixes()).length === 0, 20_000, 'the routes deleted after the restart time');
    assert.ok(Date.now() - left >= 2000, `deleted after ${Date.now() - left} ms, before the restart time`);
  });
});
