// `show neighbor summary` as ExaBGP 4.2 prints it (reactor/api/command/neighbor.py): its header, a row per
// established peer only, `%-15s %-7s %9s %-12s %10d %10d` with the time up as Python's timedelta and the
// UPDATE messages (End-of-RIB included) sent and received in the session, not routes.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import { showNeighbor, timedelta } from '../../../src/daemon/show';
import { allocAddress, freePort, makeTempDir, removeTempDirs, sleep, waitFor } from '../../interop/peers/common';

test('timedelta is Python str(timedelta)', () => {
  assert.equal(timedelta(1), '0:00:01');
  assert.equal(timedelta(3723), '1:02:03');
  assert.equal(timedelta(86400 + 5), '1 day, 0:00:05');
  assert.equal(timedelta(3 * 86400 + 36000), '3 days, 10:00:00');
});

test('summary: ExaBGP layout, established peers only, UPDATE messages counted', { timeout: 30_000 }, async (t) => {
  t.after(removeTempDirs);
  const dir = makeTempDir('summary');
  const [a, b, idle] = [allocAddress(), allocAddress(), allocAddress()];
  const port = await freePort(b);
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  // A sends three routes in two UPDATEs (two attribute sets) and one End-of-RIB to B; B sends only its End-of-RIB.
  const confA = write(
    'a.conf',
    `neighbor ${b} {\n router-id 10.0.0.1; local-address ${a}; local-as 65001; peer-as 65002; connect ${port};\n family { ipv4 unicast; }\n` +
      ` static {\n  route 10.1.0.0/24 next-hop 192.0.2.1;\n  route 10.1.1.0/24 next-hop 192.0.2.1;\n` +
      `  route 10.1.2.0/24 next-hop 192.0.2.1 med 7;\n }\n}\n` +
      `neighbor ${idle} {\n router-id 10.0.0.1; local-address ${a}; local-as 65001; peer-as 65003; passive;\n}\n`,
  );
  const confB = write(
    'b.conf',
    `neighbor ${a} {\n router-id 10.0.0.2; local-address ${b}; local-as 65002; peer-as 65001; passive;\n family { ipv4 unicast; }\n}\n`,
  );
  const quiet = new Logger({ write: () => {} });
  const dB = new Daemon({
    configFile: confB,
    env: loadEnv({ env: { 'exabgp.tcp.bind': b, 'exabgp.tcp.port': String(port) } }),
    log: quiet,
  });
  const dA = new Daemon({ configFile: confA, env: loadEnv({ env: {} }), log: quiet });
  await dB.start();
  await dA.start();
  try {
    await waitFor(() => dB.neighbors[0]!.updatesReceived >= 3, 15_000, 'three UPDATEs at B');
    await sleep(1100); // ExaBGP shows 'down' in the session's first second
    const sa = showNeighbor(dA, 'summary');
    assert.equal(sa.length, 2, sa.join('\n'));
    assert.equal(sa[0], 'Peer            AS        up/down state       |     #sent     #recvd');
    assert.match(sa[1]!, new RegExp(`^${b.padEnd(15)} 65002   \\s*0:00:0\\d established           3          1$`));
    assert.equal(sa[1]!.length, 15 + 1 + 7 + 1 + 9 + 1 + 12 + 1 + 10 + 1 + 10);
    const sb = showNeighbor(dB, 'summary');
    assert.match(sb[1]!, new RegExp(`^${a.padEnd(15)} 65001   \\s*0:00:0\\d established           1          3$`));
    assert.deepEqual(showNeighbor(dA, 'summary', idle), [sa[0]]);
  } finally {
    await dA.shutdown('test over');
    await dB.shutdown('test over');
  }
});
