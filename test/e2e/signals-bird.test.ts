// The Cease a signal makes tsbgp send, as an independent implementation reads it: BIRD 2 is the peer, and its
// `show protocols all` names the last NOTIFICATION it received. SIGALRM (restart): Peer De-configured, then the
// session is up again; SIGTERM: Administrative Shutdown with the signal's name as the RFC 9003 message.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { allocEndpoint, Bird, stopAll, waitFor } from '../interop/peers';
import { skipReason } from '../support/programs';
import { e2eDir, neighborBlock, startTsbgp } from './launch';

after(stopAll);

describe('signals seen by BIRD', { skip: skipReason('bird') }, () => {
  it('SIGALRM: Cease / Peer De-configured and the session back; SIGTERM: Cease / Administrative Shutdown', async () => {
    const dir = e2eDir('signals-bird');
    const eBird = await allocEndpoint();
    const eTs = await allocEndpoint();
    const bird = new Bird();
    await bird.start({ ...eBird, as: 65020, neighbors: [{ ...eTs, as: 65010, families: ['ipv4'], passive: true }] });
    const t = await startTsbgp({
      name: 'subject',
      dir,
      config: neighborBlock({
        peer: eBird.address,
        local: eTs.address,
        localAs: 65010,
        peerAs: 65020,
        connect: eBird.port,
        holdTime: 30,
        extra: ['family {', '  ipv4 unicast;', '}', 'static {', '  route 10.80.0.0/24 next-hop 192.0.2.1;', '}'],
      }),
    });
    const established = async () => (await bird.sessionState(eTs.address)) === 'established';
    const lastError = async () => await bird.birdc('show', 'protocols', 'all', bird.protoName(eTs.address));
    await waitFor(established, 20_000, 'the session at BIRD');

    process.kill(t.pid, 'SIGALRM');
    // BIRD's log, not `show protocols`: BIRD clears its last error when the session is up again, and tsbgp may
    // reconnect between two polls on a loaded machine.
    await waitFor(
      () => /Received: Peer de-configured/i.test(bird.logText()),
      15_000,
      "BIRD's log to show the restart's Cease",
    );
    await waitFor(established, 30_000, 'the session back at BIRD after the restart');
    await waitFor(async () => (await bird.routeCount('ipv4')) === 1, 10_000, 'the route at BIRD again');

    process.kill(t.pid, 'SIGTERM');
    await waitFor(() => !t.proc.running, 10_000, 'tsbgp to exit');
    assert.equal(t.proc.child.exitCode, 0);
    const text = await waitFor(
      async () => {
        const x = await lastError();
        return /Received: Administrative shutdown/i.test(x) ? x : '';
      },
      10_000,
      "BIRD's last error to be the shutdown's Cease",
    );
    assert.match(text, /received SIGTERM/, text);
  });
});
