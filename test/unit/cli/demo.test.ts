// `npm start` must show the whole loop on a fresh machine: this runs the demo (quick pace) and checks that
// the anycast address was announced, withdrawn and announced again, and that the guard refused the bad rule.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';

const BIN = path.resolve(__dirname, '../../../../bin/tsbgp.js');

test('tsbgp demo: health check announces/withdraws, FlowSpec rule changes live, guard refuses', {
  timeout: 60_000,
}, async () => {
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [BIN, 'demo', '--quick'], { timeout: 50_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout + stderr),
    ),
  );
  const json = out
    .split('\n')
    .filter((l) => l.includes('[collector] JSON: '))
    .map(
      (l) =>
        JSON.parse(l.slice(l.indexOf('JSON: ') + 6)) as {
          neighbor: { message: { update: Record<string, Record<string, unknown>> } };
        },
    );
  const updates = json.map((j) => j.neighbor.message.update);
  const anycast = (u: Record<string, Record<string, unknown>>, k: 'announce' | 'withdraw'): boolean =>
    JSON.stringify(u[k]?.['ipv4 unicast'] ?? '').includes('192.0.2.10/32');
  const firstUp = updates.findIndex((u) => anycast(u, 'announce'));
  const down = updates.findIndex((u, i) => i > firstUp && anycast(u, 'withdraw'));
  const upAgain = updates.findIndex((u, i) => i > down && anycast(u, 'announce'));
  assert.ok(firstUp >= 0 && down > firstUp && upAgain > down, `announce, withdraw, announce in order:\n${out}`);
  assert.ok(
    updates.some((u) => JSON.stringify(u).includes('rate-limit:1000000')),
    'rate-limit rule reached the collector',
  );
  assert.match(out, /error: flow rule refused: .*TCP port 179/);
  assert.match(out, /192\.0\.2\.10\/32 next-hop 192\.0\.2\.1/);
});
