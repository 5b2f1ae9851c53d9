// The library's codec and checks (src/lib): typed routes and FlowSpec rules go to UPDATE bytes and back
// unchanged, rules decoded from bytes encode to the same bytes, every bad value is a typed error naming the
// field (and can never add a statement to the generated configuration), the options are refused with the
// daemon's reasons, and the FlowSpec guard's refusal through a running Speaker lists its reasons.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  decodeFlowSpec,
  decodeUpdate,
  encodeFlowSpec,
  encodeUpdate,
  FlowSpecRefused,
  NotRunning,
  type Route,
  Speaker,
  TsbgpError,
} from '../../../src/lib/index';
import { freePort } from '../../interop/peers/common';

describe('library codec', () => {
  it('routes with their attributes go to UPDATEs and back as the same typed values', () => {
    const v4: Route = {
      prefix: '203.0.113.0/24',
      nextHop: '192.0.2.1',
      origin: 'egp',
      asPath: [65001, 65002, [64512, 64513]],
      med: 10,
      localPreference: 200,
      communities: ['65001:7', 'no-export'],
      largeCommunities: ['65001:1:2'],
      extendedCommunities: ['target:65001:3'],
    };
    const v6: Route = { prefix: '2001:db8:1::/48', nextHop: '2001:db8::1', origin: 'igp', asPath: [65001] };
    const msgs = encodeUpdate({ announce: [v4, { ...v4, prefix: '198.51.100.0/24' }, v6], withdraw: ['192.0.2.0/24'] });
    // The withdrawal, the two IPv4 routes sharing their attributes in one UPDATE, the IPv6 route.
    assert.equal(msgs.length, 3);
    const decoded = msgs.map((m) => decodeUpdate(m));
    assert.deepEqual(decoded[0]!.withdrawn, [{ family: 'ipv4 unicast', prefix: '192.0.2.0/24' }]);
    assert.deepEqual(
      decoded[1]!.announced.map((r) => r.prefix),
      ['203.0.113.0/24', '198.51.100.0/24'],
    );
    assert.deepEqual(decoded[1]!.announced[0], { family: 'ipv4 unicast', ...v4 });
    assert.deepEqual(decoded[2]!.announced, [{ family: 'ipv6 unicast', ...v6 }]);
    for (const d of decoded) assert.deepEqual(d.errors, []);
  });

  it('adds ORIGIN and AS_PATH when not given, and nothing else', () => {
    const [m] = encodeUpdate({ announce: [{ prefix: '10.0.0.0/8', nextHop: '192.0.2.9' }] });
    assert.deepEqual(decodeUpdate(m!).announced, [
      { family: 'ipv4 unicast', prefix: '10.0.0.0/8', nextHop: '192.0.2.9', origin: 'igp', asPath: [] },
    ]);
  });

  it('honours ADD-PATH and 2-octet AS sessions', () => {
    const opts = { addPath: ['ipv4 unicast'], asn4: false };
    const [m] = encodeUpdate(
      { announce: [{ prefix: '10.1.0.0/16', nextHop: '192.0.2.9', pathId: 7, asPath: [70000] }] },
      opts,
    );
    const r = decodeUpdate(m!, opts).announced[0]!;
    assert.equal(r.pathId, 7);
    // RFC 6793: a 4-octet AS goes out as AS_TRANS with AS4_PATH, and is read back whole.
    assert.deepEqual(r.asPath, [70000]);
  });

  it('End-of-RIB is said as such', () => {
    const eor = new Uint8Array(23).fill(0xff);
    eor.set([0, 23, 2, 0, 0, 0, 0], 16);
    assert.equal(decodeUpdate(eor).endOfRib, 'ipv4 unicast');
  });

  it('FlowSpec rules: typed or text, bytes and back, the same bytes again', () => {
    const typed = encodeFlowSpec({
      match: { destination: '203.0.113.5/32', protocol: ['tcp', 'udp'], 'destination-port': [53, '>=1024&<=2048'] },
      then: { 'rate-limit': 1000 },
    });
    const text = encodeFlowSpec(
      '{ match { destination 203.0.113.5/32; protocol [ tcp udp ]; destination-port [ =53 >=1024&<=2048 ]; } }',
    );
    assert.equal(typed.family, 'ipv4 flow');
    assert.deepEqual(typed.nlri, text.nlri);
    const back = decodeFlowSpec(typed.family, typed.nlri);
    assert.deepEqual(back.match, {
      'destination-ipv4': ['203.0.113.5/32'],
      protocol: ['=tcp', '=udp'],
      'destination-port': ['=53', '>=1024&<=2048'],
    });
    assert.deepEqual(encodeFlowSpec({ match: back.match }).nlri, typed.nlri);
    const v6 = encodeFlowSpec({
      match: { destination: '2001:db8::/64', 'next-header': 'udp' },
      then: { discard: true },
    });
    assert.equal(v6.family, 'ipv6 flow');
    assert.deepEqual(encodeFlowSpec({ match: decodeFlowSpec('ipv6 flow', v6.nlri).match }).nlri, v6.nlri);
  });

  it('FlowSpec UPDATEs carry their actions back as a FlowThen', () => {
    const msgs = encodeUpdate({
      flows: {
        announce: [
          { match: { destination: '203.0.113.0/24', protocol: 'tcp' }, then: { 'rate-limit': 9600, mark: 10 } },
        ],
      },
    });
    const f = decodeUpdate(msgs[0]!).flows.announced[0]!;
    assert.deepEqual(f.then, { 'rate-limit': 9600, mark: 10 });
    assert.equal(f.text, 'flow destination-ipv4 203.0.113.0/24 protocol =tcp');
  });

  it('bad values are TsbgpErrors naming the field, never extra statements', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => encodeUpdate({ announce: [{ prefix: '10.0.0.0/8; withdraw', nextHop: '192.0.2.1' }] }), /prefix/],
      [() => encodeUpdate({ announce: [{ prefix: '10.0.0.0/8', nextHop: '192.0.2.1', med: -1 }] }), /med/],
      [() => encodeUpdate({ announce: [{ prefix: '10.0.0.0/8' }] }), /next-hop/],
      [() => encodeUpdate({ announce: [{ prefix: '10.0.0.0/8', nextHop: 'self' }] }), /self/],
      [() => encodeFlowSpec({ match: { destination: '10.0.0.0/8 } then { discard' } }), /match\.destination/],
      [() => encodeFlowSpec({ family: 'ipv6 flow', match: { destination: '10.0.0.0/8' } }), /ipv4 flow/],
      [() => decodeUpdate(new Uint8Array(10)), /not a valid UPDATE/],
      [() => decodeFlowSpec('ipv4 unicast', new Uint8Array(1)), /not a FlowSpec family/],
    ];
    for (const [f, re] of bad) assert.throws(f, (e: unknown) => e instanceof TsbgpError && re.test(e.message));
  });
});

