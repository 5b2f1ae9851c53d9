// The FlowSpec guard against the rules DDoS detectors really send (FastNetMon, Wanguard-style: one victim address
// or customer prefix, an amplification source port, a SYN flood, fragments, ICMP, packet lengths), in the API
// form they use, with the protected set a real configuration gives: the neighbor and local addresses, router
// loopbacks and link networks. Every mitigation rule passes; what can cut a BGP session of a protected
// addresses, a rule with no destination and the August 2020 shape are refused; `warn` and `off` behave as
// docs/FLOWSPEC.md says. Impossible and conflicting rules: guard.test.ts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardOptions } from '../../../src/config/flow-check';
import { parseConfig } from '../../../src/config/parser';
import { checkRule, type GuardOptions, mustRefuse } from '../../../src/flowspec/guard';
import { parseFlowCommand } from '../../../src/flowspec/parse';
import { parsePrefix } from '../../../src/wire/ip';

// tsbgp at 192.0.2.10 peers with two route reflectors; loopbacks 10.255.0.0/24 and 2001:db8:ffff::/48, a
// transit link 198.51.100.0/30 and a BGP customer's link 203.0.113.252/30 are protected by the operator.
// Customer space (the victims): 203.0.113.0/24, 198.18.0.0/15, 2001:db8:100::/48.
const CONFIG = `
neighbor 192.0.2.1 { local-address 192.0.2.10; local-as 65001; peer-as 65001; family { ipv4 flow; ipv6 flow; } }
neighbor 2001:db8::1 { router-id 192.0.2.10; local-address 2001:db8::10; local-as 65001; peer-as 65001; family { ipv6 flow; }
  flow { protect [ 10.255.0.0/24 2001:db8:ffff::/48 ]; }
}
`;
const ENV = {
  guard: 'refuse' as const,
  protect: ['198.51.100.0/30', '203.0.113.252/30'].map((p) => parsePrefix(p)!),
  shortest4: 8,
  shortest6: 32,
};
const OPTS: GuardOptions = guardOptions(parseConfig(CONFIG, 'net.conf'), ENV);

const refused = (rule: string, opts: GuardOptions = OPTS): string[] =>
  checkRule(parseFlowCommand(`route { ${rule} }`), opts)
    .filter((f) => f.severity === 'refuse')
    .map((f) => `${f.code}: ${f.message}`);

