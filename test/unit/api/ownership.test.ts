// Which named pipes and control sockets are trusted (issue 11, findings 2 and 5): the ownership cases made
// with chown and chmod. Changing a file's owner needs root, as in CI; without it those checks fail.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  cliSockets,
  daemonSocketPath,
  findNamedPipes,
  NamedPipeControl,
  socketName,
  socketRefusal,
} from '../../../src/api/control';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
const handler = async (): Promise<string[]> => ['done'];

function pipesIn(dir: string, name = 'p'): string[] {
  const files = [path.join(dir, `${name}.in`), path.join(dir, `${name}.out`)];
  for (const f of files) execFileSync('mkfifo', ['-m', '0600', f]);
  return files;
}

test("named pipes: used only when they and their folders are root's or ours and writable by nobody else", () => {
  assert.ok(isRoot, 'the ownership cases need chown: run as root');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-own-'));
  const dir = path.join(root, 'run', 'exabgp');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const [pin, pout] = pipesIn(dir);
  const refused: string[] = [];
  const find = () => {
    refused.length = 0;
    return findNamedPipes('p', root, undefined, (r) => refused.push(r));
  };
  try {
    assert.equal(find(), dir + '/');
    assert.deepEqual(refused, []);
    // Writable by others: anyone could give orders.
    fs.chmodSync(pin!, 0o666);
    assert.equal(find(), null);
    assert.match(
      refused[0]!,
      /^named pipes in .*run\/exabgp\/ refused: named pipe .*p\.in is writable by others \(mode 0666\)$/,
    );
    assert.throws(() => new NamedPipeControl({ dir, pipename: 'p', handler }).start(), /writable by others/);
    fs.chmodSync(pin!, 0o620);
    assert.equal(find(), null);
    assert.match(refused[0]!, /writable by its group \(mode 0620\)/);
    fs.chmodSync(pin!, 0o600);
    // Another user's pipe, even 0600: that user gives the orders.
    fs.chownSync(pout!, NOBODY, NOBODY);
    assert.equal(find(), null);
    assert.match(refused[0]!, /named pipe .*p\.out is owned by nobody \(uid 65534\), not by root/);
    fs.chownSync(pout!, 0, 0);
    // The folder: another user's (Debian's /run/exabgp belongs to the exabgp user), or writable by others.
    fs.chownSync(dir, NOBODY, NOBODY);
    assert.equal(find(), null);
    assert.match(refused[0]!, /folder .*run\/exabgp is owned by nobody/);
    fs.chownSync(dir, 0, 0);
    fs.chmodSync(dir, 0o777);
    assert.equal(find(), null);
    assert.match(refused[0]!, /folder .*run\/exabgp is writable by others \(mode 0777\)/);
    // A folder above it too (unless sticky, as /tmp is).
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(root, 'run'), 0o777);
    assert.equal(find(), null);
    assert.match(refused[0]!, /folder .*\/run is writable by others/);
    fs.chmodSync(path.join(root, 'run'), 0o1777);
    assert.equal(find(), dir + '/');
    // A symbolic link to a pipe elsewhere: what it points to would be opened.
    fs.renameSync(pin!, path.join(root, 'elsewhere.in'));
    fs.symlinkSync(path.join(root, 'elsewhere.in'), pin!);
    assert.equal(find(), null);
    assert.match(refused[0]!, /p\.in is not a named pipe itself/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('control socket names: one per configuration, told apart by name and by folder', () => {
  const a = socketName('/etc/tsbgp/edge.conf');
  assert.match(a, /^edge-[0-9a-f]{8}\.sock$/);
  assert.equal(socketName('/etc/tsbgp/../tsbgp/edge.conf'), a);
  assert.notEqual(socketName('/srv/tsbgp/edge.conf'), a);
  assert.match(socketName('/etc/tsbgp/core'), /^core-/);
  assert.match(socketName('/x/we ird;name.conf'), /^we_ird_name-/);
});

test('the daemon puts its socket in a private folder it makes, the cli finds it there', async () => {
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-xdg-'));
  const env = { XDG_RUNTIME_DIR: xdg };
  try {
    const p = daemonSocketPath('/etc/tsbgp/edge.conf', env);
    assert.equal(p, path.join(xdg, 'tsbgp', socketName('/etc/tsbgp/edge.conf')));
    assert.equal(fs.statSync(path.dirname(p)).mode & 0o777, 0o700);
    // TSBGP_SOCKET, when set, wins on both sides.
    assert.equal(daemonSocketPath('/etc/tsbgp/edge.conf', { ...env, TSBGP_SOCKET: '/x.sock' }), '/x.sock');
    assert.deepEqual(cliSockets(undefined, { ...env, TSBGP_SOCKET: '/x.sock' }).sockets, ['/x.sock']);
    const srv = net.createServer().listen(p);
    await new Promise((r) => srv.once('listening', r));
    try {
      assert.deepEqual(cliSockets('/etc/tsbgp/edge.conf', env).sockets, [p]);
      assert.deepEqual(cliSockets(undefined, env).sockets, [p]);
      assert.deepEqual(cliSockets('/etc/tsbgp/core.conf', env).sockets, []);
    } finally {
      srv.close();
    }
    // A runtime folder someone else made is not used.
    if (isRoot) {
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-xdg-'));
      fs.mkdirSync(path.join(other, 'tsbgp'), { mode: 0o700 });
      fs.chownSync(path.join(other, 'tsbgp'), NOBODY, NOBODY);
      const q = daemonSocketPath('/etc/tsbgp/edge.conf', { XDG_RUNTIME_DIR: other });
      assert.ok(!q.startsWith(other), q);
      fs.rmSync(other, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(xdg, { recursive: true, force: true });
  }
});

test("tsbgp cli trusts a socket of root or its user, or a service user's in its /run folder; no other", async () => {
  assert.ok(isRoot, 'the ownership cases need chown: run as root');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-sock-'));
  const run = fs.mkdtempSync('/run/tsbgp-test-');
  const servers: net.Server[] = [];
  const listen = async (p: string) => {
    const s = net.createServer().listen(p);
    servers.push(s);
    await new Promise((r) => s.once('listening', r));
  };
  try {
    const mine = path.join(tmp, 'mine.sock');
    await listen(mine);
    assert.equal(socketRefusal(mine), null);
    // Another user's socket, in a folder of ours or in /tmp: refused.
    fs.chownSync(mine, NOBODY, NOBODY);
    assert.match(socketRefusal(mine)!, /mine\.sock is owned by nobody \(uid 65534\), not by root or you/);
    // A service user's socket in a /run folder made for that user (systemd's RuntimeDirectory=): trusted.
    const svc = path.join(run, 'svc.sock');
    await listen(svc);
    fs.chownSync(svc, NOBODY, NOBODY);
    fs.chownSync(run, NOBODY, NOBODY);
    fs.chmodSync(run, 0o750);
    assert.equal(socketRefusal(svc), null);
    // ... but not when the folder lets others in to replace it.
    fs.chmodSync(run, 0o770);
    assert.match(socketRefusal(svc)!, /owned by nobody/);
    // One level down, as tsbgp@.service's RuntimeDirectory=tsbgp/%i makes it (the parent stays root's): trusted.
    fs.chownSync(run, 0, 0);
    fs.chmodSync(run, 0o755);
    const inst = path.join(run, 'edge');
    fs.mkdirSync(inst, { mode: 0o750 });
    fs.chownSync(inst, NOBODY, NOBODY);
    const instSock = path.join(inst, 'tsbgp.sock');
    await listen(instSock);
    fs.chownSync(instSock, NOBODY, NOBODY);
    assert.equal(socketRefusal(instSock), null);
    // Under a folder of /run everyone may write to (sticky or not), anyone could have made that folder: refused.
    fs.chmodSync(run, 0o1777);
    assert.match(socketRefusal(instSock)!, /owned by nobody/);
    // Not a socket: a symbolic link to one.
    const link = path.join(tmp, 'link.sock');
    fs.symlinkSync(svc, link);
    assert.match(socketRefusal(link)!, /is not a socket/);
    // Root's own socket in a folder others may write to (not sticky): it could be swapped.
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'tsbgp-open-'));
    fs.chmodSync(open, 0o777);
    const swapped = path.join(open, 's.sock');
    await listen(swapped);
    assert.match(socketRefusal(swapped)!, /folder .* is writable by others/);
    fs.rmSync(open, { recursive: true, force: true });
  } finally {
    for (const s of servers) s.close();
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(run, { recursive: true, force: true });
  }
});
