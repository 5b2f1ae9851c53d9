// Graceful restart (RFC 4724) between two tsbgp daemons: A restarts, B is the receiving speaker.
//  - A's shutdown closes the session without NOTIFICATION; B keeps A's routes in its Adj-RIB-In, stale;
//  - when A does not come back within the restart time it announced, B deletes them and logs it (§4.2).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../../interop/peers/common';
import { startPair } from './pair';

test("A shuts down with graceful restart: B keeps A's routes stale, then drops them when the restart time runs out", async () => {
  const p = await startPair(
    'graceful-restart',
    ['route 10.7.0.0/24 next-hop 192.0.2.9', 'route 10.7.1.0/24 next-hop 192.0.2.9'],
    undefined,
    { neighborA: ' capability { graceful-restart 2; }\n', neighborB: ' capability { graceful-restart 30; }\n' },
  );
  try {
    const rib = p.b.neighbors[0]!.ribIn!;
    await waitFor(() => rib.size === 2, 10_000, 'both routes at B');
    const gr = p.b.neighbors[0]!.peer.negotiated!.gracefulRestart!;
    assert.equal(gr.restartTime, 2);
    assert.equal(gr.restarting, true, "A's R bit");
    assert.deepEqual([...gr.families.values()], [true], "A's F bit");
    const left = Date.now();
    await p.a.shutdown('restarting');
    await waitFor(() => p.b.neighbors[0]!.peer.state !== 'Established', 10_000, 'B to see the session go');
    assert.ok(!p.logB.some((l) => /notification received/i.test(l)), p.logB.join('\n'));
    assert.equal(rib.size, 2, 'kept');
    assert.equal(rib.staleCount(), 2, 'as stale routes');
    await waitFor(() => rib.size === 0, 10_000, 'the stale routes deleted');
    assert.ok(Date.now() - left >= 1500, `deleted after ${Date.now() - left} ms, before the restart time`);
    assert.ok(
      p.logB.some((l) => /graceful restart: 2 stale route\(s\) of ipv4 unicast deleted \(restart-timer\)/.test(l)),
      p.logB.join('\n'),
    );
  } finally {
    await p.stop();
  }
});
