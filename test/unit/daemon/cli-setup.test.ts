// The command line interface at start, as ExaBGP 4.2 sets it up: exabgp.api.cli=false opens neither the control
// socket nor the named pipes; otherwise the log says where the named pipes were found, or every folder they
// were looked for in.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { pipeSearchLocations } from '../../../src/api/control';
import { loadEnv } from '../../../src/config/env';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';
import { allocAddress, makeTempDir, removeTempDirs } from '../../interop/peers/common';

after(removeTempDirs);

/** Starts and stops a daemon with one passive neighbor; returns its log lines and whether its socket existed. */
async function startOnce(env: Record<string, string>): Promise<{ log: string[]; socket: boolean }> {
  const dir = makeTempDir('cli-setup');
  const conf = path.join(dir, 'd.conf');
  fs.writeFileSync(
    conf,
    `neighbor ${allocAddress()} {\n router-id 10.0.0.1; local-address ${allocAddress()}; local-as 65000; peer-as 65001; passive;\n}\n`,
  );
  const log: string[] = [];
  const socketPath = path.join(dir, 'd.sock');
  const d = new Daemon({
    configFile: conf,
    env: loadEnv({ env: { 'exabgp.tcp.bind': '', ...env } }),
    log: new Logger({ write: (l) => log.push(l) }),
    controlSocket: socketPath,
  });
  await d.start();
  const socket = fs.existsSync(socketPath);
  await d.shutdown('test over');
  return { log, socket };
}

const pipename = `tsbgp-test-${process.pid}`;

test('exabgp.api.cli=false: no control socket and no named pipes', async () => {
  const r = await startOnce({ 'exabgp.api.cli': 'false', 'exabgp.api.pipename': pipename });
  assert.equal(r.socket, false);
  assert.ok(!r.log.some((l) => l.includes('named pipes')), r.log.join(''));
});

test('named pipes missing: the log lists every folder looked in', async () => {
  const r = await startOnce({ 'exabgp.api.pipename': pipename });
  assert.equal(r.socket, true);
  const text = r.log.join('');
  assert.match(text, new RegExp(`INFO    component=cli named pipes ${pipename}\\.in and ${pipename}\\.out not found`));
  for (const l of pipeSearchLocations())
    assert.ok(
      r.log.some((x) => x.endsWith(`  ${l}\n`)),
      `${l} listed`,
    );
});

test('named pipes found: the log names both', async (t) => {
  // /run/, which root owns: Debian's /run/exabgp belongs to the exabgp user, and pipes there are refused.
  const dir = '/run';
  const files = [path.join(dir, `${pipename}.in`), path.join(dir, `${pipename}.out`)];
  try {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', files);
  } catch (e) {
    t.skip(`cannot make FIFOs in ${dir}: ${(e as Error).message}`);
    return;
  }
  try {
    const r = await startOnce({ 'exabgp.api.pipename': pipename });
    assert.ok(
      r.log.some((l) =>
        l.includes(`INFO    component=cli named pipes for the cli: commands to ${files[0]}, answers from ${files[1]}`),
      ),
      r.log.join(''),
    );
  } finally {
    for (const f of files) fs.rmSync(f, { force: true });
  }
});
