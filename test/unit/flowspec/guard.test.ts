import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../../src/config/tokenizer';
import { checkRule, mustRefuse, numericRanges } from '../../../src/flowspec/guard';
import { parseFlowBlock, parseFlowCommand, type Statement } from '../../../src/flowspec/parse';

const codes = (text: string, opts = {}): string[] =>
  checkRule(parseFlowCommand(text), opts)
    .filter((f) => f.severity === 'refuse')
    .map((f) => f.code)
    .sort();

test('the August 2020 shape: wildcard match with discard covers BGP and is refused', () => {
  // No protocol, no port: every packet to the prefix, TCP/179 included.
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; } then { discard; } }'), ['matches-bgp']);
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; protocol tcp; } then { rate-limit 10000; } }'), [
    'matches-bgp',
  ]);
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; port =179; } then { discard; } }'), [
    'matches-bgp',
  ]);
  assert.deepEqual(
    codes('route { match { destination 192.0.2.0/24; destination-port >100&<200; } then { redirect 65000:1; } }'),
    ['matches-bgp'],
  );
  // Replies from the speaker (source port 179) to peers' ephemeral ports.
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; destination-port >1023; } then { discard; } }'), [
    'matches-bgp',
  ]);
  assert.deepEqual(codes('route { match { destination 2001:db8::/48; next-header tcp; } then { discard; } }'), [
    'matches-bgp',
  ]);
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; } then { redirect 192.0.2.1; } }'), [
    'matches-bgp',
  ]);
});

test('rules that cannot touch BGP pass', () => {
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; protocol udp; } then { discard; } }'), []);
  assert.deepEqual(
    codes('route { match { destination 192.0.2.0/24; protocol tcp; destination-port =80; } then { discard; } }'),
    [],
  );
  assert.deepEqual(
    codes('route { match { destination 192.0.2.0/24; destination-port !=179; source-port !=179; } then { discard; } }'),
    [],
  );
  assert.deepEqual(
    codes('route { match { destination 192.0.2.0/24; protocol icmp; icmp-type echo-request; } then { discard; } }'),
    [],
  );
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; } then { mark 10; } }'), []);
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; } then { copy 192.0.2.9; } }'), []);
  assert.deepEqual(codes('route { match { destination 192.0.2.0/24; port [ =53 =123 ]; } then { discard; } }'), []);
});

test('destination prefix: missing or wider than the limit', () => {
  assert.deepEqual(codes('route { match { source 10.0.0.0/8; protocol udp; } then { discard; } }'), ['no-destination']);
  assert.deepEqual(codes('route { match { destination 10.0.0.0/7; protocol udp; } then { discard; } }'), [
    'wide-destination',
  ]);
  assert.deepEqual(codes('route { match { destination 10.0.0.0/8; protocol udp; } then { discard; } }'), []);
  assert.deepEqual(
    codes('route { match { destination 10.0.0.0/15; protocol udp; } then { discard; } }', { minPrefixV4: 16 }),
    ['wide-destination'],
  );
  assert.deepEqual(codes('route { match { destination 2001:db8::/31; protocol udp; } then { discard; } }'), [
    'wide-destination',
  ]);
  // An offset widens what an IPv6 pattern matches: /40 offset 16 matches 24 bits.
  assert.deepEqual(codes('route { match { destination 2001:db8::/40/16; protocol udp; } then { discard; } }'), [
    'wide-destination',
  ]);
  // Harmless rules only get a warning.
  const f = checkRule(parseFlowCommand('route { match { source 10.0.0.0/8; } then { accept; } }'));
  assert.equal(mustRefuse(f), false);
  assert.ok(f.some((x) => x.code === 'no-destination' && x.severity === 'warn'));
});

test('matches that can never be true', () => {
  const base = 'route { match { destination 192.0.2.0/24; protocol udp; MATCH } then { discard; } }';
  const never = (m: string): string[] => codes(base.replace('MATCH', m));
  assert.deepEqual(never('packet-length >1500&<400;'), ['never-matches']);
  assert.deepEqual(never('packet-length >65535;'), ['never-matches']);
  assert.deepEqual(never('destination-port >65535;'), ['never-matches']);
  assert.deepEqual(never('icmp-type =255&<10;'), ['never-matches', 'never-matches']); // empty, and udp excludes ICMP
  assert.deepEqual(never('fragment not-a-fragment;'), ['never-matches']);
  assert.deepEqual(never('tcp-flags [ =syn&!syn ];'), ['never-matches']);
  assert.deepEqual(never('packet-length >=100&<=100;'), []);
  // Through the codec model directly: values beyond the field (the parser refuses them).
  const r = parseFlowCommand('route { match { destination 192.0.2.0/24; protocol udp; dscp =1; } then { discard; } }');
  (r.rule.components[2] as { values: number[] }).values[0] = 64;
  assert.deepEqual(
    checkRule(r).map((f) => f.code),
    ['never-matches'],
  );
  const v6 = parseFlowCommand(
    'route { match { destination 2001:db8::/48; next-header udp; flow-label =1; } then { discard; } }',
  );
  (v6.rule.components[2] as { values: number[] }).values[0] = 2 ** 20;
  assert.deepEqual(
    checkRule(v6).map((f) => f.code),
    ['never-matches'],
  );
  const off = parseFlowCommand('route { match { destination 2001:db8::/48; next-header udp; } then { discard; } }');
  (off.rule.components[0] as { offset: number }).offset = 64;
  assert.ok(checkRule(off).some((f) => f.code === 'never-matches'));
  // An ORed alternative that can never be true only warns.
  const w = checkRule(parseFlowCommand(base.replace('MATCH', 'packet-length [ >1500&<400 =64 ];')));
  assert.deepEqual(
    w.map((f) => `${f.severity}:${f.code}`),
    ['warn:dead-term'],
  );
});

