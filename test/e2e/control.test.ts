// Control of a running daemon, as an operator does it: `tsbgp cli` answers; `reload` through the cli and
// SIGUSR1 both re-read the configuration, add a new static route and keep the unchanged session up (same
// TCP connection: the peer's program sees no `down` and no second `up`); SIGTERM sends a Cease NOTIFICATION
// that the peer logs; exabgpcli reaches the daemon through ExaBGP's named pipes.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocAddress, allocEndpoint, skipReason, stopAll, waitFor } from '../interop/peers/common';
import {
  e2eDir,
  NODE,
  neighborBlock,
  RECORDER_JS,
  readJsonLines,
  startTsbgp,
  type TsbgpDaemon,
  tsbgpCli,
  writeScript,
} from './launch';

after(async () => {
  await stopAll();
  for (const end of ['in', 'out']) fs.rmSync(`/run/tsbgp-e2e-${process.pid}.${end}`, { force: true });
});

describe('control: cli, reload, SIGUSR1, SIGTERM', () => {
  let a: TsbgpDaemon;
  let b: TsbgpDaemon;
  let addrA: string;
  let addrB: string;
  let recorded: string;
  let confA: (routes: string[]) => string;
  // ExaBGP's named pipes for exabgpcli, in /run/, a folder of both search lists that root owns (Debian's
  // /run/exabgp belongs to the exabgp user, and the daemon refuses pipes there: api/ownership.ts); a name of
  // our own so that a real ExaBGP on the machine is not disturbed. Needs a writable /run (root, as in CI).
  const pipename = `tsbgp-e2e-${process.pid}`;
  const pipeDir = '/run';
  let pipes = false;

  const received = (): Set<string> => {
    const rib = new Set<string>();
    for (const e of readJsonLines(recorded)) {
      const u = e.neighbor?.message?.update;
      for (const list of Object.values((u?.announce?.['ipv4 unicast'] ?? {}) as Record<string, { nlri: string }[]>))
        for (const x of list) rib.add(x.nlri);
      for (const x of (u?.withdraw?.['ipv4 unicast'] ?? []) as { nlri: string }[]) rib.delete(x.nlri);
    }
    return rib;
  };
  const states = (): string[] =>
    readJsonLines(recorded)
      .filter((e) => e.type === 'state')
      .map((e) => e.neighbor.state as string);

  before(async () => {
    const dir = e2eDir('control');
    const eb = await allocEndpoint();
    addrB = eb.address;
    addrA = allocAddress();
    recorded = path.join(dir, 'events-b.jsonl');
    writeScript(dir, 'recorder.js', RECORDER_JS);
    const family = ['family {', '  ipv4 unicast;', '}'];
    const confB = [
      `process rec {\n  run ${NODE} ${path.join(dir, 'recorder.js')} ${recorded};\n  encoder json;\n}`,
      neighborBlock({
        peer: addrA,
        local: addrB,
        localAs: 65002,
        peerAs: 65001,
        passive: true,
        holdTime: 30,
        extra: [
          `listen ${eb.port};`,
          ...family,
          'api {',
          '  processes [ rec ];',
          '  neighbor-changes;',
          '  receive { parsed; update; notification; }',
          '}',
        ],
      }),
    ].join('\n');
    confA = (routes) =>
      neighborBlock({
        peer: addrB,
        local: addrA,
        localAs: 65001,
        peerAs: 65002,
        connect: eb.port,
        holdTime: 30,
        extra: [...family, 'static {', ...routes.map((r) => `  route ${r} next-hop 192.0.2.1;`), '}'],
      });
    try {
      fs.mkdirSync(pipeDir, { recursive: true });
      execFileSync('mkfifo', [path.join(pipeDir, `${pipename}.in`), path.join(pipeDir, `${pipename}.out`)]);
      pipes = true;
    } catch {
      pipes = false;
    }
    b = await startTsbgp({ name: 'b', config: confB, dir });
    a = await startTsbgp({ name: 'a', config: confA(['10.90.0.0/24']), dir, env: { 'exabgp.api.pipename': pipename } });
    await waitFor(() => received().has('10.90.0.0/24'), 15_000, 'the first static route at B');
  });

  it('tsbgp cli answers', async () => {
    const r = await tsbgpCli(a.socket, 'show neighbor summary');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${addrB.replace(/\./g, '\\.')}\\s+65002\\s+\\S+\\s+established`, 'm'));
    const v = await tsbgpCli(a.socket, 'version');
    assert.equal(v.code, 0);
    assert.match(v.stdout, /exabgp 4\.2\.21-tsbgp/);
    const bad = await tsbgpCli(a.socket, 'frobnicate');
    assert.notEqual(bad.code, 0);
  });

  it('reload through the cli adds a route and keeps the session', async () => {
    fs.writeFileSync(a.confFile, confA(['10.90.0.0/24', '10.91.0.0/24']));
    const r = await tsbgpCli(a.socket, 'reload');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reloaded: 1 neighbor\(s\) kept, 0 added, 0 removed/);
    await waitFor(() => received().has('10.91.0.0/24'), 10_000, 'the route added by reload at B');
    assert.deepEqual(states(), ['connected', 'up']);
  });

  it('SIGUSR1 reloads too: a route added, one removed, session kept', async () => {
    fs.writeFileSync(a.confFile, confA(['10.91.0.0/24', '10.92.0.0/24']));
    process.kill(a.proc.pid, 'SIGUSR1');
    await waitFor(
      () => received().has('10.92.0.0/24') && !received().has('10.90.0.0/24'),
      10_000,
      'the SIGUSR1 reload at B',
    );
    assert.deepEqual([...received()].sort(), ['10.91.0.0/24', '10.92.0.0/24']);
    assert.deepEqual(states(), ['connected', 'up']);
    assert.ok(await b.established(addrA));
  });

  it('exabgpcli drives the daemon through the named pipes', async (t) => {
    if (!pipes) return t.skip(`cannot create FIFOs in ${pipeDir}`);
    const noCli = skipReason('exabgpcli');
    if (noCli) return t.skip(noCli);
    const cli = (cmd: string): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync('exabgpcli', cmd.split(' '), {
        env: { ...process.env, 'exabgp.api.pipename': pipename },
        encoding: 'utf8',
        timeout: 20_000,
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const v = cli('version');
    assert.match(v.stdout, /tsbgp/, JSON.stringify(v));
    const ann = cli('announce route 10.93.0.0/24 next-hop 192.0.2.1');
    assert.doesNotMatch(ann.stderr, /error/, JSON.stringify(ann));
    const out = cli('show adj-rib out');
    assert.match(out.stdout, /10\.93\.0\.0\/24/, JSON.stringify(out));
    await waitFor(() => received().has('10.93.0.0/24'), 10_000, 'the route announced through exabgpcli at B');
  });

  it('SIGTERM sends Cease, which the peer logs and reports', async () => {
    await a.stop();
    await waitFor(() => /notification received: Cease/.test(b.log()), 10_000, 'B to log the Cease');
    await waitFor(() => states().includes('down'), 10_000, 'a down event at B');
    const n = readJsonLines(recorded).find((e) => e.type === 'notification');
    assert.ok(n, 'notification event');
    assert.equal(n.neighbor.direction, 'receive');
    assert.equal(n.neighbor.notification.code, 6);
  });
});