// [what it is, the rule as a detector sends it]
const MITIGATIONS: [string, string][] = [
  ['DNS amplification', 'match { destination 203.0.113.5/32; protocol udp; source-port =53; } then { discard; }'],
  ['NTP amplification', 'match { destination 203.0.113.5/32; protocol udp; source-port =123; } then { discard; }'],
  ['SSDP amplification', 'match { destination 203.0.113.5/32; protocol udp; source-port =1900; } then { discard; }'],
  ['memcached', 'match { destination 203.0.113.5/32; protocol udp; source-port =11211; } then { discard; }'],
  ['CLDAP', 'match { destination 203.0.113.5/32; protocol udp; source-port =389; } then { discard; }'],
  ['chargen', 'match { destination 203.0.113.5/32; protocol udp; source-port =19; } then { discard; }'],
  ['SNMP', 'match { destination 203.0.113.5/32; protocol udp; source-port =161; } then { rate-limit 125000; }'],
  [
    'several reflection ports at once',
    'match { destination 203.0.113.5/32; protocol udp; source-port [ =53 =123 =389 =1900 =11211 ]; } then { discard; }',
  ],
  ['UDP to port 0', 'match { destination 203.0.113.5/32; protocol udp; destination-port =0; } then { discard; }'],
  [
    'SYN flood to a web server, port 80',
    'match { destination 203.0.113.10/32; protocol tcp; destination-port =80; tcp-flags [ syn ]; } then { discard; }',
  ],
  [
    'SYN flood to 443, policed',
    'match { destination 203.0.113.10/32; protocol tcp; destination-port =443; tcp-flags [ syn&!ack ]; } then { rate-limit 1000000; }',
  ],
  [
    'the issue 10 case: TCP to 8080 at a customer /32',
    'match { destination 203.0.113.10/32; protocol tcp; destination-port =8080; } then { discard; }',
  ],
  [
    'TCP to a high port range at a customer /32',
    'match { destination 203.0.113.10/32; protocol tcp; destination-port >=1024&<=65535; } then { discard; }',
  ],
  ['all TCP to a customer /32', 'match { destination 203.0.113.10/32; protocol tcp; } then { discard; }'],
  ['everything to a customer /32 (FlowSpec blackhole)', 'match { destination 203.0.113.10/32; } then { discard; }'],
  [
    'spoofed source port 179 towards a customer prefix',
    'match { destination 203.0.113.0/25; protocol tcp; source-port =179; } then { discard; }',
  ],
  [
    'TCP ACK flood',
    'match { destination 203.0.113.10/32; protocol tcp; tcp-flags [ ack ]; } then { rate-limit 500000; }',
  ],
  ['TCP RST flood', 'match { destination 203.0.113.10/32; protocol tcp; tcp-flags [ rst ]; } then { discard; }'],
  ['fragments', 'match { destination 203.0.113.5/32; fragment [ is-fragment ]; } then { discard; }'],
  [
    'UDP first fragments',
    'match { destination 203.0.113.5/32; protocol udp; fragment [ first-fragment ]; } then { discard; }',
  ],
  ['ICMP flood', 'match { destination 203.0.113.5/32; protocol icmp; } then { rate-limit 12500; }'],
  [
    'ICMP echo requests',
    'match { destination 203.0.113.0/24; protocol icmp; icmp-type echo-request; } then { discard; }',
  ],
  [
    'large UDP packets (packet-length range)',
    'match { destination 203.0.113.5/32; protocol udp; packet-length >=1000&<=1500; } then { discard; }',
  ],
  [
    'DNS answers larger than 512 bytes',
    'match { destination 203.0.113.5/32; protocol udp; source-port =53; packet-length >512; } then { discard; }',
  ],
  ['GRE flood', 'match { destination 203.0.113.5/32; protocol gre; } then { discard; }'],
  [
    'UDP to a customer /24, policed',
    'match { destination 203.0.113.0/24; protocol udp; } then { rate-limit 10000000; }',
  ],
  [
    'all TCP to a customer /24 diverted to the scrubbing VRF',
    'match { destination 203.0.113.0/25; protocol tcp; } then { redirect 65001:666; }',
  ],
  [
    'everything to a /32 to the scrubber next hop',
    'match { destination 198.18.7.7/32; } then { redirect 192.0.2.250; }',
  ],
  ['a copy to the IDS', 'match { destination 198.18.7.0/24; } then { copy 192.0.2.9; }'],
  ['DSCP remark of UDP', 'match { destination 198.18.0.0/16; protocol udp; } then { mark 0; }'],
  ['sampling', 'match { destination 198.18.0.0/15; protocol udp; source-port =123; } then { action sample; }'],
  [
    'an attacker /32 to a customer /24, every protocol',
    'match { source 192.0.2.200/32; destination 203.0.113.0/25; } then { discard; }',
  ],
  [
    'an attacker to a router loopback, BGP excluded',
    'match { source 192.0.2.200/32; destination 10.255.0.1/32; protocol tcp; destination-port !=179; source-port !=179; } then { discard; }',
  ],
  [
    'UDP at a protected loopback (BGP is TCP)',
    'match { destination 10.255.0.1/32; protocol udp; source-port =123; } then { discard; }',
  ],
  [
    'SSH brute force at a protected loopback (port 22 both ways is no BGP packet)',
    'match { destination 10.255.0.1/32; protocol tcp; destination-port =22; } then { rate-limit 10000; }',
  ],
  [
    'IPv6 DNS amplification',
    'match { destination 2001:db8:100::5/128; next-header udp; source-port =53; } then { discard; }',
  ],
  [
    'IPv6 SYN flood to 443',
    'match { destination 2001:db8:100::10/128; next-header tcp; destination-port =443; tcp-flags [ syn ]; } then { discard; }',
  ],
  ['IPv6 all TCP to a host', 'match { destination 2001:db8:100::10/128; next-header tcp; } then { discard; }'],
  [
    'IPv6 ICMPv6 echo policed',
    'match { destination 2001:db8:100::/48; next-header 58; icmp-type 128; } then { rate-limit 125000; }',
  ],
  [
    'IPv6 NTP to a /48',
    'match { destination 2001:db8:100::/48; next-header udp; source-port =123; } then { discard; }',
  ],
  [
    'IPv6 fragments to a /64',
    'match { destination 2001:db8:100:1::/64; fragment [ is-fragment ]; } then { redirect 65001:666; }',
  ],
];

