// The daemon with tsbgp.log.format=json: everything it logs, from start to shutdown, is one JSON object a line,
// with the neighbor on a session's lines and the process on an API process's lines.

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { allocAddress, freePort, stopAll, waitFor } from '../interop/peers/common';
import { e2eDir, NODE, neighborBlock, startTsbgp, writeScript } from './launch';

after(stopAll);

/** An API program that sends one command tsbgp refuses, then keeps reading. */
const REFUSED_JS = `'use strict';
process.stdout.write('announce nonsense\\n');
process.stdin.resume();
`;

describe('tsbgp.log.format=json', () => {
  it('every line is JSON, with neighbor and process fields where they exist', async () => {
    const dir = e2eDir('log-json');
    const local = allocAddress();
    const peer = allocAddress();
    // Nothing listens there: the session goes through Connect and Active, logged with the neighbor.
    const port = await freePort(peer);
    writeScript(dir, 'refused.js', REFUSED_JS);
    const d = await startTsbgp({
      name: 'j',
      dir,
      env: { 'tsbgp.log.format': 'json', 'exabgp.log.level': 'DEBUG' },
      config: [
        `process refused {\n  run ${NODE} ${path.join(dir, 'refused.js')};\n  encoder json;\n}`,
        neighborBlock({
          peer,
          local,
          localAs: 65001,
          peerAs: 65002,
          connect: port,
          extra: ['api {', '  processes [ refused ];', '}'],
        }),
      ].join('\n'),
    });
    const records = () =>
      d
        .log()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(
      () => records().some((r) => r.process === 'refused' && /command refused/.test(String(r.message))),
      15_000,
      'the refused command logged',
    );
    await waitFor(
      () => records().some((r) => r.neighbor === peer && /fsm/.test(String(r.message))),
      15_000,
      'an FSM line',
    );
    await d.stop();
    const all = records();
    for (const r of all) {
      assert.match(String(r.time), /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      assert.ok(['debug', 'info', 'warning', 'error'].includes(String(r.level)), JSON.stringify(r));
      assert.equal(typeof r.message, 'string');
    }
    const started = all.find((r) => r.message === 'process started');
    assert.equal(started?.process, 'refused');
    assert.equal(typeof started?.pid, 'number');
    assert.ok(all.some((r) => /^shutting down/.test(String(r.message))));
  });
});
