// Differential test for the decode-mostly families and attributes (BGP-LS, PMSI tunnel, unknown attributes): the same UPDATE bytes
// (test/support/family-vectors.ts, written for tsbgp) through `exabgp --decode` (ExaBGP 4.2, the reference) and
// `tsbgp decode` give the same JSON object with its keys in the same order, apart from time, host, pid, ppid and
// counter. ExaBGP 4.2 prints its JSON after a text line that fails for BGP-LS; with -d its parser logs the JSON of
// the decoded UPDATE first (the same encoder), which is then the reference. Skipped without exabgp 4.2 (a failure
// under CI, test/support/programs.ts).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ATTRIBUTE_CASES, BGPLS_CASES, bgpLsNode, h, tlv } from '../support/family-vectors';
import { skipReason } from '../support/programs';

const MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js');

const CONF = `neighbor 127.0.0.1 {
  router-id 1.2.3.4;
  local-address 127.0.0.2;
  local-as 65001;
  peer-as 65002;
  family {
    ipv4 unicast;
    bgp-ls bgp-ls;
  }
}
`;

function exabgpJson(hex: string, file: string): string {
  const run = (extra: string[], pattern: RegExp): string | undefined => {
    const r = spawnSync('exabgp', [...extra, '--decode', hex, file], {
      encoding: 'utf8',
      // ExaBGP 4.2 loops for ever on some BGP-LS input (docs/MIGRATING.md), and does not stop on SIGTERM.
      timeout: 60_000,
      killSignal: 'SIGKILL',
      env: { ...process.env, 'exabgp.log.destination': 'stdout' },
    });
    return `${r.stdout}\n${r.stderr}`.split('\n').find((l) => pattern.test(l));
  };
  const line = run([], / json \{/) ?? run(['-d'], /decoded UPDATE .* json \{/);
  if (line === undefined) throw new Error(`exabgp printed no JSON for ${hex}`);
  return line.slice(line.indexOf(' json {') + ' json '.length).trim();
}

function tsbgpJson(hexes: string[]): string[] {
  const args = ['decode', '--local-address', '127.0.0.2', '--peer-address', '127.0.0.1'];
  const r = spawnSync(process.execPath, [MAIN, ...args, '--local-as', '65001', '--peer-as', '65002'], {
    input: `${hexes.join('\n')}\n`,
    encoding: 'utf8',
  });
  assert.equal(r.stderr, '');
  return r.stdout.trimEnd().split('\n');
}

/** The object without what says when and where it was printed, keys in the order printed. */
function comparable(line: string): string {
  const o = JSON.parse(line) as Record<string, unknown>;
  for (const k of ['time', 'host', 'pid', 'ppid', 'counter']) delete o[k];
  return JSON.stringify(o);
}

const skip = skipReason('exabgp');

/** Every case through both decoders; the names of those whose JSON differs, with both lines. */
function differences(cases: Record<string, string>): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-families-'));
  try {
    const file = path.join(dir, 'families.conf');
    fs.writeFileSync(file, CONF);
    const names = Object.keys(cases);
    const ours = tsbgpJson(names.map((n) => cases[n]!));
    const failures: string[] = [];
    names.forEach((name, i) => {
      const theirs = exabgpJson(cases[name]!, file);
      if (comparable(ours[i]!) !== comparable(theirs))
        failures.push(`${name}:\n  exabgp: ${comparable(theirs)}\n  tsbgp:  ${comparable(ours[i]!)}`);
    });
    return failures;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('BGP-LS: tsbgp decode prints the JSON exabgp --decode prints for the same bytes', { skip }, () => {
  const failures = differences(BGPLS_CASES);
  assert.equal(failures.length, 0, failures.join('\n'));
});

test('PMSI tunnel, tunnel encapsulation and unknown attributes: the JSON exabgp --decode prints', { skip }, () => {
  const failures = differences(ATTRIBUTE_CASES);
  assert.equal(failures.length, 0, failures.join('\n'));
});

/**
 * BGP-LS that ExaBGP 4.2 prints no JSON for (checked: neither its usual line nor its -d parser line), and what
 * tsbgp prints instead (docs/MIGRATING.md). A change on either side fails here.
 */
const PINNED: { name: string; hex: string; tsbgp: RegExp }[] = [
  {
    name: 'IPv6 next hop (4.2: NOTIFICATION 3/0)',
    hex: bgpLsNode(tlv(1095, [0, 10]), h('20010db8000000000000000000000009')),
    tsbgp: /"bgp-ls bgp-ls": \{ "2001:db8::9": \[ \{ "ls-nlri-type": "bgpls-node"/,
  },
  { name: 'an opaque node TLV (4.2: TypeError)', hex: bgpLsNode(tlv(1025, [0x41, 0x42])), tsbgp: /"opaque": "AB"/ },
  {
    name: 'node flags below 0x10 (4.2: NOTIFICATION 3/5, Invalid SR flags mask)',
    hex: bgpLsNode(tlv(1024, [0x04])),
    tsbgp: /"node-flags": \{"O": 0, "T": 0, "E": 0, "B": 0, "R": 0, "V": 1, "RSV": 0\}/,
  },
];

test('BGP-LS ExaBGP 4.2 fails on: no JSON from exabgp --decode, the pinned JSON from tsbgp', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-families-'));
  try {
    const file = path.join(dir, 'families.conf');
    fs.writeFileSync(file, CONF);
    const ours = tsbgpJson(PINNED.map((p) => p.hex));
    PINNED.forEach((p, i) => {
      assert.throws(() => exabgpJson(p.hex, file), /printed no JSON/, `${p.name}: ExaBGP printed JSON`);
      assert.match(ours[i]!, p.tsbgp, p.name);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
