// A route server that originates, through real sessions: three tsbgp daemons in this process on loopback, the route
// server S and two clients, A (AS 1001, announces two prefixes) and B (AS 1002). S's configuration writes a route
// for B for one of A's prefixes. Proven from B's Adj-RIB-In: B holds the route written for it (once: one UPDATE,
// not the route server's path after it) and A's other prefix; A never gets S's route for B; `show rib` lists the
// local path as best and the export view for A says it was written for another client; a program's `withdraw
// route` at S gives B A's path.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import type { Neighbor } from '../../../src/daemon/neighbor';
import { allocAddress, freePort, makeTempDir, waitFor } from '../../interop/peers/common';

test('a route server that originates: the client a route is written for holds it, once; the others never', async () => {
  const dir = makeTempDir('rs-local');
  const [s, a, b] = [allocAddress(), allocAddress(), allocAddress()];
  const port = await freePort(s);
  const file = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const client = (ip: string, as: number, body: string) =>
    `neighbor ${ip} {\n router-id 10.0.0.1; local-address ${s}; local-as 64999; peer-as ${as}; passive;\n` +
    ` route-server-client;\n filter { next-hop any; }\n${body}}\n`;
  const toS = (ip: string, as: number, body: string) =>
    `neighbor ${s} {\n router-id ${ip}; local-address ${ip}; local-as ${as}; peer-as 64999; connect ${port};\n${body}}\n`;
  /** UPDATEs B receives that announce 11.7.0.0/24. */
  let sevens = 0;
  const daemon = (f: string, env: Record<string, string> = {}, onNeighbor?: (n: Neighbor) => void) =>
    new Daemon({ configFile: f, env: loadEnv({ env }), log: new Logger({ write: () => undefined }), onNeighbor });
  const dS = daemon(
    file(
      's.conf',
      client(a, 1001, '') + client(b, 1002, ' static { route 11.7.0.0/24 next-hop 192.0.2.70 as-path [ 64999 ]; }\n'),
    ),
    { 'exabgp.tcp.bind': s, 'exabgp.tcp.port': String(port) },
  );
  const dA = daemon(
    file(
      'a.conf',
      toS(a, 1001, ' static {\n  route 11.7.0.0/24 next-hop 192.0.2.7;\n  route 11.8.0.0/24 next-hop 192.0.2.8;\n }\n'),
    ),
  );
  const dB = daemon(file('b.conf', toS(b, 1002, '')), {}, (n) =>
    n.peer.on('update', (u) => {
      if (Buffer.from(u.nlri.data).includes(Buffer.of(24, 11, 7, 0))) sevens++;
    }),
  );
  const view = (d: Daemon) => {
    const out: Record<string, string> = {};
    for (const x of d.neighbors[0]!.ribIn!.routes()) {
      const at = x.attributes.attributes;
      out[`${x.entry[1]}.${x.entry[2]}.${x.entry[3]}.0/${x.entry[0]}`] =
        `${at.nextHop?.join('.')} ${at.asPath?.flatMap((g) => g.asns).join(' ')}`;
    }
    return out;
  };
  try {
    await dS.start();
    await dA.start();
    await dB.start();
    const want = { '11.7.0.0/24': '192.0.2.70 64999', '11.8.0.0/24': '192.0.2.8 1001' };
    await waitFor(() => isDeepStrictEqual(view(dB), want), 15_000, 'B holds what the route server decides');
    // One UPDATE for the prefix at B: the written route was not followed by the route server's path.
    assert.equal(sevens, 1);
    assert.deepEqual(view(dA), {}, 'A gets neither its own paths back nor the route written for B');
    const shown = JSON.parse(
      (await dS.runner.answer('show rib 11.7.0.0/24 json', 'cli', async () => true)).slice(0, -1).join(''),
    ) as { paths: { from: string; best: boolean }[] };
    assert.deepEqual(
      shown.paths.map((p) => [p.from, p.best]),
      [
        [`local (to ${b})`, true],
        [a, false],
      ],
    );
    // The export view for A: nothing sent, the route for B written for another client, A's own path its own.
    const forA = JSON.parse(
      (await dS.runner.answer(`show rib 11.7.0.0/24 client ${a} json`, 'cli', async () => true)).slice(0, -1).join(''),
    ) as { sent: unknown; paths: { from: string; export: string }[] };
    assert.equal(forA.sent, null);
    assert.deepEqual(
      forA.paths.map((p) => [p.from, p.export]),
      [
        [`local (to ${b})`, 'other-client'],
        [a, 'own'],
      ],
    );
    assert.equal(dS.runner.internal(`neighbor ${b} withdraw route 11.7.0.0/24`, 'test'), null);
    await waitFor(() => view(dB)['11.7.0.0/24'] === '192.0.2.7 1001', 10_000, "A's path at B");
  } finally {
    await dB.shutdown('test over');
    await dA.shutdown('test over');
    await dS.shutdown('test over');
  }
});
