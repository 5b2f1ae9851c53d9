// Volume through the process API: a program writes N `announce route` lines as fast as its pipe takes them
// (N = 100,000 by default; TSBGP_E2E_ROUTES overrides it), then an announce/withdraw sequence whose order
// matters. Every route must reach the peer (another tsbgp, counted in its Adj-RIB-In), the order must hold,
// every command must be acked, and with hold time 3 on both sides the session must never drop.
// On the receiving side a second program never reads its input while updates pour in: it holds the peer back
// once its backlog passes the bound (tsbgp.api.buffer), is cut off after consuming nothing for tsbgp.api.stall
// seconds with a log line giving the numbers, and the session and the program that does read carry on. Memory of both daemons is measured and printed.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import {
  e2eDir,
  NODE,
  neighborBlock,
  peakRssKiB,
  RECORDER_JS,
  readJsonLines,
  rssKiB,
  startTsbgp,
  type TsbgpDaemon,
  writeScript,
} from './launch';

after(stopAll);

const N = Number(process.env.TSBGP_E2E_ROUTES ?? 100_000);
const BOUND = 1024 * 1024;
/** Seconds the sleeper may consume nothing before it is cut off (and the peer it holds back is read again). */
const STALL = 2;

/** Host route number i in 10.0.0.0/8 (room for 16M). */
const host = (i: number): string => `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}/32`;

// The flooding program: writes every line as fast as stdout drains (waiting only on 'drain'), reads and
// counts the acks, and records when it started writing, when it finished, and the acks it got.
const FLOOD_JS = `'use strict';
const fs = require('fs');
const [n, report] = [Number(process.argv[2]), process.argv[3]];
const host = (i) => '10.' + ((i >>> 16) & 255) + '.' + ((i >>> 8) & 255) + '.' + (i & 255) + '/32';
const tail = [
  'withdraw route ' + host(5),
  'announce route ' + host(6) + ' next-hop 192.0.2.1 med 7',
  'withdraw route ' + host(6),
  'announce route ' + host(6) + ' next-hop 192.0.2.2 med 8',
  'announce route 172.16.0.1/32 next-hop 192.0.2.9',
];
const total = n + tail.length;
let done = 0, error = 0, buf = '';
const t0 = Date.now();
let written = 0;
process.stdin.on('data', (d) => {
  buf += d;
  let k;
  while ((k = buf.indexOf('\\n')) >= 0) {
    const l = buf.slice(0, k); buf = buf.slice(k + 1);
    if (l === 'done') done++; else if (l === 'error') error++;
  }
  if (done + error === total) fs.writeFileSync(report, JSON.stringify({ t0, written, acked: Date.now(), done, error }));
});
let i = 0;
function pump() {
  while (i < n) {
    let chunk = '';
    const end = Math.min(n, i + 2000);
    for (; i < end; i++) chunk += 'announce route ' + host(i) + ' next-hop 192.0.2.1\\n';
    if (!process.stdout.write(chunk)) { process.stdout.once('drain', pump); return; }
  }
  process.stdout.write(tail.join('\\n') + '\\n');
  written = Date.now();
}
pump();
`;

