// A configuration error is said once: a route inherited from a template by three neighbors (here one whose
// split makes too many routes) is one mistake at one file:line:col, and `validate` and `run` print it once
// each (they printed it once per neighbor).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { makeTempDir, removeTempDirs } from '../../interop/peers/common';
import { NODE, TSBGP } from '../../support/tsbgp';

after(removeTempDirs);

const CONF = `template {
 neighbor t {
  local-as 65001; peer-as 65002; router-id 127.0.0.1;
  family { ipv4 unicast; }
  static { route 0.0.0.0/0 next-hop 192.0.2.1 split /32; }
 }
}
neighbor 127.0.0.2 { inherit t; local-address 127.0.0.1; }
neighbor 127.0.0.3 { inherit t; local-address 127.0.0.1; }
neighbor 127.0.0.4 { inherit t; local-address 127.0.0.1; }
`;

test('validate and run print an error shared by three neighbors once', () => {
  const dir = makeTempDir('errors-once');
  const conf = path.join(dir, 'shared.conf');
  fs.writeFileSync(conf, CONF);
  for (const args of [
    ['validate', conf],
    ['run', '--no-socket', conf],
  ]) {
    const r = spawnSync(NODE, [TSBGP, ...args], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
    const hits = r.stderr.split('\n').filter((l) => l.includes('split /32'));
    assert.equal(hits.length, 1, `${args[0]} stderr:\n${r.stderr}`);
    assert.match(hits[0]!, /shared\.conf:5:\d+: split \/32 of \/0 makes 4294967296 routes/);
  }
});
