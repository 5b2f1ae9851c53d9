// The top-level `confederation { identifier N; members [ ... ]; }` section (RFC 5065, tsbgp's own keywords):
// what it gives every neighbor, and each bad value refused at its file:line:col.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { confederationPlace } from '../../../src/config/confederation';
import { parseConfig } from '../../../src/config/parser';

const neighbor = (ip: string, local: string, peer: string) =>
  `neighbor ${ip} { router-id 10.0.0.1; local-address 192.0.2.1; local-as ${local}; peer-as ${peer}; }\n`;
const SECTION = 'confederation {\n  identifier 65000;\n  members [ 65001 65002 ];\n}\n';

test('every neighbor gets the confederation, and its place in it, wherever the section is written', () => {
  const text =
    neighbor('192.0.2.11', '65001', '65001') +
    SECTION +
    neighbor('192.0.2.12', '65001', '65002') +
    neighbor('192.0.2.13', '65001', '64500');
  const c = parseConfig(text, 'c.conf');
  assert.equal(c.confederation?.identifier, 65000);
  assert.deepEqual(c.confederation?.members, [65001, 65002]);
  assert.deepEqual(
    c.neighbors.map((n) => confederationPlace(n)),
    ['internal', 'member', 'outside'],
  );
  // asdot and a single member without brackets are read too.
  const d = parseConfig(
    'confederation { identifier 1.0; members 65001; }\n' + neighbor('192.0.2.11', '65001', '1.1'),
    'd.conf',
  );
  assert.equal(d.confederation?.identifier, 65536);
  assert.equal(confederationPlace(d.neighbors[0]!), 'outside');
});

test('a configuration without the section behaves as before: no confederation anywhere', () => {
  const c = parseConfig(neighbor('192.0.2.11', '65001', '65002'), 'n.conf');
  assert.equal(c.confederation, undefined);
  assert.equal(c.neighbors[0]!.confederation, undefined);
  assert.equal(confederationPlace(c.neighbors[0]!), undefined);
});

test('bad values are file:line:col errors', () => {
  const cases: [string, RegExp][] = [
    ['confederation { identifier 65000; }\n', /^x\.conf:1:1: confederation section without 'members'/],
    ['confederation { members [ 65001 ]; }\n', /^x\.conf:1:1: confederation section without 'identifier'/],
    [
      'confederation { identifier 0; members 65001; }\n',
      /^x\.conf:1:28: found '0', expected the confederation identifier .*AS 0 is reserved/,
    ],
    ['confederation { identifier 65000 1; members 65001; }\n', /^x\.conf:1:34: found '1', expected ';'/],
    [
      'confederation { identifier 65000; members [ 65001 x ]; }\n',
      /^x\.conf:1:51: found 'x', expected a member AS number/,
    ],
    [
      'confederation { identifier 65000; members [ 65001 65001 ]; }\n',
      /^x\.conf:1:51: member AS 65001 is listed twice/,
    ],
    [
      'confederation { identifier 65001; members [ 65001 ]; }\n',
      /^x\.conf:1:1: confederation: the identifier 65001 is also listed/,
    ],
    ['confederation { identifier 65000; members [ ]; }\n', /^x\.conf:1:46: found ';', expected at least one member AS/],
    ['confederation { peers 65001; }\n', /^x\.conf:1:17: found 'peers', expected one of 'identifier', 'members'/],
    ['confederation x { }\n', /^x\.conf:1:15: found 'x', expected '\{'/],
    [SECTION + SECTION, /^x\.conf:5:1: a second confederation section/],
    [
      SECTION + neighbor('192.0.2.11', '65003', '65001'),
      /^x\.conf:5:68: neighbor 192\.0\.2\.11: local-as 65003 is not a member AS of confederation 65000/,
    ],
    [
      SECTION + neighbor('192.0.2.11', 'auto', '65001'),
      /^x\.conf:5:68: neighbor 192\.0\.2\.11: local-as auto is not a member AS/,
    ],
    [
      neighbor('192.0.2.11', '65001', 'auto') + SECTION,
      /^x\.conf:1:84: neighbor 192\.0\.2\.11: peer-as auto in confederation 65000/,
    ],
    [
      SECTION + neighbor('192.0.2.11', '65001', '65000'),
      /^x\.conf:5:84: neighbor 192\.0\.2\.11: peer-as 65000 is our confederation identifier/,
    ],
    [
      SECTION +
        neighbor('192.0.2.11', '65001', '65002').replace('peer-as 65002;', 'peer-as 65002; route-server-client;'),
      /^x\.conf:5:84: neighbor 192\.0\.2\.11: route-server-client needs a neighbor outside confederation 65000/,
    ],
  ];
  for (const [text, want] of cases) {
    assert.throws(
      () => parseConfig(text, 'x.conf'),
      (e: Error) => want.test(e.message),
      `${text} -> ${want}`,
    );
  }
});
