// Every signal the daemon acts on, sent to a real `tsbgp run` with a session to a real peer (another tsbgp,
// whose API program records what it receives, NOTIFICATIONs included):
// - SIGTERM, SIGHUP, SIGINT: the peer gets a NOTIFICATION Cease / Administrative Shutdown (6/2) whose RFC 9003
//   message names the signal, and the daemon exits 0 (ExaBGP 4.2 shuts down on these; it closes TCP without a
//   NOTIFICATION, tsbgp sends the Cease);
// - SIGUSR1: the edited configuration is applied, the session stays up, the API program is not restarted;
// - SIGUSR2: the same, and the API program is restarted (a new PID);
// - SIGALRM: the peer gets a Cease / Peer De-configured (6/3), as ExaBGP 4.2 sends on a restart, the session
//   comes back with the edited configuration's routes, and the API program is restarted;
// - every other catchable signal that would end the process (ExaBGP dies of them without a word) shuts down
//   with the Cease as SIGTERM does.
// The API program asks for `signal` in its api block and gets ExaBGP's `signal` event for the five signals.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SIGNAL_ACTIONS } from '../../src/daemon/signals';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import { e2eDir, NODE, neighborBlock, RECORDER_JS, readJsonLines, startTsbgp, writeScript } from './launch';

after(() => stopAll());

/**
 * The subject's API program: its PID appended to STARTS at each start, every line it reads to LINES, until its
 * input ends (it outlives the SIGTERM that comes with the end of its input, so a loaded machine cannot make it
 * miss the last lines).
 */
const PROGRAM_JS = `'use strict';
const fs = require('fs');
process.on('SIGTERM', () => undefined);
const [starts, lines] = process.argv.slice(2);
fs.appendFileSync(starts, process.pid + '\\n');
const out = fs.openSync(lines, 'a');
process.stdin.on('data', (d) => fs.writeSync(out, d));
process.stdin.on('end', () => process.exit(0));
`;

const SHUTDOWN_OTHERS = Object.entries(SIGNAL_ACTIONS)
  .filter(([s, a]) => a === 'shutdown' && !['SIGTERM', 'SIGHUP', 'SIGINT'].includes(s))
  .map(([s]) => s as NodeJS.Signals);
const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', ...SHUTDOWN_OTHERS];

