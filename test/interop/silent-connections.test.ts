// Issue 11, finding 3, with a real neighbor: two TCP connections from BIRD's address that never send an OPEN
// are open on a passive tsbgp before BIRD starts. Before, they held the session's place for 240 s and BIRD's every
// attempt was reset; now BIRD's connection replaces them and the session is Established within seconds, and the
// tsbgp log says which connections it closed and why.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { after, test } from 'node:test';
import { allocEndpoint, Bird, makeTempDir, removeTempDirs, skipReason, stopAll, waitFor } from './peers';
import { startTsbgp } from './tsbgp-daemon';

after(async () => {
  await stopAll();
  removeTempDirs();
});

test('silent connections from the neighbor address do not keep BIRD out', { skip: skipReason('bird') }, async (tc) => {
  const [et, ep] = await Promise.all([allocEndpoint(), allocEndpoint()]);
  const t = await startTsbgp(makeTempDir('silent'), [
    {
      peer: ep.address,
      peerPort: ep.port,
      peerAs: 65002,
      local: et.address,
      localAs: 65001,
      passive: true,
      listenPort: et.port,
    },
  ]);
  // Two connections from BIRD's address to tsbgp's listener, which say nothing.
  const silent: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = net.connect({ host: et.address, port: et.port, localAddress: ep.address });
    s.on('error', () => undefined);
    await once(s, 'connect');
    silent.push(s);
  }
  const bird = new Bird();
  const t0 = Date.now();
  await bird.start({
    ...ep,
    as: 65002,
    neighbors: [{ ...et, as: 65001, families: ['ipv4'] }],
  });
  try {
    await waitFor(
      async () => (await t.established(ep.address)) && (await bird.sessionState(et.address)) === 'established',
      30_000,
      'tsbgp <-> BIRD Established',
      200,
    );
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-3000)}\n--- bird ---\n${bird.logText().slice(-3000)}`,
    );
  }
  const seconds = (Date.now() - t0) / 1000;
  // BIRD's own connect delay is a few seconds; the 240 s of before would be far beyond.
  assert.ok(seconds < 30, `Established after ${seconds} s`);
  tc.diagnostic(`Established ${seconds.toFixed(1)} s after BIRD started`);
  const closed = t.log().match(/closed the connection from \S+ port \d+ that sent no OPEN/g) ?? [];
  assert.ok(closed.length >= 2, `both silent connections closed and logged:\n${t.log()}`);
  for (const s of silent) s.destroy();
  await bird.stop();
  await t.stop();
});
