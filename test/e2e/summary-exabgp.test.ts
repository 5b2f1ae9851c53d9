// `show neighbor summary` side by side with ExaBGP 4.2's own: ExaBGP (connecting to exabgp.tcp.port, as tsbgp
// now does too) sends two UPDATEs and an End-of-RIB to a tsbgp daemon, which sends back its End-of-RIB; an
// ExaBGP API program asks ExaBGP for its summary while tsbgp is asked for its own. The two answers have the same
// header and the same row layout, and each side's counters are the other's mirrored (UPDATE messages).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadEnv } from '../../src/config/env';
import { Daemon } from '../../src/daemon/daemon';
import { Logger } from '../../src/daemon/log';
import { showNeighbor } from '../../src/daemon/show';
import { allocAddress, freePort, ManagedProcess, stopAll, waitFor } from '../interop/peers';
import { skipReason } from '../support/programs';
import { e2eDir } from './launch';

after(stopAll);

// Asks for the summary every half second and appends every answer line to argv[1].
const ASKER_PY = `
import sys, threading, time
out = open(sys.argv[1], 'a')
def ask():
    while True:
        time.sleep(0.5)
        sys.stdout.write('show neighbor summary\\n')
        sys.stdout.flush()
threading.Thread(target=ask, daemon=True).start()
for line in sys.stdin:
    out.write(line)
    out.flush()
`;

describe('show neighbor summary against ExaBGP 4.2', { skip: skipReason('exabgp', '/usr/bin/python3') }, () => {
  it('same header, same row layout, mirrored UPDATE counters', { timeout: 60_000 }, async (t) => {
    const dir = e2eDir('summary');
    const [exa, ts] = [allocAddress(), allocAddress()];
    const port = await freePort(ts);
    const asked = path.join(dir, 'exabgp-summary.txt');
    fs.writeFileSync(path.join(dir, 'asker.py'), ASKER_PY);
    const exaConf = path.join(dir, 'exabgp.conf');
    fs.writeFileSync(
      exaConf,
      `process asker { run /usr/bin/python3 ${path.join(dir, 'asker.py')} ${asked}; encoder text; }\n` +
        `neighbor ${ts} {\n router-id 10.0.0.1; local-address ${exa}; local-as 65000; peer-as 65001;\n` +
        ` family { ipv4 unicast; }\n static {\n  route 10.8.0.0/24 next-hop 192.0.2.1;\n` +
        `  route 10.8.1.0/24 next-hop 192.0.2.1 med 5;\n }\n api { processes [ asker ]; }\n}\n`,
    );
    const tsConf = path.join(dir, 'tsbgp.conf');
    fs.writeFileSync(
      tsConf,
      `neighbor ${exa} {\n router-id 10.0.0.2; local-address ${ts}; local-as 65001; peer-as 65000; passive;\n` +
        ` family { ipv4 unicast; }\n}\n`,
    );
    const d = new Daemon({
      configFile: tsConf,
      env: loadEnv({ env: { 'exabgp.tcp.bind': ts, 'exabgp.tcp.port': String(port) } }),
      log: new Logger({ write: () => {} }),
    });
    await d.start();
    t.after(() => d.shutdown('test over'));
    const p = new ManagedProcess('exabgp', 'exabgp', [exaConf], path.join(dir, 'exabgp.log'), {
      ...process.env,
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.daemonize': 'false',
      'exabgp.api.cli': 'false',
      'exabgp.tcp.bind': '',
      'exabgp.tcp.port': String(port),
    });
    t.after(() => p.stop());
    // Rows once the session is past its first second on both sides (ExaBGP shows 'down' before).
    const row = (lines: string[], peer: string) =>
      lines.find((l) => l.startsWith(`${peer} `) && !/ down /.test(l) && / 1$| 3$/.test(l));
    const exaRow = await waitFor(
      () => (fs.existsSync(asked) ? row(fs.readFileSync(asked, 'utf8').split('\n'), ts) : undefined),
      30_000,
      "ExaBGP's summary row with the counters settled",
    );
    const tsLines = await waitFor(
      () => {
        const s = showNeighbor(d, 'summary');
        return row(s, exa) ? s : undefined;
      },
      10_000,
      "tsbgp's summary row",
    );
    const exaLines = fs.readFileSync(asked, 'utf8').split('\n');
    assert.equal(tsLines[0], exaLines[exaLines.indexOf(exaRow) - 1], 'the header');
    const shape = (r: string, peer: string, as: string) =>
      r
        .replace(peer.padEnd(15), 'P'.repeat(15))
        .replace(as, 'AS')
        .replace(/\d+:\d\d:\d\d/, 'T:TT:TT');
    const tsRow = row(tsLines, exa)!;
    // The counters mirrored: tsbgp's `1 ... 3` in ExaBGP's `3 ... 1` columns.
    const mirrored = shape(tsRow, exa, '65000').replace(/ 1( +)3$/, (_m, gap: string) => ` 3${gap}1`);
    assert.equal(shape(exaRow, ts, '65001'), mirrored);
    assert.match(exaRow, / established +3 +1$/);
    assert.match(tsRow, / established +1 +3$/);
  });
});
