// Outgoing connections go to exabgp.tcp.port when the neighbor has no `connect`, as ExaBGP 4.2 does
// (reactor/protocol.py): a daemon told port P dials the peer's address on P, not on 179.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import { allocEndpoint, makeTempDir, removeTempDirs, waitFor } from '../../interop/peers/common';

test('a neighbor without connect is dialled on exabgp.tcp.port', { timeout: 20_000 }, async (t) => {
  t.after(removeTempDirs);
  const dir = makeTempDir('port');
  const { address, port } = await allocEndpoint();
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(port, address, r));
  t.after(() => server.close());
  const conf = path.join(dir, 'port.conf');
  fs.writeFileSync(
    conf,
    `neighbor ${address} {\n router-id 10.0.0.1; local-address 127.0.0.1; local-as 65000; peer-as 65001;\n}\n`,
  );
  const env = loadEnv({ env: { 'exabgp.tcp.port': String(port) } });
  const daemon = new Daemon({ configFile: conf, env, log: new Logger({ write: () => {} }) });
  await daemon.start();
  try {
    await waitFor(() => accepted > 0, 10_000, `a connection to ${address}:${port}`);
    assert.ok(accepted > 0);
  } finally {
    await daemon.shutdown('test over');
  }
});
