import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'node:test';
import { Listener } from '../../../src/session/listener';
import { Peer } from '../../../src/session/peer';

test('listener hands known addresses to their peer and closes unknown ones', async () => {
  const l = new Listener({ addresses: ['127.0.0.1', '127.0.0.5'], port: 0 });
  await l.listen();
  assert.equal(l.ports.length, 2);
  const p = new Peer({ peerAddress: '127.0.0.7', localAs: 1, peerAs: 2, routerId: '1.1.1.1', passive: true });
  l.add(p);
  p.start();
  const rejected: string[] = [];
  l.on('rejected', (r) => rejected.push(r));
  // Unknown source address: closed without a word.
  const s1 = net.connect({ host: '127.0.0.1', port: l.ports[0], localAddress: '127.0.0.6' });
  const bytes: Buffer[] = [];
  s1.on('data', (b) => bytes.push(b));
  await once(s1, 'close');
  assert.deepEqual(rejected, ['127.0.0.6']);
  assert.equal(bytes.length, 0);
  // Known: the peer takes it and sends its OPEN.
  const conn = once(l, 'connection');
  const s2 = net.connect({ host: '127.0.0.5', port: l.ports[1], localAddress: '127.0.0.7' });
  const [peer, accepted] = await conn;
  assert.equal(peer, p);
  assert.equal(accepted, true);
  const [first] = await once(s2, 'data');
  assert.equal((first as Buffer)[18], 1, 'OPEN');
  assert.equal(p.state, 'OpenSent');
  // Local address constraint: a peer bound to 127.0.0.1 does not match connections arriving on 127.0.0.5.
  const q = new Peer({
    peerAddress: '127.0.0.8',
    localAddress: '127.0.0.1',
    localAs: 1,
    peerAs: 2,
    routerId: '1.1.1.1',
    passive: true,
  });
  l.add(q);
  assert.equal(l.match('127.0.0.8', '127.0.0.5'), undefined);
  assert.equal(l.match('::ffff:127.0.0.8', '::ffff:127.0.0.1'), q);
  s2.destroy();
  await p.stop();
  await l.close();
});
