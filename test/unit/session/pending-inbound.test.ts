// Connections opened from a neighbor's address that never send an OPEN (issue 11, finding 3): they must not
// lock the real neighbor out, must be closed after openWait seconds, and must not disturb a session.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'node:test';
import { Listener } from '../../../src/session/listener';
import { Peer, type PeerOptions } from '../../../src/session/peer';
import { Framer } from '../../../src/wire/framer';
import { MessageType } from '../../../src/wire/types';
import { allocAddress } from '../../interop/peers/common';

/** A listening passive peer (ours) and the address the neighbor uses. */
async function setup(opts: Partial<PeerOptions> = {}) {
  const here = allocAddress();
  const there = allocAddress();
  const listener = new Listener({ addresses: [here], port: 0 });
  await listener.listen();
  const ours = new Peer({
    name: 'ours',
    peerAddress: there,
    localAs: 65001,
    peerAs: 65002,
    routerId: '1.1.1.1',
    passive: true,
    ...opts,
  });
  const refused: string[] = [];
  ours.on('refused', (r) => refused.push(r));
  listener.add(ours);
  ours.start();
  const port = listener.ports[0];
  /** A connection from the neighbor's address that says nothing; resolves once it is up. */
  const silent = async () => {
    const s = net.connect({ host: here, port, localAddress: there });
    s.on('error', () => undefined);
    await once(s, 'connect');
    return s;
  };
  /** The real neighbor: a tsbgp peer retrying every second. */
  const neighbor = new Peer({
    name: 'neighbor',
    peerAddress: here,
    peerPort: port,
    localAddress: there,
    localAs: 65002,
    peerAs: 65001,
    routerId: '2.2.2.2',
    connectRetry: { min: 1, max: 1 },
  });
  const close = async () => {
    await Promise.all([ours.stop(), neighbor.stop()]);
    await listener.close();
  };
  return { ours, neighbor, silent, refused, close, here, there, port };
}

const established = (p: Peer, ms: number) =>
  new Promise<void>((resolve, reject) => {
    if (p.state === 'Established') return resolve();
    const t = setTimeout(() => reject(new Error(`${p.name} not Established after ${ms} ms (is ${p.state})`)), ms);
    p.once('established', () => {
      clearTimeout(t);
      resolve();
    });
  });

/** Messages read from a raw socket until it closes. */
async function messagesUntilClose(s: net.Socket): Promise<{ type: number; body: Uint8Array }[]> {
  const f = new Framer();
  const out: { type: number; body: Uint8Array }[] = [];
  s.on('data', (c) => {
    f.push(c);
    for (let m = f.next(); m; m = f.next()) out.push({ type: m.type, body: m.body.slice() });
  });
  await once(s, 'close');
  return out;
}

test('two silent connections from the neighbor address do not lock the real neighbor out', async () => {
  // Before: the first silent connection became the session in OpenSent for 240 s, the second the candidate,
  // and every real attempt was reset until the hold timer expired, with nothing logged.
  const t = await setup();
  const s1 = await t.silent();
  const s2 = await t.silent();
  t.neighbor.start();
  await established(t.neighbor, 4000);
  await established(t.ours, 1000);
  assert.ok(
    t.refused.some((r) => r.includes('sent no OPEN')),
    `the closed silent connections are logged: ${JSON.stringify(t.refused)}`,
  );
  s1.destroy();
  s2.destroy();
  await t.close();
});

test('a silent connection is closed after openWait seconds with a NOTIFICATION, and the reason is given', async () => {
  const t = await setup({ openWait: 1 });
  const s = await t.silent();
  const msgs = await messagesUntilClose(s);
  assert.deepEqual(
    msgs.map((m) => m.type),
    [MessageType.OPEN, MessageType.NOTIFICATION],
  );
  assert.equal(msgs[1].body[0], 4, 'Hold Timer Expired');
  assert.ok(
    t.refused.some((r) => r.includes('no OPEN received within 1 s')),
    JSON.stringify(t.refused),
  );
  assert.notEqual(t.ours.state, 'OpenSent');
  await t.close();
});

test('a connection from the neighbor while Established gets Cease 6/7 and the session stays up', async () => {
  const t = await setup();
  t.neighbor.start();
  await established(t.ours, 4000);
  const s = await t.silent();
  const msgs = await messagesUntilClose(s);
  assert.deepEqual(
    msgs.map((m) => [m.type, m.body[0], m.body[1]]),
    [[MessageType.NOTIFICATION, 6, 7]],
  );
  assert.ok(
    t.refused.some((r) => r.includes('a session is established')),
    JSON.stringify(t.refused),
  );
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(t.ours.state, 'Established');
  assert.equal(t.neighbor.state, 'Established');
  await t.close();
});

test('a silent connection arriving while our own connection is being set up does not displace it', async () => {
  // An active peer of ours whose neighbor is a plain server: we connect out, send our OPEN and wait for its;
  // a silent connection from the neighbor's address meanwhile waits beside ours and is closed on its own.
  const here = allocAddress();
  const there = allocAddress();
  const server = net.createServer();
  server.listen(0, there);
  await once(server, 'listening');
  const listener = new Listener({ addresses: [here], port: 0 });
  await listener.listen();
  const ours = new Peer({
    name: 'ours',
    peerAddress: there,
    peerPort: (server.address() as net.AddressInfo).port,
    localAddress: here,
    localAs: 65001,
    peerAs: 65002,
    routerId: '1.1.1.1',
    openWait: 1,
  });
  listener.add(ours);
  const [outgoing] = await Promise.all([once(server, 'connection'), Promise.resolve(ours.start())]);
  const out = outgoing[0] as net.Socket;
  while (ours.state !== 'OpenSent') await new Promise((r) => setTimeout(r, 10));
  const s = net.connect({ host: here, port: listener.ports[0], localAddress: there });
  s.on('error', () => undefined);
  const msgs = await messagesUntilClose(s);
  assert.deepEqual(
    msgs.map((m) => m.type),
    [MessageType.OPEN, MessageType.NOTIFICATION],
  );
  assert.equal(ours.state, 'OpenSent', 'our own connection is still the session');
  assert.equal(ours.outgoing, true);
  assert.equal(out.destroyed, false);
  out.destroy();
  await ours.stop();
  await listener.close();
  server.close();
});