test('contradictory actions', () => {
  const c = (then: string): string[] =>
    codes(`route { match { destination 192.0.2.0/24; protocol udp; } then { ${then} } }`);
  assert.deepEqual(c('accept; discard;'), ['conflicting-actions']);
  assert.deepEqual(c('discard; rate-limit 10000;'), ['conflicting-actions']);
  assert.deepEqual(c('rate-limit 20000; rate-limit 10000;'), ['conflicting-actions']);
  assert.deepEqual(c('redirect 65000:1; redirect 65000:2;'), ['conflicting-actions']);
  assert.deepEqual(c('redirect 65000:1; redirect 192.0.2.1;'), ['conflicting-actions']);
  assert.deepEqual(c('discard; redirect 65000:1;'), ['conflicting-actions']);
  assert.deepEqual(c('mark 1; mark 2;'), ['conflicting-actions']);
  assert.deepEqual(c('extended-community [ redirect:65000:1 ]; redirect 65000:2;'), ['conflicting-actions']);
  assert.deepEqual(c('redirect-to-nexthop;'), ['missing-next-hop']);
  assert.deepEqual(c('rate-limit 10000; mark 2; action sample;'), []);
});

test('allow-unsafe turns refusals into warnings; both syntaxes (no protected set given: every address counts)', () => {
  const block = parseFlowCommand('route { allow-unsafe; match { destination 192.0.2.0/24; } then { discard; } }');
  const f = checkRule(block);
  assert.equal(mustRefuse(f), false);
  assert.ok(f.some((x) => x.code === 'matches-bgp' && x.overridden === true && x.severity === 'warn'));
  assert.equal(mustRefuse(checkRule(parseFlowCommand('route destination 192.0.2.0/24 discard allow-unsafe'))), false);
  assert.equal(mustRefuse(checkRule(parseFlowCommand('route destination 192.0.2.0/24 discard'))), true);
});

test('interval arithmetic: AND binds within a group, groups are ORed', () => {
  assert.deepEqual(numericRanges({ type: 5, ops: [0x02, 0x44, 0x01], values: [100, 200, 443] }).set, [
    [101, 199],
    [443, 443],
  ]);
  assert.deepEqual(numericRanges({ type: 5, ops: [0x06], values: [179] }).set, [
    [0, 178],
    [180, 65535],
  ]);
  assert.deepEqual(numericRanges({ type: 5, ops: [0x07], values: [0] }).set, [[0, 65535]]);
  assert.deepEqual(numericRanges({ type: 3, ops: [0x03], values: [200] }).set, [[200, 255]]);
});

test('expiry: expires N sets expiresIn and expiresAt from the clock', () => {
  const r = parseFlowCommand('route { match { destination 192.0.2.0/24; } then { discard; expires 600; } }', {
    now: 1_000_000,
  });
  assert.equal(r.expiresIn, 600);
  assert.equal(r.expiresAt, 1_600_000);
  const flat = parseFlowCommand('route destination 192.0.2.0/24 protocol udp discard expires 30', { now: 0 });
  assert.equal(flat.expiresAt, 30_000);
  const st = (keyword: string, args: string[], line: number): Statement => ({
    keyword,
    args,
    file: 'x.conf',
    line,
    col: 5,
  });
  const b = parseFlowBlock(
    {
      name: 'n',
      statements: [st('expires', ['60'], 2), st('allow-unsafe', [], 3)],
      match: [st('destination', ['192.0.2.0/24'], 4)],
      then: [st('discard', [], 5)],
    },
    { now: 0 },
  );
  assert.equal(b.expiresAt, 60_000);
  assert.equal(b.allowUnsafe, true);
  assert.throws(() => parseFlowCommand('route destination 192.0.2.0/24 discard expires soon'), ConfigError);
});
