// The PMSI Tunnel attribute (RFC 6514 §5) as ExaBGP 4.2 prints it (the same bytes are checked against
// exabgp --decode in test/diff/decode-families-exabgp.test.ts), and what ExaBGP cannot print.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonEncoder } from '../../../src/api/json';
import { pmsiJson } from '../../../src/api/pmsi-json';
import { defaultContext } from '../../../src/wire/types';
import { decodeUpdate } from '../../../src/wire/update';
import { ATTRIBUTE_CASES, h } from '../../support/family-vectors';

const ctx = { ...defaultContext(), asn4: true };
const attributes = (hex: string): string =>
  new JsonEncoder().updateMessage(decodeUpdate(Buffer.from(hex, 'hex').subarray(19), ctx));

test('PMSI tunnel: ingress replication, no tunnel, PIM-SSM; tunnel encapsulation and unknown ones generic', () => {
  const pmsi = (name: string): string => /"pmsi": "([^"]*)"/.exec(attributes(ATTRIBUTE_CASES[name]!))?.[1] ?? '';
  assert.equal(pmsi('pmsi: ingress replication with a label'), 'pmsi:ingressreplication:0:625(10001):192.0.2.7');
  assert.equal(pmsi('pmsi: no tunnel, leaf information required'), 'pmsi:notunnel:1:0:');
  assert.equal(pmsi('pmsi: PIM-SSM tree (a type ExaBGP keeps as bytes)'), 'pmsi:pim-ssmtree:0:100:0xC0000207E8010101');
  assert.match(
    attributes(ATTRIBUTE_CASES['tunnel encapsulation (23): the generic form']!),
    /"attribute-0x17-0xE0": "0x0008000701040000006400"/,
  );
  assert.match(
    attributes(ATTRIBUTE_CASES['an unknown transitive attribute with Partial set']!),
    /"attribute-0xF0-0xE0": "0x010203"/,
  );
});

test('PMSI tunnel: an IPv6 replicating router (ExaBGP 4.2 fails on it), a type without name, too short', () => {
  assert.deepEqual(pmsiJson(Uint8Array.from([0, 6, 0, 0x27, 0x11, ...h('20010db8000000000000000000000007')])), {
    json: '"pmsi": "pmsi:ingressreplication:0:625(10001):2001:db8::7"',
    text: ' pmsi pmsi:ingressreplication:0:625(10001):2001:db8::7',
  });
  assert.equal(pmsiJson(Uint8Array.from([0, 9, 0, 0, 0x10, 1]))?.json, '"pmsi": "pmsi:unknown:0:1:0x01"');
  assert.equal(pmsiJson(Uint8Array.from([0, 6, 0, 0])), undefined);
});
