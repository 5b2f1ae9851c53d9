import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as net from 'node:net';
import { test } from 'node:test';
import { AdjRibIn } from '../../../src/rib/adj-rib-in';
import { AdjRibOut } from '../../../src/rib/adj-rib-out';
import { FakeClock } from '../../../src/session/clock';
import type { StateName } from '../../../src/session/fsm';
import { Listener } from '../../../src/session/listener';
import { Peer, type PeerOptions } from '../../../src/session/peer';
import { Framer } from '../../../src/wire/framer';
import { encodeKeepalive } from '../../../src/wire/keepalive';
import { encodeNotification } from '../../../src/wire/notification';
import { decodeOpen, encodeOpen } from '../../../src/wire/open';
import { IPV4_UNICAST, MessageType, type Open } from '../../../src/wire/types';

const until = (p: Peer, s: StateName, ms = 5000) =>
  new Promise<void>((resolve, reject) => {
    if (p.state === s) return resolve();
    const t = setTimeout(() => reject(new Error(`${p.name} not ${s} (is ${p.state})`)), ms);
    const on = (_f: StateName, to: StateName) => {
      if (to === s) {
        clearTimeout(t);
        p.off('state', on);
        resolve();
      }
    };
    p.on('state', on);
  });

async function pair(a: Partial<PeerOptions> = {}, b: Partial<PeerOptions> = {}) {
  const listener = new Listener({ addresses: ['127.0.0.1'], port: 0 });
  await listener.listen();
  // A connects from its own address: a next hop naming the receiver's own address is ignored (RFC 4271 §6.3).
  const pb = new Peer({
    name: 'B',
    peerAddress: '127.0.0.2',
    localAs: 65002,
    peerAs: 65001,
    routerId: '2.2.2.2',
    passive: true,
    holdTime: 30,
    ...b,
  });
  listener.add(pb);
  const pa = new Peer({
    name: 'A',
    peerAddress: '127.0.0.1',
    localAddress: '127.0.0.2',
    peerPort: listener.ports[0],
    localAs: 65001,
    peerAs: 65002,
    routerId: '1.1.1.1',
    holdTime: 90,
    connectRetry: { min: 0.05, max: 0.2 },
    ...a,
  });
  pb.start();
  pa.start();
  const close = async () => {
    await Promise.all([pa.stop(), pb.stop()]);
    await listener.close();
  };
  return { pa, pb, listener, close };
}

test('two peers reach Established over loopback and negotiate', async () => {
  const { pa, pb, close } = await pair();
  const opens: string[] = [];
  pa.on('open', (d) => opens.push(d));
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  assert.equal(pa.negotiated!.holdTime, 30);
  assert.equal(pa.negotiated!.keepaliveTime, 10);
  assert.equal(pa.negotiated!.asn4, true);
  assert.equal(pa.negotiated!.peerAs, 65002);
  assert.equal(pb.negotiated!.ibgp, false);
  assert.ok(pa.outgoing && !pb.outgoing);
  const down = once(pb, 'down');
  const notif = once(pb, 'notification');
  await pa.stop('maintenance');
  const [dir, n, text] = await notif;
  assert.equal(dir, 'received');
  assert.deepEqual([n.code, n.subcode], [6, 2]);
  assert.match(text, /Administrative Shutdown/);
  assert.match(text, /maintenance/);
  const [info] = await down;
  assert.equal(info.wasEstablished, true);
  await close();
});

test('graceful restart: R and F bits in the OPEN; a graceful stop closes without NOTIFICATION only when negotiated', async () => {
  const gr = { gracefulRestart: { restartTime: 120, restarting: true, forwarding: true } };
  const { pa, pb, close } = await pair(
    { capabilities: gr },
    { capabilities: { gracefulRestart: { restartTime: 90 } } },
  );
  const opens: Open[] = [];
  pb.on('open', (d, o) => d === 'received' && opens.push(o));
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  const cap = opens[0]!.capabilities.find((c) => c.code === 64) as {
    restartFlags: number;
    restartTime: number;
    families: { flags: number }[];
  };
  assert.equal(cap.restartFlags, 0x8, 'R bit');
  assert.equal(cap.restartTime, 120);
  assert.deepEqual(
    cap.families.map((f) => f.flags),
    [0x80],
    'F bit per family',
  );
  assert.equal(pb.negotiated!.gracefulRestart!.restarting, true);
  let notified = false;
  pb.on('notification', () => {
    notified = true;
  });
  const down = once(pb, 'down');
  await pa.stop('restarting', undefined, { graceful: true });
  const [info] = await down;
  assert.equal(notified, false, 'no NOTIFICATION on a graceful stop');
  assert.equal(info.graceful, true, 'the receiving side keeps the routes stale');
  await close();

  // Without graceful restart on the other side, the same stop sends the Cease.
  const p2 = await pair({ capabilities: gr });
  await Promise.all([until(p2.pa, 'Established'), until(p2.pb, 'Established')]);
  const notif = once(p2.pb, 'notification');
  await p2.pa.stop('restarting', undefined, { graceful: true });
  const [, n] = await notif;
  assert.deepEqual([n.code, n.subcode], [6, 2]);
  await p2.close();
});

