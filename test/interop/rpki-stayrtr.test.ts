// tsbgp's RPKI-to-Router client against StayRTR serving a VRP file written here: the full load (Reset Query), an
// edit of the file reaching the VRP table as an incremental update (Serial Notify, Serial Query, serial + 1) with
// only the changed prefixes reported, RFC 6810 fallback against a version-0-only cache, and preference between
// caches (a dead preferred cache, then the live one).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RtrClient } from '../../src/rpki/rtr-client';
import { INVALID, NOT_FOUND, VALID, type VrpTable } from '../../src/rpki/vrp-table';
import { parsePrefix } from '../../src/wire/ip';
import { allocEndpoint, skipReason, stopAll, waitFor } from './peers';
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
