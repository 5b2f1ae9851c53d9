// tsbgp's RPKI-to-Router client against StayRTR serving a VRP file written here: the full load (Reset Query), an
// edit of the file reaching the VRP table as an incremental update (Serial Notify, Serial Query, serial + 1) with
// only the changed prefixes reported, RFC 6810 fallback against a version-0-only cache, and preference between
// caches (a dead preferred cache, then the live one); the RFC 8210 §6 timers a cache sends in End of Data honoured,
// failover when the serving cache dies and the way back, Expire with every cache gone, and a restarted cache
// (new session id, answering our Serial Query with a Corrupt Data Error Report) resynchronised by a Reset Query.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RtrClient } from '../../src/rpki/rtr-client';
import { INVALID, NOT_FOUND, VALID, type VrpTable } from '../../src/rpki/vrp-table';
import { parsePrefix } from '../../src/wire/ip';
import { allocEndpoint, skipReason, sleep, stopAll, waitFor } from './peers';
import { StayRtr } from './peers/stayrtr';

const skip = skipReason('stayrtr');
after(stopAll);

function state(t: VrpTable, prefix: string, origin: number): number {
  const p = parsePrefix(prefix)!;
  return t.validate(p.addr.length === 16, p.addr, 0, p.len, origin);
}

function covers(c: VrpTable, prefix: string): boolean {
  const p = parsePrefix(prefix)!;
  return c.covers(p.addr.length === 16, p.addr, 0, p.len);
}

const VRPS = [
  { prefix: '198.51.100.0/24', maxLength: 24, asn: 65001 },
  { prefix: '203.0.113.0/24', maxLength: 25, asn: 65002 },
  { prefix: '2001:db8::/32', maxLength: 48, asn: 65003 },
];

test('RFC 8210: full load, then a file edit arrives as a serial update naming only the changed prefixes', {
  skip,
}, async () => {
  const rtr = new StayRtr();
  await rtr.start(VRPS, { protocol: 1, refresh: 1 });
  const changes: VrpTable[] = [];
  const logs: string[] = [];
  const c = new RtrClient(
    [{ host: rtr.address, port: rtr.port, preference: 10 }],
    {},
    (ch) => changes.push(ch),
    (m) => logs.push(m),
  );
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, '3 VRPs from stayrtr');
    const s0 = c.status();
    assert.equal(s0.version, 1);
    assert.deepEqual(s0.timers, { refresh: 3600, retry: 600, expire: 7200 }, 'RFC 8210 End of Data carries the timers');
    assert.equal(state(c.table, '198.51.100.0/24', 65001), VALID);
    assert.equal(state(c.table, '203.0.113.128/25', 65002), VALID);
    assert.equal(state(c.table, '203.0.113.0/26', 65002), INVALID);
    assert.equal(state(c.table, '2001:db8:5::/48', 65003), VALID);
    assert.equal(state(c.table, '192.0.2.0/24', 65001), NOT_FOUND);
    assert.ok(
      logs.some((l) => l.endsWith('(full)')),
      logs.join('\n'),
    );
    changes.length = 0;

    // 198.51.100.0/24 moves to another AS; the others stay.
    rtr.writeVrps([{ ...VRPS[0]!, asn: 65009 }, VRPS[1]!, VRPS[2]!]);
    await waitFor(() => state(c.table, '198.51.100.0/24', 65001) === INVALID, 5000, 'the edit in the table');
    const s1 = c.status();
    assert.equal(s1.session, s0.session);
    assert.equal(s1.serial, (s0.serial! + 1) >>> 0, 'an incremental update, one serial further');
    assert.equal(state(c.table, '198.51.100.0/24', 65009), VALID);
    assert.equal(c.table.size, 3);
    assert.equal(changes.length, 1);
    assert.equal(covers(changes[0]!, '198.51.100.0/24'), true);
    assert.equal(covers(changes[0]!, '203.0.113.0/24'), false, 'unchanged VRPs are not reported');
    assert.ok(!logs[logs.length - 1]!.endsWith('(full)'), logs.join('\n'));
  } finally {
    c.stop();
    await rtr.stop();
  }
});

