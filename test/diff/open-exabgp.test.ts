// The OPEN tsbgp sends against the OPEN ExaBGP 4.2 sends for the same neighbor block with `graceful-restart 120`
// (RFC 4724): a listener on loopback takes each one's first message. The graceful restart capability must be the
// same bytes (restart time, the R bit ExaBGP sets on every OPEN, the F bit per family, family order), and so must
// every other capability but the hostname, which ExaBGP 4.2 does not send and 5.0 (and tsbgp) does. Skipped when
// exabgp 4.2 is missing (failed under CI).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { encodeCapability } from '../../src/wire/capabilities';
import { decodeOpen } from '../../src/wire/open';
import type { Open } from '../../src/wire/types';
import { e2eDir, startTsbgp } from '../e2e/launch';
import { allocAddress, allocEndpoint, ManagedProcess, stopAll } from '../interop/peers/common';
import { skipReason } from '../support/programs';

after(stopAll);

/** Listens on `at` and resolves with the first OPEN a connection sends. */
function firstOpen(at: { address: string; port: number }): { open: Promise<Open>; close: () => void } {
  let server: net.Server;
  const open = new Promise<Open>((resolve, reject) => {
    server = net.createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 19 && buf.length >= buf.readUInt16BE(16)) {
          const len = buf.readUInt16BE(16);
          if (buf[18] !== 1) reject(new Error(`first message of type ${buf[18]}`));
          else resolve(decodeOpen(new Uint8Array(buf.subarray(19, len))));
          s.destroy();
        }
      });
      s.on('error', () => undefined);
    });
    server.listen(at.port, at.address);
  });
  return { open, close: () => server.close() };
}

const hex = (o: Open, code: number): string[] =>
  o.capabilities.filter((c) => c.code === code).map((c) => Buffer.from(encodeCapability(c)).toString('hex'));

test('graceful-restart 120: the OPEN capabilities tsbgp sends are the ones ExaBGP 4.2 sends (less the hostname)', {
  skip: skipReason('exabgp'),
  timeout: 60_000,
}, async () => {
  const dir = e2eDir('open-exabgp');
  const conf = (listener: { address: string; port: number }, self: string) =>
    [
      `neighbor ${listener.address} {`,
      `  router-id 10.0.0.9;`,
      `  local-address ${self};`,
      '  local-as 65001;',
      '  peer-as 65002;',
      '  hold-time 90;',
      `  connect ${listener.port};`,
      '  family { ipv4 unicast; ipv6 unicast; ipv4 flow-vpn; ipv4 mpls-vpn; }',
      '  capability { graceful-restart 120; }',
      '}',
      '',
    ].join('\n');
  const [forExa, forTs] = await Promise.all([allocEndpoint(), allocEndpoint()]);
  const exa = firstOpen(forExa);
  const ts = firstOpen(forTs);
  try {
    const exaSelf = allocAddress();
    const file = path.join(dir, 'exabgp.conf');
    fs.writeFileSync(file, conf(forExa, exaSelf));
    new ManagedProcess(
      'exabgp',
      'exabgp',
      [file],
      path.join(dir, 'exabgp.log'),
      {
        ...process.env,
        'exabgp.daemon.user': 'root',
        'exabgp.daemon.daemonize': 'false',
        'exabgp.tcp.bind': '',
        'exabgp.tcp.port': String(forExa.port),
        'exabgp.api.cli': 'false',
      },
      dir,
    );
    await startTsbgp({ name: 'subject', dir, config: conf(forTs, allocAddress()) });
    const [theirs, ours] = await Promise.all([exa.open, ts.open]);
    const gr = hex(theirs, 64);
    assert.equal(gr.length, 1, JSON.stringify(theirs.capabilities));
    // R bit (0x8 of the flags nibble) and 120 s; every family with the F bit (0x80), in the family block's order.
    assert.match(gr[0]!, /^40..8078/);
    assert.deepEqual(hex(ours, 64), gr);
    const rest = (o: Open) =>
      o.capabilities
        .filter((c) => c.code !== 64 && c.code !== 73)
        .map((c) => Buffer.from(encodeCapability(c)).toString('hex'))
        .sort();
    assert.deepEqual(rest(ours), rest(theirs));
  } finally {
    exa.close();
    ts.close();
  }
});
