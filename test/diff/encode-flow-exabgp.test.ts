// `tsbgp encode` of FlowSpec routes gives the whole UPDATE byte for byte as ExaBGP 4.2 (`exabgp -d -t`) sends
// it: NLRI, actions as extended communities, attribute order, MP_REACH last with the redirect next hop; FlowSpec
// VPN rules (SAFI 134) with their route distinguisher too.

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { skipReason } from '../support/programs';

const BIN = path.resolve(__dirname, '../../../bin/tsbgp.js');
const skip = skipReason('exabgp');

const RULES = [
  'route a { match { destination 10.0.0.0/24; source 198.51.100.7/32; protocol tcp; destination-port =23; } then { discard; community [ 65000:1 ]; } }',
  'route b { match { destination 2001:db8::/32; next-header tcp; destination-port =23; } then { rate-limit 9600; } }',
  'route c { match { destination 10.0.1.0/24; } then { redirect 192.0.2.9; } }',
  'route d { match { destination 10.0.2.0/24; protocol [ udp tcp ]; source-port >1024&<2000; packet-length >400&<1500; } then { rate-limit 1000000; } }',
  'route e { match { destination 10.0.3.0/24; protocol tcp; tcp-flags [ syn ]; fragment [ is-fragment ]; dscp 46; } then { mark 10; } }',
  'route f { match { destination 10.0.4.0/24; protocol icmp; icmp-type 8; icmp-code 0; } then { redirect 65000:100; } }',
  'route g { match { destination 10.0.5.0/24; protocol udp; destination-port =53; } then { action sample-terminal; extended-community [ target:65000:1 ]; } }',
  'route h { match { destination 2001:db8:1::/48; source 2001:db8:2::/48; next-header udp; flow-label 1234; } then { discard; } }',
  // FlowSpec VPN (SAFI 134): the three RD types, both AFIs, a redirect next hop.
  'route i { rd 65000:1; match { destination 10.0.0.0/24; protocol tcp; destination-port =23; } then { discard; } }',
  'route j { rd 192.0.2.1:7; match { destination 2001:db8::/32; next-header tcp; } then { rate-limit 9600; extended-community [ target:65000:1 ]; } }',
  'route k { route-distinguisher 4200000000:5; match { source 10.0.1.0/24; } then { redirect 65000:100; } }',
  'route l { rd 65000:2; next-hop 192.0.2.9; match { destination 10.0.2.0/24; } then { redirect-to-nexthop; } }',
  // scope { interface-set } (draft-ietf-idr-flowspec-interfaceset), one rule only: given a rule with a scope and
  // an rd, or a second rule with a scope, ExaBGP 4.2.21 prints fewer UPDATEs than it has rules.
  'route m { match { destination 10.0.6.0/24; } scope { interface-set transitive:input:1234:5678; } then { discard; } }',
];

test('tsbgp encode of FlowSpec routes matches exabgp -t byte for byte', {
  skip,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-encode-flow-'));
  try {
    const conf = path.join(dir, 'flow.conf');
    fs.writeFileSync(
      conf,
      `neighbor 127.0.0.1 {\n  router-id 10.10.10.10;\n  local-address 127.0.0.1;\n  local-as 65000;\n  peer-as 65000;\n` +
        `  family { ipv4 flow; ipv6 flow; ipv4 flow-vpn; ipv6 flow-vpn; }\n  flow {\n${RULES.map((r) => `    ${r}\n`).join('')}  }\n}\n`,
    );
    const theirs = await new Promise<string[]>((resolve, reject) =>
      execFile(
        'exabgp',
        ['-d', '-t', conf],
        { env: { ...process.env, 'exabgp.daemon.user': 'root', 'exabgp.api.cli': 'false' }, timeout: 30_000 },
        (err, stdout, stderr) => {
          const hex = [...`${stdout}\n${stderr}`.matchAll(/parsed hex\s+([0-9A-F ]+)/g)].map((m) =>
            m[1]!.replace(/\s+/g, ''),
          );
          if (hex.length === 0)
            reject(new Error(`exabgp printed no hex: ${err?.message ?? ''}\n${stderr.slice(-800)}`));
          else resolve(hex);
        },
      ),
    );
    const ours = execFileSync(process.execPath, [BIN, 'encode'], { input: RULES.join('\n') + '\n' })
      .toString()
      .trim()
      .split('\n');
    assert.equal(ours.length, RULES.length);
    assert.deepEqual([...ours].sort(), [...theirs].sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