test(`${MITIGATIONS.length} real mitigation rules pass the guard with the protected set of a real network`, () => {
  assert.ok(MITIGATIONS.length >= 30);
  for (const [what, rule] of MITIGATIONS) assert.deepEqual(refused(rule), [], what);
});

test('refused: the 2020 shape, port 179 at a protected loopback, a rule with no destination', () => {
  // A broad rule: every destination, source ports and packet lengths that include BGP's, discard.
  const shape2020 = refused('match { source-port >=0; packet-length >=0&<=1500; } then { discard; }');
  assert.deepEqual(
    shape2020.map((f) => f.split(':')[0]),
    ['no-destination', 'matches-bgp'],
  );
  assert.deepEqual(
    refused('match { destination 0.0.0.0/0; protocol tcp; packet-length <=1500; } then { discard; }').map(
      (f) => f.split(':')[0],
    ),
    ['wide-destination', 'matches-bgp'],
  );
  // A port range over 179 at a router loopback the operator protects.
  const loop = refused(
    'match { destination 10.255.0.1/32; protocol tcp; destination-port >=100&<=1000; } then { discard; }',
  );
  assert.equal(loop.length, 1);
  assert.match(loop[0]!, /^matches-bgp: discard would apply to TCP port 179 to or from a protected address/);
  assert.deepEqual(
    refused('match { source 192.0.2.200/32; protocol udp; } then { discard; }').map((f) => f.split(':')[0]),
    ['no-destination'],
  );
});

test('refused: every way a blocking rule can reach a session to or from a protected address', () => {
  const bgp = (rule: string): boolean => refused(rule).some((f) => f.startsWith('matches-bgp'));
  // The replies of a session: source port 179 towards the neighbor's ephemeral port.
  assert.ok(bgp('match { destination 192.0.2.1/32; protocol tcp; destination-port >=1024; } then { discard; }'));
  // tsbgp's own local address, any rate-limit (policing shares the flood's budget with BGP).
  assert.ok(bgp('match { destination 192.0.2.10/32; } then { rate-limit 100000000; }'));
  // A redirect takes BGP packets off their path.
  assert.ok(bgp('match { destination 198.51.100.1/32; protocol tcp; } then { redirect 65001:666; }'));
  // A customer /24 that holds a protected BGP link.
  assert.ok(bgp('match { destination 203.0.113.0/24; protocol tcp; } then { discard; }'));
  // IPv6: a protected loopback range, and a neighbor matched by an offset pattern (RFC 8956 §3.1).
  assert.ok(bgp('match { destination 2001:db8:ffff::1/128; next-header tcp; port =179; } then { discard; }'));
  assert.ok(bgp('match { destination ::1/128/64; next-header tcp; } then { discard; }'));
  // A source that is a protected speaker, towards another one, or towards an address the guard does not know (a
  // multihop eBGP peer that is not listed).
  assert.ok(
    bgp('match { source 10.255.0.2/32; destination 10.255.0.1/32; protocol tcp; source-port =179; } then { discard; }'),
  );
  assert.ok(bgp('match { source 10.255.0.1/32; destination 203.0.113.0/25; protocol tcp; } then { discard; }'));
  // A router loopback from any source, an attacker's too: the loopback's sessions may run to unlisted peers.
  assert.ok(bgp('match { source 192.0.2.200/32; destination 10.255.0.1/32; protocol tcp; } then { discard; }'));
  // Both ports 179 (a session some speakers open from their own port 179).
  assert.ok(
    bgp('match { destination 192.0.2.1/32; protocol tcp; destination-port =179; source-port =179; } then { discard; }'),
  );
  // Not blocking: a copy or a mark lets BGP through.
  assert.ok(!bgp('match { destination 192.0.2.1/32; } then { copy 192.0.2.9; }'));
  assert.ok(!bgp('match { destination 192.0.2.1/32; } then { mark 46; }'));
});

