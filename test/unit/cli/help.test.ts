// Every subcommand answers --help (and -h) with its usage on stdout and exit code 0, and starts nothing:
// `tsbgp demo --help` used to run the demo.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { NODE, TSBGP } from '../../support/tsbgp';

const SUBCOMMANDS = ['run', 'validate', 'decode', 'encode', 'cli', 'healthcheck', 'demo'];

test('every subcommand answers --help and -h with its usage', () => {
  for (const sub of SUBCOMMANDS) {
    for (const flag of ['--help', '-h']) {
      const r = spawnSync(NODE, [TSBGP, sub, flag], { encoding: 'utf8', timeout: 10_000, input: '' });
      assert.equal(r.status, 0, `tsbgp ${sub} ${flag}: exit ${r.status}, stderr ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: tsbgp ${sub}\\b`), `tsbgp ${sub} ${flag}: ${r.stdout.slice(0, 200)}`);
      assert.ok(r.stdout.length < 4000, `tsbgp ${sub} ${flag} printed only its usage`);
    }
  }
});
