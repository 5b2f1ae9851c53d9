// tsbgp.log.format=json: every form of the setting the other settings take selects it, a bad value is refused
// naming its source, and each record is one line of JSON with time, level, message and the neighbor/process
// context, bounded and escaped like a text line; syslog destinations keep ExaBGP's text.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EnvError, envLines, loadEnv } from '../../../src/config/env';
import { jsonLine, Logger, MAX_LOG_LINE, sinkFor } from '../../../src/daemon/log';

test('tsbgp.log.format in each form the settings take, text by default', () => {
  assert.equal(loadEnv({ env: {} }).log.format, 'text');
  for (const env of [
    { 'tsbgp.log.format': 'json' },
    { tsbgp_log_format: 'JSON' },
    { 'exabgp.log.format': 'json' },
    { exabgp_log_format: "'json'" },
  ])
    assert.equal(loadEnv({ env }).log.format, 'json', JSON.stringify(env));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-logfmt-'));
  const ini = path.join(dir, 'tsbgp.env');
  fs.writeFileSync(ini, '[tsbgp.log]\nformat = json\n');
  assert.equal(loadEnv({ file: ini, env: {} }).log.format, 'json');
  // The environment wins over the file, as for every setting.
  assert.equal(loadEnv({ file: ini, env: { 'tsbgp.log.format': 'text' } }).log.format, 'text');
  assert.ok(envLines(loadEnv({ env: {} })).includes('tsbgp.log.format=text'));
  assert.throws(
    () => loadEnv({ env: { 'tsbgp.log.format': 'xml' } }),
    (e: unknown) =>
      e instanceof EnvError && /tsbgp\.log\.format: invalid value 'xml', expected 'text' or 'json'/.test(e.message),
  );
  fs.rmSync(dir, { recursive: true });
});

test('one JSON object a line: time, level, message, then neighbor and process', () => {
  const lines: string[] = [];
  const write = (l: string) => void lines.push(l);
  const log = new Logger({ write, entry: (e) => write(jsonLine(e)) }, 'debug');
  log.with({ peer: '192.0.2.1' }).warning('notification sent: Cease');
  log.info('process started', { process: 'announcer', pid: 4242 });
  log.error('bad \x1b[31m\u2028 input\nsecond line', { component: 'control' });
  log.info('x'.repeat(MAX_LOG_LINE * 2));
  assert.equal(lines.length, 4);
  for (const l of lines) assert.ok(l.endsWith('\n') && l.indexOf('\n') === l.length - 1, l);
  const [a, b, c, d] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(Object.keys(a!), ['time', 'level', 'message', 'neighbor']);
  assert.match(String(a!.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(a!.level, 'warning');
  assert.equal(a!.neighbor, '192.0.2.1');
  assert.equal(a!.message, 'notification sent: Cease');
  assert.deepEqual(
    { process: b!.process, pid: b!.pid, level: b!.level },
    { process: 'announcer', pid: 4242, level: 'info' },
  );
  // What a peer or a program put in a message stays on one line and never drives a terminal.
  assert.equal(c!.message, 'bad \\x1b[31m\\u2028 input\\x0asecond line');
  assert.match(String(d!.message), /\.\.\. \(\d+ bytes cut\)$/);
  assert.ok(String(d!.message).length < MAX_LOG_LINE + 40);
});

test('the file destination writes JSON lines; the level threshold applies', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-logfile-'));
  const file = path.join(dir, 'tsbgp.log');
  const log = new Logger(sinkFor(file, 'json'), 'info');
  log.debug('not written');
  log.with({ peer: '2001:db8::1' }).info('session established');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  assert.deepEqual(
    { ...(JSON.parse(lines[0]!) as Record<string, unknown>), time: undefined },
    { time: undefined, level: 'info', message: 'session established', neighbor: '2001:db8::1' },
  );
  // Text stays the default.
  const text = path.join(dir, 'text.log');
  new Logger(sinkFor(text), 'info').info('hello', { process: 'p' });
  assert.match(fs.readFileSync(text, 'utf8'), /^\S+Z INFO {4}process=p hello\n$/);
  fs.rmSync(dir, { recursive: true });
});

test('syslog destinations keep their text records under the json format', () => {
  const sink = sinkFor('host:127.0.0.1:9', 'json');
  assert.equal(sink.entry, undefined);
  assert.equal(typeof sink.record, 'function');
});
