// ADD-PATH towards a real peer, looked up: tsbgp sends BIRD 2 (add paths rx) two paths of one prefix under path
// ids 1 and 2 (API commands with path-information; the AS_PATH given goes out as given, as in ExaBGP). BIRD
// holds both; `show adj-rib out PREFIX` and the HTTP lookup of the Adj-RIB-Out list both path ids with their
// attributes (they found path id 0 only before), and withdrawing one leaves the other, at BIRD and in both.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TsbgpChild } from '../support/tsbgp';
import { type HttpLab, startHttpLab } from './http-lab';
import { skipReason, stopAll, waitFor } from './peers';

after(stopAll);

const PREFIX = '198.51.100.0/24';

describe('ADD-PATH Adj-RIB-Out lookups, with BIRD receiving both paths', { skip: skipReason('bird') }, () => {
  let lab: HttpLab;
  let t: TsbgpChild;

  before(async () => {
    lab = await startHttpLab({
      name: 'addpath-out',
      asT: 65460,
      asB: 65461,
      routes: [],
      names: {},
      neighborLines: ['capability { add-path send; }'],
      addPathsRx: true,
    });
    t = lab.t;
    for (const [id, hop, as] of [
      [1, '192.0.2.11', 65011],
      [2, '192.0.2.12', 65012],
    ] as const) {
      const r = await t.send(`announce route ${PREFIX} next-hop ${hop} as-path [ ${as} ] path-information ${id}`);
      assert.equal(r.answer, 'done', r.lines.join(' '));
    }
  });

  after(async () => {
    await t?.stop();
  });

  /** BIRD's paths for the prefix, as AS paths. */
  const atBird = async (): Promise<string[]> =>
    (await lab.bird.routes('ipv4'))
      .filter((r) => r.prefix === PREFIX)
      .map((r) => r.asPath.join(' '))
      .sort();
  const lookup = async (): Promise<[number, string][]> => {
    const r = await fetch(`${lab.base}/api/v1/lookup?prefix=${PREFIX}&rib=out`);
    const j = (await r.json()) as { routes: { pathId: number; asPath: string }[] };
    return j.routes.map((x) => [x.pathId, x.asPath]);
  };
  const shown = async (): Promise<string[]> =>
    (await t.send(`show adj-rib out ${lab.birdAddress} ${PREFIX}`)).lines.map((l) =>
      l.replace(/^neighbor \S+ ipv4 unicast /, ''),
    );

  it('BIRD holds both paths; show adj-rib out PREFIX and the HTTP lookup list both path ids', async () => {
    await waitFor(async () => (await atBird()).length === 2, 20_000, 'both paths at BIRD');
    assert.deepEqual(await atBird(), ['65011', '65012']);
    assert.deepEqual(await shown(), [
      `${PREFIX} path-information 0.0.0.1 next-hop 192.0.2.11 as-path [ 65011 ]`,
      `${PREFIX} path-information 0.0.0.2 next-hop 192.0.2.12 as-path [ 65012 ]`,
    ]);
    assert.deepEqual(await lookup(), [
      [1, '65011'],
      [2, '65012'],
    ]);
  });

  it('a withdrawn path id leaves the other one, at BIRD and in the lookups', async () => {
    const r = await t.send(`withdraw route ${PREFIX} path-information 1`);
    assert.equal(r.answer, 'done', r.lines.join(' '));
    await waitFor(async () => (await atBird()).length === 1, 20_000, 'one path left at BIRD');
    assert.deepEqual(await atBird(), ['65012']);
    assert.deepEqual(await shown(), [`${PREFIX} path-information 0.0.0.2 next-hop 192.0.2.12 as-path [ 65012 ]`]);
    assert.deepEqual(await lookup(), [[2, '65012']]);
  });
});
