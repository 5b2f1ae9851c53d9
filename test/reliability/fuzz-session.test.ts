// Live-session fuzz: a tsbgp daemon receives at least 100,000 mutated UPDATEs and OPENs from a raw TCP sender
// written here (bit flips, length fields that lie, truncation, duplicated and random attributes, wrong flags, NLRI
// garbage, OPEN capability garbage), over as many sessions as the damage takes down, while a second tsbgp daemon
// keeps a well-behaved session to it. The daemon must survive, every event line its JSON API process receives must
// parse, and the well-behaved session must never drop.
//
// Seeded and reproducible: TSBGP_FUZZ_SEED (default below) gives the same messages in the same order;
// TSBGP_FUZZ_MESSAGES sets how many (default 100,000). The counts are printed as a `#` line.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { e2eDir, NODE, neighborBlock, startTsbgp, type TsbgpDaemon, writeScript } from '../e2e/launch';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import {
  frameRaw,
  Gen,
  type Mutated,
  mutatedOpen,
  mutatedUpdate,
  predictUpdate,
  type UpdateMutation,
  type Verdict,
} from '../support/wire-mutations';

after(stopAll);

const SEED = Number(process.env.TSBGP_FUZZ_SEED ?? 20261207);
const TARGET = Number(process.env.TSBGP_FUZZ_MESSAGES ?? 100_000);
const AS_D = 65000;
const AS_FUZZ = 65010;
const AS_GOOD = 65020;

/** The API process: parses every line it is given and reports counts (by event type and state) to a file. */
const VALIDATOR_JS = `'use strict';
const fs = require('fs');
const out = process.argv[2];
let buf = '', lines = 0, bad = 0;
const badLines = [], types = {};
function report(done) {
  fs.writeFileSync(out + '.tmp', JSON.stringify({ lines, bad, badLines, types, done }));
  fs.renameSync(out + '.tmp', out);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let k;
  while ((k = buf.indexOf('\\n')) >= 0) {
    const l = buf.slice(0, k);
    buf = buf.slice(k + 1);
    lines++;
    let e;
    try { e = JSON.parse(l); } catch { bad++; if (badLines.length < 5) badLines.push(l.slice(0, 4000)); continue; }
    const t = e.type === 'state' ? 'state ' + e.neighbor.state + ' ' + e.neighbor.address.peer : String(e.type);
    types[t] = (types[t] || 0) + 1;
  }
});
setInterval(() => report(false), 500);
// The daemon stops its programs on shutdown: what was read so far is the final count.
process.on('SIGTERM', () => { report(true); process.exit(0); });
process.stdin.on('end', () => { if (buf !== '') { bad++; badLines.push('(unterminated) ' + buf.slice(0, 4000)); } report(true); process.exit(0); });
`;

interface Report {
  lines: number;
  bad: number;
  badLines: string[];
  types: Record<string, number>;
  done: boolean;
}

const KEEPALIVE = frameRaw(4, []);
/** Cease, administrative shutdown (RFC 4486): how the sender ends a session nothing broke. */
const CEASE = frameRaw(3, [6, 2]);

/** One connection's worth of messages: an OPEN (mutated or not) and, if it is accepted, a burst of UPDATEs. */
interface Plan {
  open: Buffer;
  openMutated: boolean;
  burst: Buffer[];
  /** The last message: one the decoder says resets the session, or a Cease. */
  last: Buffer;
  lastIsFatal: boolean;
  /** The decoder's verdict on each UPDATE sent (the burst and a fatal last one) and the mutations each had. */
  verdicts: Verdict[];
  mutations: string[];
}

interface Stats {
  connections: number;
  generated: number;
  opens: number;
  opensMutated: number;
  opensAccepted: number;
  updatesSent: number;
  updatesMutated: Record<string, number>;
  verdicts: Record<Verdict, number>;
  /** NOTIFICATIONs the daemon sent, by "code/subcode". */
  notifications: Record<string, number>;
  /** Sessions the daemon reset before the message meant to end them (damage the decoder alone did not predict). */
  earlyResets: number;
  /** Sessions still open a second after their last message, given zeros to end them. */
  desyncs: number;
  /** Connections the daemon neither closed nor answered for 30 s: what was sent and seen on each. */
  hung: string[];
}

