import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Framer } from '../../../src/wire/framer';
import { decodeMessage, encodeMessage } from '../../../src/wire/message';
import { shutdownCommunication } from '../../../src/wire/notification';
import { defaultContext, type Message } from '../../../src/wire/types';
import { hex, openArb, throwsDecode } from './helpers-msg';

const ctx = defaultContext();

/** Encode, frame back, decode: the value must come back. */
function roundTrip(m: Message): Message {
  const out = encodeMessage(m, ctx);
  assert.equal(out.length, 1);
  const f = new Framer();
  f.push(out[0]!);
  const got = f.next()!;
  assert.equal(got.type, m.type);
  return decodeMessage(got.type, got.body, ctx);
}

test('message: OPEN, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH round-trip through encodeMessage/Framer/decodeMessage', () => {
  const msgs: Message[] = [
    {
      type: 1,
      open: {
        version: 4,
        myAs: 65001,
        holdTime: 180,
        routerId: Uint8Array.of(10, 0, 0, 1),
        capabilities: [{ code: 65, asn: 65001 }],
      },
    },
    { type: 3, notification: { code: 6, subcode: 2, data: shutdownCommunication('bye') } },
    { type: 4 },
    { type: 5, refresh: { afi: 1, safi: 1, subtype: 1 } },
  ];
  for (const m of msgs) assert.deepEqual(roundTrip(m), m);
  fc.assert(
    fc.property(openArb, (open) => assert.deepEqual(roundTrip({ type: 1, open }), { type: 1, open })),
    { numRuns: 100 },
  );
});

test('message: UPDATE goes to the UPDATE codec and back', () => {
  // ORIGIN IGP, AS_PATH empty, NEXT_HOP 192.0.2.1; NLRI 10.0.0.0/24.
  const body = hex('0000 000e 40010100 400200 400304c0000201 180a0000');
  const m = decodeMessage(2, body, ctx);
  assert.equal(m.type, 2);
  if (m.type !== 2) return;
  assert.equal(m.update.nlri.count, 1);
  assert.deepEqual(m.update.attributes.nextHop, Uint8Array.of(192, 0, 2, 1));
  const again = roundTrip(m);
  assert.equal(again.type, 2);
  if (again.type !== 2) return;
  assert.deepEqual(again.update.attributes, m.update.attributes);
  assert.deepEqual(again.update.nlri.data, m.update.nlri.data);
});

test('message errors: KEEPALIVE with a body → 1/2; unknown type → 1/3', () => {
  throwsDecode(() => decodeMessage(4, new Uint8Array(1), ctx), 1, 2, Uint8Array.of(0, 20));
  throwsDecode(() => decodeMessage(6, new Uint8Array(0), ctx), 1, 3, Uint8Array.of(6));
  throwsDecode(() => decodeMessage(0, new Uint8Array(0), ctx), 1, 3, Uint8Array.of(0));
});

test('message: any type with any body decodes or throws DecodeError, nothing else', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 120 }), (type, body) => {
      try {
        decodeMessage(type, body, ctx);
      } catch (e) {
        assert.equal((e as Error).name, 'DecodeError', String(e));
      }
    }),
    { numRuns: 5000 },
  );
});
