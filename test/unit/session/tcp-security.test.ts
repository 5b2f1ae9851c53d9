// TCP MD5 (RFC 2385) and TTL security (RFC 5082) on real loopback sockets: the kernel decides, nothing is mocked.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'node:test';
import type { StateName } from '../../../src/session/fsm';
import { Listener } from '../../../src/session/listener';
import { Peer } from '../../../src/session/peer';
import { bindSocket, openTcpSocket, SockoptError, setMd5Key, setMinTtl } from '../../../src/session/sockopt';
import { listenerWants, secureSocket, type TcpSecurity } from '../../../src/session/tcp-security';
import { parseIp } from '../../../src/wire/ip';

const bytes = (s: string) => new Uint8Array(Buffer.from(s));
const ip = (s: string) => parseIp(s)!;

/** A server on `host` whose socket carries `keys` (peer → key) and a minimum TTL; it says hello to clients. */
async function server(host: string, keys: [string, string][], minTtl = 0): Promise<{ srv: net.Server; port: number }> {
  const v6 = host.includes(':');
  const fd = openTcpSocket(v6);
  for (const [peer, key] of keys) setMd5Key(fd, v6, ip(peer), ip(peer).length * 8, bytes(key));
  if (minTtl) setMinTtl(fd, v6, minTtl);
  bindSocket(fd, v6, ip(host), 0);
  const srv = net.createServer((s) => s.end('hello'));
  await new Promise<void>((r) => srv.listen({ fd }, r));
  return { srv, port: (srv.address() as net.AddressInfo).port };
}

/** 'hello' when the client got through within 1.5 s, 'nothing' when the kernel kept dropping its segments. */
function attempt(host: string, port: number, local: string, sec: TcpSecurity): Promise<string> {
  const c = secureSocket(host, sec);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      c.destroy();
      resolve('nothing');
    }, 1500);
    c.on('data', (d) => {
      clearTimeout(t);
      c.destroy();
      resolve(String(d));
    });
    c.on('error', (e) => {
      clearTimeout(t);
      resolve(`error ${e.message}`);
    });
    c.connect({ host, port, localAddress: local });
  });
}

test('TCP MD5: a connection needs the same key on both ends', async () => {
  const { srv, port } = await server('127.0.0.61', [['127.0.0.62', 'right']]);
  const key = (k: string) => ({ md5Key: bytes(k) });
  const [right, wrong, none] = await Promise.all([
    attempt('127.0.0.61', port, '127.0.0.62', key('right')),
    attempt('127.0.0.61', port, '127.0.0.62', key('wrong')),
    attempt('127.0.0.61', port, '127.0.0.62', {}),
  ]);
  // A client with no key configured for the server, connecting with no key at all: the server drops its SYN.
  assert.deepEqual([right, wrong, none], ['hello', 'nothing', 'nothing']);
  // A key on the client only: the server (no key for this address) drops signed segments.
  const keyless = await attempt('127.0.0.61', port, '127.0.0.63', key('right'));
  assert.equal(keyless, 'nothing');
  srv.close();
});

test('TCP MD5 for a range of peers (TCP_MD5SIG_EXT with a prefix length, for passive range neighbors)', async () => {
  const fd = openTcpSocket(false);
  setMd5Key(fd, false, ip('127.0.70.0'), 24, bytes('range'));
  bindSocket(fd, false, ip('127.0.0.71'), 0);
  const srv = net.createServer((s) => s.end('hello'));
  await new Promise<void>((r) => srv.listen({ fd }, r));
  const port = (srv.address() as net.AddressInfo).port;
  const [inside, wrong, outside] = await Promise.all([
    attempt('127.0.0.71', port, '127.0.70.5', { md5Key: bytes('range') }),
    attempt('127.0.0.71', port, '127.0.70.6', { md5Key: bytes('other') }),
    attempt('127.0.0.71', port, '127.0.71.5', { md5Key: bytes('range') }),
  ]);
  assert.deepEqual([inside, wrong, outside], ['hello', 'nothing', 'nothing']);
  srv.close();
});

test('TCP MD5 over IPv6, and for an IPv4 peer of a dual-stack socket', async () => {
  const v6 = await server('::1', [['::1', 'six']]);
  assert.equal(await attempt('::1', v6.port, '::1', { md5Key: bytes('six') }), 'hello');
  assert.equal(await attempt('::1', v6.port, '::1', { md5Key: bytes('sixx') }), 'nothing');
  v6.srv.close();
  const dual = await server('::', [['127.0.0.64', 'four']]);
  assert.equal(await attempt('127.0.0.1', dual.port, '127.0.0.64', { md5Key: bytes('four') }), 'hello');
  assert.equal(await attempt('127.0.0.1', dual.port, '127.0.0.64', { md5Key: bytes('fourr') }), 'nothing');
  dual.srv.close();
});

test('TTL security: the listener drops SYNs below its minimum TTL (loopback does not decrement)', async () => {
  const { srv, port } = await server('127.0.0.65', [], 255);
  assert.equal(await attempt('127.0.0.65', port, '127.0.0.66', { outgoingTtl: 255 }), 'hello');
  assert.equal(await attempt('127.0.0.65', port, '127.0.0.66', { outgoingTtl: 254 }), 'nothing');
  srv.close();
  const six = await server('::1', [], 255);
  assert.equal(await attempt('::1', six.port, '::1', { outgoingTtl: 255 }), 'hello');
  assert.equal(await attempt('::1', six.port, '::1', { outgoingTtl: 200 }), 'nothing');
  six.srv.close();
});