test('FlowSpec VPN rules (SAFI 134, with rd) go through the same guard as plain FlowSpec', () => {
  const codes = (rule: string): string[] => refused(rule).map((f) => f.split(':')[0]!);
  assert.deepEqual(
    codes('rd 65000:1; match { destination 10.255.0.1/32; protocol tcp; port =179; } then { discard; }'),
    ['matches-bgp'],
  );
  assert.deepEqual(codes('rd 192.0.2.1:7; match { source-port >=0; } then { discard; }'), [
    'no-destination',
    'matches-bgp',
  ]);
  assert.deepEqual(
    codes('rd 4200000000:5; match { destination 2001:db8:ffff::1/128; next-header tcp; } then { redirect 65001:666; }'),
    ['matches-bgp'],
  );
  // A customer rule inside a VPN passes as it would outside one.
  assert.deepEqual(
    codes('rd 65000:1; match { destination 203.0.113.5/32; protocol udp; source-port =53; } then { discard; }'),
    [],
  );
  assert.equal(
    parseFlowCommand('route { rd 65000:1; match { destination 203.0.113.5/32; } then { discard; } }').rule.family,
    0x186,
  );
});

test('the limits and the protected set are settings', () => {
  const wide = 'match { destination 203.0.0.0/16; protocol udp; } then { discard; }';
  assert.deepEqual(refused(wide), []);
  assert.equal(refused(wide, { ...OPTS, minPrefixV4: 24 }).length, 1);
  // shortest4 = 0 also lets a rule without a destination through (the BGP check still applies).
  assert.deepEqual(
    refused('match { source 192.0.2.200/32; protocol udp; } then { discard; }', { ...OPTS, minPrefixV4: 0 }),
    [],
  );
  // A prefix added to the protected set makes a rule there refused.
  const at = 'match { destination 198.18.9.9/32; protocol tcp; } then { discard; }';
  assert.deepEqual(refused(at), []);
  assert.equal(refused(at, { ...OPTS, protect: [...OPTS.protect!, parsePrefix('198.18.9.0/24')!] }).length, 1);
  // Without any knowledge of the network, every address may be a BGP speaker: the old, blunt guard.
  assert.equal(refused(at, {}).length, 1);
});

test('local-address auto protects the addresses of this machine', () => {
  const o = guardOptions(
    parseConfig(
      'neighbor 192.0.2.1 { router-id 192.0.2.10; local-address auto; local-as 1; peer-as 2; family { ipv4 flow; } }',
      'auto.conf',
    ),
    ENV,
  );
  // 127.0.0.1 is on every machine's loopback interface.
  assert.ok(o.protect!.some((p) => p.len === 32 && p.addr.join('.') === '127.0.0.1'));
});

test('warn: refused rules become warnings that say so; off: no check at all; allow-unsafe: one rule', () => {
  const bad = 'match { destination 10.255.0.1/32; protocol tcp; } then { discard; }';
  const warned = checkRule(parseFlowCommand(`route { ${bad} }`), { ...OPTS, mode: 'warn' });
  assert.equal(mustRefuse(warned), false);
  assert.equal(warned.length, 1);
  assert.equal(warned[0]!.severity, 'warn');
  assert.equal(warned[0]!.overridden, true);
  assert.match(warned[0]!.message, /TCP port 179 .*\(sent anyway: tsbgp\.flowspec\.guard=warn\)$/);
  // Warnings stay warnings in warn mode, and off reports nothing, not even an impossible rule.
  assert.deepEqual(checkRule(parseFlowCommand(`route { ${bad} }`), { ...OPTS, mode: 'off' }), []);
  assert.deepEqual(
    checkRule(parseFlowCommand('route { match { packet-length >1500&<400; } then { discard; } }'), { mode: 'off' }),
    [],
  );
  const unsafe = checkRule(parseFlowCommand(`route { allow-unsafe; ${bad} }`), OPTS);
  assert.equal(mustRefuse(unsafe), false);
  assert.match(unsafe[0]!.message, /\(sent anyway: allow-unsafe\)$/);
});