test('a few thousand routes go from Adj-RIB-Out of one to Adj-RIB-In of the other, then End-of-RIB', async () => {
  const { pa, pb, close } = await pair();
  const out = new AdjRibOut();
  for (let i = 0; i < 5000; i++) {
    const entry = Uint8Array.of(24, 10, (i >> 8) & 255, i & 255);
    out.announce(IPV4_UNICAST, entry, { origin: 0, med: i % 7 }, { nextHop: 'self' });
  }
  out.onWork = () => pa.wake();
  pa.on('established', (n) => {
    out.attach({ ...n, localAddress: pa.localAddress!, families: n.families, addPathSend: n.addPathSend });
    pa.setSource(out);
  });
  pa.on('down', () => out.detach());
  const rib = new AdjRibIn();
  let eor = false;
  const done = new Promise<void>((resolve) =>
    pb.on('update', (u, n, body) => {
      const r = rib.apply(u, { body, asn4: n.asn4 });
      if (r.endOfRib === IPV4_UNICAST) {
        eor = true;
        resolve();
      }
    }),
  );
  await done;
  assert.ok(eor);
  assert.equal(rib.size, 5000);
  assert.equal(rib.interner.size, 7);
  const r = rib.getIpv4(Uint8Array.of(10, 19, 135, 0), 24)!;
  assert.deepEqual(
    r.attributes.attributes.asPath,
    [{ type: 2, asns: [65001] }],
    'eBGP: a route without AS_PATH gets our AS',
  );
  assert.deepEqual(Uint8Array.from(r.attributes.attributes.nextHop!), Uint8Array.of(127, 0, 0, 2), 'next-hop self');
  assert.equal(r.attributes.attributes.localPref, undefined);
  // Withdraw a few: they arrive as withdrawals.
  const gone = new Promise<void>((resolve) => pb.on('update', () => rib.size === 4990 && resolve()));
  for (let i = 0; i < 10; i++) out.withdraw(IPV4_UNICAST, Uint8Array.of(24, 10, 0, i));
  await gone;
  assert.equal(rib.getIpv4(Uint8Array.of(10, 0, 0, 3), 24), undefined);
  await close();
});

test('hold timer expiry with a fake clock: NOTIFICATION 4/0 and down', async () => {
  const clock = new FakeClock();
  const { pa, pb, close } = await pair({ clock }, {});
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  const got = once(pb, 'notification');
  const down = once(pa, 'down');
  clock.advance(30_000);
  const [info] = await down;
  assert.equal(info.reason.includes('Hold Timer') || info.reason.includes('hold timer'), true, info.reason);
  const [dir, n] = await got;
  assert.equal(dir, 'received');
  assert.deepEqual([n.code, n.subcode], [4, 0]);
  assert.equal(pa.state, 'Idle');
  await close();
});

test('keepalives go out every hold/3 on the fake clock', async () => {
  const clock = new FakeClock();
  const { pa, pb, close } = await pair({ clock, holdTime: 9 }, { holdTime: 9 });
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  let kept = 0;
  pb.on('keepalive', (d) => d === 'received' && kept++);
  // B runs on real time and sends nothing within the test, so A's hold timer (9 s) bounds the fake time.
  for (let i = 0; i < 2; i++) {
    clock.advance(3000);
    await new Promise((r) => setTimeout(r, 30));
  }
  assert.equal(kept, 2);
  assert.equal(pa.state, 'Established');
  await close();
});

test('hold time 0: Established without timers', async () => {
  const clock = new FakeClock();
  const { pa, pb, close } = await pair({ clock, holdTime: 0 }, { holdTime: 0 });
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  assert.equal(pa.negotiated!.holdTime, 0);
  assert.equal(clock.pending, 0);
  clock.advance(10 * 3600_000);
  assert.equal(pa.state, 'Established');
  await close();
});

test('wrong peer AS: OPEN refused with 2/2', async () => {
  const { pa, pb, close } = await pair({ peerAs: 65099 });
  const [dir, n] = await once(pa, 'notification');
  assert.equal(dir, 'sent');
  assert.deepEqual([n.code, n.subcode], [2, 2]);
  const [d2, n2] = await once(pb, 'notification');
  assert.equal(d2, 'received');
  assert.deepEqual([n2.code, n2.subcode], [2, 2]);
  await close();
});

