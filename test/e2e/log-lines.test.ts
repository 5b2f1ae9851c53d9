// What a program or a peer sends never spoils the log (issue 11): a refused command is logged once, with its
// line shown once, bounded ("... (N bytes cut)") and with control bytes escaped; every RFC 7606 error a peer's
// UPDATE causes (here treat-as-withdraw for an invalid ORIGIN) is logged with the neighbor, the attribute and
// the reason, at most 10 lines a minute per neighbor however many the peer sends, and the session stays up.

import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeOpen } from '../../src/wire/open';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import { e2eDir, NODE, passiveIpv4Neighbor, startTsbgp, type TsbgpDaemon, writeScript } from './launch';

after(stopAll);

/** Commands tsbgp must refuse: a 10 MB garbage line, one with ESC and NUL, a route with a 100 KB token. */
const NOISY_JS = `'use strict';
process.stdout.write('z'.repeat(10 * 1024 * 1024) + '\\n');
process.stdout.write('garbage \\x1b[31m\\x00 here\\n');
process.stdout.write('announce route 10.0.0.0/8 next-hop ' + 'y'.repeat(100000) + '\\n');
process.stdin.resume();
`;

const BAD_UPDATES = 50;

function frame(type: number, body: Uint8Array): Buffer {
  const b = Buffer.alloc(19 + body.length, 0xff);
  b.writeUInt16BE(19 + body.length, 16);
  b[18] = type;
  Buffer.from(body).copy(b, 19);
  return b;
}

/** An UPDATE for 10.0.i.0/24 whose ORIGIN is 7: RFC 7606 §7.1, treat-as-withdraw. */
function badOrigin(i: number): Buffer {
  const attrs = [0x40, 1, 1, 7, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9, 0x40, 3, 4, 192, 0, 2, 1];
  return frame(2, Uint8Array.from([0, 0, 0, attrs.length, ...attrs, 24, 10, 0, i & 255]));
}

describe('log lines: refused commands and RFC 7606 errors', () => {
  let b: TsbgpDaemon;
  let addrA: string;
  let sock: net.Socket;

  before(async () => {
    const dir = e2eDir('log-lines');
    const eb = await allocEndpoint();
    addrA = allocAddress();
    writeScript(dir, 'noisy.js', NOISY_JS);
    b = await startTsbgp({
      name: 'b',
      dir,
      config: [
        `process noisy {\n  run ${NODE} ${path.join(dir, 'noisy.js')};\n  encoder json;\n}`,
        passiveIpv4Neighbor(addrA, eb),
      ].join('\n'),
    });
    sock = net.connect({ host: eb.address, port: eb.port, localAddress: addrA });
    sock.on('data', () => undefined);
    sock.on('error', () => undefined);
    await new Promise((r) => sock.once('connect', r));
    const open = encodeOpen({
      version: 4,
      myAs: 65001,
      holdTime: 90,
      routerId: Uint8Array.of(192, 0, 2, 7),
      capabilities: [
        { code: 1, afi: 1, safi: 1 },
        { code: 65, asn: 65001 },
      ],
    });
    // In order: OPEN (the daemon goes to OpenConfirm), KEEPALIVE (Established), then the UPDATEs.
    sock.write(Buffer.concat([Buffer.from(open), frame(4, new Uint8Array(0))]));
    await waitFor(() => b.established(addrA), 10_000, 'the session up');
    for (let i = 0; i < BAD_UPDATES; i++) sock.write(badOrigin(i));
    await waitFor(() => /counted, not logged/.test(b.log()), 10_000, 'the RFC 7606 errors logged');
    await waitFor(() => (b.log().match(/command refused/g) ?? []).length >= 3, 20_000, 'the refused commands');
  });

  after(() => sock?.destroy());

  it('each refused command is logged once, its line shown once, bounded and escaped', () => {
    const lines = b.log().split('\n');
    const refused = lines.filter((l) => l.includes('command refused'));
    assert.equal(refused.length, 3, refused.map((l) => l.slice(0, 200)).join('\n'));
    for (const l of lines) assert.ok(l.length < 8192 + 100, `a log line of ${l.length} characters`);
    const huge = refused.find((l) => l.includes('zzzz'))!;
    assert.match(huge, /\.\.\. \(\d+ bytes cut\)$/);
    const esc = refused.find((l) => l.includes('here'))!;
    assert.equal(esc.split('here').length - 1, 1, `the line shown once: ${esc}`);
    assert.match(esc, /garbage \\x1b\[31m\\x00 here/);
    assert.doesNotMatch(b.log(), /[\x00\x1b]/);
    const route = refused.find((l) => l.includes('yyyy'))!;
    assert.match(route, /command refused: could not parse route: .*: announce route 10\.0\.0\.0\/8 next-hop yyyy/);
    assert.match(route, /bytes cut\)$/);
    assert.equal(route.split('10.0.0.0/8').length - 1, 1, 'the line shown once');
  });

  it('treat-as-withdraw is logged with the neighbor, the attribute and the reason, at most 10 a minute', async () => {
    const log = b.log();
    const tw = log.split('\n').filter((l) => l.includes('treat-as-withdraw'));
    assert.equal(tw.length, 10, tw.join('\n'));
    for (const l of tw) {
      assert.match(l, new RegExp(`peer=${addrA.replace(/\./g, '\\.')}`));
      assert.match(l, /treat-as-withdraw \(RFC 7606\): 1 prefix\(es\) of the UPDATE withdrawn: origin/);
    }
    assert.equal((log.match(/counted, not logged/g) ?? []).length, 1);
    assert.ok(await b.established(addrA), 'the session stays up');
  });
});
