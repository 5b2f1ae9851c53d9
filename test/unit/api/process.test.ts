import * as assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { ProcessManager, splitCommandLine } from '../../../src/api/process';

const node = process.execPath;

function js(code: string): string[] {
  return [node, '-e', code];
}

test('splitCommandLine honours quotes and escapes', () => {
  assert.deepEqual(splitCommandLine(`/usr/bin/prog -a "b c" 'd e' f\\ g`), [
    '/usr/bin/prog',
    '-a',
    'b c',
    'd e',
    'f g',
  ]);
  assert.deepEqual(splitCommandLine('  a   b  '), ['a', 'b']);
  assert.deepEqual(splitCommandLine(`x ""`), ['x', '']);
});

test('200,000 lines from a fast writer arrive complete and in order (with \\r\\n too)', async () => {
  const N = 200_000;
  const pm = new ProcessManager({ respawn: false });
  let count = 0;
  let bad = '';
  pm.on('command', (_name, line) => {
    if (bad === '' && line !== `announce route 10.0.0.0/32 next-hop self med ${count}`)
      bad = `#${count}: ${JSON.stringify(line)}`;
    count++;
  });
  const exited = once(pm, 'exit');
  pm.start([
    {
      name: 'fast',
      run: js(`
        let s = '';
        for (let i = 0; i < ${N}; i++) {
          s += 'announce route 10.0.0.0/32 next-hop self med ' + i + (i % 3 === 0 ? '\\r\\n' : '\\n');
          if (s.length > 60000) { process.stdout.write(s); s = ''; }
        }
        process.stdout.write(s);
      `),
    },
  ]);
  await exited;
  assert.equal(bad, '');
  assert.equal(count, N);
  await pm.stop();
});

test('pause/resume: nothing is lost or reordered while paused', async () => {
  const N = 50_000;
  const pm = new ProcessManager({ respawn: false });
  const got: number[] = [];
  pm.on('command', (name, line) => {
    got.push(Number(line));
    if (got.length % 10_000 === 0) {
      pm.pause(name);
      setTimeout(() => pm.resume(name), 20);
    }
  });
  const exited = once(pm, 'exit');
  pm.start([{ name: 'p', run: js(`let s='';for(let i=0;i<${N};i++)s+=i+'\\n';process.stdout.write(s);`) }]);
  await exited;
  assert.equal(got.length, N);
  for (let i = 0; i < N; i++) if (got[i] !== i) assert.fail(`line ${i} is ${got[i]}`);
  await pm.stop();
});

test('a last line without newline is delivered before exit', async () => {
  const pm = new ProcessManager({ respawn: false });
  const lines: string[] = [];
  pm.on('command', (_n, l) => lines.push(l));
  const exited = once(pm, 'exit');
  pm.start([{ name: 'x', run: js(`process.stdout.write('one\\ntwo')`) }]);
  await exited;
  assert.deepEqual(lines, ['one', 'two']);
});

test('writes reach the process; one that never reads is cut off after stallMs, logged with numbers, without hurting the others', async () => {
  const logs: string[] = [];
  const pm = new ProcessManager({
    respawn: false,
    highWater: 256 * 1024,
    stallMs: 300,
    log: (_l, m) => logs.push(m),
  });
  const overflows: [string, number, number][] = [];
  const echoed: string[] = [];
  pm.on('overflow', (name, bytes, idleMs) => overflows.push([name, bytes, idleMs]));
  pm.on('command', (name, line) => {
    if (name === 'echo') echoed.push(line);
  });
  const deafExit = new Promise<void>((resolve) => pm.on('exit', (name) => name === 'deaf' && resolve()));
  pm.start([
    { name: 'deaf', run: js(`setInterval(() => {}, 1000)`) },
    { name: 'echo', run: js(`process.stdin.on('data', d => process.stdout.write(d))`) },
  ]);
  const line = 'x'.repeat(1000);
  // Writing never blocks; past highWater the deaf one is congested, and it stays so while it consumes nothing.
  for (let i = 0; i < 1000; i++) assert.ok(pm.write('deaf', line));
  assert.equal(pm.congested('deaf'), true);
  await deafExit; // cut off and killed
  assert.equal(overflows.length, 1);
  const [name, bytes, idleMs] = overflows[0]!;
  assert.equal(name, 'deaf');
  assert.ok(bytes > 256 * 1024 && idleMs >= 300, `${bytes} bytes, ${idleMs} ms`);
  assert.ok(
    logs.some((m) =>
      /^process deaf is not reading its input: \d+ bytes queued, nothing consumed for \d+\.\d s/.test(m),
    ),
    logs.join('\n'),
  );
  assert.equal(pm.congested('deaf'), false);
  assert.equal(pm.write('deaf', 'more'), false);
  for (let i = 0; i < 100; i++) assert.ok(pm.write('echo', `e${i}`));
  while (echoed.length < 100) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    echoed,
    Array.from({ length: 100 }, (_, i) => `e${i}`),
  );
  await pm.stop();
});

