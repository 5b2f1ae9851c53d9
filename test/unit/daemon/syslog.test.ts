// log.destination syslog reaches syslog as ExaBGP 4.2's does (a datagram per line, RFC 3164 tag form
// `<PRI>tsbgp[PID]: ...`, facility user): on a Unix datagram socket standing for /dev/log (bound by a real
// Python receiver, since Node.js cannot bind one), and end to end from `tsbgp run` with
// exabgp.log.destination=host:ADDRESS:PORT to a UDP receiver on a 127.x address.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Logger, sinkFor } from '../../../src/daemon/log';
import { syslogMessage } from '../../../src/daemon/syslog';
import { allocEndpoint, isInstalled, makeTempDir, removeTempDirs, waitFor } from '../../interop/peers/common';
import { startSyslogReceiver } from '../../support/syslog-receiver';
import { NODE, TSBGP } from '../../support/tsbgp';

after(removeTempDirs);

test('the message: facility user, the line severity, tsbgp[PID]', () => {
  const daemon = { facility: 1, ident: 'tsbgp' };
  assert.equal(syslogMessage('error', 'ERROR peer=1 down', daemon, 42).toString(), '<11>tsbgp[42]: ERROR peer=1 down');
  assert.equal(syslogMessage('warning', 'x', daemon, 42).toString(), '<12>tsbgp[42]: x');
  assert.equal(syslogMessage('info', 'x', daemon, 42).toString(), '<14>tsbgp[42]: x');
  assert.equal(syslogMessage('debug', 'x', daemon, 42).toString(), '<15>tsbgp[42]: x');
  assert.equal(
    syslogMessage('info', 'x', { facility: 3, ident: 'healthcheck' }, 42).toString(),
    '<30>healthcheck[42]: x',
  );
});

test('syslog: one datagram per line on the local Unix socket', { skip: !isInstalled('python3') }, async (t) => {
  const dir = makeTempDir('syslog');
  const sockPath = path.join(dir, 'log');
  const rx = await startSyslogReceiver(sockPath);
  t.after(() => rx.stop());
  const prev = process.env.TSBGP_SYSLOG_SOCKET;
  process.env.TSBGP_SYSLOG_SOCKET = sockPath;
  const sink = sinkFor('syslog');
  if (prev === undefined) delete process.env.TSBGP_SYSLOG_SOCKET;
  else process.env.TSBGP_SYSLOG_SOCKET = prev;
  assert.ok(sink.record);
  const log = new Logger({ write: () => assert.fail('a syslog sink gets records'), record: sink.record });
  log.with({ peer: '192.0.2.1' }).warning('session down');
  log.info('started');
  log.debug('not at info level');
  await waitFor(() => rx.messages().length >= 2, 10_000, 'two datagrams');
  assert.deepEqual(rx.messages(), [
    `<12>tsbgp[${process.pid}]: WARNING peer=192.0.2.1 session down`,
    `<14>tsbgp[${process.pid}]: INFO started`,
  ]);
});

test('tsbgp run with log.destination host:ADDRESS:PORT sends its log to that syslog over UDP', async (t) => {
  const dir = makeTempDir('syslog-run');
  const { address, port } = await allocEndpoint();
  const rx = dgram.createSocket('udp4');
  const got: string[] = [];
  rx.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((r) => rx.bind(port, address, r));
  t.after(() => rx.close());
  const conf = path.join(dir, 'd.conf');
  fs.writeFileSync(
    conf,
    `neighbor 127.0.0.2 {\n router-id 10.0.0.1; local-address 127.0.0.1; local-as 65000; peer-as 65001; passive;\n}\n`,
  );
  const child = spawn(NODE, [TSBGP, 'run', '--no-socket', conf], {
    env: { ...process.env, 'exabgp.log.destination': `host:${address}:${port}`, 'exabgp.tcp.bind': '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  t.after(() => child.kill());
  const started = await waitFor(
    () => got.find((m) => m.includes('started with 1 neighbor')),
    15_000,
    'the start line at the syslog receiver',
  );
  assert.match(started, new RegExp(`^<14>tsbgp\\[${child.pid}\\]: INFO started with 1 neighbor`));
  assert.equal(out, '', 'nothing on stdout or stderr');
});
