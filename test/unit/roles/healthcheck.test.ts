import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  announcements,
  configFileArgs,
  type HcState,
  Healthcheck,
  type HealthcheckIO,
  hostsOf,
  nextState,
  parseHealthcheckArgs,
  parseLoopbackAddresses,
  parseNetwork,
} from '../../../src/roles/healthcheck';

test('options: defaults, aliases, prefixes, config file, errors', () => {
  const o = parseHealthcheckArgs([
    '--cmd',
    'true',
    '--ip',
    '192.0.2.1',
    '--ip=2001:DB8::/64',
    '--rise',
    '2',
    '--fast',
    '0.5',
    '-n',
    'web',
  ]);
  assert.equal(o.command, 'true');
  assert.deepEqual(
    o.ips.map((n) => `${n.address}/${n.len}`),
    ['192.0.2.1/32', '2001:db8::/64'],
  );
  assert.equal(o.rise, 2);
  assert.equal(o.fall, 3);
  assert.equal(o.fastInterval, 0.5);
  assert.equal(o.interval, 5);
  assert.equal(o.upMetric, 100);
  assert.equal(o.name, 'web');
  assert.throws(() => parseHealthcheckArgs(['--ip', '192.0.2.1/24']), /host bits/);
  assert.throws(() => parseHealthcheckArgs(['--rise', 'x']), /invalid int/);
  assert.throws(() => parseHealthcheckArgs(['--bogus']), /unrecognized/);
  assert.throws(() => parseHealthcheckArgs(['--silent', '--no-syslog']), /mutually exclusive/);
  assert.throws(() => parseHealthcheckArgs(['--d']), /ambiguous/);
  const conf =
    'debug\n# comment\nname = haproxy\ninterval = 10\ncommand = curl -sf http://127.0.0.1/\nip = 192.0.2.9\n';
  assert.deepEqual(configFileArgs(conf), [
    '--debug',
    '--name',
    'haproxy',
    '--interval',
    '10',
    '--command',
    'curl -sf http://127.0.0.1/',
    '--ip',
    '192.0.2.9',
  ]);
  const c = parseHealthcheckArgs(['--config', 'f', '--interval', '3', '--ip', '192.0.2.10'], () => conf);
  assert.equal(c.debug, true);
  assert.equal(c.name, 'haproxy');
  assert.equal(c.interval, 3, 'command line wins');
  assert.deepEqual(
    c.ips.map((n) => n.address),
    ['192.0.2.9', '192.0.2.10'],
  );
});

test('state machine follows ExaBGP rise/fall counting', () => {
  const run = (results: (boolean | 'disabled')[], rise = 3, fall = 3): HcState[] => {
    let state: HcState = 'INIT';
    let checks = 0;
    const seen: HcState[] = [];
    for (const r of results) {
      const s = nextState(state, checks, r === 'disabled', r === true || r === 'disabled', rise, fall);
      state = s.state;
      checks = s.checks;
      seen.push(state);
    }
    return seen;
  };
  assert.deepEqual(run([true, true, true, true]), ['RISING', 'RISING', 'UP', 'UP']);
  assert.deepEqual(run([false, false, false]), ['FALLING', 'FALLING', 'DOWN']);
  assert.deepEqual(run([true, true, true, false, true, false, false, false]), [
    'RISING',
    'RISING',
    'UP',
    'FALLING',
    'RISING',
    'FALLING',
    'FALLING',
    'DOWN',
  ]);
  assert.deepEqual(run([true, false], 1, 1), ['UP', 'DOWN']);
  assert.deepEqual(run([true, 'disabled', 'disabled', true, true], 2), [
    'RISING',
    'DISABLED',
    'DISABLED',
    'INIT',
    'RISING',
  ]);
  assert.deepEqual(nextState('UP', 0, false, false, 3, 1), { state: 'DOWN', checks: 1, entered: 'DOWN' });
  assert.deepEqual(nextState('UP', 5, false, true, 3, 3), { state: 'UP', checks: 5, entered: null });
});

