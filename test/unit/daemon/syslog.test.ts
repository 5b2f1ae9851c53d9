// log.destination syslog reaches syslog as ExaBGP 4.2's does (a datagram per line, RFC 3164 tag form
// `<PRI>tsbgp[PID]: ...`, facility user): on a Unix datagram socket standing for /dev/log (bound by a real
// Python receiver, since Node.js cannot bind one), and end to end from `tsbgp run` with
// exabgp.log.destination=host:ADDRESS:PORT to a UDP receiver on a 127.x address.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Logger } from '../../../src/daemon/log';
import { syslogMessage, syslogSink } from '../../../src/daemon/syslog';
import { allocEndpoint, isInstalled, makeTempDir, removeTempDirs, waitFor } from '../../interop/peers/common';
import { NODE, TSBGP } from '../../support/tsbgp';

after(removeTempDirs);

test('the message: facility user, the line severity, tsbgp[PID]', () => {
  assert.equal(syslogMessage('error', ' peer=1 down', 42).toString(), '<11>tsbgp[42]: ERROR peer=1 down');
  assert.equal(syslogMessage('warning', ' x', 42).toString(), '<12>tsbgp[42]: WARNING x');
  assert.equal(syslogMessage('info', ' x', 42).toString(), '<14>tsbgp[42]: INFO x');
  assert.equal(syslogMessage('debug', ' x', 42).toString(), '<15>tsbgp[42]: DEBUG x');
});

// Binds a Unix datagram socket at argv[1], prints "ready", then each datagram received on its own line.
const RECEIVER_PY = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    print(s.recv(65536).decode(), flush=True)
`;

test('syslog: one datagram per line on the local Unix socket', { skip: !isInstalled('python3') }, async (t) => {
  const dir = makeTempDir('syslog');
  const sockPath = path.join(dir, 'log');
  const rx: ChildProcess = spawn('python3', ['-c', RECEIVER_PY, sockPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => rx.kill());
  let got = '';
  rx.stdout!.on('data', (d: Buffer) => (got += d.toString()));
  await waitFor(() => got.startsWith('ready\n'), 10_000, 'the receiver bound');
  const sink = syslogSink('syslog', sockPath);
  assert.ok(sink);
  t.after(() => sink.close());
  const log = new Logger({ write: () => assert.fail('a syslog sink gets records'), record: sink.record });
  log.with({ peer: '192.0.2.1' }).warning('session down');
  log.info('started');
  log.debug('not at info level');
  await waitFor(() => got.split('\n').length >= 4, 10_000, 'two datagrams');
  assert.deepEqual(got.split('\n').slice(1, 3), [
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
