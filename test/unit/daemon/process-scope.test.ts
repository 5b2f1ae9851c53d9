// Which neighbors a process's commands reach, as ExaBGP 4.2 decides (reactor/loop.py peers(service)): a route or
// flow from a process goes only to the neighbors whose api block names the process, a `neighbor IP` selector
// choosing among those; a process no neighbor names gets `error` ("no neighbor matching the command"); the
// control socket reaches every neighbor. A daemon in this process, with two passive neighbors and two idle
// programs; the commands go in as the programs' lines would.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { loadEnv } from '../../../src/config/env';
import type { CommandRunner } from '../../../src/daemon/commands';
import { Daemon } from '../../../src/daemon/daemon';
import { Logger } from '../../../src/daemon/log';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-process-scope-'));
let d: Daemon;
let runner: CommandRunner;
const acks: string[] = [];

const neighbor = (peer: string, api: string) =>
  `neighbor ${peer} {\n  router-id 127.0.0.1;\n  local-address 127.0.0.1;\n  local-as 65001;\n  peer-as 65002;\n  passive;\n  family { ipv4 unicast; ipv4 flow; }\n  ${api}\n}\n`;

before(async () => {
  const conf = path.join(dir, 'scope.conf');
  fs.writeFileSync(
    conf,
    [
      'process a {\n  run /bin/sleep 600;\n  encoder json;\n}',
      'process b {\n  run /bin/sleep 600;\n  encoder json;\n}',
      'process lonely {\n  run /bin/sleep 600;\n  encoder json;\n}',
      neighbor('127.0.0.2', 'api { processes [ a ]; }'),
      neighbor('127.0.0.3', 'api { processes [ a b ]; }'),
    ].join('\n'),
  );
  d = new Daemon({
    configFile: conf,
    env: loadEnv({ env: {} }),
    log: new Logger({ write: () => undefined }, 'error'),
    controlSocket: '',
  });
  await d.start();
  runner = (d as unknown as { runner: CommandRunner }).runner;
  // The acks the programs would read.
  const write = d.processes.write.bind(d.processes);
  d.processes.write = (name: string, line: string | Uint8Array) => {
    if (line === 'done' || line === 'error') acks.push(`${name} ${line}`);
    return write(name, line);
  };
});

after(async () => {
  await d.shutdown('test over');
  fs.rmSync(dir, { recursive: true, force: true });
});

const held = (peer: string): number => d.neighbors.find((n) => n.cfg.peerAddress === peer)!.ribOut.size;

test("a process's routes go to the neighbors that name it", () => {
  runner.fromProcess('b', 'announce route 10.0.0.0/24 next-hop 192.0.2.1');
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [0, 1]);
  runner.fromProcess('a', 'announce route 10.0.1.0/24 next-hop 192.0.2.1');
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [1, 2]);
  runner.fromProcess(
    'a',
    'announce flow route { match { destination 203.0.113.9/32; protocol udp; } then { discard; } }',
  );
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [2, 3]);
  assert.deepEqual(acks.splice(0), ['b done', 'a done', 'a done']);
});

test('a selector chooses among those neighbors only', () => {
  runner.fromProcess('b', 'neighbor 127.0.0.2 announce route 10.0.2.0/24 next-hop 192.0.2.1');
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [2, 3]);
  runner.fromProcess('a', 'neighbor 127.0.0.2 withdraw route 10.0.1.0/24');
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [1, 3]);
  assert.deepEqual(acks.splice(0), ['b error', 'a done']);
});

test('a process no neighbor names changes nothing and gets error', () => {
  runner.fromProcess('lonely', 'announce route 10.0.3.0/24 next-hop 192.0.2.1');
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [1, 3]);
  assert.deepEqual(acks.splice(0), ['lonely error']);
});

test('the control socket reaches every neighbor', async () => {
  const lines = await runner.answer('announce route 10.0.4.0/24 next-hop 192.0.2.1', 'cli', async () => true);
  assert.deepEqual(lines, ['done']);
  assert.deepEqual([held('127.0.0.2'), held('127.0.0.3')], [2, 4]);
});
