import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CeaseSubcode,
  decodeNotification,
  encodeNotification,
  notificationCodeName,
  notificationSubcodeName,
  notificationText,
  shutdownCommunication,
  shutdownMessage,
} from '../../../src/wire/notification';
import { hex, throwsDecode, toHex } from './helpers-msg';

test('NOTIFICATION: exact bytes', () => {
  const m = encodeNotification({ code: 6, subcode: 2, data: shutdownCommunication('maintenance') });
  assert.equal(toHex(m), toHex(hex('ffffffffffffffffffffffffffffffff 0021 03 06 02 0b 6d61696e74656e616e6365')));
  assert.equal(
    toHex(encodeNotification({ code: 4, subcode: 0, data: new Uint8Array(0) })),
    'ff'.repeat(16) + '001503' + '0400',
  );
});

test('NOTIFICATION: random notifications round-trip', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ maxLength: 300 }),
      (code, subcode, data) => {
        const n = { code, subcode, data };
        const m = encodeNotification(n);
        assert.equal((m[16]! << 8) | m[17]!, m.length);
        assert.deepEqual(decodeNotification(m.subarray(19)), n);
        assert.equal(typeof notificationText(n), 'string');
      },
    ),
    { numRuns: 1000 },
  );
});

test('NOTIFICATION: decoded data is a copy; too-short body → 1/2', () => {
  const b = hex('0602 03 616263');
  const n = decodeNotification(b);
  b[3] = 0;
  assert.deepEqual(n.data, hex('03616263'));
  throwsDecode(() => decodeNotification(hex('06')), 1, 2, Uint8Array.of(0, 20));
});

test('NOTIFICATION: data past 4096 bytes is cut, never thrown', () => {
  const m = encodeNotification({ code: 3, subcode: 1, data: new Uint8Array(10000) });
  assert.equal(m.length, 4096);
});

test('names: every code and subcode of RFC 4271, 4486, 5492, 6608, 7313, 8538, 9234, 9384', () => {
  const want: [number, number, string][] = [
    [1, 1, 'Message Header Error / Connection Not Synchronized'],
    [1, 2, 'Message Header Error / Bad Message Length'],
    [1, 3, 'Message Header Error / Bad Message Type'],
    [2, 0, 'OPEN Message Error / Unspecific'],
    [2, 1, 'OPEN Message Error / Unsupported Version Number'],
    [2, 2, 'OPEN Message Error / Bad Peer AS'],
    [2, 3, 'OPEN Message Error / Bad BGP Identifier'],
    [2, 4, 'OPEN Message Error / Unsupported Optional Parameter'],
    [2, 6, 'OPEN Message Error / Unacceptable Hold Time'],
    [2, 7, 'OPEN Message Error / Unsupported Capability'],
    [2, 11, 'OPEN Message Error / Role Mismatch'],
    [3, 1, 'UPDATE Message Error / Malformed Attribute List'],
    [3, 2, 'UPDATE Message Error / Unrecognized Well-known Attribute'],
    [3, 3, 'UPDATE Message Error / Missing Well-known Attribute'],
    [3, 4, 'UPDATE Message Error / Attribute Flags Error'],
    [3, 5, 'UPDATE Message Error / Attribute Length Error'],
    [3, 6, 'UPDATE Message Error / Invalid ORIGIN Attribute'],
    [3, 8, 'UPDATE Message Error / Invalid NEXT_HOP Attribute'],
    [3, 9, 'UPDATE Message Error / Optional Attribute Error'],
    [3, 10, 'UPDATE Message Error / Invalid Network Field'],
    [3, 11, 'UPDATE Message Error / Malformed AS_PATH'],
    [4, 0, 'Hold Timer Expired / Unspecific'],
    [5, 0, 'Finite State Machine Error / Unspecified Error'],
    [5, 1, 'Finite State Machine Error / Receive Unexpected Message in OpenSent State'],
    [5, 2, 'Finite State Machine Error / Receive Unexpected Message in OpenConfirm State'],
    [5, 3, 'Finite State Machine Error / Receive Unexpected Message in Established State'],
    [6, 1, 'Cease / Maximum Number of Prefixes Reached'],
    [6, 2, 'Cease / Administrative Shutdown'],
    [6, 3, 'Cease / Peer De-configured'],
    [6, 4, 'Cease / Administrative Reset'],
    [6, 5, 'Cease / Connection Rejected'],
    [6, 6, 'Cease / Other Configuration Change'],
    [6, 7, 'Cease / Connection Collision Resolution'],
    [6, 8, 'Cease / Out of Resources'],
    [6, 9, 'Cease / Hard Reset'],
    [6, 10, 'Cease / BFD Down'],
    [7, 1, 'ROUTE-REFRESH Message Error / Invalid Message Length'],
  ];
  for (const [c, s, text] of want)
    assert.equal(notificationText({ code: c, subcode: s, data: new Uint8Array(0) }), text);
  assert.equal(notificationCodeName(9), 'Unknown Error Code 9');
  assert.equal(notificationSubcodeName(6, 42), 'Unknown Subcode 42');
  assert.equal(CeaseSubcode.BFD_DOWN, 10);
});

test('shutdown communication (RFC 9003): text, length, truncation at a character boundary', () => {
  assert.deepEqual(shutdownCommunication(''), Uint8Array.of(0));
  assert.deepEqual(shutdownCommunication('ok'), Uint8Array.of(2, 0x6f, 0x6b));
  const long = shutdownCommunication('é'.repeat(200)); // 400 bytes of UTF-8
  assert.equal(long[0], 254);
  assert.equal(long.length, 255);
  assert.equal(new TextDecoder().decode(long.subarray(1)), 'é'.repeat(127));
  assert.equal(shutdownCommunication('x'.repeat(300))[0], 255);
  const n = { code: 6, subcode: 2, data: shutdownCommunication('maintenance') };
  assert.equal(notificationText(n), 'Cease / Administrative Shutdown: maintenance');
  assert.equal(
    notificationText({ code: 6, subcode: 4, data: shutdownCommunication('upgrade to 2.0 ✓') }),
    'Cease / Administrative Reset: upgrade to 2.0 ✓',
  );
});

test('shutdown communication: decoding tolerates bad lengths and bad UTF-8', () => {
  const n = (data: Uint8Array) => ({ code: 6, subcode: 2, data });
  // No data, or a zero length: no message.
  assert.equal(notificationText(n(new Uint8Array(0))), 'Cease / Administrative Shutdown');
  assert.equal(shutdownMessage(n(Uint8Array.of(0))), undefined);
  assert.equal(notificationText(n(Uint8Array.of(0))), 'Cease / Administrative Shutdown');
  // Length beyond the data: take what is there.
  assert.equal(shutdownMessage(n(hex('20 6869'))), 'hi');
  // Length shorter than the data: the message is the length.
  assert.equal(shutdownMessage(n(hex('02 686921'))), 'hi');
  // Invalid UTF-8 and control characters do not break the log line.
  assert.equal(notificationText(n(hex('03 ff0a41'))), 'Cease / Administrative Shutdown: \ufffd A');
  // Not a shutdown: no message, data as hex.
  assert.equal(shutdownMessage({ code: 6, subcode: 3, data: hex('026869') }), undefined);
  assert.equal(
    notificationText({ code: 1, subcode: 2, data: hex('0fff') }),
    'Message Header Error / Bad Message Length (data 0x0FFF)',
  );
});
