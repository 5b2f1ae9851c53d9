// The configuration's `http { }` section (config/http.ts): what it reads, its errors at file:line:col, and how it
// and the tsbgp.http.* settings combine (the section wins, setting by setting).

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadEnv } from '../../../src/config/env';
import { httpSettings } from '../../../src/config/http';
import { parseConfig } from '../../../src/config/parser';
import { ConfigError } from '../../../src/config/tokenizer';

const NEIGHBOR = 'neighbor 127.0.0.2 { local-address 127.0.0.1; local-as 1; peer-as 2; }';

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-http-conf-'));
  fs.writeFileSync(path.join(dir, 'token'), 's3cret\n');
  fs.writeFileSync(path.join(dir, 'empty'), '\n');
  fs.writeFileSync(path.join(dir, 'names.json'), '{ "65000:666": "blackholed" }');
  fs.writeFileSync(path.join(dir, 'bad.json'), '{ "nonsense": "x" }');
  return dir;
}

test('http section: every setting, files relative to the configuration', () => {
  const dir = tempDir();
  const file = path.join(dir, 'tsbgp.conf');
  const c = parseConfig(
    ['http {', '  port 8179;', '  bind ::1;', '  token-file token;', '  names names.json;', '}', NEIGHBOR].join('\n'),
    file,
  );
  assert.deepEqual(c.http, {
    port: 8179,
    bind: '::1',
    tokenfile: path.join(dir, 'token'),
    names: path.join(dir, 'names.json'),
    pos: { file, line: 1, col: 1 },
  });
  assert.deepEqual(parseConfig('http { port 0; token "two words"; }', file).http, {
    port: 0,
    token: 'two words',
    pos: { file, line: 1, col: 1 },
  });
  assert.equal(parseConfig(NEIGHBOR, file).http, undefined);
  fs.rmSync(dir, { recursive: true });
});

test('http section errors carry file:line:col', () => {
  const dir = tempDir();
  const f = path.join(dir, 'c');
  const bad: [string, RegExp][] = [
    ['http { bind 127.0.0.1; }', /:1:1: http section without a 'port' line/],
    ['http {\n  port 70000; }', /:2:8: found '70000', expected a TCP port \(0-65535, 0: off\) \(at most 65535\)/],
    ['http { port eighty; }', /:1:13: found 'eighty', expected a TCP port/],
    ['http { port; }', /:1:12: found ';', expected a value after 'port'/],
    ['http { port 1 2; }', /:1:15: found '2', expected ';' \(port takes one value\)/],
    ['http { port 1; bind localhost; }', /:1:21: found 'localhost', expected an IP address to listen on/],
    ['http { port 1; bind 127.0.0.300; }', /:1:21: found '127.0.0.300', expected an IP address/],
    ['http { port 1; port 2; }', /:1:16: 'port' is given twice in the http section/],
    ['http { port 1; token a; token-file token; }', /:1:25: the http section takes 'token' or 'token-file', not both/],
    ['http { port 1; token ""; }', /:1:22: found '', expected a token/],
    ['http { port 1;\n token-file missing; }', /:2:13: .*missing: can not read the token file: ENOENT/],
    ['http { port 1; token-file empty; }', /:1:27: .*empty: the token file is empty/],
    ['http { port 1; names bad.json; }', /:1:22: .*bad.json: community names: community name 'nonsense'/],
    ['http { port 1; tls on; }', /:1:16: found 'tls', expected one of 'port', 'bind', 'token', 'token-file', 'names'/],
    ['http { port 1; }\nhttp { port 2; }', /:2:1: a second http section/],
    ['http web { port 1; }', /:1:6: found 'web', expected '\{' \(http takes no name\)/],
    ['http { port 1; tls { } }', /:1:16: found 'tls \{', expected a statement ending with ';'/],
    ['htp { port 1; }', /:1:1: found 'htp', expected one of .*'http'/],
  ];
  for (const [src, re] of bad)
    assert.throws(
      () => parseConfig(src, f),
      (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${f}:`) && re.test(e.message),
      src,
    );
  fs.rmSync(dir, { recursive: true });
});

test('the http section wins over tsbgp.http.*, setting by setting; what it leaves out comes from the environment', () => {
  const env = loadEnv({
    env: {
      'tsbgp.http.port': '8000',
      tsbgp_http_bind: '127.0.0.9',
      'tsbgp.http.token': 'fromenv',
      'tsbgp.http.names': '/n',
    },
  }).http;
  const pos = { file: 'f', line: 1, col: 1 };
  // No section: the environment's settings as they are.
  assert.deepEqual(httpSettings(undefined, env), { settings: env, overridden: [] });
  // The section's port and token file; bind and names stay the environment's; the token file replaces the token.
  assert.deepEqual(httpSettings({ port: 9000, tokenfile: '/t', pos }, env), {
    settings: { port: 9000, bind: '127.0.0.9', token: '', tokenfile: '/t', names: '/n' },
    overridden: ['tsbgp.http.port', 'tsbgp.http.token'],
  });
  // A setting the environment leaves at its default is not said to be overridden; the same value is no override.
  const quiet = loadEnv({ env: { 'tsbgp.http.port': '9000' } }).http;
  assert.deepEqual(httpSettings({ port: 9000, bind: '127.0.0.2', pos }, quiet).overridden, []);
  // The section's port 0 turns off a server the environment turns on.
  assert.equal(httpSettings({ port: 0, pos }, env).settings.port, 0);
});
