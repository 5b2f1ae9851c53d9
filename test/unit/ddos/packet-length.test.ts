// FlowSpec packet-length (RFC 8955 §4.2.2.10, type 10) in the DDoS responses: an attack whose captured IP packet
// lengths are narrow gets a packet-length match (one value, or a range within 10% of the largest), a wide one or
// one whose flow records mixed sizes does not, nor an IPv6 victim, nor anything with packet-length-match false.
// sFlow samples give the IP length from the sampled header, not the frame length. Every rule still goes through
// the FlowSpec guard: a SYN flood at a protected address's BGP port is refused with its packet-length as without.
// A reload that turns the setting off replaces the rule.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import type { DdosConfig } from '../../../src/ddos/config';
import { checkRule, type GuardOptions, mustRefuse } from '../../../src/flowspec/guard';
import { parseFlowCommand } from '../../../src/flowspec/parse';
import { netflow5, sflow, type TestFlow, templated, V6_FIELDS } from '../../support/flow-packets';
import { serviceRig } from './service-rig';

function section(extra = ''): DdosConfig {
  return parseConfig(
    `ddos {
  listen 127.0.0.1 0;
  window 2;
  min-duration 1;
  calm 5;
  ${extra}
  group customers { network 203.0.113.0/24; network 2001:db8:1::/48; udp-pps 100; syn-pps 100; }
}
`,
    'ddos.conf',
  ).ddos!;
}

/** `n` flows of 100 packets to `dst` from UDP port 53 (DNS answers: amplification), flow i of `bytes(i)` bytes. */
const udp = (dst: string, n: number, bytes: (i: number) => number): TestFlow[] =>
  Array.from({ length: n }, (_, i) => ({
    src: `198.51.100.${i + 1}`,
    dst,
    proto: 17,
    sport: 53,
    dport: 3000 + i,
    packets: 100,
    bytes: bytes(i),
  }));

/** Two seconds of the same datagrams (min-duration 1), the FlowSpec rule sent. */
function attack(cfg: DdosConfig, ...bufs: Uint8Array[]): string | undefined {
  const t = serviceRig(cfg);
  t.second(...bufs);
  t.second(...bufs);
  return t.commands.find((c) => c.startsWith('announce flow'));
}

test('narrow lengths: one value or a range; wide, mixed within a flow, IPv6 or switched off: none', () => {
  const one = attack(section(), netflow5(udp('203.0.113.10', 20, () => 100 * 512)));
  assert.equal(
    one,
    'announce flow route destination 203.0.113.10/32 protocol udp source-port [ =53 ] packet-length [ =512 ] discard expires 14',
  );
  const range = attack(section(), netflow5(udp('203.0.113.10', 20, (i) => 100 * (i % 2 ? 1400 : 1300))));
  assert.match(range!, / packet-length \[ >=1300&<=1400 \] discard/);
  const wide = attack(section(), netflow5(udp('203.0.113.10', 20, (i) => 100 * (100 + i * 70))));
  assert.doesNotMatch(wide!, /packet-length/);
  // 100 packets of 51,250 bytes: 512.5 on average, so not all one size.
  const mixed = attack(section(), netflow5(udp('203.0.113.10', 20, () => 51_250)));
  assert.doesNotMatch(mixed!, /packet-length/);
  const off = attack(section('packet-length-match false;'), netflow5(udp('203.0.113.10', 20, () => 100 * 512)));
  assert.doesNotMatch(off!, /packet-length/);
  const tpl = { id: 256, fields: V6_FIELDS };
  const v6 = attack(
    section(),
    templated(10, { templates: [tpl], data: [{ template: tpl, flows: udp('2001:db8:1::10', 20, () => 100 * 512) }] }),
  );
  assert.match(
    v6!,
    /^announce flow route destination 2001:db8:1::10\/128 next-header udp source-port \[ =53 \] discard/,
  );
  assert.doesNotMatch(v6!, /packet-length/);
});

test('sFlow: the IP length of the sampled header, not the frame length', () => {
  const packets = Array.from({ length: 100 }, (_, i) => ({
    src: `198.51.100.${1 + (i % 50)}`,
    dst: '203.0.113.10',
    proto: 17,
    sport: 123,
    dport: 2000 + i,
    payload: 440,
  }));
  const rule = attack(section(), sflow(packets, 10));
  // 440 bytes of NTP + 8 UDP + 20 IP = 468; the frame is 482 and sFlow's frame length 486 with the FCS.
  assert.match(rule!, /source-port \[ =123 \] packet-length \[ =468 \] discard/);
});

test('the guard still decides: a SYN flood at a protected BGP port is refused with its packet-length', () => {
  const protect = '203.0.113.11';
  const opts: GuardOptions = { protect: [{ addr: Uint8Array.from(protect.split('.').map(Number)), len: 32 }] };
  const run = (line: string): string | null => {
    if (!line.startsWith('announce flow')) return null;
    const findings = checkRule(parseFlowCommand(`route ${line.replace(/^announce flow route /, '')}`), opts);
    return mustRefuse(findings) ? `flow rule refused: ${findings.map((f) => f.code).join(', ')}` : null;
  };
  const t = serviceRig(section(), run);
  const syn: TestFlow[] = Array.from({ length: 20 }, (_, i) => ({
    src: `192.0.2.${i + 1}`,
    dst: protect,
    proto: 6,
    sport: 1024 + i,
    dport: 179,
    packets: 100,
    bytes: 4000,
    flags: 0x02,
  }));
  t.second(netflow5(syn));
  t.second(netflow5(syn));
  const start = t.events.find((e) => e.event === 'start')!;
  assert.deepEqual(start.signature.packetLength, { min: 40, max: 40 });
  assert.equal(start.notSent.length, 1);
  assert.equal(
    start.notSent[0]!.rule,
    `announce flow route destination ${protect}/32 protocol tcp tcp-flags [ syn&!ack ] destination-port [ =179 ] packet-length [ =40 ] discard`,
  );
  assert.match(start.notSent[0]!.reason, /flow rule refused: /);
  assert.deepEqual(t.commands, []);
  // The NTP-like rule of another host passes the same guard with its packet-length.
  const ok = parseFlowCommand(
    'route destination 203.0.113.10/32 protocol udp source-port [ =123 ] packet-length [ =468 ] discard',
  );
  assert.equal(mustRefuse(checkRule(ok, opts)), false);
});

test('a reload that turns packet-length-match off replaces the rule', async () => {
  const t = serviceRig(section());
  const flows = netflow5(udp('203.0.113.10', 20, () => 100 * 512));
  t.second(flows);
  t.second(flows);
  assert.equal(t.commands.splice(0).length, 1);
  const msg = await t.svc.reconfigure(section('packet-length-match false;'), t.now());
  t.svc.stop();
  assert.match(msg, /rules 0 kept, 1 withdrawn, 1 sent/);
  assert.deepEqual(t.commands, [
    'withdraw flow route destination 203.0.113.10/32 protocol udp source-port [ =53 ] packet-length [ =512 ]',
    'announce flow route destination 203.0.113.10/32 protocol udp source-port [ =53 ] discard expires 14',
  ]);
});

test('packet-length-match takes true or false (alone: true), and says where when not', () => {
  assert.equal(section().packetLengthMatch, true);
  assert.equal(section('packet-length-match;').packetLengthMatch, true);
  assert.equal(section('packet-length-match false;').packetLengthMatch, false);
  assert.throws(
    () => section('packet-length-match maybe;'),
    /ddos\.conf:6:23: found 'maybe', expected 'true' or 'false'/,
  );
});
