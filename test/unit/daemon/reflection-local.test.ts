// Routes a reflector originates, through real sessions: three tsbgp daemons in this process on loopback, a
// reflector R and two clients, A (which announces three prefixes) and B (which only listens). R's configuration
// writes routes for B: one for a prefix A also announces (LOCAL_PREF equal: R's route wins on local-origin), one
// for a prefix A announces with a higher LOCAL_PREF (A's path wins), one for a prefix nobody else has. Proven
// from B's Adj-RIB-In, R's `show rib` and the HTTP looking glass's lookup: B holds what the decision says; a
// program's `withdraw route` at R gives B A's path; a reload without a route withdraws it from B; A never gets R's
// routes written for B.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import { locRibs, ribLookup } from '../../../src/http/loc-rib';
import { allocAddress, freePort, makeTempDir, waitFor } from '../../interop/peers/common';
import { reflectionLab } from './reflection-lab';

test('a reflector that originates: each client holds what the decision gives it, withdrawals and reloads follow', async () => {
  const { a, b, conf, member, client, reflector, daemon } = await reflectionLab('rr-local');
  const written = (withOnly: boolean) =>
    ' static {\n' +
    '  route 10.7.0.0/24 next-hop 192.0.2.70;\n' +
    '  route 10.9.0.0/24 next-hop 192.0.2.90;\n' +
    (withOnly ? '  route 10.8.0.0/24 next-hop 192.0.2.80;\n' : '') +
    ' }\n';
  const rConf = (withOnly: boolean) => `cluster-id 10.255.0.1;\n${member(a, '')}${member(b, written(withOnly))}`;
  const rFile = conf('r.conf', rConf(true));
  const dR = reflector(rFile);
  const dA = daemon(
    conf(
      'a.conf',
      client(
        a,
        '10.0.0.11',
        ' static {\n  route 10.7.0.0/24 next-hop 192.0.2.7;\n  route 10.9.0.0/24 next-hop 192.0.2.9 local-preference 200;\n' +
          '  route 10.10.0.0/24 next-hop 192.0.2.10;\n }\n',
      ),
    ),
  );
  const dB = daemon(conf('b.conf', client(b, '10.0.0.12', '')));
  /** What a client holds: prefix -> next hop (and ORIGINATOR_ID when reflected). */
  const view = (d: Daemon) => {
    const out: Record<string, string> = {};
    for (const x of d.neighbors[0]!.ribIn!.routes()) {
      const at = x.attributes.attributes;
      const text = `${x.entry[1]}.${x.entry[2]}.${x.entry[3]}.0/${x.entry[0]}`;
      out[text] = `${at.nextHop?.join('.')}${at.originatorId ? ` from ${at.originatorId.join('.')}` : ''}`;
    }
    return out;
  };
  const show = async (line: string) =>
    JSON.parse((await dR.runner.answer(line, 'cli', async () => true)).slice(0, -1).join('')) as {
      paths: { from: string; best: boolean; beatenOn?: string; nextHop: string }[];
    };
  try {
    await dR.start();
    await dA.start();
    await dB.start();
    const want = {
      '10.7.0.0/24': '192.0.2.70',
      '10.8.0.0/24': '192.0.2.80',
      '10.9.0.0/24': '192.0.2.9 from 10.0.0.11',
      '10.10.0.0/24': '192.0.2.10 from 10.0.0.11',
    };
    await waitFor(() => isDeepStrictEqual(view(dB), want), 15_000, 'B holds what the decision says');
    assert.deepEqual(view(dB), want);
    // R's own routes for B never reach A: A holds nothing (its own paths do not come back).
    assert.deepEqual(view(dA), {});
    const p7 = await show('show rib 10.7.0.0/24 json');
    assert.deepEqual(
      p7.paths.map((p) => [p.from, p.best, p.beatenOn]),
      [
        [`local (to ${b})`, true, undefined],
        [a, false, 'local-origin'],
      ],
    );
    // The HTTP looking glass answers the same.
    const http = ribLookup(dR, locRibs(dR), '10.7.0.0/24', 'exact') as {
      routes: { table: string; paths: { from: string; best: boolean; beatenOn?: string }[] }[];
    };
    assert.deepEqual(
      http.routes.map((r) => [r.table, r.paths.map((p) => [p.from, p.best, p.beatenOn])]),
      [['route-reflector', p7.paths.map((p) => [p.from, p.best, p.beatenOn])]],
    );
    const p9 = await show('show rib 10.9.0.0/24 json');
    assert.deepEqual(
      p9.paths.map((p) => [p.from, p.beatenOn]),
      [
        [a, undefined],
        [`local (to ${b})`, 'local-pref'],
      ],
    );

    // A program withdraws R's route for 10.7.0.0/24: the decision runs again, B gets A's path.
    assert.equal(dR.runner.internal(`neighbor ${b} withdraw route 10.7.0.0/24`, 'test'), null);
    await waitFor(() => view(dB)['10.7.0.0/24'] === '192.0.2.7 from 10.0.0.11', 10_000, "A's path at B");
    assert.deepEqual(
      (await show('show rib 10.7.0.0/24 json')).paths.map((p) => p.from),
      [a],
    );

    // A reload without 10.8.0.0/24: withdrawn from B, gone from the Loc-RIB.
    fs.writeFileSync(rFile, rConf(false));
    assert.match(await dR.reload(), /reloaded: 2 neighbor\(s\) kept/);
    await waitFor(() => view(dB)['10.8.0.0/24'] === undefined, 10_000, '10.8.0.0/24 withdrawn from B');
    assert.deepEqual((await show('show rib 10.8.0.0/24 json')).paths, []);
    // The reload wrote 10.7.0.0/24 for B again: R's route is back at B.
    await waitFor(() => view(dB)['10.7.0.0/24'] === '192.0.2.70', 10_000, "R's route back at B");
  } finally {
    await dB.shutdown('test over');
    await dA.shutdown('test over');
    await dR.shutdown('test over');
  }
});

test('a configuration without a role builds no Loc-RIB and leaves the Adj-RIB-Out as ExaBGP has it', async () => {
  const dir = makeTempDir('rr-none');
  const r = allocAddress();
  const file = path.join(dir, 'plain.conf');
  fs.writeFileSync(
    file,
    `neighbor ${allocAddress()} {\n router-id 10.0.0.1; local-address ${r}; local-as 65000; peer-as 65000; passive;\n` +
      ' static { route 10.7.0.0/24 next-hop 192.0.2.70; }\n}\n',
  );
  const d = new Daemon({
    configFile: file,
    env: loadEnv({ env: { 'exabgp.tcp.bind': r, 'exabgp.tcp.port': String(await freePort(r)) } }),
    log: new Logger({ write: () => undefined }),
  });
  try {
    await d.start();
    assert.equal(d.reflector, null);
    assert.equal(d.routeServer, null);
    const n = d.neighbors[0]!;
    assert.equal(n.ribOut.origin, null);
    assert.equal(n.ribOut.size, 1);
  } finally {
    await d.shutdown('test over');
  }
});
