// Other local users (issue 11, findings 2 and 5), with real daemons and a real unprivileged user (nobody):
// - two daemons started with no socket option on one host each answer their own `tsbgp cli`;
// - `tsbgp cli` refuses a socket another user bound (it would take root's commands and print its own answers);
// - named pipes another user owns and anyone may write to are refused: an announce written to them as that
//   user never reaches the peer.
// Becoming another user needs root, as in CI; without it the two user tests fail rather than pass unproven.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import {
  allocAddress,
  allocEndpoint,
  freePort,
  ManagedProcess,
  runCmd,
  stopAll,
  waitFor,
} from '../interop/peers/common';
import { e2eDir, NODE, neighborBlock, RECORDER_JS, readJsonLines, startTsbgp, TSBGP, writeScript } from './launch';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

// The daemons and clients of this file find their sockets under a runtime folder of its own, as a user's
// login session has one: nothing here meets the sockets of other daemons on the machine.
const runtime = e2eDir('local-users-xdg');
process.env.XDG_RUNTIME_DIR = runtime;
delete process.env.TSBGP_SOCKET;

const cleanups: (() => void)[] = [];
after(async () => {
  await stopAll();
  for (const c of cleanups) c();
});

const cli = (...args: string[]) => runCmd(NODE, [TSBGP, 'cli', ...args], 20_000);

test('two daemons with no socket option each answer their own tsbgp cli', async () => {
  const dir = e2eDir('local-users-two');
  const daemons = await Promise.all(
    ['edge', 'core'].map(async (name) => {
      const peer = allocAddress();
      const local = allocAddress();
      const conf = path.join(dir, `${name}.conf`);
      // A neighbor that never answers: the daemon keeps trying, which is all this test needs.
      const port = await freePort(peer);
      fs.writeFileSync(conf, neighborBlock({ peer, local, localAs: 65001, peerAs: 65002, connect: port }));
      const env = { ...process.env, 'exabgp.log.destination': 'stderr' };
      const proc = new ManagedProcess(name, NODE, [TSBGP, 'run', conf], path.join(dir, `${name}.log`), env, dir);
      return { name, peer, conf, proc };
    }),
  );
  for (const d of daemons) {
    await waitFor(
      async () => {
        if (!d.proc.running) throw new Error(`${d.name}: ${d.proc.describeExit()}\n${d.proc.log()}`);
        return (await cli('--config', d.conf, 'version')).code === 0;
      },
      15_000,
      `${d.name} answering tsbgp cli --config`,
    );
  }
  // Each configuration's socket, private to the daemon's user, in the runtime folder.
  const folder = path.join(runtime, 'tsbgp');
  assert.equal(fs.statSync(folder).mode & 0o777, 0o700);
  const sockets = fs.readdirSync(folder).sort();
  assert.equal(sockets.length, 2, sockets.join(' '));
  assert.ok(sockets[0]!.startsWith('core-') && sockets[1]!.startsWith('edge-'), sockets.join(' '));
  for (const s of sockets) assert.equal(fs.statSync(path.join(folder, s)).mode & 0o777, 0o600, s);
  // Each answers for its own neighbor only.
  for (const d of daemons) {
    const r = await cli('--config', d.conf, 'show', 'neighbor');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(d.peer), r.stdout);
    for (const o of daemons) if (o !== d) assert.ok(!r.stdout.includes(o.peer), r.stdout);
  }
  // Without --config, two daemons: the cli will not guess.
  const which = await cli('version');
  assert.equal(which.code, 1);
  assert.match(which.stderr, /several daemons are running: .*core-.*edge-.*--config CONF/);
  // One stopped (its socket goes with it): the other is the only one, found without options.
  await daemons[0]!.proc.stop();
  assert.equal(fs.readdirSync(folder).length, 1);
  const only = await cli('show', 'neighbor');
  assert.equal(only.code, 0, only.stderr);
  assert.ok(only.stdout.includes(daemons[1]!.peer), only.stdout);
  await daemons[1]!.proc.stop();
  const none = await cli('version');
  assert.equal(none.code, 1);
  assert.match(none.stderr, /tsbgp is not running \(no control socket in /);
});

