// A program that reads its events steadily but far slower than a peer sends (issue 11: it was taken for a stuck
// one, the peer was let loose, 140 MB queued in 3.5 s, the program killed and 96% of the events lost). A raw
// sender (bench/sender.ts) gives tsbgp B `n` one-prefix UPDATEs, one event each, with hold time 3; B's only API
// process reads its JSON at about `rate` bytes a second. B must hold the peer back (stop reading its socket)
// for as long as the program is behind, keep the session up, never cut the program off, deliver every event,
// and keep its memory bounded by the backlog mark (4 MiB per process), not by what the peer sent.
// Shared by test/e2e/slow-reader.test.ts (npm test, a smaller n) and test/reliability/slow-reader.test.ts.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Sender, startSender } from '../../bench/sender';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import { e2eDir, NODE, passiveIpv4Neighbor, peakRssKiB, startTsbgp, type TsbgpDaemon, writeScript } from './launch';

/** Reads at most `rate` bytes a second: takes what the pipe holds, then sleeps as long as those bytes earn. */
const SLOW_JS = `'use strict';
const fs = require('fs');
const [target, report, rate] = [Number(process.argv[2]), process.argv[3], Number(process.argv[4])];
let rest = '', count = 0, bytes = 0, first = 0, last = 0, longestWait = 0, lastWrite = 0;
function line(l) {
  const m = JSON.parse(l).neighbor?.message;
  const u = m && m.update;
  if (!u) return;
  for (const byHop of Object.values((u.announce || {})['ipv4 unicast'] || {})) count += byHop.length;
}
function save(force) {
  const now = Date.now();
  if (!force && now - lastWrite < 250) return;
  lastWrite = now;
  fs.writeFileSync(report + '.tmp', JSON.stringify({ count, bytes, seconds: (last - first) / 1000, longestWait, done: count >= target }));
  fs.renameSync(report + '.tmp', report);
}
function read() {
  const chunk = process.stdin.read();
  if (chunk === null) {
    const since = Date.now();
    return process.stdin.once('readable', () => { if (count > 0) longestWait = Math.max(longestWait, Date.now() - since); read(); });
  }
  const now = Date.now();
  if (first === 0) first = now;
  last = now;
  bytes += chunk.length;
  const parts = (rest + chunk.toString('utf8')).split('\\n');
  rest = parts.pop();
  for (const p of parts) line(p);
  save(count >= target);
  setTimeout(read, (chunk.length / rate) * 1000);
}
process.stdin.on('end', () => save(true));
read();
`;

interface Progress {
  count: number;
  bytes: number;
  seconds: number;
  longestWait: number;
  done: boolean;
}

/** `env`: tsbgp settings for B (e.g. a smaller tsbgp.api.buffer, so that a small run can reach it). */
export function slowReaderCase(n: number, rate: number, env: Record<string, string> = {}): void {
  const settings = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  describe(`a program reading ~${rate} B/s while a peer sends ${n} one-prefix UPDATEs, hold time 3 ${settings.join(' ')}`, () => {
    let b: TsbgpDaemon;
    let sender: Sender;
    let report: string;
    let bPeak = 0;
    let senderFailed: Error | undefined;
    let addrA: string;

    after(async () => {
      await sender?.stop();
      await stopAll();
    });

    const progress = (): Progress => {
      try {
        return JSON.parse(fs.readFileSync(report, 'utf8')) as Progress;
      } catch {
        return { count: 0, bytes: 0, seconds: 0, longestWait: 0, done: false };
      }
    };

    before(async () => {
      const dir = e2eDir('slow-reader');
      const eb = await allocEndpoint();
      addrA = allocAddress();
      report = path.join(dir, 'slow.json');
      writeScript(dir, 'slow.js', SLOW_JS);
      b = await startTsbgp({
        name: 'b',
        dir,
        env,
        config: [
          `process slow {\n  run ${NODE} ${path.join(dir, 'slow.js')} ${n} ${report} ${rate};\n  encoder json;\n}`,
          passiveIpv4Neighbor(addrA, eb, ['api {', '  processes [ slow ];', '  receive { parsed; update; }', '}'], 3),
        ].join('\n'),
      });
      sender = await startSender({
        host: eb.address,
        port: eb.port,
        localAddress: addrA,
        as: 65001,
        holdTime: 3,
        count: n,
        perUpdate: 1,
      });
      sender.closed.catch((e: Error) => (senderFailed = e));
      await sender.established;
      // About 450 bytes of JSON an event: at 0.5 MB/s (half the rate at worst), with a minute to spare.
      const budget = 60_000 + ((n * 450) / (rate / 2)) * 1000;
      try {
        await waitFor(
          () => {
            bPeak = Math.max(bPeak, peakRssKiB(b.proc.pid));
            return progress().done || senderFailed !== undefined;
          },
          budget,
          `all ${n} events at the slow program`,
          200,
        );
      } catch (e) {
        throw new Error(`${(e as Error).message} (it has ${progress().count})\n--- B ---\n${b.log().slice(-3000)}`);
      }
      bPeak = Math.max(bPeak, peakRssKiB(b.proc.pid));
      const p = progress();
      process.stderr.write(
        `# slow reader: ${p.count} of ${n} events, ${Math.round(p.bytes / 1e6)} MB read in ${p.seconds.toFixed(1)} s ` +
          `(${Math.round(p.bytes / p.seconds / 1000)} KB/s), longest wait for data ${p.longestWait} ms; ` +
          `tsbgp peak RSS ${Math.round(bPeak / 1024)} MiB\n`,
      );
    });

    it('every event reaches the program, the session never drops, the program is never cut off', async () => {
      assert.equal(senderFailed, undefined, `the sender's session failed: ${senderFailed?.message}`);
      assert.equal(progress().count, n);
      const log = b.log();
      assert.doesNotMatch(log, /session down|hold timer/i);
      assert.doesNotMatch(log, /not reading its input|process slow ended/);
      assert.ok(await b.established(addrA));
    });

    it("tsbgp's memory is bounded by the backlog mark, not by what the peer sent", () => {
      assert.ok(bPeak > 0, 'the peak RSS could be read');
      // The goal (issue 11): under 300 MiB for 1,000,000 events (the table itself is in the Adj-RIB-In).
      assert.ok(bPeak < 300 * 1024, `tsbgp peak ${Math.round(bPeak / 1024)} MiB`);
    });
  });
}