test('announcement lines match ExaBGP healthcheck output', () => {
  const o = parseHealthcheckArgs([
    '--ip',
    '192.0.2.1',
    '--ip',
    '192.0.2.2',
    '--community',
    '65000:1',
    '--disabled-community',
    '65000:666',
    '--large-community',
    '1:2:3',
    '--extended-community',
    'target:1:1',
    '--as-path',
    '65000 65001',
    '--up-as-path',
    '65000',
    '--local-preference',
    '200',
    '--increase',
    '10',
  ]);
  assert.deepEqual(announcements('UP', o), [
    'announce route 192.0.2.1/32 next-hop self med 100 local-preference 200 community [ 65000:1 ] extended-community [ target:1:1 ] large-community [ 1:2:3 ] as-path [ 65000 ]',
    'announce route 192.0.2.2/32 next-hop self med 110 local-preference 200 community [ 65000:1 ] extended-community [ target:1:1 ] large-community [ 1:2:3 ] as-path [ 65000 ]',
  ]);
  assert.deepEqual(
    announcements('DOWN', o)[0],
    'announce route 192.0.2.1/32 next-hop self med 1000 local-preference 200 community [ 65000:666 ] extended-community [ target:1:1 ] large-community [ 1:2:3 ] as-path [ 65000 65001 ]',
  );
  assert.deepEqual(announcements('EXIT', o), [
    'withdraw route 192.0.2.1/32 next-hop self',
    'withdraw route 192.0.2.2/32 next-hop self',
  ]);
  assert.deepEqual(announcements('RISING', o), []);
  const w = parseHealthcheckArgs([
    '--ip',
    '2001:db8::1',
    '--withdraw-on-down',
    '--next-hop',
    '2001:db8::ff',
    '--neighbor',
    '192.0.2.7',
    '--neighbor',
    '192.0.2.8',
    '--path-id',
    '7',
  ]);
  assert.deepEqual(announcements('UP', w), [
    'neighbor 192.0.2.7, neighbor 192.0.2.8 announce route 2001:db8::1/128 next-hop 2001:db8::ff med 100 path-information 7',
  ]);
  assert.deepEqual(announcements('DISABLED', w), [
    'neighbor 192.0.2.7, neighbor 192.0.2.8 withdraw route 2001:db8::1/128 next-hop 2001:db8::ff path-information 7',
  ]);
});

test('networks and loopback parsing', () => {
  assert.deepEqual(
    hostsOf(parseNetwork('192.0.2.254/31')).map((n) => n.address),
    ['192.0.2.254', '192.0.2.255'],
  );
  assert.deepEqual(
    hostsOf(parseNetwork('2001:db8::/127')).map((n) => n.address),
    ['2001:db8::', '2001:db8::1'],
  );
  assert.equal(parseNetwork('2001:db8:0:0:1:0:0:1').address, '2001:db8::1:0:0:1');
  assert.equal(parseNetwork('::ffff:192.0.2.1').address, '::ffff:c000:201');
  const ipout = [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    '1: lo    inet 192.0.2.1/32 scope global lo:web1\\       valid_lft forever preferred_lft forever',
    '1: lo    inet 192.0.2.2/32 scope global lo\\       valid_lft forever preferred_lft forever',
    '1: lo    inet 192.0.2.3/24 scope global lo\\       valid_lft forever preferred_lft forever',
    '1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever',
  ].join('\n');
  assert.deepEqual(
    parseLoopbackAddresses(ipout, undefined, false).map((n) => n.address),
    ['192.0.2.1', '192.0.2.2'],
  );
  assert.deepEqual(
    parseLoopbackAddresses(ipout, 'web', false).map((n) => n.address),
    ['192.0.2.1'],
  );
  assert.deepEqual(parseLoopbackAddresses(ipout, undefined, true), []);
});

