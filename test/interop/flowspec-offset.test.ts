// IPv6 FlowSpec prefixes with an offset (RFC 8956 §3.1) between tsbgp and real routers on loopback. The pattern's
// layout is not agreed on: RFC 8956 sends bits [offset, length) of the address; ExaBGP 4.2, GoBGP 3 and FRR 8 send
// the address from bit 0. Measured here: GoBGP drops a rule in RFC 8956's layout and FRR resets the session over it;
// BIRD 2 drops one in ExaBGP's. So tsbgp sends ExaBGP's layout by default (tsbgp.flowspec.offset6=exabgp) and
// RFC 8956's on request (=rfc8956), and reads both:
//  1. a default tsbgp's rule reaches GoBGP and FRR with the offset as written;
//  2. a tsbgp set to rfc8956 gets the same rule to BIRD;
//  3. a rule GoBGP originates with an offset reaches the default tsbgp's API process as ExaBGP JSON.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { skipReason } from '../support/programs';
import { TsbgpChild } from '../support/tsbgp';
import { allocEndpoint, Bird, type FlowRoute, Frr, GoBgp, makeTempDir, stopAll, waitFor } from './peers';
import { jsonLines, neighbor, RECORDER_JS, startTsbgp, type Tsbgp } from './tsbgp-launch';

after(stopAll);

const AS_T = 65410;
const AS_G = 65411;
const AS_F = 65412;
const AS_B = 65413;
// Offset 64 of a /128: 8 pattern bytes in RFC 8956's layout, 16 in ExaBGP's, so the layouts cannot be confused.
const MATCH = 'destination 2001:db8:100::/48; source ::1:2:3:4/128/64; next-header udp; destination-port =53;';
const FLOW = ['family {', '  ipv6 flow;', '}', 'flow {', `  route o { match { ${MATCH} } then { discard; } }`, '}'];
type Endpoint = { address: string; port: number };

describe('FlowSpec IPv6 offsets with GoBGP, FRR and BIRD', { skip: skipReason('gobgp', 'frr', 'bird') }, () => {
  let dir: string;
  let t: Tsbgp;
  let rfc: TsbgpChild;
  let g: GoBgp;
  let frr: Frr;
  let bird: Bird;
  let events: string;

  before(async () => {
    dir = makeTempDir('flowspec-offset');
    const [eT, eR, eG, eF, eB] = await Promise.all([1, 2, 3, 4, 5].map(() => allocEndpoint()));
    const peerOf = (e: Endpoint) => ({ ...e, passive: true, families: ['ipv6-flowspec' as const], as: AS_T });
    g = new GoBgp();
    frr = new Frr();
    bird = new Bird();
    await Promise.all([
      g.start({ ...eG!, as: AS_G, holdTime: 30, neighbors: [peerOf(eT!)] }),
      frr.start({ ...eF!, as: AS_F, holdTime: 30, neighbors: [peerOf(eT!)] }),
      bird.start({ ...eB!, as: AS_B, holdTime: 30, neighbors: [peerOf(eR!)] }),
    ]);
    events = path.join(dir, 'events.jsonl');
    fs.writeFileSync(path.join(dir, 'recorder.js'), RECORDER_JS);
    const to = (e: Endpoint, local: Endpoint, peerAs: number, body: string[]): string =>
      neighbor({ peer: e.address, port: e.port, local: local.address, localAs: AS_T, peerAs, body });
    const api = ['api {', '  processes [ recorder ];', '  receive { parsed; update; }', '}'];
    const conf = [
      'process recorder {',
      `  run ${process.execPath} ${path.join(dir, 'recorder.js')} ${events};`,
      '  encoder json;',
      '}',
      to(eG!, eT!, AS_G, [...FLOW, ...api]),
      to(eF!, eT!, AS_F, FLOW),
    ];
    t = await startTsbgp(dir, `${conf.join('\n')}\n`);
    const rfcDir = path.join(dir, 'rfc');
    fs.mkdirSync(rfcDir);
    rfc = new TsbgpChild({
      dir: rfcDir,
      name: 'tsbgp-rfc8956',
      config: `${to(eB!, eR!, AS_B, FLOW)}\n`,
      env: { 'tsbgp.flowspec.offset6': 'rfc8956' },
    });
    await rfc.ready();
    try {
      await waitFor(
        async () =>
          (await t.established(eG!.address)) &&
          (await t.established(eF!.address)) &&
          (await rfc.established(eB!.address)),
        20_000,
        'tsbgp sessions Established',
        200,
      );
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- tsbgp ---\n${t.log().slice(-2000)}\n--- frr ---\n${frr.logText().slice(-1500)}`,
      );
    }
  });

  after(async () => {
    await Promise.all([t?.stop(), rfc?.stop()]);
    await Promise.all([g?.stop(), frr?.stop(), bird?.stop()]);
  });

  const seen = async (what: string, list: () => Promise<FlowRoute[] | null>): Promise<FlowRoute> =>
    waitFor(async () => ((await list()) ?? []).find((f) => f.match.includes('2001:db8:100::')), 10_000, what, 200);

  it('1. GoBGP and FRR read the source of a default tsbgp rule as ::1:2:3:4/128 offset 64', {
    timeout: 25_000,
  }, async () => {
    const fg = await seen('the rule at GoBGP', () => g.flowRoutes('ipv6-flowspec'));
    assert.match(fg.match, /\[source: ::1:2:3:4\/128\/64\]/, fg.match);
    const ff = await seen('the rule at FRR', () => frr.flowRoutes('ipv6-flowspec'));
    assert.match(ff.match, /Source Address ::1:2:3:4\/128\/off 64/, ff.match);
  });

  it('2. BIRD reads the source of an rfc8956 tsbgp rule as ::1:2:3:4/128 offset 64', { timeout: 20_000 }, async () => {
    const f = await seen('the rule at BIRD', () => bird.flowRoutes('ipv6-flowspec'));
    assert.match(f.match, /src ::1:2:3:4\/128 offset 64;/, f.match);
  });

  it('3. a rule GoBGP originates with an offset reaches the API process as ExaBGP JSON', {
    timeout: 20_000,
  }, async () => {
    await g.cli([
      'global',
      'rib',
      '-a',
      'ipv6-flowspec',
      'add',
      'match',
      'destination',
      '2001:db8:200::/48',
      'source',
      '::a:b:c:d/128/64',
      'then',
      'discard',
    ]);
    const upd = await waitFor(
      () =>
        jsonLines(events).find(
          (e) => e.type === 'update' && JSON.stringify(e.neighbor?.message?.update ?? {}).includes('2001:db8:200::'),
        ),
      10_000,
      'ipv6 flow update event',
    );
    const rules = Object.values(upd.neighbor.message.update.announce['ipv6 flow'] as Record<string, unknown[]>).flat();
    assert.deepEqual((rules[0] as Record<string, unknown>)['source-ipv6'], ['::a:b:c:d/128/64']);
  });
});
