import * as assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { AckPolicy, answerLine, isAnswerLine } from '../../../src/api/ack';
import { ControlServer, type Emit, findNamedPipes, NamedPipeControl, sendCommand } from '../../../src/api/control';
import { skipReason } from '../../support/programs';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-ctl-'));
}

const handler = async (line: string, emit: Emit): Promise<string[]> => {
  if (line === 'table') {
    // A long answer in slices, as `show adj-rib in` sends a full table.
    for (let i = 0; i < 100_000; i += 1000) {
      const slice: string[] = [];
      for (let k = i; k < i + 1000; k++) slice.push(`route ${k}`);
      if (!(await emit(slice))) return [];
    }
    return ['done'];
  }
  if (line === 'version') return ['tsbgp 0.1.0', 'done'];
  if (line === 'show neighbor summary')
    return ['Peer            AS        up/down state       |     #sent     #recvd', 'done'];
  if (line === 'slow') {
    await new Promise((r) => setTimeout(r, 50));
    return ['slow answer'];
  }
  if (line === 'boom') throw new Error('handler failed');
  return ['error'];
};

test('control socket: round trip, ordering, errors, stale socket', async () => {
  const dir = tmpdir();
  const sock = path.join(dir, 'ctl.sock');
  // A stale socket file left by a dead daemon is replaced.
  fs.writeFileSync(path.join(dir, 'placeholder'), '');
  const server = new ControlServer({ socketPath: sock, handler });
  await server.listen();
  assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
  try {
    assert.deepEqual(await sendCommand(sock, 'version'), { lines: ['tsbgp 0.1.0'], answer: 'done' });
    assert.deepEqual(await sendCommand(sock, 'nonsense'), { lines: [], answer: 'error' });
    assert.deepEqual(await sendCommand(sock, 'boom'), { lines: [], answer: 'error' });
    // No terminator from the handler: 'done' is added.
    assert.deepEqual(await sendCommand(sock, 'slow'), { lines: ['slow answer'], answer: 'done' });
    // An emitted answer arrives whole and in order, then the next command's answer.
    const t = await sendCommand(sock, 'table');
    assert.equal(t.answer, 'done');
    assert.equal(t.lines.length, 100_000);
    assert.ok(t.lines.every((l, i) => l === `route ${i}`));
    assert.deepEqual(await sendCommand(sock, 'version'), { lines: ['tsbgp 0.1.0'], answer: 'done' });
    // A second daemon on the same path is refused.
    await assert.rejects(new ControlServer({ socketPath: sock, handler }).listen(), /another daemon/);
  } finally {
    await server.close();
  }
  assert.equal(fs.existsSync(sock), false);
  await assert.rejects(sendCommand(sock, 'version'));
});

test('tsbgp cli: exit status and output', async () => {
  const dir = tmpdir();
  const sock = path.join(dir, 'ctl.sock');
  const server = new ControlServer({ socketPath: sock, handler });
  await server.listen();
  const cliJs = path.join(__dirname, '../../../src/cli/cli.js');
  const runCli = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [
        '-e',
        `require(${JSON.stringify(cliJs)}).run(process.argv.slice(1)).then((c) => (process.exitCode = c))`,
        '--',
        ...args,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  try {
    const a = await runCli(['--socket', sock, 'show', 'neighbor', 'summary']);
    assert.equal(a.code, 0);
    assert.match(a.stdout, /^Peer +AS/);
    const b = await runCli(['--socket', sock, 'bogus']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /returned an error/);
    const c = await runCli(['--socket', path.join(dir, 'none.sock'), 'version']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /not running/);
  } finally {
    await server.close();
  }
});

test('named pipes: exabgpcli (ExaBGP 4.2) talks to tsbgp', async (t) => {
  const root = tmpdir();
  const dir = path.join(root, 'run', 'exabgp');
  fs.mkdirSync(dir, { recursive: true });
  const pipename = `tsbgp-test-${process.pid}`;
  execFileSync('mkfifo', [path.join(dir, `${pipename}.in`), path.join(dir, `${pipename}.out`)]);
  assert.equal(findNamedPipes(pipename, root), dir + '/');
  const ctl = new NamedPipeControl({ dir, pipename, handler });
  ctl.start();
  try {
    const noCli = skipReason('exabgpcli');
    if (noCli) {
      t.skip(noCli);
      return;
    }
    const runCli = (cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn('exabgpcli', ['--root', root, ...cmd.split(' ')], {
          env: { ...process.env, 'exabgp.api.pipename': pipename },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const a = await runCli('version');
    assert.equal(a.stdout, 'tsbgp 0.1.0\n', JSON.stringify(a));
    const b = await runCli('show neighbor summary');
    assert.match(b.stdout, /^Peer +AS/);
    const c = await runCli('bogus');
    assert.match(c.stderr, /returns an error/);
  } finally {
    await ctl.close();
  }
});

test('ack policy: ExaBGP 4.2 text answers, 5.0 switches, opt-in JSON', () => {
  const p = new AckPolicy();
  assert.equal(p.answer('a', 'done'), 'done');
  assert.equal(p.answer('a', 'error'), 'error');
  assert.equal(p.control('a', 'disable-ack'), 'done');
  assert.equal(p.answer('a', 'done'), null);
  assert.equal(p.control('a', 'enable-ack'), 'done');
  assert.equal(p.control('a', 'silence-ack'), null);
  assert.equal(p.answer('a', 'error'), null);
  assert.equal(p.answer('b', 'done'), 'done', 'per process');
  p.reset('a');
  assert.equal(p.answer('a', 'done'), 'done');
  const off = new AckPolicy({ enabled: false, formats: { j: 'json' } });
  assert.equal(off.answer('x', 'done'), null);
  assert.equal(off.control('j', 'enable-ack'), '{"answer":"done","message":"command completed"}');
  assert.deepEqual(JSON.parse(off.answer('j', 'error', 'bad prefix')!), { answer: 'error', message: 'bad prefix' });
  assert.equal(answerLine('shutdown'), 'shutdown');
  assert.ok(isAnswerLine('done') && !isAnswerLine('done '));
});
