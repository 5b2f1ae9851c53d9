// The Speaker's event iterator: events come out in order, waiting readers are woken, close() ends the loop after
// what is queued, and a reader that falls ITERATOR_HIGH_WATER events behind says so once (the speaker then stops
// reading from its peers) and once again when it is down to half (reading resumes) or stops iterating.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStream, ITERATOR_HIGH_WATER, type SpeakerEvent } from '../../../src/lib/events';

const ev = (i: number): SpeakerEvent => ({ type: 'state', neighbor: `n${i}`, from: 'Idle', to: 'Connect' });

function stream() {
  const calls: string[] = [];
  const s = new EventStream({
    congested: (full) => void calls.push(full ? 'full' : 'drained'),
    detach: () => void calls.push('detach'),
  });
  return { s, calls };
}

test('in order, a waiting reader is woken, close ends after the queue', async () => {
  const { s } = stream();
  const first = s.next();
  s.push(ev(0));
  assert.deepEqual(await first, { value: ev(0), done: false });
  s.push(ev(1));
  s.push(ev(2));
  s.close();
  s.push(ev(3));
  const seen: string[] = [];
  for await (const e of s) seen.push(e.neighbor);
  assert.deepEqual(seen, ['n1', 'n2']);
});

test('congested at the high water mark, drained at half, once each', async () => {
  const { s, calls } = stream();
  for (let i = 0; i < ITERATOR_HIGH_WATER + 10; i++) s.push(ev(i));
  assert.deepEqual(calls, ['full']);
  let read = 0;
  while (calls.length === 1) {
    const r = await s.next();
    assert.equal(r.done, false);
    assert.equal(r.value.neighbor, `n${read++}`);
  }
  assert.deepEqual(calls, ['full', 'drained']);
  assert.equal(ITERATOR_HIGH_WATER + 10 - read, ITERATOR_HIGH_WATER / 2);
});

test('a reader that stops while behind releases the speaker and detaches', async () => {
  const { s, calls } = stream();
  for (let i = 0; i < ITERATOR_HIGH_WATER; i++) s.push(ev(i));
  for await (const e of s) if (e.neighbor === 'n3') break;
  assert.deepEqual(calls, ['full', 'drained', 'detach']);
  assert.deepEqual(await s.next(), { value: undefined, done: true });
});
