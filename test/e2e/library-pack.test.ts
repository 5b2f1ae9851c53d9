// tsbgp as a dependency of a fresh project: `npm pack` makes the tarball, a new directory `npm install`s it
// (tsbgp from the tarball, koffi from npm's cache or the registry), TypeScript type-checks the program against
// the shipped declarations through package.json `exports`, and the complete example of docs/LIBRARY.md (taken
// from the document, so the two cannot drift apart) runs against a real BIRD on loopback, once as an ES module
// and once as CommonJS: BIRD receives the routes it announces, the example prints BIRD's route and End-of-RIB,
// and on SIGTERM it closes the session and exits 0.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocEndpoint, Bird, ManagedProcess, makeTempDir, skipReason, stopAll, waitFor } from '../interop/peers';
import { REPO } from '../support/tsbgp';

after(stopAll);

const skip = skipReason('bird');
const AS_P = 65440;
const AS_L = 65441;

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** The block after the `<!-- library-example -->` marker of docs/LIBRARY.md. */
function libraryExample(): string {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'LIBRARY.md'), 'utf8');
  const m = /<!-- library-example -->\n```js\n([\s\S]*?)\n```/.exec(doc);
  if (!m) throw new Error('docs/LIBRARY.md has no example after <!-- library-example -->');
  return `${m[1]}\n`;
}

/** The example as CommonJS: the one line docs/LIBRARY.md says to change. */
function asCommonJs(esm: string): string {
  const out = esm.replace(
    /^import \{ ([^}]+) \} from 'tsbgp';$/m,
    (_l, names: string) => `const { ${names} } = require('tsbgp');`,
  );
  assert.notEqual(out, esm, 'the example starts with an import of tsbgp');
  return out;
}

describe('the packed tarball in a fresh project, the LIBRARY.md example against BIRD', { skip }, () => {
  let project: string;

  before(() => {
    const dir = makeTempDir('library-pack');
    // The tests run on a compiled tree (dist/ is there): no need to let `prepare` compile it again.
    const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO);
    assert.equal(pack.code, 0, pack.err);
    const tarball = path.join(dir, (JSON.parse(pack.out) as { filename: string }[])[0]!.filename);
    project = path.join(dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, 'package.json'),
      '{ "name": "uses-tsbgp", "version": "1.0.0", "private": true }\n',
    );
    const install = sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project);
    assert.equal(install.code, 0, install.err);
  });

  it('the installed package answers require() and import, and its types check', () => {
    const cjs = sh(process.execPath, ['-e', "process.stdout.write(typeof require('tsbgp').Speaker)"], project);
    assert.equal(cjs.out, 'function', cjs.err);
    const esm = sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { Speaker, decodeUpdate } from 'tsbgp'; process.stdout.write(typeof Speaker + typeof decodeUpdate)",
      ],
      project,
    );
    assert.equal(esm.out, 'functionfunction', esm.err);
    // Every name CommonJS gives is a named export of the ES module too (Node's CJS named-export detection).
    const names = sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { createRequire } from 'node:module'; const m = await import('tsbgp'); const c = createRequire(import.meta.url)('tsbgp'); process.stdout.write(JSON.stringify([Object.keys(c).sort(), Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort()]))",
      ],
      project,
    );
    const [cjsNames, esmNames] = JSON.parse(names.out || '[[],[]]') as string[][];
    assert.ok(cjsNames!.length >= 10 && cjsNames!.includes('Speaker'), names.err);
    assert.deepEqual(esmNames, cjsNames);
    // Deep imports are not part of the interface: `exports` closes them.
    const deep = sh(process.execPath, ['-e', "require('tsbgp/dist/src/daemon/daemon')"], project);
    assert.match(deep.err, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
    // The example as TypeScript, checked against the tarball's declarations (found through `exports`).
    fs.writeFileSync(path.join(project, 'speaker.mts'), libraryExample());
    const tsc = sh(
      process.execPath,
      [
        path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--typeRoots',
        path.join(REPO, 'node_modules', '@types'),
        '--types',
        'node',
        'speaker.mts',
      ],
      project,
    );
    assert.equal(tsc.code, 0, `${tsc.out}${tsc.err}`);
  });

  for (const kind of ['esm', 'cjs'] as const) {
    it(`the example as ${kind === 'esm' ? 'an ES module' : 'CommonJS'} announces to BIRD and hears from it`, async () => {
      const [eP, eL] = await Promise.all([allocEndpoint(), allocEndpoint()]);
      const bird = new Bird();
      await bird.start({
        ...eP,
        as: AS_P,
        holdTime: 30,
        neighbors: [
          { address: eL.address, port: eL.port, as: AS_L, passive: true, families: ['ipv4', 'ipv4-flowspec'] },
        ],
      });
      await bird.addRoute('ipv4', { prefix: '192.0.2.128/25', nextHop: '192.0.2.1' });
      const file = path.join(project, kind === 'esm' ? 'speaker.mjs' : 'speaker.cjs');
      fs.writeFileSync(file, kind === 'esm' ? libraryExample() : asCommonJs(libraryExample()));
      const env = {
        ...process.env,
        PEER_ADDRESS: eP.address,
        PEER_PORT: String(eP.port),
        LOCAL_ADDRESS: eL.address,
        PEER_AS: String(AS_P),
        LOCAL_AS: String(AS_L),
      };
      const p = new ManagedProcess(`example-${kind}`, process.execPath, [file], `${file}.log`, env, project);
      try {
        const routes = await waitFor(
          async () => {
            const rs = await bird.routes('ipv4');
            return rs.some((r) => r.prefix === '203.0.113.0/24') && rs.some((r) => r.prefix === '198.51.100.10/32')
              ? rs
              : null;
          },
          60_000,
          `the example's routes at BIRD (${p.running ? 'running' : p.describeExit()})`,
        );
        assert.deepEqual(routes.find((r) => r.prefix === '203.0.113.0/24')!.communities, ['65001:100']);
        assert.deepEqual(routes.find((r) => r.prefix === '198.51.100.10/32')!.communities, ['65535:666']);
        await waitFor(
          async () => (await bird.flowRoutes('ipv4-flowspec')).length === 1,
          30_000,
          'the flow rule at BIRD',
        );
        await waitFor(
          () =>
            /received 192\.0\.2\.128\/25 next-hop 192\.0\.2\.1 as-path \[65440\]/.test(p.log()) &&
            /end-of-rib ipv4 unicast/.test(p.log()),
          30_000,
          "the example printing BIRD's route and End-of-RIB",
        );
        assert.match(p.log(), /session with .* up, peer AS 65440/);
        process.kill(p.pid, 'SIGTERM');
        await waitFor(() => !p.running, 15_000, 'the example to exit after SIGTERM');
        assert.equal(p.child.exitCode, 0, p.log());
        assert.match(p.log(), /stopped/);
        await waitFor(async () => (await bird.sessionState(eL.address)) !== 'established', 30_000, 'BIRD to see it go');
      } finally {
        await p.stop();
        await bird.stop();
      }
    });
  }
});
