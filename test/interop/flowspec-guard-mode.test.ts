// tsbgp.flowspec.guard at the daemon, against GoBGP on loopback. A configuration holds two rules the guard refuses
// (a discard of all TCP at the neighbor's own address, which would cut the session; a rule with no destination):
//  - refuse (the default): `tsbgp validate` fails and `tsbgp run` does not start, both saying file:line:col and
//    the reason for each rule;
//  - warn: the daemon starts, logs each rule once as a warning at its file:line:col, and both rules reach GoBGP;
//    a refused rule sent through the API is answered `done` and reaches GoBGP too;
//  - off: the daemon starts, logs nothing about the rules, and both reach GoBGP.
// Skipped when GoBGP is missing.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TsbgpChild } from '../support/tsbgp';
import { allocEndpoint, type FlowRoute, GoBgp, makeTempDir, runCmd, skipReason, stopAll, waitFor } from './peers';
import { neighbor, TSBGP, validate } from './tsbgp-launch';

after(stopAll);

const AS_T = 65420;
const AS_G = 65421;
const skip = skipReason('gobgp');

describe('tsbgp.flowspec.guard: refuse, warn and off with a configuration GoBGP receives', { skip }, () => {
  let dir: string;
  let g: GoBgp;
  let eT: { address: string; port: number };
  let eG: { address: string; port: number };
  let conf: string;
  let lines: string[];

  before(async () => {
    dir = makeTempDir('flowspec-guard-mode');
    [eT, eG] = await Promise.all([allocEndpoint(), allocEndpoint()]);
    g = new GoBgp();
    await g.start({
      ...eG,
      as: AS_G,
      holdTime: 30,
      neighbors: [{ address: eT.address, port: eT.port, passive: true, families: ['ipv4-flowspec'], as: AS_T }],
    });
    conf = [
      neighbor({
        peer: eG.address,
        port: eG.port,
        local: eT.address,
        localAs: AS_T,
        peerAs: AS_G,
        body: [
          'family {',
          '  ipv4 flow;',
          '}',
          'flow {',
          '  route at-neighbor {',
          `    match { destination ${eG.address}/32; protocol tcp; }`,
          '    then { discard; }',
          '  }',
          '  route no-destination {',
          '    match { source 198.51.100.7/32; protocol udp; }',
          '    then { discard; }',
          '  }',
          '}',
        ],
      }),
      '',
    ].join('\n');
    lines = conf.split('\n');
  });

  after(async () => {
    await g?.stop();
  });

  const lineOf = (text: string): number => lines.findIndex((l) => l.includes(text)) + 1;
  const has = (m: string) => (f: FlowRoute) => f.match.includes(m);

  /** A daemon with the guard in `mode`, until both configured rules are in GoBGP's table. */
  async function startWith(mode: 'warn' | 'off'): Promise<TsbgpChild> {
    const t = new TsbgpChild({ dir, name: `tsbgp-${mode}`, config: conf, env: { 'tsbgp.flowspec.guard': mode } });
    await t.ready();
    try {
      await waitFor(
        async () => {
          const table = await g.flowRoutes('ipv4-flowspec');
          return table.some(has(`${eG.address}/32`)) && table.some(has('198.51.100.7/32'));
        },
        20_000,
        `both refused rules at gobgp (${mode})`,
        250,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-3000)}`);
    }
    return t;
  }

  it('refuse (default): validate fails, run does not start, both name each rule at file:line:col with the reason', {
    timeout: 30_000,
  }, async () => {
    const file = path.join(dir, 'refuse.conf');
    fs.writeFileSync(file, conf);
    const at = (name: string): RegExp =>
      new RegExp(`refuse\\.conf:${lineOf(`route ${name} {`)}:\\d+: error: flow route ${name}: refused: `);
    for (const cmd of ['validate', 'run']) {
      const r =
        cmd === 'validate' ? await validate(file) : await runCmd(process.execPath, [TSBGP, cmd, '--no-socket', file]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, at('at-neighbor'));
      assert.match(
        r.stderr,
        /flow route at-neighbor: refused: discard would apply to TCP port 179 to or from a protected/,
      );
      assert.match(r.stderr, at('no-destination'));
      assert.match(r.stderr, /flow route no-destination: refused: the rule has no destination prefix/);
    }
    assert.equal((await g.flowRoutes('ipv4-flowspec')).length, 0);
  });

  it('warn: the daemon starts, the rules reach GoBGP and are logged once each; a refused API rule is done and sent', {
    timeout: 60_000,
  }, async () => {
    const t = await startWith('warn');
    try {
      const log = t.log();
      for (const name of ['at-neighbor', 'no-destination']) {
        const re = new RegExp(
          `:${lineOf(`route ${name} {`)}:\\d+: warning: flow route ${name}: .*\\(sent anyway: tsbgp\\.flowspec\\.guard=warn\\)`,
          'g',
        );
        assert.equal(log.match(re)?.length, 1, `${name} logged once\n${log}`);
      }
      const wild = 'match { destination 0.0.0.0/0; protocol tcp; } then { discard; }';
      const r = await t.send(`announce flow route { ${wild} }`);
      assert.equal(r.answer, 'done', r.lines.join('\n'));
      await waitFor(async () => (await g.flowRoutes('ipv4-flowspec')).some(has('0.0.0.0/0')), 10_000, 'API rule');
      await waitFor(
        async () => /flow rule: .*TCP port 179.*\(sent anyway: tsbgp\.flowspec\.guard=warn\)/.test(t.log()),
        5_000,
        'the API rule logged as a warning',
      );
    } finally {
      await t.stop();
    }
    await waitFor(
      async () => (await g.flowRoutes('ipv4-flowspec')).length === 0,
      15_000,
      'rules gone with the session',
    );
  });

  it('off: the daemon starts, the rules reach GoBGP, nothing is logged about them', { timeout: 60_000 }, async () => {
    const t = await startWith('off');
    try {
      assert.doesNotMatch(t.log(), /flow route (at-neighbor|no-destination)/);
    } finally {
      await t.stop();
    }
  });
});
