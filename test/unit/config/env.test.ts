import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EnvError, envLines, loadEnv } from '../../../src/config/env';

test('defaults are ExaBGP 4.2 defaults', () => {
  const e = loadEnv({ env: {} });
  assert.equal(e.tcp.port, 179);
  assert.deepEqual(e.tcp.bind, []);
  assert.equal(e.api.ack, true);
  assert.equal(e.api.encoder, 'json');
  assert.equal(e.api.respawn, true);
  assert.equal(e.daemon.user, 'nobody');
  assert.equal(e.daemon.umask, 0o137);
  assert.equal(e.log.level, 'INFO');
  // tsbgp's one departure: 5 s for a silent connection from a neighbor's address (ExaBGP: 60), docs/SECURITY.md.
  assert.equal(e.bgp.openwait, 5);
  assert.equal(e.reactor.speed, 1);
  assert.ok(envLines(e).includes('exabgp.tcp.port=179'));
});

test('both spellings, tsbgp prefix wins, INI file below the environment', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-env-'));
  const ini = path.join(dir, 'x.env');
  fs.writeFileSync(
    ini,
    "[exabgp.tcp]\nport = 1790\nbind = '127.0.0.1 ::1'\n[exabgp.api]\nencoder: text\nack = false\n[exabgp.daemon]\numask = '0o22'\n",
  );
  const e = loadEnv({
    file: ini,
    env: { 'exabgp.api.ack': 'true', exabgp_log_level: 'debug', 'tsbgp.tcp.port': '2000', 'exabgp.tcp.port': '3000' },
  });
  assert.equal(e.tcp.port, 2000);
  assert.deepEqual(e.tcp.bind, ['127.0.0.1', '::1']);
  assert.equal(e.api.encoder, 'text');
  assert.equal(e.api.ack, true);
  assert.equal(e.log.level, 'DEBUG');
  assert.equal(e.daemon.umask, 0o22);
  fs.rmSync(dir, { recursive: true });
});

test('an env file laid out as ExaBGP dumps one (every setting under its section) gives back the same settings', () => {
  const defaults = envLines(loadEnv({ env: {} }));
  // ExaBGP writes strings quoted, an empty value as '', the umask as '0o137' and the speed as 1.0; the rest bare.
  const spelled: Record<string, string> = {
    'exabgp.daemon.user': "'nobody'",
    'exabgp.daemon.umask': "'0o137'",
    'exabgp.log.destination': "'stdout'",
    'exabgp.api.pipename': "'exabgp'",
    'exabgp.reactor.speed': '1.0',
  };
  const sections = new Map<string, string[]>();
  for (const line of defaults) {
    const key = line.slice(0, line.indexOf('='));
    const value = line.slice(key.length + 1);
    const section = key.slice(0, key.lastIndexOf('.'));
    const text = spelled[key] ?? (value === '' ? "''" : value);
    sections.set(section, [...(sections.get(section) ?? []), `${key.slice(section.length + 1)} = ${text}`]);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-env-'));
  const ini = path.join(dir, 'exabgp.env');
  fs.writeFileSync(ini, [...sections].map(([s, lines]) => `[${s}]\n${lines.join('\n')}\n`).join('\n'));
  try {
    assert.deepEqual(envLines(loadEnv({ file: ini, env: {} })), defaults);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('bad values name the setting', () => {
  assert.throws(
    () => loadEnv({ env: { 'exabgp.tcp.port': 'x' } }),
    (err: unknown) => err instanceof EnvError && /exabgp\.tcp\.port/.test(err.message),
  );
  assert.throws(() => loadEnv({ env: { exabgp_api_encoder: 'xml' } }), EnvError);
  assert.throws(() => loadEnv({ env: { 'exabgp.api.ack': 'maybe' } }), EnvError);
});

test('tsbgp.flowspec: guard mode, protected prefixes and limits in every spelling', () => {
  const d = loadEnv({ env: {} });
  assert.equal(d.flowspec.guard, 'refuse');
  assert.deepEqual(d.flowspec.protect, []);
  assert.equal(d.flowspec.shortest4, 8);
  assert.equal(d.flowspec.shortest6, 32);
  assert.ok(envLines(d).includes('tsbgp.flowspec.guard=refuse'));
  assert.equal(loadEnv({ env: { 'tsbgp.flowspec.guard': 'warn' } }).flowspec.guard, 'warn');
  assert.equal(loadEnv({ env: { tsbgp_flowspec_guard: 'OFF' } }).flowspec.guard, 'off');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-env-'));
  const ini = path.join(dir, 'x.env');
  fs.writeFileSync(
    ini,
    "[tsbgp.flowspec]\nguard = warn\nprotect = '10.255.0.0/24, 2001:db8::1 192.0.2.1'\nshortest4 = 16\n",
  );
  const e = loadEnv({ file: ini, env: {} });
  assert.equal(e.flowspec.guard, 'warn');
  assert.equal(e.flowspec.shortest4, 16);
  assert.deepEqual(
    e.flowspec.protect.map((p) => p.len),
    [24, 128, 32],
  );
  assert.ok(envLines(e).includes('tsbgp.flowspec.protect=10.255.0.0/24 2001:db8::1/128 192.0.2.1/32'));
  fs.rmSync(dir, { recursive: true });
  assert.throws(
    () => loadEnv({ env: { 'tsbgp.flowspec.guard': 'maybe' } }),
    /tsbgp\.flowspec\.guard.*'refuse', 'warn' or 'off'/,
  );
  assert.throws(() => loadEnv({ env: { 'tsbgp.flowspec.protect': '10.0.0.0/33' } }), /tsbgp\.flowspec\.protect/);
  assert.throws(() => loadEnv({ env: { 'tsbgp.flowspec.shortest6': '129' } }), /prefix length 0-128/);
});