test('loop: announces per state after every check, waits for acks, withdraws on stop', async () => {
  const o = parseHealthcheckArgs([
    '--cmd',
    'check',
    '--ip',
    '192.0.2.1',
    '--rise',
    '2',
    '--fall',
    '2',
    '--disable',
    '/dis',
    '--execute',
    'notify',
  ]);
  const results = [true, true, true, false, false, true];
  const out: string[] = [];
  const executed: string[] = [];
  let disabled = false;
  let i = 0;
  let acks = 0;
  let hc: Healthcheck;
  const io: HealthcheckIO = {
    check: async () => results[i++] ?? true,
    exists: () => disabled,
    write: (l) => out.push(l),
    readAck: async () => {
      acks++;
      return 'done';
    },
    sleep: async () => {
      out.push('.');
      if (i === 6 && !disabled) disabled = true;
      else if (disabled) hc.stop();
    },
    execute: async (cmd, state) => {
      executed.push(`${cmd}:${state}`);
    },
    log: () => undefined,
    interactive: false,
    orphaned: () => false,
  };
  hc = new Healthcheck(o, io);
  assert.equal(await hc.run(), 0);
  assert.deepEqual(out, [
    '.', // RISING
    'announce route 192.0.2.1/32 next-hop self med 100',
    '.', // UP
    'announce route 192.0.2.1/32 next-hop self med 100',
    '.', // UP again
    '.', // FALLING
    'announce route 192.0.2.1/32 next-hop self med 1000',
    '.', // DOWN
    '.', // RISING
    'announce route 192.0.2.1/32 next-hop self med 500',
    '.', // DISABLED
    'withdraw route 192.0.2.1/32 next-hop self', // EXIT
  ]);
  assert.equal(acks, 5);
  assert.deepEqual(executed, [
    'notify:RISING',
    'notify:UP',
    'notify:FALLING',
    'notify:DOWN',
    'notify:RISING',
    'notify:DISABLED',
  ]);
});

test('tsbgp healthcheck as a process: a check toggled by a file, acks read, SIGTERM withdraws', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-hc-'));
  const flag = path.join(dir, 'healthy');
  const hcJs = path.join(__dirname, '../../../src/cli/healthcheck.js');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(hcJs)}).run(process.argv.slice(1)).then((c) => (process.exitCode = c))`,
      '--',
      '--cmd',
      `test -f ${flag}`,
      '--ip',
      '192.0.2.1',
      '--ip',
      '192.0.2.2',
      '--rise',
      '2',
      '--fall',
      '1',
      '--interval',
      '0.05',
      '--fast-interval',
      '0.05',
      '--silent',
      // 192.0.2.x must not be added to this machine's lo.
      '--no-ip-setup',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  let buf = '';
  const waiters: [RegExp, () => void][] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (s: string) => {
    buf += s;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      child.stdin.write('done\n'); // the daemon's ack
      for (const w of waiters.splice(0))
        if (w[0].test(line)) w[1]();
        else waiters.push(w);
    }
  });
  const waitFor = (re: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout waiting for ${re}: ${JSON.stringify(lines)}`)), 5000);
      waiters.push([
        re,
        () => {
          clearTimeout(t);
          resolve();
        },
      ]);
    });
  try {
    await waitFor(/med 1001$/); // FALLING with fall 1 is DOWN at once: both addresses, metrics 1000, 1001
    fs.writeFileSync(flag, '');
    await waitFor(/med 101$/); // two successful checks: UP
    const upAt = lines.length;
    fs.unlinkSync(flag);
    await waitFor(/med 1001$/);
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(lines.slice(0, 2), [
      'announce route 192.0.2.1/32 next-hop self med 1000',
      'announce route 192.0.2.2/32 next-hop self med 1001',
    ]);
    assert.deepEqual(lines.slice(upAt - 2, upAt), [
      'announce route 192.0.2.1/32 next-hop self med 100',
      'announce route 192.0.2.2/32 next-hop self med 101',
    ]);
    assert.deepEqual(lines.slice(-2), [
      'withdraw route 192.0.2.1/32 next-hop self',
      'withdraw route 192.0.2.2/32 next-hop self',
    ]);
    // Every line is one of the expected forms, in pairs (one per address, in order).
    for (let k = 0; k < lines.length; k += 2) {
      assert.match(lines[k], /^(announce|withdraw) route 192\.0\.2\.1\/32 /);
      assert.match(lines[k + 1], /^(announce|withdraw) route 192\.0\.2\.2\/32 /);
    }
  } finally {
    child.kill('SIGKILL');
  }
});