describe('library Speaker checks', () => {
  const base = { peerAddress: '127.0.0.1', peerAs: 65000, localAs: 65001, localAddress: '127.0.0.1', port: 1 };

  it('refuses options the daemon would refuse, with every reason and its line', () => {
    assert.throws(
      () => new Speaker({ neighbors: [{ ...base, holdTime: 2, families: ['ipv4 unicast'] }] }),
      (e: unknown) => e instanceof ConfigurationError && /hold time of 0 or at least 3/.test(e.reasons[0]!),
    );
    assert.throws(
      () =>
        new Speaker({
          neighbors: [{ ...base, flows: [{ match: { destination: '10.0.0.0/8' }, then: { discard: true } }] }],
        }),
      (e: unknown) =>
        e instanceof ConfigurationError && /no flow family/.test(e.message) && /in: route flow-1/.test(e.message),
    );
    assert.throws(() => new Speaker({ neighbors: [] }), TsbgpError);
    // What a program in JavaScript may leave out, the types require: said with the field's name.
    const { localAddress: _, ...noLocal } = base;
    assert.throws(
      () => new Speaker({ neighbors: [noLocal as typeof base] }),
      (e: unknown) => e instanceof TsbgpError && /neighbors\[0\]\.localAddress/.test(e.message),
    );
    assert.throws(
      () => new Speaker({ neighbors: [{ ...base, description: 'a\nb' }] }),
      (e: unknown) => e instanceof TsbgpError && /description/.test(e.message),
    );
  });

  it('shows the configuration it stands for', () => {
    const s = new Speaker({
      neighbors: [
        { ...base, families: ['ipv4 unicast', 'ipv4 flow'], routes: [{ prefix: '10.0.0.0/8', nextHop: 'self' }] },
      ],
    });
    assert.match(
      s.configuration,
      /neighbor 127\.0\.0\.1 \{[\s\S]*ipv4 flow;[\s\S]*route 10\.0\.0\.0\/8 next-hop self;/,
    );
  });

  it('the FlowSpec guard refuses through a running Speaker, with its reasons; nothing needs a peer', async () => {
    // The peer's port 1 on loopback refuses connections: the session retries while the test runs.
    // The daemon's HTTP server comes with it when its settings ask for it.
    const httpPort = await freePort('127.0.0.1');
    const s = new Speaker({
      neighbors: [{ ...base, families: ['ipv4 unicast', 'ipv4 flow'] }],
      settings: { 'tsbgp.http.port': String(httpPort), 'tsbgp.http.bind': '127.0.0.1' },
    });
    assert.throws(() => s.announce({ prefix: '10.0.0.0/8', nextHop: 'self' }), NotRunning);
    await s.start();
    try {
      assert.throws(
        () => s.announceFlow({ match: { destination: '127.0.0.0/8', protocol: 'tcp' }, then: { discard: true } }),
        (e: unknown) => e instanceof FlowSpecRefused && e.reasons.length > 0 && /port 179/.test(e.reasons[0]!),
      );
      s.announceFlow({ match: { destination: '203.0.113.0/24', protocol: 'tcp' }, then: { discard: true } });
      s.announce({ prefix: '10.0.0.0/8', nextHop: 'self' }, { neighbor: '127.0.0.1' });
      assert.throws(
        () => s.announce({ prefix: '10.0.0.0/8', nextHop: 'self' }, { neighbor: '192.0.2.1' }),
        /no neighbor/,
      );
      assert.equal(s.neighbors()[0]!.peerAddress, '127.0.0.1');
      const metrics = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /127\.0\.0\.1/);
    } finally {
      await s.stop();
    }
    await assert.rejects(s.start(), /does not start again/);
    assert.throws(() => s.withdraw('10.0.0.0/8'), NotRunning);
  });
});
