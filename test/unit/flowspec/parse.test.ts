import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/tokenizer';
import {
  actionToString,
  decodeFlowAction,
  decodeFlowAction6,
  flowActionText,
  redirectIpv6RouteTarget,
  trafficRatePackets,
} from '../../../src/flowspec/actions';
import { flowToString } from '../../../src/flowspec/json';
import { parseFlowBlock, parseFlowCommand, type Statement } from '../../../src/flowspec/parse';
import { encodeFlowRule, IPV4_FLOW, IPV4_FLOW_VPN, IPV6_FLOW } from '../../../src/wire/nlri/flowspec';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('API block form and flat form give the same rule', () => {
  const a = parseFlowCommand(
    'announce flow route { match { source 10.0.0.1/32; destination-port =80; } then { discard; } }',
  );
  const b = parseFlowCommand('announce flow route source 10.0.0.1/32 destination-port =80 discard');
  const c = parseFlowCommand('route name1 { match { destination-port =80; source 10.0.0.1/32; } then { discard; } }');
  assert.equal(hex(encodeFlowRule(a.rule)), hex(encodeFlowRule(b.rule)));
  assert.equal(hex(encodeFlowRule(a.rule)), hex(encodeFlowRule(c.rule)));
  assert.equal(c.name, 'name1');
  assert.deepEqual(a.extendedCommunities.map(hex), ['8006000000000000']);
  const w = parseFlowCommand('withdraw flow route { match { source 10.0.0.1/32; destination-port =80; } }');
  assert.equal(hex(encodeFlowRule(w.rule)), hex(encodeFlowRule(a.rule)));
});

test('families: IPv6 from the prefixes, VPN from rd', () => {
  assert.equal(parseFlowCommand('route destination 10.0.0.0/8 discard').rule.family, IPV4_FLOW);
  assert.equal(parseFlowCommand('route destination 2001:db8::/32 discard').rule.family, IPV6_FLOW);
  assert.equal(parseFlowCommand('route { rd 65000:1; match { destination 10.0.0.0/8; } }').rule.family, IPV4_FLOW_VPN);
});

test('values: names, lists, AND chains, repeated keywords', () => {
  const r = parseFlowCommand(
    'route { match { destination 10.0.0.0/8; protocol [ tcp udp ]; destination-port [ =http >8080&<8088 ]; destination-port =https; tcp-flags [ syn+ack &!rst ]; } }'.replace(
      'syn+ack &!rst',
      'syn+ack&!rst',
    ),
  );
  assert.equal(
    flowToString(r.rule),
    'flow destination-ipv4 10.0.0.0/8 protocol [ =tcp =udp ] destination-port [ =80 >8080&<8088 =443 ] tcp-flags [ syn+ack&!rst ]',
  );
});

test('actions and their communities', () => {
  const r = parseFlowCommand(
    'route { match { destination 10.0.0.0/8; } then { rate-limit-packets 500; redirect 10.1.1.1:7; redirect [2001:db8::1]:9; redirect-to-nexthop-ietf 2001:db8::2; } }',
  );
  assert.deepEqual(r.extendedCommunities.map(hex), [hex(trafficRatePackets(500)), '81080a0101010007']);
  assert.deepEqual(r.ipv6ExtendedCommunities.map(hex), [
    '000d20010db8000000000000000000000001' + '0009',
    '000c20010db8000000000000000000000002' + '0000',
  ]);
  assert.deepEqual(r.actions.map(actionToString), [
    'rate-limit-packets 500',
    'redirect 10.1.1.1:7',
    'redirect [2001:db8::1]:9',
    'redirect-to-nexthop-ietf 2001:db8::2',
  ]);
  assert.deepEqual(decodeFlowAction(r.extendedCommunities[0]!), { kind: 'rate-limit-packets', rate: 500, asn: 0 });
  assert.deepEqual(
    decodeFlowAction6(
      redirectIpv6RouteTarget(r.actions[2]!.kind === 'redirect-ip' ? r.actions[2]!.ip : new Uint8Array(16), 9),
    )?.kind,
    'redirect-ip',
  );
  const big = parseFlowCommand('route destination 10.0.0.0/8 redirect 4200000000:7');
  assert.equal(hex(big.extendedCommunities[0]!), '8208fa56ea000007');
  assert.equal(flowActionText(big.extendedCommunities[0]!), 'redirect:4200000000:7');
  const a = parseFlowCommand('route destination 10.0.0.0/8 action sample-terminal mark 46 rate-limit 2000000000000');
  assert.deepEqual(
    a.extendedCommunities.map((c) => flowActionText(c)),
    ['action sample-terminal', 'mark 46', 'rate-limit:999999995904'],
  );
});

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('no error');
}

