// The HTTP server's pure parts: the bearer token check, prefix/address queries, community names, the
// tsbgp.http settings in each form the other settings take, and the token kept out of `--env` dumps.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EnvError, envLines, loadEnv } from '../../../src/config/env';
import { readToken } from '../../../src/config/http';
import { CommunityNames, parseCommunityQuery } from '../../../src/http/communities';
import { parsePrefixQuery } from '../../../src/http/lookup';
import { asPathText, originAs } from '../../../src/http/route-view';
import { tokenMatches } from '../../../src/http/server';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../../src/wire/types';

test('the bearer token must match exactly; no token configured means no write access', () => {
  assert.equal(tokenMatches('Bearer s3cret', 's3cret'), true);
  assert.equal(tokenMatches('bearer s3cret', 's3cret'), true);
  assert.equal(tokenMatches('Bearer s3cre', 's3cret'), false);
  assert.equal(tokenMatches('Bearer s3cretX', 's3cret'), false);
  assert.equal(tokenMatches('Basic s3cret', 's3cret'), false);
  assert.equal(tokenMatches(undefined, 's3cret'), false);
  assert.equal(tokenMatches('Bearer ', ''), false);
  assert.equal(tokenMatches('Bearer x', ''), false);
});

test('the token can come from a file (first line), and an empty file is an error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-token-'));
  const f = path.join(dir, 'token');
  fs.writeFileSync(f, 'abc123\nignored\n');
  assert.equal(readToken('', f), 'abc123');
  assert.equal(readToken('direct', f), 'direct');
  assert.equal(readToken('', ''), '');
  fs.writeFileSync(f, '\n');
  assert.throws(() => readToken('', f), /is empty/);
  assert.throws(() => readToken('', path.join(dir, 'missing')), /can not read the token file/);
  fs.rmSync(dir, { recursive: true });
});

test('a query is a prefix (exact) or an address (longest match), host bits cleared', () => {
  const p = parsePrefixQuery('10.1.2.3/16')!;
  assert.equal(p.family, IPV4_UNICAST);
  assert.deepEqual([...p.addr], [10, 1, 0, 0]);
  assert.equal(p.len, 16);
  assert.equal(p.address, false);
  const a = parsePrefixQuery('10.1.2.3')!;
  assert.equal(a.len, 32);
  assert.equal(a.address, true);
  const v6 = parsePrefixQuery('2001:db8:ffff::1/33')!;
  assert.equal(v6.family, IPV6_UNICAST);
  assert.deepEqual([...v6.addr.subarray(0, 6)], [0x20, 0x01, 0x0d, 0xb8, 0x80, 0]);
  for (const bad of ['10.0.0.0/33', '10.0.0/8', 'x', '2001:db8::/129', '10.0.0.0/'])
    assert.equal(parsePrefixQuery(bad), null, bad);
});

test('well-known communities are named, and the operator names standard and large ones', () => {
  const n = new CommunityNames({ '65000:666': 'blackhole here', '65000:*': 'from 65000', '65000:1:*': 'region 1' });
  assert.deepEqual(n.standard(0xffffff01), { value: '65535:65281', name: 'no-export', wellKnown: true });
  assert.deepEqual(n.standard(0xffff029a), { value: '65535:666', name: 'blackhole', wellKnown: true });
  assert.deepEqual(n.standard(0xffff0000), { value: '65535:0', name: 'graceful-shutdown', wellKnown: true });
  assert.deepEqual(n.standard((65000 << 16) | 666), { value: '65000:666', name: 'blackhole here' });
  assert.deepEqual(n.standard((65000 << 16) | 5), { value: '65000:5', name: 'from 65000' });
  assert.deepEqual(n.standard((65001 << 16) | 5), { value: '65001:5' });
  assert.deepEqual(n.large([65000, 1, 9]), { value: '65000:1:9', name: 'region 1' });
  assert.deepEqual(n.large([65000, 2, 9]), { value: '65000:2:9' });
  assert.throws(() => new CommunityNames({ 'not-a-community': 'x' }), /expected ASN:VALUE/);
  assert.deepEqual(parseCommunityQuery('no-export'), { standard: 0xffffff01 });
  assert.deepEqual(parseCommunityQuery('65000:1'), { standard: ((65000 << 16) | 1) >>> 0 });
  assert.deepEqual(parseCommunityQuery('4200000000:1:2'), { large: [4200000000, 1, 2] });
  assert.equal(parseCommunityQuery('70000:1'), null);
});

test('AS paths are printed as routers print them; the origin AS is NONE after a set (RFC 6811)', () => {
  const a = {
    asPath: [
      { type: 2, asns: [65001, 65002] },
      { type: 1, asns: [65003, 65004] },
    ],
  };
  assert.equal(asPathText(a), '65001 65002 {65003,65004}');
  assert.equal(originAs(a), null);
  assert.equal(originAs({ asPath: [{ type: 2, asns: [65001, 65002] }] }), 65002);
  assert.equal(originAs({}), null);
});

test('tsbgp.http settings: off by default, from the environment (dots or underscores) and the INI file', () => {
  const d = loadEnv({ env: {} });
  assert.equal(d.http.port, 0);
  assert.equal(d.http.bind, '127.0.0.1');
  assert.equal(d.http.token, '');
  assert.equal(loadEnv({ env: { 'tsbgp.http.port': '8080' } }).http.port, 8080);
  assert.equal(loadEnv({ env: { tsbgp_http_port: '8081', tsbgp_http_bind: '::1' } }).http.bind, '::1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-env-'));
  const ini = path.join(dir, 'tsbgp.env');
  fs.writeFileSync(ini, '[tsbgp.http]\nport = 9179\nbind = 127.0.0.2\ntoken = hush\n');
  const e = loadEnv({ file: ini, env: {} });
  assert.deepEqual([e.http.port, e.http.bind, e.http.token], [9179, '127.0.0.2', 'hush']);
  // The token never appears in a dump of the settings.
  const lines = envLines(e);
  assert.ok(lines.includes('tsbgp.http.token=(set)'));
  assert.ok(lines.includes('tsbgp.http.port=9179'));
  assert.ok(!lines.some((l) => l.includes('hush')));
  assert.throws(() => loadEnv({ env: { 'tsbgp.http.port': '70000' } }), EnvError);
  assert.throws(
    () => loadEnv({ env: { 'tsbgp.http.port': 'http' } }),
    /tsbgp.http.port: invalid value 'http', expected a TCP port/,
  );
  fs.rmSync(dir, { recursive: true });
});
