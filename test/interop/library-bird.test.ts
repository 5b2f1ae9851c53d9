// The library's Speaker in this process against a real BIRD on loopback: typed events from both the EventEmitter
// and the async iterator (state changes, the session up, BIRD's route with its attributes, End-of-RIB), routes
// from the options and from announce()/withdraw() arriving at BIRD with their communities, a FlowSpec rule
// through the guard arriving at BIRD while one that would cut the session is refused with its reasons and never
// sent, and stop() ending the session and the iteration.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FlowSpecRefused, Speaker, type SpeakerEvent, type UpdateEvent } from '../../src/lib/index';
import { allocEndpoint, Bird, skipReason, stopAll, waitFor } from './peers';

after(stopAll);

const AS_S = 65431;
const AS_B = 65430;
const skip = skipReason('bird');

describe('library Speaker against BIRD', { skip }, () => {
  let bird: Bird;
  let speaker: Speaker;
  let eB: { address: string; port: number };
  let eS: { address: string; port: number };
  const iterated: SpeakerEvent[] = [];
  const emitted: UpdateEvent[] = [];
  let iteration: Promise<void>;

  before(async () => {
    eS = await allocEndpoint();
    eB = await allocEndpoint();
    bird = new Bird();
    await bird.start({
      ...eB,
      as: AS_B,
      holdTime: 30,
      neighbors: [{ address: eS.address, port: eS.port, as: AS_S, passive: true, families: ['ipv4', 'ipv4-flowspec'] }],
    });
    await bird.addRoute('ipv4', { prefix: '198.51.100.0/24', nextHop: '192.0.2.1', communities: ['65430:7'] });
    speaker = new Speaker({
      neighbors: [
        {
          peerAddress: eB.address,
          port: eB.port,
          localAddress: eS.address,
          localAs: AS_S,
          peerAs: AS_B,
          holdTime: 30,
          families: ['ipv4 unicast', 'ipv4 flow'],
          routes: [{ prefix: '203.0.113.0/25', nextHop: '192.0.2.9', communities: ['65431:1'] }],
        },
      ],
    });
    speaker.on('update', (e) => emitted.push(e));
    const events = speaker.events();
    iteration = (async () => {
      for await (const e of events) iterated.push(e);
    })();
    await speaker.start();
  });

  after(async () => {
    await speaker?.stop();
  });

  it('comes up and says so through the iterator', async () => {
    await waitFor(() => iterated.some((e) => e.type === 'up'), 30_000, 'up event');
    const states = iterated.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.to : ''));
    assert.ok(states.includes('OpenSent') && states.includes('Established'), states.join(' '));
    const up = iterated.find((e) => e.type === 'up');
    assert.ok(up?.type === 'up' && up.peerAs === AS_B && up.families.includes('ipv4 flow'));
  });

  it("receives BIRD's route typed, and its End-of-RIB", async () => {
    const e = await waitFor(
      () => emitted.find((x) => x.update.announced.some((r) => r.prefix === '198.51.100.0/24')),
      30_000,
      "BIRD's route",
    );
    const r = e.update.announced.find((x) => x.prefix === '198.51.100.0/24')!;
    assert.equal(r.family, 'ipv4 unicast');
    assert.equal(r.nextHop, '192.0.2.1');
    assert.deepEqual(r.asPath, [AS_B]);
    assert.deepEqual(r.communities, ['65430:7']);
    assert.equal(e.neighbor, eB.address);
    await waitFor(() => iterated.some((x) => x.type === 'eor' && x.family === 'ipv4 unicast'), 30_000, 'End-of-RIB');
    assert.equal(speaker.neighbors()[0]!.state, 'Established');
    assert.ok((speaker.neighbors()[0]!.routesReceived ?? 0) >= 1);
    // The Adj-RIB-In holds it, typed the same way.
    const held = [...speaker.adjRibIn(eB.address)].find((x) => 'prefix' in x && x.prefix === '198.51.100.0/24');
    assert.deepEqual(held, { neighbor: eB.address, ...r });
  });

  it('BIRD receives the routes of the options and of announce(), and sees withdraw()', async () => {
    speaker.announce({ prefix: '203.0.113.128/25', nextHop: '192.0.2.9', largeCommunities: ['65431:2:3'] });
    const got = await waitFor(
      async () => {
        const rs = await bird.routes('ipv4');
        return rs.some((r) => r.prefix === '203.0.113.128/25') && rs.some((r) => r.prefix === '203.0.113.0/25')
          ? rs
          : null;
      },
      30_000,
      'both routes at BIRD',
    );
    assert.deepEqual(got.find((r) => r.prefix === '203.0.113.0/25')!.communities, ['65431:1']);
    assert.deepEqual(got.find((r) => r.prefix === '203.0.113.128/25')!.largeCommunities, ['65431:2:3']);
    speaker.withdraw('203.0.113.128/25');
    await waitFor(
      async () => !(await bird.routes('ipv4')).some((r) => r.prefix === '203.0.113.128/25'),
      30_000,
      'withdrawal at BIRD',
    );
  });

  it('sends a FlowSpec rule and refuses one that would cut the session, with reasons', async () => {
    assert.throws(
      () => speaker.announceFlow({ match: { destination: `${eB.address}/32` }, then: { discard: true } }),
      (e: unknown) => e instanceof FlowSpecRefused && e.reasons.length >= 1,
    );
    speaker.announceFlow({
      match: { destination: '203.0.113.5/32', protocol: 'tcp', 'destination-port': 80 },
      then: { discard: true },
    });
    const flows = await waitFor(
      async () => {
        const f = await bird.flowRoutes('ipv4-flowspec');
        return f.length > 0 ? f : null;
      },
      30_000,
      'the flow rule at BIRD',
    );
    assert.equal(flows.length, 1, JSON.stringify(flows.map((f) => f.match)));
    assert.match(flows[0]!.match, /203\.0\.113\.5\/32/);
    // The Adj-RIB-Out holds the rule (and not the refused one) and the route of the options.
    const out = [...speaker.adjRibOut()];
    const rules = out.filter((x) => 'match' in x);
    assert.deepEqual(
      rules.map((x) => ('match' in x ? [x.match['destination-ipv4'], x.then] : [])),
      [[['203.0.113.5/32'], { discard: true }]],
    );
    const route = out.find((x) => 'prefix' in x && x.prefix === '203.0.113.0/25');
    assert.deepEqual(route && 'prefix' in route ? [route.nextHop, route.communities] : [], ['192.0.2.9', ['65431:1']]);
  });

  it('stop() ends the session at BIRD and the iteration', async () => {
    await speaker.stop();
    await iteration;
    await waitFor(async () => (await bird.sessionState(eS.address)) !== 'established', 30_000, 'BIRD session down');
    assert.ok(iterated.some((e) => e.type === 'down'));
  });
});
