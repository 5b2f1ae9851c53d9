// Answers a migrating ExaBGP 4.2 script sees, through the control socket of a running daemon peered with another:
// `help` lists the commands in ExaBGP's layout, and `teardown N` sends Cease / subcode N with the subcode's name
// as data, as ExaBGP 4.2 (reactor/peer.py raises Notify(6, N); checked against ExaBGP 4.2.21, whose teardown 2
// arrives as "Cease / Administrative Shutdown: Administrative Shutdown"), then the session comes back.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendCommand } from '../../../src/api/control';
import { removeTempDirs, sleep, waitFor } from '../../interop/peers/common';
import { type Pair, startPair } from './pair';

// ExaBGP 4.2.21's own answer to `help` (captured from Debian's exabgp), but for `crash`, which tsbgp does not
// have, and with the ack controls, which tsbgp also takes; `done` ends it.
const EXABGP_HELP = `
available API commands are listed here:
=======================================

filter can be: [local-ip <ip>][local-as <asn>][peer-as <asn>][router-id <router-id>]

command are:
------------

# 
[neighbor <ip> [filters]] announce attribute
[neighbor <ip> [filters]] announce attributes
[neighbor <ip> [filters]] announce eor
[neighbor <ip> [filters]] announce flow
[neighbor <ip> [filters]] announce operational
[neighbor <ip> [filters]] announce route
[neighbor <ip> [filters]] announce route-refresh
[neighbor <ip> [filters]] announce vpls
[neighbor <ip> [filters]] announce watchdog
[neighbor <ip> [filters]] clear adj-rib
[neighbor <ip> [filters]] flush adj-rib out
[neighbor <ip> [filters]] teardown
[neighbor <ip> [filters]] withdraw attributes
[neighbor <ip> [filters]] withdraw flow
[neighbor <ip> [filters]] withdraw route
[neighbor <ip> [filters]] withdraw vpls
[neighbor <ip> [filters]] withdraw watchdog
disable-ack 
enable-ack 
help 
reload 
reset 
restart 
show adj-rib in [ extensive ] 
show adj-rib out [ extensive ] 
show neighbor [ summary | extensive | configuration ] 
shutdown 
silence-ack 
version 
`;

describe('ExaBGP answers', { timeout: 60_000 }, () => {
  let p: Pair;
  before(async () => {
    p = await startPair('answers');
  });
  after(async () => {
    await p?.stop();
    removeTempDirs();
  });

  it('help lists the commands as ExaBGP 4.2 does', async () => {
    const r = await sendCommand(p.socket, 'help');
    assert.equal(r.answer, 'done');
    assert.deepEqual(r.lines, EXABGP_HELP.split('\n'));
  });

  it('teardown 0 tears nothing down', async () => {
    const r = await sendCommand(p.socket, `neighbor ${p.addrB} teardown 0`);
    assert.equal(r.answer, 'done');
    await sleep(300);
    assert.equal(p.a.neighbors[0]!.peer.state, 'Established');
    assert.ok(!p.logB.some((l) => l.includes('notification received')));
  });

  it('teardown N sends Cease / subcode N with its name, then the session comes back', async () => {
    const expected: Record<string, RegExp> = {
      '2': /notification received: Cease \/ Administrative Shutdown: Administrative Shutdown\n$/,
      '4': /notification received: Cease \/ Administrative Reset: Administrative Reset\n$/,
      // The bare name as data: "Other Configuration Change".
      '6': /notification received: Cease \/ Other Configuration Change \(data 0x4f7468657220436f6e66696775726174696f6e204368616e6765\)\n$/i,
    };
    for (const [code, pattern] of Object.entries(expected)) {
      const seen = p.logB.length;
      const r = await sendCommand(p.socket, `neighbor ${p.addrB} teardown ${code}`);
      assert.equal(r.answer, 'done');
      const line = await waitFor(
        () => p.logB.slice(seen).find((l) => l.includes('notification received')),
        10_000,
        `the NOTIFICATION at B after teardown ${code}`,
      );
      assert.match(line, pattern);
      await waitFor(() => p.a.neighbors[0]!.peer.state === 'Established', 20_000, 'the session back');
    }
  });
});

describe('split /N through the API', { timeout: 60_000 }, () => {
  let p: Pair;
  before(async () => {
    p = await startPair('split');
  });
  after(async () => {
    await p?.stop();
    removeTempDirs();
  });

  const received = () =>
    [...(p.b.neighbors[0]!.ribIn?.routes() ?? [])].map((r) => Buffer.from(r.entry).toString('hex')).sort();

  it('announce route P split /N sends the /N more-specifics, withdraw with split removes them', async () => {
    let r = await sendCommand(p.socket, 'announce route 10.20.0.0/23 next-hop 192.0.2.1 split /25');
    assert.equal(r.answer, 'done');
    // NLRI entries: length 25 then four address bytes (RFC 4271 §4.3).
    const quarters = ['190a140000', '190a140080', '190a140100', '190a140180'];
    await waitFor(() => received().length === 4, 10_000, 'four /25 at B');
    assert.deepEqual(received(), quarters);
    r = await sendCommand(p.socket, 'withdraw route 10.20.0.0/23 next-hop 192.0.2.1 split /25');
    assert.equal(r.answer, 'done');
    await waitFor(() => received().length === 0, 10_000, 'the /25 withdrawn at B');
  });
});