function plan(g: Gen, s: Stats): Plan {
  const mutateOpen = g.chance(0.6);
  const open = mutatedOpen(g, AS_FUZZ, 90, mutateOpen);
  const burst: Buffer[] = [];
  let fatal: Mutated<UpdateMutation> | undefined;
  const verdicts: Verdict[] = [];
  const mutations: string[] = [];
  // Some connections are for the OPEN only; the others carry 20-400 UPDATEs the decoder expects to be survivable,
  // then one it expects to reset the session (the others of that kind are generated but not sent).
  const size = g.chance(0.5) ? 0 : 20 + g.int(380);
  while (burst.length < size) {
    const m = mutatedUpdate(g, AS_FUZZ);
    s.generated++;
    const v = predictUpdate(m.bytes);
    if (v === 'session-reset') {
      fatal ??= m;
      continue;
    }
    burst.push(m.bytes);
    verdicts.push(v);
    mutations.push(...m.mutations);
  }
  const lastIsFatal = fatal !== undefined && g.chance(0.7);
  if (lastIsFatal) {
    verdicts.push('session-reset');
    mutations.push(...fatal!.mutations);
  }
  return {
    open: open.bytes,
    openMutated: mutateOpen,
    burst,
    last: lastIsFatal ? fatal!.bytes : CEASE,
    lastIsFatal,
    verdicts,
    mutations,
  };
}