test('errors carry file:line:col and say what was expected', () => {
  const st = (keyword: string, args: string[], line: number, col = 7): Statement => ({
    keyword,
    args,
    file: 'exabgp.conf',
    line,
    col,
  });
  const e1 = errorOf(() => parseFlowBlock({ name: 'x', match: [st('destination-port', ['=99999'], 12)], then: [] }));
  assert.match(e1.message, /^exabgp\.conf:12:7: destination-port: 99999 is out of range, expected a port/);
  const e2 = errorOf(() => parseFlowBlock({ name: 'x', match: [st('protocol', ['tcpp'], 3)], then: [] }));
  assert.match(e2.message, /^exabgp\.conf:3:7: protocol: 'tcpp' is not a protocol/);
  const e3 = errorOf(() =>
    parseFlowBlock({ name: 'x', match: [st('destination', ['10.0.0.0/8'], 3)], then: [st('discrad', [], 9, 3)] }),
  );
  assert.match(e3.message, /^exabgp\.conf:9:3: unknown then keyword 'discrad', expected one of: accept discard/);
  const e4 = errorOf(() =>
    parseFlowBlock({
      name: 'x',
      match: [st('destination', ['10.0.0.0/8'], 3), st('source', ['2001:db8::/32'], 4)],
      then: [],
    }),
  );
  assert.match(e4.message, /:4:7: source: cannot mix IPv4 and IPv6/);
  const e5 = errorOf(() => parseFlowCommand('route { match { destination 10.0.0.0/8; flow-label 5; } }'));
  assert.match(e5.message, /^<api>:1:\d+: flow-label: only valid in IPv6 rules/);
  const e6 = errorOf(() => parseFlowCommand('route destination 10.0.0.0/8 bogus 1'));
  assert.equal(e6.col, 30);
  errorOf(() => parseFlowCommand('route { match { destination 10.0.0.0/8; packet-length >10&; } }'));
  errorOf(() => parseFlowCommand('route { match { destination 10.0.0.0/8; dscp 64; } }'));
  errorOf(() => parseFlowCommand('route { match { destination 10.0.0.0/40; } }'));
  errorOf(() => parseFlowCommand('route { match { destination 2001:db8::/32/40; } }'));
  errorOf(() => parseFlowCommand('route destination 10.0.0.0/8 redirect 70000:70000'));
  errorOf(() => parseFlowCommand('route destination 10.0.0.0/8 mark 64'));
  errorOf(() => parseFlowCommand('route { match { destination 10.0.0.0/8; }'));
});

test('flow match keywords are looked up as keywords only, never as Object.prototype names', () => {
  for (const k of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
    assert.throws(() => parseFlowCommand(`route { match { ${k} 1; } then { discard; } }`), /unknown match keyword/, k);
  }
});

test('flow prefixes: address/length, IPv6 with an optional offset, anything else refused with the same message', () => {
  const r = parseFlowCommand(
    'route { match { destination 2001:db8::/32/8; source 2001:db8:1::/48; } then { discard; } }',
  );
  assert.equal(r.rule.components.length, 2);
  const bad = ['10.0.0.0', '10.0.0.0/', '10.0.0.0/1234', '10.0.0.0/24/', '2001:db8::/32/8/1', '10.0.0.0/x', 'foo/24'];
  for (const p of bad)
    assert.throws(
      () => parseFlowCommand(`route { match { destination ${p}; } then { discard; } }`),
      /is not a prefix/,
      p,
    );
  assert.throws(
    () => parseFlowCommand('route { match { destination 10.0.0.0/24/0; } then { discard; } }'),
    /an offset is only allowed for IPv6/,
  );
  assert.throws(
    () => parseFlowCommand('route { match { destination 10.0.0.0/33; } then { discard; } }'),
    /longer than the address/,
  );
});

test('scope { interface-set }: the draft-ietf-idr-flowspec-interfaceset extended community, in both forms', () => {
  const r = parseFlowCommand(
    'route s { match { destination 10.0.0.0/24; } scope { interface-set [ transitive:input:1234:5678 non-transitive:input-output:4200000000:16383 ]; } then { discard; } }',
  );
  // Type 0x07 (0x47 non-transitive), sub-type 0x02, 4-octet AS, direction << 14 | group id; in the order written.
  assert.deepEqual(
    r.extendedCommunities.map((c) => hex(c)),
    ['0702000004d2562e', '4702fa56ea00ffff', '8006000000000000'],
  );
  const st = (keyword: string, args: string[]): Statement => ({ keyword, args, file: 'f', line: 3, col: 5 });
  const b = parseFlowBlock({
    match: [st('destination', ['10.0.0.0/24'])],
    then: [st('discard', [])],
    scope: [st('interface-set', ['transitive:output:1:1'])],
  });
  assert.deepEqual(
    b.extendedCommunities.map((c) => hex(c)),
    ['8006000000000000', '0702000000018001'],
  );
  for (const bad of ['transitive:1:1:1', 'transitive:input:1.2:3', 'transitive:input:1:16384', 'both:input:1:1'])
    assert.throws(
      () => parseFlowBlock({ match: [], then: [], scope: [st('interface-set', [bad])] }),
      (e: unknown) => e instanceof ConfigError && /^f:3:5: interface-set: /.test(e.message),
      bad,
    );
});
