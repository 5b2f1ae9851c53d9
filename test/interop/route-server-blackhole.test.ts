// RFC 7999 BLACKHOLE through tsbgp as route server, with real clients: GoBGP announces, BIRD 2 and FRR receive.
// A blackhole /32 is accepted only inside the announcing client's own space (without a prefix list: a route of
// the client already accepted that covers it), whatever order the two arrive in: a blackhole sent before its
// covering prefix is refused (reason `blackhole` in `show rib filtered`) and then reaches the other clients as soon
// as the covering prefix is accepted; when the covering prefix is withdrawn the blackhole leaves them again. (As
// after a session reset, when a client sends its table in whatever order its RIB holds it.) With a prefix list
// (BIRD's, a bgpq4 JSON file) the list is the client's space: a blackhole inside it passes with no covering route
// announced, one outside it is refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Bird, Frr, GoBgp, makeTempDir, skipReason, stopAll, waitFor } from './peers';
import {
  BLACKHOLE,
  type Clients,
  holdsExactly,
  type RsLab,
  type Scenario,
  startLab,
  stopLab,
} from './route-server-scenario';
import type { Tsbgp } from './tsbgp-launch';

after(stopAll);

const skip = skipReason('bird', 'frr', 'gobgp', 'stayrtr');

const COVER = { prefix: '5.5.5.0/24', nextHop: '192.0.2.5' };
const HOLE = { prefix: '5.5.5.66/32', nextHop: '192.0.2.5', communities: [BLACKHOLE] };

/** BIRD's prefix list as bgpq4 -j writes it: 6.6.0.0/16 and its more specifics up to /24. */
const LIST = path.join(makeTempDir('rs-bh-list'), 'as1006.json');
fs.writeFileSync(
  LIST,
  JSON.stringify({ NN: [{ prefix: '6.6.0.0/16', exact: false, 'greater-equal': 16, 'less-equal': 24 }] }),
);
const LISTED_HOLE = { prefix: '6.6.6.66/32', nextHop: '192.0.2.6', communities: [BLACKHOLE] };
const UNLISTED_HOLE = { prefix: '7.7.7.66/32', nextHop: '192.0.2.6', communities: [BLACKHOLE] };

const S: Scenario = {
  family: 'ipv4',
  clients: [
    { name: 'gobgp', as: 1005, nh: '192.0.2.5', make: () => new GoBgp(), routes: [COVER, HOLE] },
    {
      name: 'bird',
      as: 1006,
      nh: '192.0.2.6',
      make: () => new Bird(),
      routes: [LISTED_HOLE, UNLISTED_HOLE],
      filter: [`prefix-list ${LIST};`],
    },
    { name: 'frr', as: 1007, nh: '192.0.2.7', make: () => new Frr(), routes: [] },
  ],
  // The /32 is RPKI-invalid (longer than the VRP's max length): a blackhole is accepted all the same.
  vrps: [{ prefix: '5.5.0.0/16', maxLength: 24, asn: 1005 }],
  want: {},
};

describe('RFC 7999 blackholes through tsbgp as route server: from GoBGP and BIRD to the others', {
  skip,
  timeout: 120_000,
}, () => {
  let lab: RsLab;
  let t: Tsbgp;
  let cl: Clients;

  before(async () => {
    lab = await startLab(S, 'rs-bh');
    ({ t, cl } = lab);
  });

  after(() => stopLab(lab));

  const gobgp = (): GoBgp => cl.daemons.get('gobgp') as GoBgp;
  const filtered = async (): Promise<string> => (await t.command('show rib filtered')).lines.join('\n');
  /** Waits until both receivers hold exactly `prefixes` (sorted), and returns their tables. */
  const receiversHold = async (prefixes: string[], what: string, receivers = ['bird', 'frr']) =>
    Promise.all(receivers.map((name) => holdsExactly(cl, name, prefixes, what, filtered)));

  it('a blackhole outside the client’s space is refused with reason blackhole and reaches no one', async () => {
    await gobgp().addRoute('ipv4', HOLE);
    await waitFor(async () => /5\.5\.5\.66\/32 .*blackhole/.test(await filtered()), 10_000, 'the refused blackhole');
    await receiversHold([], 'nothing');
  });

  it('once the covering prefix is accepted, the blackhole sent before it reaches every other client', async () => {
    await gobgp().addRoute('ipv4', COVER);
    const [bird, frr] = await receiversHold(['5.5.5.0/24', '5.5.5.66/32'], 'the prefix and its blackhole');
    assert.deepEqual(bird!.get('5.5.5.66/32')!.communities, [BLACKHOLE], 'BIRD: BLACKHOLE as sent');
    assert.deepEqual(bird!.get('5.5.5.66/32')!.asPath, [1005]);
    assert.equal(frr!.get('5.5.5.66/32')!.nextHop, '192.0.2.5');
    assert.ok(frr!.get('5.5.5.66/32')!.communities.includes('blackhole'), 'FRR: BLACKHOLE');
    assert.doesNotMatch(await filtered(), /5\.5\.5\.66\/32/);
  });

  it('when the covering prefix is withdrawn, the blackhole leaves every other client', async () => {
    await gobgp().withdrawRoute('ipv4', COVER.prefix);
    await receiversHold([], 'nothing');
    assert.match(await filtered(), /5\.5\.5\.66\/32 .*blackhole/);
  });

  it('with a prefix list, a blackhole inside it passes with no covering route; one outside it is refused', async () => {
    await (cl.daemons.get('bird') as Bird).addRoutes('ipv4', [LISTED_HOLE, UNLISTED_HOLE]);
    const [gobgp] = await receiversHold(['6.6.6.66/32'], "BIRD's listed blackhole", ['gobgp', 'frr']);
    assert.deepEqual(gobgp!.get('6.6.6.66/32')!.communities, [BLACKHOLE], 'GoBGP: BLACKHOLE as sent');
    assert.match(await filtered(), /7\.7\.7\.66\/32 .*blackhole/);
  });
});
