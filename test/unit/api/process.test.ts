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

test('writes reach the process; a process that never reads is cut off without hurting the others', async () => {
  const pm = new ProcessManager({ respawn: false, maxWriteBuffer: 1024 * 1024 });
  const overflows: string[] = [];
  const echoed: string[] = [];
  pm.on('overflow', (name) => overflows.push(name));
  pm.on('command', (name, line) => {
    if (name === 'echo') echoed.push(line);
  });
  const deafExit = new Promise<void>((resolve) => pm.on('exit', (name) => name === 'deaf' && resolve()));
  pm.start([
    { name: 'deaf', run: js(`setInterval(() => {}, 1000)`) },
    { name: 'echo', run: js(`process.stdin.on('data', d => process.stdout.write(d))`) },
  ]);
  const line = 'x'.repeat(1000);
  let writes = 0;
  // Write until the deaf one is cut off; writing must never block.
  for (let i = 0; i < 5000 && overflows.length === 0; i++) {
    pm.write('deaf', line);
    writes++;
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(overflows, ['deaf']);
  assert.equal(pm.write('deaf', 'more'), false);
  await deafExit; // killed (overflow: 'kill')
  assert.ok(writes > 500, `cut off after ${writes} writes`);
  for (let i = 0; i < 100; i++) assert.ok(pm.write('echo', `e${i}`));
  while (echoed.length < 100) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(
    echoed,
    Array.from({ length: 100 }, (_, i) => `e${i}`),
  );
  await pm.stop();
});

test("overflow: 'drop' skips writes until the process catches up", async () => {
  const pm = new ProcessManager({ respawn: false, maxWriteBuffer: 256 * 1024, overflow: 'drop' });
  let overflowed = 0;
  pm.on('overflow', () => overflowed++);
  pm.start([
    {
      name: 'slow',
      run: js(
        `setTimeout(() => process.stdin.resume(), 300); process.stdin.pause(); process.stdin.on('data', () => {})`,
      ),
    },
  ]);
  const line = 'y'.repeat(1000);
  let accepted = 0;
  for (let i = 0; i < 2000; i++) {
    if (pm.write('slow', line)) accepted++;
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.equal(overflowed, 1);
  assert.ok(accepted < 2000);
  assert.ok(pm.isRunning('slow'));
  await new Promise((r) => setTimeout(r, 600));
  assert.ok(pm.write('slow', 'again'), 'accepted once drained');
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

test('congestion: a slow reader is congested above highWater and drains; a stuck one stops being congested', async () => {
  const pm = new ProcessManager({
    respawn: false,
    highWater: 256 * 1024,
    stallMs: 200,
    maxWriteBuffer: 64 * 1024 * 1024,
  });
  const drains: string[] = [];
  pm.on('drain', (name) => drains.push(name));
  pm.start([
    // Reads 64 KiB every 20 ms: slower than we write, but steadily.
    {
      name: 'slow',
      run: js(
        `process.stdin.pause(); setInterval(() => { process.stdin.read(65536); }, 20); process.stdin.on('readable', () => {})`,
      ),
    },
    { name: 'stuck', run: js(`process.stdin.pause(); setInterval(() => {}, 1000)`) },
  ]);
  const line = 'z'.repeat(1000);
  for (let i = 0; i < 400; i++) {
    pm.write('slow', line);
    pm.write('stuck', line);
  }
  assert.equal(pm.congested('slow'), true);
  assert.equal(pm.congested('stuck'), true);
  const t0 = Date.now();
  while ((!drains.includes('slow') || !drains.includes('stuck')) && Date.now() - t0 < 10_000)
    await new Promise((r) => setTimeout(r, 20));
  assert.ok(drains.includes('slow'), 'the slow reader caught up');
  assert.equal(pm.congested('slow'), false);
  assert.ok(drains.includes('stuck'), 'the stuck one no longer holds anybody back');
  assert.equal(pm.congested('stuck'), false);
  assert.ok(pm.isRunning('stuck'), 'not cut off: it is below maxWriteBuffer');
  await pm.stop();
});
