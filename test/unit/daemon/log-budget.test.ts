// LogBudget: a peer that repeats an error at will gets a few log lines a period, the rest counted and the count
// told with the next line logged.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogBudget } from '../../../src/daemon/log-budget';

test('the first perPeriod occurrences are logged, the rest counted, and the count told in the next period', () => {
  let now = 0;
  const b = new LogBudget(3, 1000, () => now);
  assert.deepEqual([b.take(), b.take(), b.take()], [0, 0, 0]);
  assert.equal(b.take(), null);
  assert.equal(b.justExhausted, true, 'the first one past the budget says so');
  assert.equal(b.take(), null);
  assert.equal(b.justExhausted, false, 'said once a period');
  now = 999;
  assert.equal(b.take(), null);
  now = 1000;
  assert.equal(b.take(), 3, 'three were counted, not logged');
  assert.equal(b.take(), 0);
  now = 5000;
  assert.deepEqual([b.take(), b.take(), b.take(), b.take()], [0, 0, 0, null]);
});