test('a slow reader stays congested until it has caught up, is never cut off, and gets every line', async () => {
  // 5 MB queued at once for a program reading about 1.3 MB/s in bites of what is buffered (at most 64 KiB) with 50 ms pauses: it consumes
  // steadily but takes seconds for the backlog, far longer than stallMs. It must hold its peers back all that
  // time (congested whenever more than highWater is queued), not be taken for a stuck one.
  // stallMs is far below the seconds the backlog takes, yet long enough that a loaded CI machine descheduling the
  // reader for a moment is not a stall (300 ms cut it off there and the test then waited forever).
  const pm = new ProcessManager({ respawn: false, highWater: 256 * 1024, stallMs: 1500 });
  const counts: string[] = [];
  pm.on('command', (_n, l) => counts.push(l));
  let overflows = 0;
  pm.on('overflow', () => overflows++);
  let exited = false;
  pm.on('exit', () => {
    exited = true;
  });
  pm.start([
    {
      name: 'slow',
      run: js(`
        let n = 0, rest = '';
        process.stdin.setEncoding('utf8');
        process.stdin.pause();
        const bite = () => {
          const s = process.stdin.read();
          if (s !== null) {
            const parts = (rest + s).split('\\n'); rest = parts.pop(); n += parts.length;
            if (n >= 5000) { console.log(String(n)); process.exit(0); }
          }
          setTimeout(bite, 50);
        };
        process.stdin.on('readable', () => {});
        bite();`),
    },
  ]);
  const line = 'y'.repeat(999);
  for (let i = 0; i < 5000; i++) pm.write('slow', line);
  let wrong = 0;
  // Until the reader reports, or it is gone (cut off or crashed): then the assertions below say what went wrong.
  while (counts.length === 0 && !exited && overflows === 0) {
    if (pm.buffered('slow') > 256 * 1024 && !pm.congested('slow')) wrong++;
    await new Promise((r) => setTimeout(r, 20));
  }
  while (counts.length === 0 && !exited) await new Promise((r) => setTimeout(r, 20));
  assert.equal(overflows, 0, 'never cut off');
  assert.deepEqual(counts, ['5000'], 'every line read');
  assert.equal(wrong, 0, 'not congested while over highWater');
  await pm.stop();
});

test('over maxWriteBuffer, a process that does not read its answers has its commands wait; nothing is lost', async () => {
  const pm = new ProcessManager({ respawn: false, highWater: 64 * 1024, maxWriteBuffer: 256 * 1024, stallMs: 5000 });
  let commands = 0;
  const answer = 'a'.repeat(999);
  pm.on('command', (name, l) => {
    if (l.startsWith('c')) {
      commands++;
      pm.write(name, answer);
    } else if (l.startsWith('read ')) done = Number(l.slice(5));
  });
  let done = -1;
  pm.start([
    {
      name: 'p',
      // 2000 commands (2 MB of answers to come), and only after a second does it read the answers.
      run: js(`
        let i = 0;
        const more = () => { while (i < 2000) { if (!process.stdout.write('c' + i++ + '\\n')) return process.stdout.once('drain', more); } };
        more();
        let got = 0;
        setTimeout(() => process.stdin.on('data', (d) => {
          for (const b of d) if (b === 10) got++;
          if (got === 2000) { process.stdout.write('read ' + got + '\\n'); }
        }), 1000);
        setInterval(() => {}, 1000);`),
    },
  ]);
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(commands < 2000, `${commands} commands read while its answers wait`);
  assert.ok(pm.buffered('p') < 256 * 1024 + 64 * 1024, `${pm.buffered('p')} bytes queued`);
  while (done < 0) await new Promise((r) => setTimeout(r, 20));
  assert.equal(commands, 2000);
  assert.equal(done, 2000);
  await pm.stop();
});

test('respawn stops after the limit within the window', async () => {
  const pm = new ProcessManager({ respawn: true, respawnLimit: 3, respawnWindowMs: 60_000 });
  let spawns = 0;
  pm.on('spawn', () => spawns++);
  const gaveUp = once(pm, 'giveup');
  pm.start([{ name: 'dies', run: js(`process.exit(1)`) }]);
  const [name, reason] = (await gaveUp) as [string, string];
  assert.equal(name, 'dies');
  assert.match(reason, /too many deaths/);
  assert.equal(spawns, 3);
  assert.equal(pm.isRunning('dies'), false);
});

test('a missing program is given up at once', async () => {
  const pm = new ProcessManager({ respawn: true });
  const gaveUp = once(pm, 'giveup');
  pm.start([{ name: 'nope', run: '/nonexistent/program --flag' }]);
  const [, reason] = (await gaveUp) as [string, string];
  assert.match(reason, /could not start process nope/);
});

test('stop sends the farewell line, SIGTERMs and waits; exabgp.* env is passed', async () => {
  const pm = new ProcessManager({ respawn: true, env: { 'exabgp.api.ack': 'true' } });
  const lines: string[] = [];
  pm.on('command', (_n, l) => lines.push(l));
  const spawned = once(pm, 'spawn');
  pm.start([
    {
      name: 'p',
      run: js(`
        console.log(process.env['exabgp.api.ack'] + ' ' + process.env.TERM);
        process.stdin.on('data', d => process.stdout.write('got ' + d));
        setInterval(() => {}, 1000);
        process.on('SIGTERM', () => { console.log('term'); process.exit(0); });
      `),
    },
  ]);
  await spawned;
  while (lines.length < 1) await new Promise((r) => setTimeout(r, 10));
  const exits: boolean[] = [];
  pm.on('exit', (_n, _c, _s, respawning) => exits.push(respawning));
  await pm.stop(() => 'bye');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(lines[0], 'true dumb');
  assert.ok(lines.includes('got bye'), JSON.stringify(lines));
  assert.ok(lines.includes('term'));
  assert.deepEqual(exits, [false]);
});
