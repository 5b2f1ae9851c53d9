// tsbgp's `expires SECONDS` on `announce route` (what the DDoS mitigator's RTBH routes carry): the neighbor
// withdraws the route by itself at its expiry; announcing it again with `expires` moves the expiry, without it
// takes the expiry away, and a withdrawal cancels it. ADD-PATH paths of one prefix expire apart. The keyword is
// the API's: a configuration's static route refuses it. A daemon in this process with one passive neighbor.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadEnv } from '../../../src/config/env';
import { parseConfig } from '../../../src/config/parser';
import { parseRoute } from '../../../src/config/route';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import type { Neighbor } from '../../../src/daemon/neighbor';
import { AFI, familyKey, SAFI } from '../../../src/wire/types';

const IPV4_UNICAST = familyKey(AFI.IPV4, SAFI.UNICAST);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-route-expiry-'));
let d: Daemon;
let n: Neighbor;
const logs: string[] = [];

before(async () => {
  const conf = path.join(dir, 'expiry.conf');
  fs.writeFileSync(
    conf,
    'neighbor 127.0.0.2 {\n  router-id 127.0.0.1;\n  local-address 127.0.0.1;\n  local-as 65001;\n  peer-as 65002;\n  passive;\n  family { ipv4 unicast; }\n}\n',
  );
  d = new Daemon({
    configFile: conf,
    env: loadEnv({ env: {} }),
    log: new Logger({ write: (l) => logs.push(l) }, 'info'),
    controlSocket: '',
  });
  await d.start();
  n = d.neighbors[0]!;
});

after(async () => {
  await d.shutdown('test over');
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = (line: string) => assert.equal(d.runner.internal(line, 'ddos'), null, line);
/** The IPv4 unicast /32 is in the Adj-RIB-Out (path id 0). */
const held = (host: string): boolean =>
  n.ribOut.has(IPV4_UNICAST, Uint8Array.from([32, ...host.split('.').map(Number)]));

test('expires: parsed on API announcements only, at least 1 second', () => {
  assert.equal(parseRoute('203.0.113.5/32 next-hop 192.0.2.66 expires 600', { expires: true }).expiresIn, 600);
  assert.equal(parseRoute('203.0.113.5/32 next-hop 192.0.2.66', { expires: true }).expiresIn, undefined);
  assert.throws(() => parseRoute('203.0.113.5/32 next-hop 192.0.2.66 expires 0', { expires: true }), /expires/);
  assert.throws(() => parseRoute('203.0.113.5/32 next-hop 192.0.2.66 expires 600'), /found 'expires'/);
  assert.throws(
    () =>
      parseConfig(
        'neighbor 192.0.2.1 { local-as 1; peer-as 2; static { route 203.0.113.5/32 next-hop 192.0.2.66 expires 60; } }\n',
        'x.conf',
      ),
    /x\.conf:1:\d+: .*expires/,
  );
  assert.match(d.runner.internal('withdraw route 203.0.113.5/32 expires 5', 'cli') ?? '', /expires/);
});

test('a route announced with expires is withdrawn by itself; refreshed, re-announced without it or withdrawn, it is not', async () => {
  const bh = 'next-hop 192.0.2.66 community [ 65535:666 ]';
  run(`announce route 203.0.113.5/32 ${bh} expires 1`);
  run(`announce route 203.0.113.6/32 ${bh} expires 1`);
  run(`announce route 203.0.113.6/32 ${bh}`);
  run(`announce route 203.0.113.7/32 ${bh} expires 1`);
  run('withdraw route 203.0.113.7/32');
  run(`announce route 203.0.113.8/32 ${bh} expires 1`);
  run(`announce route 203.0.113.8/32 ${bh} expires 3`);
  run(`announce route 203.0.113.9/32 ${bh} path-information 1 expires 1`);
  run(`announce route 203.0.113.9/32 ${bh} path-information 2 expires 3`);
  assert.equal(n.timedRoutes.size, 4);
  assert.ok(held('203.0.113.5'));
  await sleep(1500);
  assert.ok(!held('203.0.113.5'), 'expired');
  assert.ok(held('203.0.113.6'), 'announced again without expires: kept');
  assert.ok(!held('203.0.113.7'), 'withdrawn');
  assert.ok(held('203.0.113.8'), 'refreshed with a later expiry: kept');
  assert.equal(n.timedRoutes.size, 2, 'path 1 of 203.0.113.9/32 expired, path 2 not');
  assert.ok(
    logs.some((l) => /route expired and withdrawn: 203\.0\.113\.5\/32/.test(l)),
    logs.join('\n'),
  );
});