test('RFC 6810 fallback: a version-0-only cache is spoken to in version 0', { skip }, async () => {
  const rtr = new StayRtr();
  await rtr.start(VRPS, { protocol: 0, refresh: 1 });
  const c = new RtrClient(
    [{ host: rtr.address, port: rtr.port, preference: 1 }],
    { refresh: 1 },
    () => {},
    () => {},
  );
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, 'VRPs over RFC 6810');
    assert.equal(c.status().version, 0);
    assert.equal(c.status().timers.refresh, 1, 'version 0 carries no timers: ours stay');
    rtr.writeVrps([VRPS[0]!]);
    await waitFor(() => c.table.size === 1, 5000, 'the edit over RFC 6810');
    assert.equal(state(c.table, '203.0.113.0/24', 65002), NOT_FOUND);
  } finally {
    c.stop();
    await rtr.stop();
  }
});

test('preference: an unreachable preferred cache is skipped for the next one', { skip }, async () => {
  const rtr = new StayRtr();
  await rtr.start(VRPS, { protocol: 2, refresh: 1 });
  const dead = await allocEndpoint(); // nothing listens there
  const logs: string[] = [];
  const c = new RtrClient(
    [
      { host: rtr.address, port: rtr.port, preference: 20 },
      { host: dead.address, port: dead.port, preference: 5 },
    ],
    {},
    () => {},
    (m) => logs.push(m),
  );
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, 'VRPs from the second cache');
    assert.equal(c.status().cache, `${rtr.address}:${rtr.port}`);
    assert.equal(c.status().version, 1, 'an 8210bis cache answers version 1 when asked in version 1');
    assert.match(logs[0]!, new RegExp(`${dead.address}:${dead.port}`), 'the preferred cache was tried first');
  } finally {
    c.stop();
    await rtr.stop();
  }
});

/** A client of these caches (address, port, preference) with its changes and log kept. */
function client(caches: [StayRtr, number][], timers: { refresh?: number; retry?: number; expire?: number } = {}) {
  const changes: VrpTable[] = [];
  const logs: string[] = [];
  const c = new RtrClient(
    caches.map(([r, preference]) => ({ host: r.address, port: r.port, preference })),
    timers,
    (ch) => changes.push(ch),
    (m) => logs.push(m),
  );
  return { c, changes, logs };
}

test('RFC 8210 §6: the timers of End of Data win over ours and are honoured (a Serial Query every refresh)', {
  skip,
}, async () => {
  const rtr = new StayRtr();
  await rtr.start(VRPS, { protocol: 1, refresh: 600, timers: { refresh: 1, retry: 2, expire: 700 } });
  const { c, logs } = client([[rtr, 1]], { refresh: 3600, retry: 600, expire: 7200 });
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, 'VRPs');
    assert.deepEqual(c.status().timers, { refresh: 1, retry: 2, expire: 700 });
    const answers = () => logs.filter((l) => / serial \d+: 3 VRPs$/.test(l)).length;
    const before = answers();
    await sleep(3500);
    // The file is read again only every 600 s: these answers are to our own Serial Queries, one a second.
    assert.ok(answers() - before >= 2, logs.join('\n'));
    assert.ok(answers() - before <= 5, logs.join('\n'));
  } finally {
    c.stop();
    await rtr.stop();
  }
});

test('RFC 8210 §5.1: a restarted cache (new session) refuses our Serial Query with Corrupt Data; a Reset Query at once resynchronises', {
  skip,
}, async () => {
  const rtr = new StayRtr();
  const timers = { refresh: 1, retry: 1, expire: 600 };
  await rtr.start(VRPS, { protocol: 1, timers });
  const { c, changes, logs } = client([[rtr, 1]]);
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, 'VRPs');
    const s0 = c.status().session;
    await rtr.stop();
    // StayRTR seeds its session id from the clock in seconds: a restart within the same second may reuse it.
    await sleep(1100);
    // Restarted on the same address with another session id, 198.51.100.0/24 now for AS 65009.
    await rtr.start([{ ...VRPS[0]!, asn: 65009 }, VRPS[1]!, VRPS[2]!], { protocol: 1, timers });
    await waitFor(() => state(c.table, '198.51.100.0/24', 65009) === VALID, 10_000, 'the new session in the table');
    assert.notEqual(c.status().session, s0);
    assert.equal(c.table.size, 3);
    assert.ok(
      logs.some((l) => /Corrupt Data: .*asking for the whole set again$/.test(l)),
      logs.join('\n'),
    );
    // Replaced by difference: the VRPs the new set kept were never withdrawn.
    const last = changes[changes.length - 1]!;
    assert.equal(covers(last, '198.51.100.0/24'), true);
    assert.equal(covers(last, '203.0.113.0/24'), false);
  } finally {
    c.stop();
    await rtr.stop();
  }
});