/** Play one plan on a fresh connection from `local` and wait until the daemon closes it. */
function play(p: Plan, local: string, d: { address: string; port: number }, s: Stats): Promise<void> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: d.address, port: d.port, localAddress: local });
    let rx = Buffer.alloc(0);
    let theirOpen = false;
    let established = false;
    let sentLast = false;
    let notified = false;
    const timer = setTimeout(() => {
      s.hung.push(
        `OPEN ${p.open.toString('hex')}: their OPEN ${theirOpen}, established ${established}, NOTIFICATION ${notified}, ` +
          `${p.burst.length} UPDATEs then ${p.lastIsFatal ? 'one expected to reset' : 'Cease'}: ${p.last.toString('hex')}`,
      );
      sock.destroy();
    }, 30_000);
    sock.on('connect', () => {
      s.connections++;
      s.opens++;
      if (p.openMutated) s.opensMutated++;
      sock.write(p.open);
    });
    sock.on('data', (chunk) => {
      rx = rx.length === 0 ? chunk : Buffer.concat([rx, chunk]);
      while (rx.length >= 19) {
        const len = rx.readUInt16BE(16);
        if (len < 19 || rx.length < len) break;
        const type = rx[18];
        const body = rx.subarray(19, len);
        rx = rx.subarray(len);
        if (type === 1 && !theirOpen) {
          theirOpen = true;
          sock.write(KEEPALIVE);
        } else if (type === 4 && theirOpen && !established) {
          established = true;
          s.opensAccepted++;
          s.updatesSent += p.verdicts.length;
          for (const v of p.verdicts) s.verdicts[v]++;
          for (const k of p.mutations) s.updatesMutated[k] = (s.updatesMutated[k] ?? 0) + 1;
          sock.write(Buffer.concat([...p.burst, p.last]));
          sentLast = true;
          // A last message whose length field lies leaves the daemon rightly waiting for the rest of it: zeros, after 0.2 s,
          // fill any partial message and then make a header whose marker is not all ones (RFC 4271 §6.1).
          const desync = setTimeout(() => {
            s.desyncs++;
            sock.write(Buffer.alloc(4096 + 19));
          }, 200);
          sock.once('close', () => clearTimeout(desync));
        } else if (type === 3 && !notified) {
          notified = true;
          const k = `${body[0]}/${body[1]}`;
          s.notifications[k] = (s.notifications[k] ?? 0) + 1;
          if (established && (!sentLast || !p.lastIsFatal)) s.earlyResets++;
        }
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('fuzz: mutated UPDATEs and OPENs through a live session', { timeout: 600_000 }, () => {
  let d: TsbgpDaemon;
  let good: TsbgpDaemon;
  let report: string;
  let goodAddr: string;
  const stats: Stats = {
    connections: 0,
    generated: 0,
    opens: 0,
    opensMutated: 0,
    opensAccepted: 0,
    updatesSent: 0,
    updatesMutated: {},
    verdicts: { 'session-reset': 0, 'treat-as-withdraw': 0, 'attribute-discard': 0, clean: 0 },
    notifications: {},
    earlyResets: 0,
    desyncs: 0,
    hung: [],
  };
  let seconds = 0;

  before(async () => {
    const dir = e2eDir('fuzz');
    report = path.join(dir, 'report.json');
    const validator = writeScript(dir, 'validator.js', VALIDATOR_JS);
    const eD = await allocEndpoint();
    const fuzzAddr = allocAddress();
    goodAddr = allocAddress();
    const api = [
      'family {',
      '  ipv4 unicast;',
      '  ipv6 unicast;',
      '}',
      'api {',
      '  processes [ validator ];',
      '  neighbor-changes;',
      '  receive { parsed; packets; update; open; notification; refresh; operational; }',
      '}',
    ];
    d = await startTsbgp({
      name: 'target',
      dir,
      config: [
        `process validator {\n  run ${NODE} ${validator} ${report};\n  encoder json;\n}`,
        neighborBlock({ peer: fuzzAddr, local: eD.address, localAs: AS_D, peerAs: AS_FUZZ, passive: true, extra: api }),
        neighborBlock({
          peer: goodAddr,
          local: eD.address,
          localAs: AS_D,
          peerAs: AS_GOOD,
          passive: true,
          holdTime: 15,
          extra: api,
        }),
      ].join('\n'),
      env: { 'exabgp.tcp.bind': eD.address, 'exabgp.tcp.port': String(eD.port) },
    });
    good = await startTsbgp({
      name: 'good',
      dir,
      config: neighborBlock({
        peer: eD.address,
        local: goodAddr,
        localAs: AS_GOOD,
        peerAs: AS_D,
        connect: eD.port,
        holdTime: 15,
        extra: [
          'family {',
          '  ipv4 unicast;',
          '}',
          'static {',
          '  route 198.51.100.0/24 next-hop 192.0.2.20;',
          '  route 203.0.113.0/24 next-hop 192.0.2.20 community [ 65020:1 ];',
          '}',
        ],
      }),
    });
    await waitFor(() => d.established(goodAddr), 20_000, 'the well-behaved session Established', 200);

    const g = new Gen(SEED);
    const t0 = Date.now();
    while (stats.opens + stats.updatesSent < TARGET && Date.now() - t0 < 400_000) {
      await play(plan(g, stats), fuzzAddr, eD, stats);
      if (!d.proc.running) break;
    }
    seconds = (Date.now() - t0) / 1000;
  });

  it('the daemon survives and still answers', async () => {
    assert.ok(d.proc.running, d.proc.describeExit());
    assert.equal((await d.cli('version')).lines.length > 0, true);
    assert.ok(stats.opens + stats.updatesSent >= TARGET, `only ${stats.opens + stats.updatesSent} messages sent`);
    assert.deepEqual(stats.hung, [], 'connections the daemon left open for 30 s');
  });

  it('the well-behaved session never dropped and kept its routes', async () => {
    assert.ok(await d.established(goodAddr));
    const lines = (await d.cli(`show adj-rib in ${goodAddr}`)).lines;
    assert.equal(
      lines.filter((l) => / 198\.51\.100\.0\/24 | 203\.0\.113\.0\/24 /.test(` ${l} `)).length,
      2,
      lines.join('\n'),
    );
    const r = JSON.parse(fs.readFileSync(report, 'utf8')) as Report;
    assert.equal(r.types[`state up ${goodAddr}`], 1, JSON.stringify(r.types));
    assert.equal(r.types[`state down ${goodAddr}`], undefined, JSON.stringify(r.types));
    assert.doesNotMatch(good.log(), /session down|hold timer/i);
  });

  it('every event line the API process received is valid JSON', async () => {
    await d.stop();
    const r = await waitFor(
      () => {
        const x = JSON.parse(fs.readFileSync(report, 'utf8')) as Report;
        return x.done ? x : undefined;
      },
      20_000,
      'the validator to finish',
    );
    process.stderr.write(
      `# fuzz seed ${SEED}: ${stats.opens} OPENs (${stats.opensMutated} mutated, ${stats.opensAccepted} sessions up) and ` +
        `${stats.updatesSent} UPDATEs sent over ${stats.connections} connections in ${seconds.toFixed(1)} s ` +
        `(${stats.generated} UPDATEs generated); decoder verdicts of those sent ${JSON.stringify(stats.verdicts)}; ` +
        `mutations ${JSON.stringify(stats.updatesMutated)}; daemon NOTIFICATIONs ${JSON.stringify(stats.notifications)}; ` +
        `resets before the planned end ${stats.earlyResets}, ended by zeros ${stats.desyncs}; ` +
        `daemon log lines naming treat-as-withdraw ${(d.log().match(/treat-as-withdraw/gi) ?? []).length}; API lines ${r.lines}, events ${JSON.stringify(r.types)}\n`,
    );
    assert.equal(r.bad, 0, `invalid JSON lines:\n${r.badLines.join('\n')}`);
    // Through a live session: each UPDATE sent before the one meant to end its session reached the program as an
    // event (a few more come from the good session and from the zeros that end some sessions).
    const survivable = stats.updatesSent - stats.verdicts['session-reset'];
    assert.ok((r.types.update ?? 0) >= 0.99 * survivable, `${r.types.update} update events for ${survivable} UPDATEs`);
  });
});
