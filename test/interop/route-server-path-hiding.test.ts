// No path hiding (RFC 7947 §2.3.1) through tsbgp as route server, with real clients: BIRD 2 and FRR announce the
// same prefix, BIRD's path the better (shorter AS_PATH) but with an action community keeping it from GoBGP. GoBGP
// must get FRR's path, not nothing, while FRR gets BIRD's; when FRR withdraws, GoBGP has no path left, and when
// FRR announces again, GoBGP gets it back. (BIRD 2 as route server in this lab would hide the path: its
// `secondary` export needs a sorted table, which its multihop sessions' recursive next hops forbid; so this is not
// in the BIRD differential.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Bird, Frr, GoBgp, skipReason, stopAll, waitFor } from './peers';
import { type Clients, RS_AS, type RsLab, type Scenario, startLab, stopLab } from './route-server-scenario';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

const P = '6.6.0.0/16';
const BEST = { prefix: P, nextHop: '192.0.2.11', largeCommunities: [`${RS_AS}:0:1013`] };
const SECOND = { prefix: P, nextHop: '192.0.2.12', asPath: [1012] };

const S: Scenario = {
  family: 'ipv4',
  clients: [
    { name: 'bird', as: 1011, nh: '192.0.2.11', make: () => new Bird(), routes: [BEST] },
    { name: 'frr', as: 1012, nh: '192.0.2.12', make: () => new Frr(), routes: [SECOND] },
    { name: 'gobgp', as: 1013, nh: '192.0.2.13', make: () => new GoBgp(), routes: [] },
  ],
  vrps: [],
  want: {},
};

describe('no path hiding through tsbgp as route server: BIRD and FRR to GoBGP', { skip, timeout: 120_000 }, () => {
  let lab: RsLab;
  let cl: Clients;

  before(async () => {
    lab = await startLab(S, 'rs-ph');
    cl = lab.cl;
  });

  after(() => stopLab(lab));

  /**
   * The path client `name` holds for P from the route server (its own has an empty AS_PATH; FRR shows only its
   * best, its own while it announces P), as "next hop | AS_PATH" ('' for none).
   */
  const pathAt = async (name: string): Promise<string> => {
    const r = (await cl.daemons.get(name)!.routes('ipv4')).find((x) => x.prefix === P && x.asPath.length > 0);
    return r ? `${r.nextHop} | ${r.asPath.join(' ')}` : '';
  };
  const expect = (name: string, want: string, what: string) =>
    waitFor(async () => (await pathAt(name)) === want, 15_000, `${what} at ${name}`, 200).catch(async (e) => {
      throw new Error(`${(e as Error).message}: holds '${await pathAt(name)}'\n${lab.t.log().slice(-2000)}`);
    });

  it('GoBGP, kept from the best path, gets the second best; FRR gets the best', async () => {
    await (cl.daemons.get('bird') as Bird).addRoutes('ipv4', [BEST]);
    await expect('frr', '192.0.2.11 | 1011', "BIRD's path");
    await cl.daemons.get('frr')!.addRoute('ipv4', SECOND);
    await expect('gobgp', '192.0.2.12 | 1012 1012', "FRR's path");
    await expect('bird', '192.0.2.12 | 1012 1012', "FRR's path");
    const text = (await lab.t.command(`show rib ${P}`)).lines.join('\n');
    assert.match(text, /1011/, text);
    assert.match(text, /1012 1012/, text);
  });

  it('when the second best goes, GoBGP has no path left; when it returns, GoBGP has it again', async () => {
    await cl.daemons.get('frr')!.withdrawRoute('ipv4', P);
    await expect('gobgp', '', 'no path');
    await expect('bird', '', 'no path');
    await cl.daemons.get('frr')!.addRoute('ipv4', SECOND);
    await expect('gobgp', '192.0.2.12 | 1012 1012', "FRR's path again");
  });
});
