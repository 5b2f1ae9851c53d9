// A program that reads its events, but slower than a peer sends: nothing may be lost and no session may drop.
// Peer A announces a table from its configuration to B (hold time 3 on both sides); B's only API process takes
// its JSON a small piece at a time with pauses, far slower than the UPDATEs arrive. B must stop reading from A
// while the program is behind (TCP slows A down), keep the session up, never cut the program off, and deliver
// every prefix in the end; its memory stays bounded by the backlog limit, not by the table.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import { e2eDir, NODE, neighborBlock, peakRssKiB, startTsbgp, type TsbgpDaemon, writeScript } from './launch';

after(stopAll);

const N = 200_000;

/** /24 number i from 20.0.0.0 upwards. */
const net24 = (i: number): string => `${20 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`;

// Takes what has arrived (at most one 64 KiB stream buffer), then sleeps 100 ms, over and over (at most about
// 0.6 MB/s, so B's 2 MiB of hysteresis takes longer than the 3 s hold time to drain); counts the announced prefixes of every UPDATE
// and writes the count to REPORT when it changes, and DONE once it has TARGET.
const SLOW_JS = `'use strict';
const fs = require('fs');
const [target, report] = [Number(process.argv[2]), process.argv[3]];
let buf = '', count = 0;
function line(l) {
  const m = JSON.parse(l).neighbor?.message;
  const u = m && m.update;
  if (!u) return;
  for (const byHop of Object.values((u.announce || {})['ipv4 unicast'] || {})) count += byHop.length;
}
function read() {
  let chunk;
  while ((chunk = process.stdin.read()) !== null) {
    buf += chunk;
    let k;
    while ((k = buf.indexOf('\\n')) >= 0) { line(buf.slice(0, k)); buf = buf.slice(k + 1); }
    fs.writeFileSync(report, JSON.stringify({ count, done: count >= target }));
    return setTimeout(read, 100);
  }
  process.stdin.once('readable', read);
}
process.stdin.setEncoding('utf8');
read();
`;

describe(`a program slower than its peer: ${N} prefixes, hold time 3`, () => {
  let a: TsbgpDaemon;
  let b: TsbgpDaemon;
  let report: string;
  let bPeak = 0;

  before(async () => {
    const dir = e2eDir('slow-reader');
    const eb = await allocEndpoint();
    const addrA = allocAddress();
    report = path.join(dir, 'slow.json');
    writeScript(dir, 'slow.js', SLOW_JS);
    const family = ['family {', '  ipv4 unicast;', '}'];
    b = await startTsbgp({
      name: 'b',
      dir,
      config: [
        `process slow {\n  run ${NODE} ${path.join(dir, 'slow.js')} ${N} ${report};\n  encoder json;\n}`,
        neighborBlock({
          peer: addrA,
          local: eb.address,
          localAs: 65002,
          peerAs: 65001,
          passive: true,
          holdTime: 3,
          extra: [
            `listen ${eb.port};`,
            ...family,
            'api {',
            '  processes [ slow ];',
            '  receive { parsed; update; }',
            '}',
          ],
        }),
      ].join('\n'),
    });
    const routes = Array.from({ length: N }, (_, i) => `  route ${net24(i)} next-hop 192.0.2.1;`);
    a = await startTsbgp({
      name: 'a',
      dir,
      config: neighborBlock({
        peer: eb.address,
        local: addrA,
        localAs: 65001,
        peerAs: 65002,
        connect: eb.port,
        holdTime: 3,
        extra: [...family, 'static {', ...routes, '}'],
      }),
    });
    const progress = (): { count: number; done: boolean } => {
      try {
        return JSON.parse(fs.readFileSync(report, 'utf8')) as { count: number; done: boolean };
      } catch {
        return { count: 0, done: false };
      }
    };
    try {
      await waitFor(
        () => {
          bPeak = Math.max(bPeak, peakRssKiB(b.proc.pid));
          return progress().done;
        },
        120_000,
        `all ${N} prefixes at the slow program`,
        100,
      );
    } catch (e) {
      throw new Error(
        `${(e as Error).message} (it has ${progress().count})\n--- A ---\n${a.log().slice(-2000)}\n--- B ---\n${b.log().slice(-2000)}`,
      );
    }
  });

  it('every prefix reaches the program, the session never drops, the program is never cut off', async () => {
    const got = JSON.parse(fs.readFileSync(report, 'utf8')) as { count: number };
    assert.equal(got.count, N);
    assert.doesNotMatch(a.log() + b.log(), /session down|Hold Timer|hold timer/i);
    assert.doesNotMatch(b.log(), /does not read its input|cut off/);
    assert.ok(await b.established(a.opts.config.match(/local-address ([\d.]+)/)![1]!));
  });

  it("the receiver's memory is bounded by the backlog, not by what the peer sent", () => {
    // 200k prefixes of JSON are ~13 MB; the daemon holds at most a few MiB of them before it stops reading.
    process.stderr.write(`# receiver peak RSS ${Math.round(bPeak / 1024)} MiB\n`);
    assert.ok(bPeak > 0, 'the receiver peak RSS was measured');
    assert.ok(bPeak < 200 * 1024, `receiver peak ${bPeak} KiB`);
  });
});
