// Installing tsbgp as an operator does: `npm pack` makes the tarball (compiled JavaScript, the launcher, the
// systemd units, the docs; no TypeScript sources or tests), `npm install -g` of that tarball into a fresh prefix
// puts a working `tsbgp` on the PATH, and the installed command validates a configuration, runs the daemon and
// answers `tsbgp cli`. The systemd units pass `systemd-analyze verify` (with `tsbgp` pointing at the installed
// copy, since this machine has none on systemd's search path).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendCommand } from '../../src/api/control';
import { ManagedProcess, makeTempDir, stopAll, waitFor } from '../interop/peers/common';
import { REPO } from '../support/tsbgp';

after(() => stopAll());

const VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, ...opts });
  return { code: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

describe('npm pack, npm install -g, tsbgp on the PATH', () => {
  let dir: string;
  let tarball: string;
  let prefix: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    dir = makeTempDir('install');
    // The tests run on a compiled tree (dist/ is there): no need to let `prepare` compile it again.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO });
    assert.equal(pack.code, 0, pack.err);
    tarball = path.join(dir, (JSON.parse(pack.out) as { filename: string }[])[0]!.filename);
    prefix = path.join(dir, 'prefix');
    const install = sh('npm', [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
    ]);
    assert.equal(install.code, 0, install.err);
    bin = path.join(prefix, 'bin');
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  });

  it('the tarball holds the compiled program, the launcher and the units, not the sources', () => {
    const list = sh('tar', ['-tzf', tarball]).out.split('\n');
    for (const f of [
      'package/bin/tsbgp.js',
      'package/dist/src/cli/main.js',
      'package/dist/src/daemon/daemon.js',
      'package/etc/systemd/tsbgp.service',
      'package/etc/systemd/tsbgp@.service',
      'package/etc/sysusers.d/tsbgp.conf',
      'package/docs/OPERATIONS.md',
      'package/dist/src/lib/index.js',
      'package/dist/src/lib/index.d.ts',
      // The looking glass and the OpenAPI description the HTTP server serves (docs/HTTP.md).
      'package/web/index.html',
      'package/web/lg.js',
      'package/web/lg.css',
      'package/web/openapi.json',
    ])
      assert.ok(list.includes(f), `${f} missing from the tarball`);
    assert.deepEqual(
      // Type declarations (.d.ts) ship for the library (docs/LIBRARY.md); TypeScript sources do not.
      list.filter(
        (f) => f.startsWith('package/test/') || f.startsWith('package/dist/test/') || /(?<!\.d)\.ts$/.test(f),
      ),
      [],
    );
  });

  it('`tsbgp` is on the PATH and runs from the installed copy', () => {
    const which = sh('sh', ['-c', 'command -v tsbgp'], { env });
    assert.equal(which.out.trim(), path.join(bin, 'tsbgp'));
    const v = sh('tsbgp', ['--version'], { env });
    assert.equal(v.code, 0, v.err);
    assert.equal(v.out, `tsbgp ${VERSION}\n`);
    const real = fs.realpathSync(path.join(bin, 'tsbgp'));
    assert.ok(real.startsWith(fs.realpathSync(prefix)), `${real} is not inside the prefix`);
  });

  it('the installed command validates, runs the daemon and answers tsbgp cli', async () => {
    const good = path.join(dir, 'good.conf');
    fs.writeFileSync(
      good,
      'neighbor 127.0.0.2 {\n  router-id 127.0.0.1;\n  local-address 127.0.0.1;\n  local-as 65001;\n  peer-as 65002;\n  passive;\n  static { route 10.0.0.0/24 next-hop 192.0.2.1; }\n}\n',
    );
    const bad = path.join(dir, 'bad.conf');
    fs.writeFileSync(bad, fs.readFileSync(good, 'utf8').replace(/}\n$/, ''));
    assert.equal(sh('tsbgp', ['validate', good], { env }).code, 0);
    const refused = sh('tsbgp', ['validate', bad], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.err, /bad\.conf:1:20: section 'neighbor 127\.0\.0\.2' is not closed/);
    const socket = path.join(dir, 'tsbgp.sock');
    const daemon = new ManagedProcess(
      'installed-tsbgp',
      path.join(bin, 'tsbgp'),
      ['run', '--socket', socket, good],
      path.join(dir, 'daemon.log'),
      { ...env, 'exabgp.tcp.bind': '' },
    );
    await waitFor(
      async () => fs.existsSync(socket) && (await sendCommand(socket, 'version', 2000)).answer === 'done',
      15_000,
      'the installed daemon to answer',
    );
    const cli = sh('tsbgp', ['cli', '--socket', socket, 'show adj-rib out'], { env });
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /10\.0\.0\.0\/24 next-hop 192\.0\.2\.1/);
    await daemon.stop();
    assert.equal(daemon.child.exitCode, 0, daemon.log());
  });

  it('the systemd units pass systemd-analyze verify', (t) => {
    if (sh('sh', ['-c', 'command -v systemd-analyze']).code !== 0) return t.skip('systemd-analyze is not installed');
    const installed = path.join(prefix, 'lib', 'node_modules', 'tsbgp', 'etc', 'systemd');
    for (const [unit, name] of [
      ['tsbgp.service', 'tsbgp.service'],
      ['tsbgp@.service', 'tsbgp@edge.service'],
    ] as const) {
      // `tsbgp` resolved to the installed launcher: systemd looks for it in /usr/local/bin, /usr/bin...
      const text = fs
        .readFileSync(path.join(installed, unit), 'utf8')
        .replace(/^(Exec\w+=)tsbgp /gm, `$1${path.join(bin, 'tsbgp')} `);
      const copy = path.join(dir, name);
      fs.writeFileSync(copy, text);
      const r = sh('systemd-analyze', ['verify', copy]);
      assert.equal(r.code, 0, `${name}: ${r.out}${r.err}`);
      assert.equal(r.err.trim(), '', `${name}: ${r.err}`);
    }
  });
});
