// The health check's system side as ExaBGP 4.2's (application/healthcheck.py): missing --ip addresses are added
// to lo by default (--label names them lo:LABEL; --no-ip-setup leaves lo alone), run in a network namespace of
// the test's own so that no real interface is touched; and logs go to syslog with --syslog-facility (default
// daemon) as healthcheck-NAME[PID], none with --no-syslog, received on a Unix datagram socket standing for
// /dev/log (TSBGP_SYSLOG_SOCKET).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { isInstalled, makeTempDir, removeTempDirs, sleep, waitFor } from '../../interop/peers/common';
import { startSyslogReceiver } from '../../support/syslog-receiver';
import { NODE, TSBGP } from '../../support/tsbgp';

after(removeTempDirs);

/** The health check in a fresh network namespace (lo up, nothing else); returns lo's addresses afterwards. */
function inNamespace(args: string[]): { lo: string; status: number | null; stderr: string } {
  const hc = [NODE, TSBGP, 'healthcheck', '--no-ack', '--interval', '0', '--no-syslog', ...args]
    .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  const r = spawnSync(
    'unshare',
    ['-n', 'sh', '-c', `ip link set lo up && ${hc} </dev/null >/dev/null && ip -o address show dev lo`],
    {
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  return { lo: r.stdout, status: r.status, stderr: r.stderr };
}

const netnsSkip =
  process.getuid?.() !== 0 || !isInstalled('unshare') || !isInstalled('ip') ? 'needs root, unshare and ip' : undefined;

test('--ip addresses are added to lo by default, with the label', { skip: netnsSkip }, () => {
  const r = inNamespace(['--ip', '192.0.2.77', '--ip', '192.0.2.80/31', '--label', 'hc']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.lo, /inet 192\.0\.2\.77\/32 scope global lo:hc/);
  // A network is set up address by address, as ExaBGP iterates it.
  assert.match(r.lo, /inet 192\.0\.2\.80\/32 scope global lo:hc/);
  assert.match(r.lo, /inet 192\.0\.2\.81\/32 scope global lo:hc/);
});

test('--no-ip-setup leaves lo alone', { skip: netnsSkip }, () => {
  const r = inNamespace(['--ip', '192.0.2.77', '--no-ip-setup']);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.lo, /192\.0\.2\.77/);
  assert.match(r.lo, /inet 127\.0\.0\.1\/8/);
});

const hc = (env: Record<string, string>, args: string[]) =>
  spawnSync(
    NODE,
    [TSBGP, 'healthcheck', '--no-ack', '--interval', '0', '--no-ip-setup', '--ip', '192.0.2.77', ...args],
    {
      encoding: 'utf8',
      timeout: 20_000,
      input: '',
      env: { ...process.env, ...env },
    },
  );

test('syslog: facility and name as ExaBGP; --no-syslog sends nothing', { skip: !isInstalled('python3') }, async (t) => {
  const dir = makeTempDir('hc-syslog');
  const sock = path.join(dir, 'log');
  const rx = await startSyslogReceiver(sock);
  t.after(() => rx.stop());
  const env = { TSBGP_SYSLOG_SOCKET: sock };
  let r = hc(env, ['--name', 'web', '--syslog-facility', 'local3']);
  assert.equal(r.status, 0, r.stderr);
  // local3 is facility 19: info is <19*8+6> = <158>.
  const line = await waitFor(
    () => rx.messages().find((m) => m.includes('send announces for UP state')),
    10_000,
    'the announce line at syslog',
  );
  assert.equal(line, `<158>healthcheck-web[${r.pid}]: send announces for UP state to ExaBGP`);
  assert.equal(r.stderr, '', 'stderr is not a terminal: nothing on the console');
  r = hc(env, []);
  assert.ok(rx.messages().length >= 2);
  await waitFor(
    () => rx.messages().some((m) => m.startsWith(`<30>healthcheck[${r.pid}]: `)),
    10_000,
    'daemon facility',
  );
  const before = rx.messages().length;
  r = hc(env, ['--no-syslog']);
  assert.equal(r.status, 0, r.stderr);
  await sleep(300);
  assert.equal(rx.messages().length, before, 'nothing sent with --no-syslog');
  assert.match(r.stderr, /INFO\[healthcheck\] send announces for UP state/, 'syslog off: the console');
  r = hc(env, ['--syslog-facility', 'nonsense']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown syslog facility nonsense/);
});