test('errors from the kernel are SockoptError with the errno name, not a crash', () => {
  assert.throws(
    () => setMd5Key(1_000_000, false, ip('127.0.0.1'), 32, bytes('k')),
    (e: unknown) => {
      return e instanceof SockoptError && /TCP_MD5SIG \(RFC 2385\): EBADF/.test(e.message);
    },
  );
  assert.throws(() => setMd5Key(0, false, ip('::1'), 128, bytes('k')), SockoptError);
});

test('a listening socket carries the keys of the peers that can reach it, the highest TTL, the lowest minimum', () => {
  const peers = [
    { address: '192.0.2.1', local: '192.0.2.10', sec: { md5Key: bytes('a'), outgoingTtl: 255, incomingTtl: 254 } },
    { address: '192.0.2.1', local: '192.0.2.11', sec: { md5Key: bytes('b') } },
    { address: '2001:db8::1', sec: { md5Key: bytes('c') } },
    { address: '10.0.0.0/24', sec: { md5Key: bytes('d'), incomingTtl: 250 } },
  ];
  const at10 = listenerWants(peers, '192.0.2.10');
  assert.deepEqual(
    [...at10.keys].map(([a, k]) => `${a}=${Buffer.from(k)}`),
    ['192.0.2.1/32=a', '10.0.0.0/24=d'],
  );
  assert.deepEqual(at10.ttls, { ttl: 255, minTtl: 250 });
  const at11 = listenerWants(peers, '192.0.2.11');
  assert.deepEqual([...at11.keys.keys()], ['192.0.2.1/32', '10.0.0.0/24']);
  assert.equal(Buffer.from(at11.keys.get('192.0.2.1/32')!).toString(), 'b');
  // The session from .11 has no minimum: the shared socket must not drop its SYNs.
  assert.deepEqual(at11.ttls, { ttl: -1, minTtl: 0 });
  assert.deepEqual([...listenerWants(peers, '::').keys.keys()].sort(), [
    '10.0.0.0/24',
    '192.0.2.1/32',
    '2001:db8::1/128',
  ]);
});

test('a socket option that cannot be set fails the connect attempt with the reason, and the peer retries', async () => {
  const p = new Peer({
    peerAddress: '127.0.0.69',
    localAs: 1,
    peerAs: 2,
    routerId: '1.1.1.1',
    connectRetry: { min: 1, max: 1 },
    security: { md5Key: new Uint8Array(81) },
  });
  const down = new Promise<string>((resolve) => p.once('down', (i) => resolve(i.reason)));
  p.start();
  assert.equal(await down, 'connect failed: TCP MD5 key longer than 80 bytes');
  await p.stop();
});

const until = (p: Peer, s: StateName, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (p.state === s) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    p.on('state', (_f, to) => {
      if (to !== s) return;
      clearTimeout(t);
      resolve(true);
    });
  });

test('sessions: the listener carries each peer key, keys follow add and remove, TTLs on both ends', async () => {
  const A = '127.0.0.67';
  const B = '127.0.0.68';
  const l = new Listener({ addresses: [B], port: 0 });
  const sec = { md5Key: bytes('k1'), outgoingTtl: 255, incomingTtl: 255 };
  const passive = (s: TcpSecurity) =>
    new Peer({ name: 'B', peerAddress: A, localAs: 2, peerAs: 1, routerId: '2.2.2.2', passive: true, security: s });
  let pb = passive(sec);
  l.add(pb);
  await l.listen();
  const active = (s: TcpSecurity) =>
    new Peer({
      name: 'A',
      peerAddress: B,
      peerPort: l.ports[0],
      localAddress: A,
      localAs: 1,
      peerAs: 2,
      routerId: '1.1.1.1',
      connectRetry: { min: 1, max: 1 },
      security: s,
    });
  let pa = active(sec);
  pb.start();
  pa.start();
  assert.deepEqual(await Promise.all([until(pa, 'Established', 5000), until(pb, 'Established', 5000)]), [true, true]);
  await pa.stop();
  // The configuration changes the key: the old peer leaves the listener (its key goes), the new one comes.
  l.remove(pb);
  await pb.stop();
  pb = passive({ ...sec, md5Key: bytes('k2') });
  l.add(pb);
  pb.start();
  pa = active(sec);
  pa.start();
  assert.equal(await until(pb, 'Established', 3000), false, 'old key refused');
  await pa.stop();
  pa = active({ ...sec, md5Key: bytes('k2') });
  pa.start();
  assert.equal(await until(pb, 'Established', 5000), true, 'new key accepted');
  await pa.stop();
  await pb.stop();
  await l.close();
});

test('a listener made without keys gets one when a peer with a key is added (a reload)', async () => {
  const l = new Listener({ addresses: ['127.0.0.72'], port: 0 });
  await l.listen();
  const port = l.ports[0];
  const p = new Peer({
    peerAddress: '127.0.0.73',
    localAs: 2,
    peerAs: 1,
    routerId: '2.2.2.2',
    passive: true,
    security: { md5Key: bytes('late') },
  });
  l.add(p);
  p.start();
  const accepted: boolean[] = [];
  l.on('connection', (_p, ok) => accepted.push(ok));
  assert.equal(await attempt('127.0.0.72', port, '127.0.0.73', {}), 'nothing');
  const c = secureSocket('127.0.0.72', { md5Key: bytes('late') });
  c.connect({ host: '127.0.0.72', port, localAddress: '127.0.0.73' });
  const [first] = (await once(c, 'data')) as [Buffer];
  assert.equal(first[18], 1, 'the peer sent its OPEN over the signed connection');
  assert.deepEqual(accepted, [true]);
  c.destroy();
  await p.stop();
  await l.close();
});