test('unsupported capability: the next OPEN leaves it out', async () => {
  const opens: Open[] = [];
  const server = net.createServer((s) => {
    const f = new Framer();
    s.on('data', (c) => {
      f.push(c);
      for (let m = f.next(); m; m = f.next()) {
        if (m.type !== MessageType.OPEN) continue;
        opens.push(decodeOpen(m.body));
        // Refuse ADD-PATH (code 69) and the ipv6 unicast MP capability.
        s.end(encodeNotification({ code: 2, subcode: 7, data: Uint8Array.of(69, 4, 0, 1, 1, 3, 1, 4, 0, 2, 0, 1) }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const pa = new Peer({
    peerAddress: '127.0.0.1',
    peerPort: (server.address() as net.AddressInfo).port,
    localAs: 65001,
    peerAs: 65002,
    routerId: '1.1.1.1',
    families: [IPV4_UNICAST, 0x201],
    capabilities: { addPath: [{ family: IPV4_UNICAST, mode: 3 }] },
    connectRetry: { min: 0.02, max: 0.05 },
  });
  pa.start();
  while (opens.length < 2) await new Promise((r) => setTimeout(r, 20));
  await pa.stop();
  server.close();
  const codes = (o: Open) =>
    o.capabilities.map((c) => (c.code === 1 ? `mp${(c as { afi: number }).afi}` : String(c.code)));
  assert.ok(codes(opens[0]).includes('69') && codes(opens[0]).includes('mp2'));
  assert.deepEqual(codes(opens[1]).sort(), ['2', '65', 'mp1'].sort());
});

test('connection collision: the connection initiated by the higher router id survives (RFC 4271 §6.8)', async () => {
  // Servers that hold an incoming connection until their peer's own connection is in OpenSent.
  const mk = () => {
    const held: net.Socket[] = [];
    const srv = net.createServer((s) => held.push(s));
    return { srv, held };
  };
  const sa = mk();
  const sb = mk();
  sa.srv.listen(0, '127.0.0.1');
  sb.srv.listen(0, '127.0.0.2');
  await Promise.all([once(sa.srv, 'listening'), once(sb.srv, 'listening')]);
  const pa = new Peer({
    name: 'A',
    peerAddress: '127.0.0.2',
    localAddress: '127.0.0.1',
    peerPort: (sb.srv.address() as net.AddressInfo).port,
    localAs: 65001,
    peerAs: 65002,
    routerId: '1.1.1.1',
    connectRetry: { min: 5, max: 5 },
  });
  const pb = new Peer({
    name: 'B',
    peerAddress: '127.0.0.1',
    localAddress: '127.0.0.2',
    peerPort: (sa.srv.address() as net.AddressInfo).port,
    localAs: 65002,
    peerAs: 65001,
    routerId: '2.2.2.2',
    connectRetry: { min: 5, max: 5 },
  });
  const kept: string[] = [];
  pa.on('collision', (k) => kept.push(`A ${k}`));
  pb.on('collision', (k) => kept.push(`B ${k}`));
  pa.start();
  pb.start();
  await Promise.all([until(pa, 'OpenSent'), until(pb, 'OpenSent')]);
  while (sa.held.length === 0 || sb.held.length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.ok(pa.accept(sa.held[0]));
  assert.ok(pb.accept(sb.held[0]));
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  // B (2.2.2.2) is higher: its outgoing connection stays.
  assert.equal(pb.outgoing, true);
  assert.equal(pa.outgoing, false);
  assert.deepEqual(kept.sort(), ['A remote', 'B local']);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(pa.state, 'Established');
  assert.equal(pb.state, 'Established');
  await Promise.all([pa.stop(), pb.stop()]);
  sa.srv.close();
  sb.srv.close();
});

test('a slow reader does not delay keepalives to another peer, and UPDATE generation waits for it', async () => {
  // The slow peer: answers the handshake by hand, then never reads again.
  const slowSrv = net.createServer((s) => {
    const f = new Framer();
    s.on('data', (c) => {
      f.push(c);
      for (let m = f.next(); m; m = f.next()) {
        if (m.type === MessageType.OPEN) {
          s.write(
            encodeOpen({
              version: 4,
              myAs: 65003,
              holdTime: 0,
              routerId: Uint8Array.of(3, 3, 3, 3),
              capabilities: [{ code: 65, asn: 65003 }],
            }),
          );
          s.write(encodeKeepalive());
        }
        if (m.type === MessageType.KEEPALIVE) s.pause();
      }
    });
  });
  slowSrv.listen(0, '127.0.0.3');
  await once(slowSrv, 'listening');
  const slow = new Peer({
    name: 'slow',
    peerAddress: '127.0.0.3',
    peerPort: (slowSrv.address() as net.AddressInfo).port,
    localAs: 65001,
    peerAs: 65003,
    routerId: '1.1.1.1',
    holdTime: 0,
  });
  let pulled = 0;
  // An endless source of 4 KiB UPDATEs.
  const msg = new Uint8Array(4096).fill(0xff);
  msg[16] = 0x10;
  msg[17] = 0;
  msg[18] = 2;
  slow.setSource({
    pull: (max) => {
      pulled += max;
      return new Array(max).fill(msg);
    },
  });
  slow.start();
  await until(slow, 'Established');
  // Meanwhile a normal pair with a short hold time keeps its session.
  const { pa, pb, close } = await pair({ holdTime: 3 }, { holdTime: 3 });
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  let kept = 0;
  pb.on('keepalive', (d) => d === 'received' && kept++);
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(pa.state, 'Established');
  assert.ok(kept >= 2, `keepalives ${kept}`);
  const pulledBytes = pulled * 4096;
  console.log(`# slow reader: ${(pulledBytes / 2 ** 20).toFixed(1)} MiB of UPDATEs generated before backpressure held`);
  const before = pulled;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(pulled, before, 'no more UPDATEs generated while the socket does not drain');
  assert.ok(pulledBytes < 64 * 2 ** 20);
  await close();
  slow.stop();
  slowSrv.close();
  await new Promise((r) => setTimeout(r, 50));
  // The slow peer never read, so destroy what is left.
  for (const s of [slowSrv]) s.unref();
});

test('pauseReceive: no UPDATE is handled and the hold timer does not run while paused; resume delivers all', async () => {
  const clock = new FakeClock();
  const { pa, pb, close } = await pair({}, { clock });
  await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
  const out = new AdjRibOut();
  for (let i = 0; i < 3000; i++)
    out.announce(
      IPV4_UNICAST,
      Uint8Array.of(24, 10, (i >> 8) & 255, i & 255),
      { origin: 0, med: i % 5 },
      { nextHop: 'self' },
    );
  const rib = new AdjRibIn();
  let paused = false;
  let whilePaused = 0;
  pb.on('update', (u, n, body) => {
    if (paused) whilePaused++;
    rib.apply(u, { body, asn4: n.asn4 });
    // Pause inside the handler, as the daemon does when a process falls behind.
    if (rib.size > 0 && !paused && !pb.receivePaused && rib.size < 3000) {
      pb.pauseReceive();
      paused = true;
    }
  });
  out.onWork = () => pa.wake();
  out.attach({
    ...pa.negotiated!,
    localAddress: pa.localAddress!,
    families: pa.negotiated!.families,
    addPathSend: pa.negotiated!.addPathSend,
  });
  pa.setSource(out);
  while (!paused) await new Promise((r) => setTimeout(r, 5));
  const held = rib.size;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(whilePaused, 0, 'nothing handled while paused');
  assert.equal(rib.size, held);
  // Far past B's hold time (30 s): B heard nothing because it was not listening, which is no reason to reset.
  clock.advance(120_000);
  assert.equal(pb.state, 'Established');
  paused = false;
  pb.resumeReceive();
  const t0 = Date.now();
  while (rib.size < 3000 && Date.now() - t0 < 5000) {
    if (pb.receivePaused) pb.resumeReceive();
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal(rib.size, 3000);
  // Listening again: the hold timer runs again.
  const down = once(pb, 'down');
  clock.advance(30_000);
  await down;
  await close();
});

test("a stall of our own does not expire the hold timer while the peer's KEEPALIVE waits unread", async () => {
  // B runs on a fake clock, so it sends a KEEPALIVE only when told; A runs on real time with hold time 3.
  const clockB = new FakeClock();
  const { pa, pb, close } = await pair({ holdTime: 3 }, { clock: clockB, holdTime: 3 });
  try {
    await Promise.all([until(pa, 'Established'), until(pb, 'Established')]);
    let downs = 0;
    pa.on('down', () => downs++);
    // A's hold timer started with B's last KEEPALIVE, just now: due in 3 s.
    await new Promise((r) => setTimeout(r, 2300));
    // In the check phase, as after any I/O callback: the next loop turn runs due timers before it reads sockets.
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        clockB.advance(1000); // B's KEEPALIVE goes into the socket now...
        const end = performance.now() + 1200;
        while (performance.now() < end); // ...and A's event loop is stuck past its hold time before reading it.
        resolve();
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(downs, 0, 'A dropped the session although the KEEPALIVE had arrived');
    assert.equal(pa.state, 'Established');
  } finally {
    await close();
  }
});
