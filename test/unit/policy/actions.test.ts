import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportAction, NO_EXPORT } from '../../../src/policy/actions';
import type { Attributes } from '../../../src/wire/types';

const RS = 64999;
const c = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;
const act = (a: Attributes, to: number) => exportAction(a, RS, to);

test('no action community: sent as is to everyone', () => {
  assert.deepEqual(act({}, 1001), { send: true, prepend: 0 });
  assert.deepEqual(act({ communities: [c(3356, 1)], largeCommunities: [[3356, 1, 1]] }, 1001), {
    send: true,
    prepend: 0,
  });
});

test('do not announce to X (0:X, RS:0:X)', () => {
  assert.equal(act({ communities: [c(0, 1001)] }, 1001).send, false);
  assert.equal(act({ communities: [c(0, 1001)] }, 1002).send, true);
  assert.equal(act({ largeCommunities: [[RS, 0, 1001]] }, 1001).send, false);
  assert.equal(act({ largeCommunities: [[RS, 0, 1001]] }, 1002).send, true);
});

test('announce only to X (RS:X, RS:1:X, 0:RS + RS:X)', () => {
  assert.equal(act({ communities: [c(RS, 1001)] }, 1001).send, true);
  assert.equal(act({ communities: [c(RS, 1001)] }, 1002).send, false);
  assert.equal(act({ communities: [c(RS, 1001), c(RS, 1002)] }, 1002).send, true);
  assert.equal(act({ largeCommunities: [[RS, 1, 1001]] }, 1001).send, true);
  assert.equal(act({ largeCommunities: [[RS, 1, 1001]] }, 1003).send, false);
  assert.equal(act({ communities: [c(0, RS)] }, 1001).send, false);
  assert.equal(act({ communities: [c(0, RS), c(RS, 1001)] }, 1001).send, true);
  assert.equal(act({ communities: [c(RS, 1001), c(0, 1001)] }, 1001).send, false, 'deny wins');
});

test('prepend N times to X (6550N:X, RS:10N:X)', () => {
  assert.deepEqual(act({ communities: [c(65502, 1001)] }, 1001), { send: true, prepend: 2 });
  assert.deepEqual(act({ communities: [c(65502, 1001)] }, 1002), { send: true, prepend: 0 });
  assert.deepEqual(act({ largeCommunities: [[RS, 103, 1002]] }, 1002), { send: true, prepend: 3 });
  assert.deepEqual(act({ largeCommunities: [[RS, 101, 1002]] }, 1001), { send: true, prepend: 0 });
});

test('NO_EXPORT keeps a route from every client', () => {
  assert.equal(act({ communities: [NO_EXPORT] }, 1001).send, false);
});