/** A node program run as another user: `script` gets the arguments in process.argv[1..]. */
function asNobody(script: string, args: string[]) {
  return spawn(NODE, ['-e', script, ...args], { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('tsbgp cli refuses a control socket bound by another user', async () => {
  assert.ok(isRoot, 'this test becomes user nobody: it needs root');
  const dir = fs.mkdtempSync('/tmp/tsbgp-evil-');
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chownSync(dir, NOBODY, NOBODY);
  fs.chmodSync(dir, 0o755);
  const sock = path.join(dir, 'tsbgp.sock');
  const got = path.join(dir, 'received');
  // Another user's socket: it takes any command, records it, and answers as a daemon would.
  const evil = asNobody(
    `const net = require('net'), fs = require('fs');
     net.createServer((s) => s.on('data', (d) => { fs.appendFileSync(process.argv[2], d); s.end('fake answer\\ndone\\n'); }))
       .listen(process.argv[1], () => { fs.chmodSync(process.argv[1], 0o777); console.log('ready'); });`,
    [sock, got],
  );
  cleanups.push(() => evil.kill());
  await new Promise<void>((resolve, reject) => {
    evil.stdout.once('data', () => resolve());
    evil.once('exit', (c) => reject(new Error(`the other user's server exited ${c}`)));
  });
  assert.equal(fs.statSync(sock).uid, NOBODY);
  for (const args of [['--socket', sock], []]) {
    const env = args.length === 0 ? { TSBGP_SOCKET: sock } : {};
    Object.assign(process.env, env);
    const r = await cli(...args, 'announce', 'route', '192.0.2.0/24', 'next-hop', 'self');
    delete process.env.TSBGP_SOCKET;
    assert.equal(r.code, 1, JSON.stringify(r));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /refusing to send commands to .*owned by nobody \(uid 65534\), not by root or you/);
  }
  assert.equal(fs.existsSync(got), false, 'the other user received nothing');
});

test('named pipes another user owns and anyone may write are refused: an announce through them goes nowhere', async () => {
  assert.ok(isRoot, 'this test becomes user nobody and makes pipes in /run: it needs root');
  // In /run, a folder of ExaBGP's search list that root owns; the pipes are another user's and world-writable,
  // as a user who can write to the pipe folder (Debian's /run/exabgp belongs to the exabgp user) makes them.
  const pipename = `tsbgp-localsec-${process.pid}`;
  const pipes = ['in', 'out'].map((e) => `/run/${pipename}.${e}`);
  for (const p of pipes) {
    await runCmd('mkfifo', [p]);
    cleanups.push(() => fs.rmSync(p, { force: true }));
    fs.chownSync(p, NOBODY, NOBODY);
    fs.chmodSync(p, 0o666);
  }
  const dir = e2eDir('local-users-pipes');
  const eb = await allocEndpoint();
  const addrA = allocAddress();
  const recorded = path.join(dir, 'events-b.jsonl');
  writeScript(dir, 'recorder.js', RECORDER_JS);
  const b = await startTsbgp({
    name: 'b',
    dir,
    config: [
      `process rec {\n  run ${NODE} ${path.join(dir, 'recorder.js')} ${recorded};\n  encoder json;\n}`,
      neighborBlock({
        peer: addrA,
        local: eb.address,
        localAs: 65002,
        peerAs: 65001,
        passive: true,
        extra: [`listen ${eb.port};`, 'api {', '  processes [ rec ];', '  receive { parsed; update; }', '}'],
      }),
    ].join('\n'),
  });
  const a = await startTsbgp({
    name: 'a',
    dir,
    env: { 'exabgp.api.pipename': pipename },
    config: neighborBlock({
      peer: eb.address,
      local: addrA,
      localAs: 65001,
      peerAs: 65002,
      connect: eb.port,
      extra: ['static {', '  route 10.95.0.0/24 next-hop 192.0.2.1;', '}'],
    }),
  });
  const announced = (prefix: string): boolean =>
    readJsonLines(recorded).some((e) =>
      Object.values(
        (e.neighbor?.message?.update?.announce?.['ipv4 unicast'] ?? {}) as Record<string, { nlri: string }[]>,
      )
        .flat()
        .some((x) => x.nlri === prefix),
    );
  // The session is up and carries what A sends: the static route arrives.
  await waitFor(() => announced('10.95.0.0/24'), 15_000, 'the static route at B');
  // Another user writes an announce to the pipe, as anyone could: no daemon reads it.
  const writer = asNobody(
    `const fs = require('fs');
     try {
       const fd = fs.openSync(process.argv[1], fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
       fs.writeSync(fd, 'announce route 10.96.0.0/24 next-hop 192.0.2.66\\n');
       console.log('written');
     } catch (e) { console.log(e.code); }`,
    [pipes[0]!],
  );
  let said = '';
  writer.stdout.on('data', (d) => (said += d));
  await new Promise((r) => writer.once('exit', r));
  // A route A really announces after it arrives; the injected one never does.
  const r = await a.cli('announce route 10.97.0.0/24 next-hop 192.0.2.1');
  assert.equal(r.answer, 'done');
  await waitFor(() => announced('10.97.0.0/24'), 10_000, 'the route announced through the control socket');
  assert.equal(announced('10.96.0.0/24'), false, 'the route written to the pipe reached the peer');
  assert.equal(said.trim(), 'ENXIO', 'nobody has the pipe open for reading');
  // And the daemon said why, naming the pipe and its owner.
  assert.match(
    a.log(),
    new RegExp(
      `named pipes in /run/ refused: named pipe /run/${pipename}\\.in is owned by nobody \\(uid 65534\\), not by root`,
    ),
  );
  await Promise.all([a.stop(), b.stop()]);
});