describe(`API volume: ${N} routes from a process to a peer, and a process that does not read`, () => {
  let dir: string;
  let a: TsbgpDaemon;
  let b: TsbgpDaemon;
  let addrA: string;
  let addrB: string;
  let report: string;
  let recorded: string;
  let tStart = 0;
  let tAll = 0;
  const mem: Record<string, number> = {};

  before(async () => {
    dir = e2eDir('volume');
    const eb = await allocEndpoint();
    addrB = eb.address;
    addrA = allocAddress();
    report = path.join(dir, 'flood.json');
    recorded = path.join(dir, 'events-b.jsonl');
    writeScript(dir, 'flood.js', FLOOD_JS);
    writeScript(dir, 'recorder.js', RECORDER_JS);
    // Never reads stdin, never exits: the daemon must not wait for it.
    writeScript(dir, 'sleeper.js', `setInterval(() => undefined, 1e6);\n`);
    const family = ['family {', '  ipv4 unicast;', '}'];
    const confB = [
      `process rec {\n  run ${NODE} ${path.join(dir, 'recorder.js')} ${recorded};\n  encoder json;\n}`,
      `process sleeper {\n  run ${NODE} ${path.join(dir, 'sleeper.js')};\n  encoder json;\n}`,
      neighborBlock({
        peer: addrA,
        local: addrB,
        localAs: 65002,
        peerAs: 65001,
        passive: true,
        holdTime: 3,
        extra: [
          `listen ${eb.port};`,
          ...family,
          'api {',
          '  processes [ rec sleeper ];',
          '  neighbor-changes;',
          '  receive { parsed; update; }',
          '}',
        ],
      }),
    ].join('\n');
    const confA = [
      `process flood {\n  run ${NODE} ${path.join(dir, 'flood.js')} ${N} ${report};\n  encoder text;\n}`,
      neighborBlock({
        peer: addrB,
        local: addrA,
        localAs: 65001,
        peerAs: 65002,
        connect: eb.port,
        holdTime: 3,
        extra: [...family, 'api {', '  processes [ flood ];', '}'],
      }),
    ].join('\n');
    // The sleeper is not respawned, so the cut-off is seen once and stays.
    b = await startTsbgp({
      name: 'b',
      config: confB,
      dir,
      env: { 'tsbgp.api.buffer': String(BOUND), 'tsbgp.api.stall': String(STALL), 'exabgp.api.respawn': 'false' },
    });
    tStart = Date.now();
    a = await startTsbgp({ name: 'a', config: confA, dir });
    try {
      await waitFor(
        async () => {
          const r = await b.cli('show neighbor json');
          const n = (JSON.parse(r.lines.join('')) as { 'routes-in': number }[])[0]!;
          mem.bPeak = Math.max(mem.bPeak ?? 0, rssKiB(b.proc.pid));
          mem.aPeak = Math.max(mem.aPeak ?? 0, rssKiB(a.proc.pid));
          return n['routes-in'] === N;
        },
        60_000,
        `${N} routes in B's Adj-RIB-In`,
        200,
      );
      // N routes, one withdrawn, one marker added: N again; the marker says the tail has been applied.
      await waitFor(
        async () => (await b.cli('show adj-rib in')).lines.some((l) => l.includes(' 172.16.0.1/32 ')),
        20_000,
        'the marker route at B',
        200,
      );
      tAll = Date.now();
      await waitFor(() => fs.existsSync(report), 20_000, 'every ack at the flooding process');
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- A ---\n${a.log().slice(-3000)}\n--- B ---\n${b.log().slice(-3000)}`,
      );
    }
    mem.aRss = rssKiB(a.proc.pid);
    mem.bRss = rssKiB(b.proc.pid);
    mem.aHwm = peakRssKiB(a.proc.pid);
    mem.bHwm = peakRssKiB(b.proc.pid);
  });

  it('every route reaches the peer, fast, and every command is acked', () => {
    const r = JSON.parse(fs.readFileSync(report, 'utf8')) as {
      t0: number;
      written: number;
      acked: number;
      done: number;
      error: number;
    };
    assert.equal(r.done, N + 5);
    assert.equal(r.error, 0);
    process.stderr.write(
      `# ${N} routes: written by the process in ${r.written - r.t0} ms, acked in ${r.acked - r.t0} ms, ` +
        `all at the peer ${tAll - tStart} ms after the sender started (incl. session setup); ` +
        `RSS sender ${Math.round(mem.aRss! / 1024)} MiB (peak ${Math.round(mem.aHwm! / 1024)}), ` +
        `receiver ${Math.round(mem.bRss! / 1024)} MiB (peak ${Math.round(mem.bHwm! / 1024)})\n`,
    );
  });

  it('announce/withdraw order holds at the peer', async () => {
    const lines = (await b.cli(`show adj-rib in ${addrA}`)).lines;
    assert.equal(lines.length, N);
    const by = new Map(lines.map((l) => [l.split(' ')[4]!, l]));
    assert.equal(by.has(host(5)), false, 'announced then withdrawn');
    assert.match(by.get(host(6))!, / next-hop 192\.0\.2\.2 .*med 8$/, 'the last of announce, withdraw, announce');
    assert.ok(by.has(host(0)) && by.has(host(N - 1)) && by.has('172.16.0.1/32'));
  });

  it('the reading program got every route; the session never dropped (hold time 3)', async () => {
    const seen = new Set<string>();
    let downs = 0;
    let ups = 0;
    const count = (): number => {
      seen.clear();
      ups = downs = 0;
      for (const e of readJsonLines(recorded)) {
        if (e.type === 'state') {
          if (e.neighbor.state === 'up') ups++;
          if (e.neighbor.state === 'down') downs++;
        }
        const ann = e.neighbor?.message?.update?.announce?.['ipv4 unicast'] as
          | Record<string, { nlri: string }[]>
          | undefined;
        for (const list of Object.values(ann ?? {})) for (const x of list) seen.add(x.nlri);
      }
      return seen.size;
    };
    await waitFor(() => count() === N + 1, 20_000, 'every prefix in the events of the reading program', 250);
    assert.equal(ups, 1);
    assert.equal(downs, 0);
    assert.equal(seen.size, N + 1, 'every prefix announced (incl. the withdrawn one and the marker)');
    assert.ok(await b.established(addrA));
    assert.ok(await a.established(addrB));
    assert.doesNotMatch(a.log() + b.log(), /session down|Hold Timer/i);
  });

  it('the program that does not read is cut off at the bound, logged, and nothing else suffers', async () => {
    const re = /process sleeper is not reading its input: (\d+) bytes queued, nothing consumed for ([\d.]+) s/;
    await waitFor(() => re.test(b.log()), 10_000, 'the cut-off log line');
    const log = b.log();
    const m = re.exec(log)!;
    // Cut off after STALL seconds; meanwhile the peer was held back, so the backlog stayed near the bound.
    assert.ok(Number(m[1]) > BOUND && Number(m[1]) <= 2 * BOUND, `queued ${m[1]}, bound ${BOUND}`);
    assert.ok(Number(m[2]) >= STALL, `cut off after ${m[2]} s`);
    assert.equal(log.match(/is not reading its input/g)?.length, 1, 'logged once');
    assert.doesNotMatch(log, /process rec is not reading/);
    assert.ok(await b.established(addrA), 'session still up after the cut-off');
    // The kill is asynchronous: its exit is logged a moment after the cut-off.
    await waitFor(() => /process sleeper ended \(signal SIGTERM\)/.test(b.log()), 10_000, 'the sleeper to end');
  });

  it('memory stays bounded', () => {
    // 100k routes: both daemons well under 300 MiB (the numbers are printed above).
    const limit = 300 * 1024 + (N > 100_000 ? ((N - 100_000) / 1000) * 1024 : 0);
    assert.ok(mem.aHwm! < limit, `sender peak ${mem.aHwm} KiB`);
    assert.ok(mem.bHwm! < limit, `receiver peak ${mem.bHwm} KiB`);
  });
});
