import assert from 'node:assert/strict';
import { test } from 'node:test';
import { md5Key } from '../../../src/config/md5';
import { parseConfig } from '../../../src/config/parser';

const neighbor = (body: string) =>
  parseConfig(`neighbor 192.0.2.2 { local-address 192.0.2.1; local-as 65000; peer-as 65001; ${body} }`, 'f')
    .neighbors[0];
const text = (k: Uint8Array | undefined) => Buffer.from(k ?? []).toString('latin1');

test('md5-password: the key is the password as written by default', () => {
  const n = neighbor('md5-password "my md5 of the day";');
  assert.equal(n.md5Password, 'my md5 of the day');
  assert.equal(n.md5Base64, false);
  assert.equal(text(n.md5Key), 'my md5 of the day');
  assert.equal(n.md5Ip, undefined);
  assert.equal(n.outgoingTtl, 0);
  assert.equal(n.incomingTtl, 0);
});

test('md5-base64 true decodes the password; bad base64 is a config error at the password', () => {
  assert.equal(text(neighbor('md5-password c2VjcmV0; md5-base64 true;').md5Key), 'secret');
  assert.equal(text(neighbor('md5-base64 true; md5-password c2VjcmV0;').md5Key), 'secret');
  assert.equal(text(neighbor('md5-password c2VjcmV0Cg==; md5-base64 true;').md5Key), 'secret\n');
  assert.throws(() => neighbor('md5-password "not base64!"; md5-base64 true;'), /f:1:78: .*not valid base64/);
});

test('md5-base64 auto (ExaBGP 4.2): only lowercase hex passwords are read as base64', () => {
  // 'abcd' is base64 for 69 b7 1d; 'abc123' has only hex digits too; 'Secret' has other letters.
  assert.deepEqual([...md5Key('abcd', 'auto')!], [0x69, 0xb7, 0x1d]);
  assert.equal(md5Key('abc123', 'auto')!.length, 4);
  assert.equal(text(md5Key('Secret', 'auto')), 'Secret');
  // Length 4n+1 cannot be base64: taken as written.
  assert.equal(text(md5Key('abcde', 'auto')), 'abcde');
  assert.equal(neighbor('md5-password abcd; md5-base64 auto;').md5Base64, 'auto');
});

test('md5-password longer than 80 bytes (TCP_MD5SIG_MAXKEYLEN) is refused; 80 is accepted', () => {
  assert.equal(neighbor(`md5-password ${'x'.repeat(80)};`).md5Key?.length, 80);
  assert.throws(() => neighbor(`md5-password ${'x'.repeat(81)};`), /f:1:78: .*81 bytes long, .* at most 80/);
  assert.throws(() => neighbor('md5-password "";'), /f:1:91: found '', expected a non-empty password/);
});

test('md5-ip: the local address of outgoing connections, same family as the peer, ignored with local-address auto', () => {
  assert.equal(neighbor('md5-ip 192.0.2.9;').md5Ip, '192.0.2.9');
  assert.throws(() => neighbor('md5-ip 2001:db8::1;'), /f:1:78: .*md5-ip and peer-address must be of the same family/);
  const auto = parseConfig(
    'neighbor 192.0.2.2 { local-address auto; router-id 1.1.1.1; local-as 1; peer-as 2; md5-ip 192.0.2.9; }',
    'f',
  ).neighbors[0];
  assert.equal(auto.md5Ip, undefined);
});

test('outgoing-ttl and incoming-ttl: 1..255, 0 and disable mean unset', () => {
  const n = neighbor('outgoing-ttl 255; incoming-ttl 254;');
  assert.equal(n.outgoingTtl, 255);
  assert.equal(n.incomingTtl, 254);
  assert.equal(neighbor('outgoing-ttl disable; incoming-ttl 0;').outgoingTtl, 0);
  assert.equal(neighbor('incoming-ttl false;').incomingTtl, 0);
  assert.throws(() => neighbor('outgoing-ttl 256;'), /f:1:91: found '256', expected a TTL from 1 to 255/);
  assert.throws(() => neighbor('incoming-ttl -1;'), /f:1:91: .*expected a TTL/);
});
