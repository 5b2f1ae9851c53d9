// The `reset` and `restart` commands as ExaBGP 4.2 runs them (reactor/api/command/reactor.py): `reset` only drops
// the process's commands not run yet, so no session is touched; `restart` is SIGALRM: every session closed with
// Cease / Peer De-configured and opened again. Two daemons in this process, A's commands through its socket.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendCommand } from '../../../src/api/control';
import { removeTempDirs, sleep, waitFor } from '../../interop/peers/common';
import { type Pair, startPair } from './pair';

describe('reset and restart', { timeout: 60_000 }, () => {
  let p: Pair;
  before(async () => {
    p = await startPair('reset-restart');
  });
  after(async () => {
    await p?.stop();
    removeTempDirs();
  });

  it('reset answers done and leaves the session alone', async () => {
    const r = await sendCommand(p.socket, 'reset');
    assert.equal(r.answer, 'done');
    await sleep(300);
    assert.equal(p.a.neighbors[0]!.peer.state, 'Established');
    assert.ok(!p.logB.some((l) => l.includes('notification received')), p.logB.join(''));
  });

  it('restart closes the session with Cease / Peer De-configured and opens it again', async () => {
    const r = await sendCommand(p.socket, 'restart');
    assert.equal(r.answer, 'done');
    await waitFor(
      () => p.logB.some((l) => l.includes('notification received: Cease / Peer De-configured')),
      10_000,
      'B to receive the Cease',
    );
    await waitFor(() => p.a.neighbors[0]!.peer.state === 'Established', 15_000, 'the session to come back');
  });
});