test('failover: the serving preferred cache dies, the next one serves without a flap; the preferred one back serves again', {
  skip,
}, async () => {
  const a = new StayRtr();
  const b = new StayRtr();
  const timers = { refresh: 1, retry: 1, expire: 600 };
  const extra = { prefix: '192.0.2.0/24', maxLength: 24, asn: 65005 };
  await a.start(VRPS, { protocol: 1, timers });
  await b.start([...VRPS, extra], { protocol: 1, timers });
  const { c, changes } = client([
    [b, 20],
    [a, 10],
  ]);
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, 'VRPs from the preferred cache');
    assert.equal(c.status().cache, `${a.address}:${a.port}`);
    changes.length = 0;
    await a.stop();
    await waitFor(() => c.status().cache === `${b.address}:${b.port}` && c.table.size === 4, 5000, 'the next cache');
    // Only what the second cache has in addition changed: the VRPs both have stayed in force throughout.
    assert.equal(changes.length, 1);
    assert.equal(covers(changes[0]!, '192.0.2.0/24'), true);
    assert.equal(covers(changes[0]!, '198.51.100.0/24'), false);
    await a.start(VRPS, { protocol: 1, timers });
    // A lesser cache serving: the preferred one is tried again every retry interval (1 s here).
    await waitFor(() => c.status().cache === `${a.address}:${a.port}` && c.table.size === 3, 5000, 'back on a');
    assert.equal(state(c.table, '192.0.2.0/24', 65005), NOT_FOUND);
  } finally {
    c.stop();
    await a.stop();
    await b.stop();
  }
});

test('RFC 8210 §6 expire: with every cache gone the VRPs are dropped after Expire (routes become not-found); a cache back restores them', {
  skip,
}, async () => {
  // A version 0 cache sends no timers: ours count, and an Expire under RFC 8210's 600 s keeps the test short.
  const rtr = new StayRtr();
  await rtr.start(VRPS, { protocol: 0 });
  const { c, changes, logs } = client([[rtr, 1]], { refresh: 1, retry: 1, expire: 3 });
  try {
    c.start();
    await waitFor(() => c.table.size === 3, 10_000, 'VRPs');
    changes.length = 0;
    await rtr.stop();
    const gone = Date.now();
    await sleep(1500);
    assert.equal(c.table.size, 3, 'kept before Expire, through the failed retries');
    await waitFor(() => c.table.size === 0, 5000, 'the VRPs dropped');
    // Expire counts from the last End of Data (up to a refresh before the cache went), not from its loss.
    assert.ok(Date.now() - gone >= 1900, `${Date.now() - gone} ms`);
    assert.equal(state(c.table, '198.51.100.0/24', 65001), NOT_FOUND);
    assert.equal(state(c.table, '203.0.113.0/26', 65002), NOT_FOUND, 'an invalid route is not-found now');
    assert.equal(changes.length, 1);
    assert.equal(covers(changes[0]!, '198.51.100.0/24') && covers(changes[0]!, '2001:db8::/32'), true);
    assert.equal(c.status().cache, undefined);
    assert.ok(
      logs.some((l) => /no data for 3 s: 3 VRPs dropped/.test(l)),
      logs.join('\n'),
    );
    await rtr.start(VRPS, { protocol: 0 });
    await waitFor(() => c.table.size === 3, 5000, 'VRPs again');
    assert.equal(state(c.table, '198.51.100.0/24', 65001), VALID);
  } finally {
    c.stop();
    await rtr.stop();
  }
});
