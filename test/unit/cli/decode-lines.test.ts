// `tsbgp decode` reading standard input keeps its output in step with its input: line N of the output answers
// line N of the input, a line it refuses included (an error line in its place), so that a script pairing
// inputs with outputs stays aligned.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { NODE, TSBGP } from '../../support/tsbgp';

// An IPv4 End-of-RIB (an empty UPDATE body), a refused line, a blank line, a comment, the End-of-RIB again.
const INPUT = ['00000000', 'zz-not-hex', '', '# a comment', '0000000F40010100', '00000000'].join('\n') + '\n';

test('one output line per input line, an error line for a refused one (JSON)', () => {
  const r = spawnSync(NODE, [TSBGP, 'decode'], { input: INPUT, encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 1, r.stderr);
  const out = r.stdout.split('\n');
  assert.equal(out.pop(), '');
  assert.equal(out.length, 6, r.stdout);
  assert.match(JSON.parse(out[0]!).type, /^update$/);
  assert.ok(typeof JSON.parse(out[1]!).error === 'string', out[1]);
  assert.equal(out[2], '');
  assert.equal(out[3], '');
  assert.match(JSON.parse(out[4]!).error, /could not parse the message/);
  assert.deepEqual(JSON.parse(out[5]!).neighbor.message, JSON.parse(out[0]!).neighbor.message);
  assert.equal(r.stderr, '');
});

test('--text: the error lines in their place among the messages (ExaBGP prints an UPDATE on several lines)', () => {
  const r = spawnSync(NODE, [TSBGP, 'decode', '--text'], { input: INPUT, encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 1, r.stderr);
  const eor = [
    'neighbor 127.0.0.1 in update start',
    'neighbor 127.0.0.1 in update route eor 1/1 (ipv4 unicast)',
    'neighbor 127.0.0.1 in update end',
  ];
  const out = r.stdout.split('\n');
  assert.equal(out.pop(), '');
  assert.deepEqual(out.slice(0, 3), eor);
  assert.match(out[3]!, /^error /);
  assert.deepEqual(out.slice(4, 6), ['', '']);
  assert.match(out[6]!, /^error could not parse the message/);
  assert.deepEqual(out.slice(7), eor);
});