describe('signals against a real peer', () => {
  let dir: string;
  let peerAddr: string;
  let peerPort: number;
  let events: string;
  const subjects = new Map<NodeJS.Signals, string>();

  before(async () => {
    dir = e2eDir('signals');
    const ep = await allocEndpoint();
    peerAddr = ep.address;
    peerPort = ep.port;
    for (const s of SIGNALS) subjects.set(s, allocAddress());
    events = path.join(dir, 'peer-events.jsonl');
    writeScript(dir, 'recorder.js', RECORDER_JS);
    writeScript(dir, 'program.js', PROGRAM_JS);
    // One passive peer for every subject: a neighbor block per subject address.
    const conf = [
      `process rec {\n  run ${NODE} ${path.join(dir, 'recorder.js')} ${events};\n  encoder json;\n}`,
      ...[...subjects.values()].map((addr) =>
        neighborBlock({
          peer: addr,
          local: peerAddr,
          localAs: 65002,
          peerAs: 65001,
          passive: true,
          holdTime: 30,
          extra: [
            `listen ${peerPort};`,
            'family { ipv4 unicast; }',
            'api { processes [ rec ]; neighbor-changes; receive { parsed; update; notification; } }',
          ],
        }),
      ),
    ].join('\n');
    await startTsbgp({ name: 'peer', config: conf, dir });
  });

  /** The peer's events about one subject. */
  const about = (addr: string) => readJsonLines(events).filter((e) => e.neighbor?.address?.peer === addr);
  const states = (addr: string): string[] =>
    about(addr)
      .filter((e) => e.type === 'state')
      .map((e) => e.neighbor.state as string);
  const notifications = (addr: string) =>
    about(addr)
      .filter((e) => e.type === 'notification')
      .map((e) => e.neighbor.notification as { code: number; subcode: number; data: string });
  const routes = (addr: string): Set<string> => {
    const rib = new Set<string>();
    for (const e of about(addr)) {
      // A session that goes down takes the routes learned over it along.
      if (e.type === 'state' && e.neighbor.state === 'down') rib.clear();
      const u = e.neighbor?.message?.update;
      for (const list of Object.values((u?.announce?.['ipv4 unicast'] ?? {}) as Record<string, { nlri: string }[]>))
        for (const x of list) rib.add(x.nlri);
      for (const x of (u?.withdraw?.['ipv4 unicast'] ?? []) as { nlri: string }[]) rib.delete(x.nlri);
    }
    return rib;
  };

  /** A subject daemon for one signal, its session to the peer up and its first route received there. */
  async function subject(sig: NodeJS.Signals) {
    const addr = subjects.get(sig)!;
    const name = sig.toLowerCase();
    const starts = path.join(dir, `${name}-starts`);
    const lines = path.join(dir, `${name}-lines`);
    const config = (routes: string[], api = 'neighbor-changes; signal;') =>
      [
        `process prog {\n  run ${NODE} ${path.join(dir, 'program.js')} ${starts} ${lines};\n  encoder json;\n}`,
        neighborBlock({
          peer: peerAddr,
          local: addr,
          localAs: 65001,
          peerAs: 65002,
          connect: peerPort,
          holdTime: 30,
          extra: [
            'family { ipv4 unicast; }',
            `api { processes [ prog ]; ${api} }`,
            'static {',
            ...routes.map((r) => `  route ${r} next-hop 192.0.2.1;`),
            '}',
          ],
        }),
      ].join('\n');
    const d = await startTsbgp({ name, config: config(['10.70.0.0/24']), dir });
    await waitFor(() => routes(addr).has('10.70.0.0/24'), 15_000, `the ${sig} subject's route at the peer`);
    const pids = () => (fs.existsSync(starts) ? fs.readFileSync(starts, 'utf8').split('\n').filter(Boolean) : []);
    const signalEvents = () => readJsonLines(lines).filter((e) => e.type === 'signal');
    // The program reads its input once it has said it started: events sent before are not lost, but a
    // restart before then would kill a program that never ran.
    await waitFor(() => pids().length === 1, 10_000, `the ${sig} subject's API program`);
    return { d, addr, config, pids, signalEvents, lines };
  }

  /** RFC 9003: a length octet, then that many octets of UTF-8 (the JSON has the data as 0xHEX). */
  const communication = (hex: string): string => {
    const b = Buffer.from(hex.replace(/^0x/, ''), 'hex');
    return b.subarray(1, 1 + (b[0] ?? 0)).toString('utf8');
  };

  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', ...SHUTDOWN_OTHERS] as NodeJS.Signals[]) {
    it(`${sig}: Cease / Administrative Shutdown to the peer, then exit 0`, async () => {
      const s = await subject(sig);
      process.kill(s.d.pid, sig);
      await waitFor(() => !s.d.proc.running, 10_000, `the daemon to exit on ${sig}`);
      assert.equal(s.d.proc.child.exitCode, 0, s.d.log());
      await waitFor(() => states(s.addr).includes('down'), 10_000, 'the peer to see the session go down');
      const n = notifications(s.addr);
      assert.equal(n.length, 1, JSON.stringify(n));
      assert.equal(n[0]!.code, 6);
      assert.equal(n[0]!.subcode, 2);
      assert.equal(communication(n[0]!.data), `received ${sig}`);
      // ExaBGP's `signal` event for the signals ExaBGP itself handles.
      const told = s.signalEvents().map((e) => e.neighbor.name as string);
      if (sig === 'SIGTERM' || sig === 'SIGHUP') assert.deepEqual(told, [sig]);
      else assert.deepEqual(told, []);
      // And ExaBGP's shutdown event, last.
      const last = readJsonLines(s.lines).at(-1);
      assert.deepEqual([last?.type, last?.notification], ['notification', 'shutdown']);
    });
  }

  it('SIGUSR1: the edited configuration applied, the session and the API program kept', async () => {
    const s = await subject('SIGUSR1');
    fs.writeFileSync(s.d.confFile, s.config(['10.70.0.0/24', '10.71.0.0/24']));
    process.kill(s.d.pid, 'SIGUSR1');
    await waitFor(() => routes(s.addr).has('10.71.0.0/24'), 10_000, 'the route added by the reload');
    assert.deepEqual(states(s.addr), ['connected', 'up']);
    assert.deepEqual(notifications(s.addr), []);
    assert.equal(s.pids().length, 1);
    assert.equal(s.signalEvents().length, 1);
    assert.ok(s.d.proc.running);
    // A reload that changes only the api block keeps the session and changes what the program hears: without
    // neighbor-changes, a session that goes down and up again is no longer reported to it.
    const stateEvents = () => readJsonLines(s.lines).filter((e) => e.type === 'state').length;
    const before = stateEvents();
    fs.writeFileSync(s.d.confFile, s.config(['10.70.0.0/24', '10.71.0.0/24'], 'signal;'));
    process.kill(s.d.pid, 'SIGUSR1');
    await waitFor(() => s.signalEvents().length === 2, 10_000, 'the second reload');
    await waitFor(
      () => /reloaded: 1 neighbor\(s\) kept/.test(s.d.log().split('SIGUSR1').at(-1) ?? ''),
      10_000,
      'the reload',
    );
    assert.deepEqual(states(s.addr), ['connected', 'up']);
    assert.equal((await s.d.send(`neighbor ${peerAddr} teardown 2`)).answer, 'done');
    await waitFor(
      () => states(s.addr).join(' ') === 'connected up down connected up',
      15_000,
      'the session to go down and come back',
    );
    assert.equal(stateEvents(), before);
  });

  it('SIGUSR2: the edited configuration applied, the session kept, the API program restarted', async () => {
    const s = await subject('SIGUSR2');
    fs.writeFileSync(s.d.confFile, s.config(['10.72.0.0/24']));
    process.kill(s.d.pid, 'SIGUSR2');
    await waitFor(
      () => routes(s.addr).has('10.72.0.0/24') && !routes(s.addr).has('10.70.0.0/24'),
      10_000,
      'the routes of the reloaded configuration',
    );
    await waitFor(() => s.pids().length === 2, 10_000, 'the API program to start again');
    assert.notEqual(s.pids()[0], s.pids()[1]);
    assert.deepEqual(states(s.addr), ['connected', 'up']);
    assert.deepEqual(notifications(s.addr), []);
    assert.ok(s.d.proc.running);
  });

  it('SIGALRM: Cease / Peer De-configured, the session back up with the new configuration, the program restarted', async () => {
    const s = await subject('SIGALRM');
    fs.writeFileSync(s.d.confFile, s.config(['10.73.0.0/24']));
    process.kill(s.d.pid, 'SIGALRM');
    await waitFor(
      () => states(s.addr).join(' ') === 'connected up down connected up',
      15_000,
      'the session to go down and come back',
    );
    const n = notifications(s.addr);
    assert.equal(n.length, 1, JSON.stringify(n));
    assert.equal(n[0]!.code, 6);
    assert.equal(n[0]!.subcode, 3);
    await waitFor(
      () => routes(s.addr).has('10.73.0.0/24') && !routes(s.addr).has('10.70.0.0/24'),
      10_000,
      'the routes of the new configuration after the restart',
    );
    await waitFor(() => s.pids().length === 2, 10_000, 'the API program to start again');
    assert.ok(s.d.proc.running);
  });
});
