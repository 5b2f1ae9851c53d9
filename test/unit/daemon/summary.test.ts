// `show neighbor summary` as ExaBGP 4.2 prints it (reactor/api/command/neighbor.py): its header, a row per
// established peer only, `%-15s %-7s %9s %-12s %10d %10d` with the time up as Python's timedelta and the
// UPDATE messages (End-of-RIB included) sent and received in the session, not routes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { showNeighbor, timedelta } from '../../../src/daemon/show';
import { allocAddress, removeTempDirs, sleep, waitFor } from '../../interop/peers/common';
import { startPair } from './pair';

test('timedelta is Python str(timedelta)', () => {
  assert.equal(timedelta(1), '0:00:01');
  assert.equal(timedelta(3723), '1:02:03');
  assert.equal(timedelta(86400 + 5), '1 day, 0:00:05');
  assert.equal(timedelta(3 * 86400 + 36000), '3 days, 10:00:00');
});

test('summary: ExaBGP layout, established peers only, UPDATE messages counted', { timeout: 30_000 }, async (t) => {
  t.after(removeTempDirs);
  const idle = allocAddress();
  // A sends three routes in two UPDATEs (two attribute sets) and one End-of-RIB to B; B sends only its End-of-RIB.
  const p = await startPair(
    'summary',
    [
      'route 10.1.0.0/24 next-hop 192.0.2.1',
      'route 10.1.1.0/24 next-hop 192.0.2.1',
      'route 10.1.2.0/24 next-hop 192.0.2.1 med 7',
    ],
    (addrA) =>
      `neighbor ${idle} {\n router-id 10.0.0.1; local-address ${addrA}; local-as 65001; peer-as 65003; passive;\n}\n`,
  );
  try {
    await waitFor(() => p.b.neighbors[0]!.updatesReceived >= 3, 15_000, 'three UPDATEs at B');
    await sleep(1100); // ExaBGP shows 'down' in the session's first second
    const sa = showNeighbor(p.a, 'summary');
    assert.equal(sa.length, 2, sa.join('\n'));
    assert.equal(sa[0], 'Peer            AS        up/down state       |     #sent     #recvd');
    assert.match(
      sa[1]!,
      new RegExp(`^${p.addrB.padEnd(15)} 65002   \\s*0:00:0\\d established           3          1$`),
    );
    assert.equal(sa[1]!.length, 15 + 1 + 7 + 1 + 9 + 1 + 12 + 1 + 10 + 1 + 10);
    const sb = showNeighbor(p.b, 'summary');
    assert.match(
      sb[1]!,
      new RegExp(`^${p.addrA.padEnd(15)} 65001   \\s*0:00:0\\d established           1          3$`),
    );
    assert.deepEqual(showNeighbor(p.a, 'summary', idle), [sa[0]]);
  } finally {
    await p.stop();
  }
});
