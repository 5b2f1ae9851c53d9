// An independent decoder reads what we send: FlowSpec UPDATEs from `tsbgp encode` are wrapped in a pcap
// (text2pcap, TCP port 179) and decoded by tshark; its filters and actions must be the ones we meant.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { skipReason } from '../support/programs';

const BIN = path.resolve(__dirname, '../../../bin/tsbgp.js');
const skip = skipReason('tshark');

function tsharkOf(rule: string): string {
  const hex = execFileSync(process.execPath, [BIN, 'encode', rule]).toString().trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-tshark-'));
  try {
    const txt = path.join(dir, 'm.txt');
    fs.writeFileSync(txt, `000000 ${hex.replace(/(..)/g, '$1 ')}\n`);
    execFileSync('text2pcap', ['-q', '-T', '40000,179', txt, path.join(dir, 'm.pcap')]);
    return execFileSync('tshark', ['-r', path.join(dir, 'm.pcap'), '-V'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('tshark decodes our IPv4 FlowSpec rule with the same filters and action', { skip }, () => {
  const out = tsharkOf(
    'route a { match { destination 10.0.0.0/24; source 198.51.100.7/32; protocol tcp; destination-port =23; } then { discard; } }',
  );
  assert.match(out, /Flow Spec Filter \(133\)/);
  assert.match(out, /Filter: Destination prefix filter \(10\.0\.0\.0\/24\)/);
  assert.match(out, /Filter: Source prefix filter \(198\.51\.100\.7\/32\)/);
  assert.match(out, /Filter: Protocol \/ Next Header filter \(=6\)/);
  assert.match(out, /Filter: Destination port filter \(=23\)/);
  assert.match(out, /Flow spec traffic-rate/);
  assert.match(out, /Rate shaper: 0\b/);
  assert.doesNotMatch(out, /Malformed|Expert Info \(Error/);
});

test('tshark decodes ranges, bitmasks and marking', { skip }, () => {
  const out = tsharkOf(
    'route b { match { destination 10.0.2.0/24; protocol udp; source-port >1024&<2000; packet-length >400&<1500; dscp 46; } then { mark 10; } }',
  );
  assert.match(out, /Filter: Protocol \/ Next Header filter \(=17\)/);
  assert.match(out, /Filter: Source port filter \(>1024 && <2000\)/);
  assert.match(out, /Filter: Packet Length filter \(>400 && <1500\)/);
  // tshark names the code points: DSCP 46 is EF, 10 is AF11.
  assert.match(out, /Filter: DSCP marking filter \(=Expedited Forwarding\)/);
  assert.match(out, /Flow spec traffic-remarking: Assured Forwarding 11/);
  assert.doesNotMatch(out, /Malformed|Expert Info \(Error/);
});
