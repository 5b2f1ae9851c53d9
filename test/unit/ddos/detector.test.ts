// Detection and mitigation on a fake clock: the `ddos` block parses (and bad ones fail at file:line:col); flows
// into the host table make an attack start after min-duration with a FlowSpec rule built from the signature
// (one the real FlowSpec parser and guard accept), the rule (and an RTBH route, both with an expiry) is refreshed
// while the attack lasts and withdrawn after the calm period; normal traffic starts nothing; never-mitigate, dry-run, max-rules and a guard refusal
// keep rules from being sent and say why.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import { type DdosConfig, ddosKey } from '../../../src/ddos/config';
import { type AttackEvent, Detector } from '../../../src/ddos/detector';
import { HostTable } from '../../../src/ddos/hosts';
import { Mitigator } from '../../../src/ddos/mitigator';
import { FlowRecord } from '../../../src/ddos/record';
import { checkRule, mustRefuse } from '../../../src/flowspec/guard';
import { parseFlowCommand } from '../../../src/flowspec/parse';
import { ipBytes } from '../../support/flow-packets';

const BLOCK = `
process watcher { run /bin/cat; encoder json; }
ddos {
  listen 127.0.0.1 2055;
  window 2;
  min-duration 2;
  calm 5;
  next-hop 192.0.2.66;
  max-rules 10;
  processes [ watcher ];
  group customers {
    network 203.0.113.0/24;
    network 2001:db8:1::/48;
    amplification-pps 1000;
    syn-pps 1000;
    pps 1000000;
  }
  group vip {
    network 203.0.113.128/25;
    udp-pps 100;
    mitigation rtbh;
  }
}
`;

function config(extra = ''): DdosConfig {
  const c = parseConfig(BLOCK.replace('max-rules 10;', `max-rules 10;\n${extra}`), 'ddos.conf', {
    checkPrograms: false,
  });
  return c.ddos!;
}

test('the ddos block parses into listeners, groups and thresholds', () => {
  const d = config('exporter 192.0.2.1 sampling-rate 1000; never-mitigate [ 203.0.113.99/32 ]; dry-run;');
  assert.deepEqual(d.listen, [{ address: '127.0.0.1', port: 2055 }]);
  assert.equal(d.sampling.get('192.0.2.1'), 1000);
  assert.deepEqual(
    d.groups.map((g) => [
      g.name,
      g.networks.map((n) => n.text),
      g.thresholds.map((t) => `${t.metric}=${t.value}`),
      g.mitigation,
    ]),
    [
      [
        'customers',
        ['203.0.113.0/24', '2001:db8:1::/48'],
        ['amplification-pps=1000', 'syn-pps=1000', 'pps=1000000'],
        undefined,
      ],
      ['vip', ['203.0.113.128/25'], ['udp-pps=100'], 'rtbh'],
    ],
  );
  assert.equal(d.dryRun, true);
  assert.deepEqual(d.processes, ['watcher']);
  assert.equal(d.neverMitigate[0]!.text, '203.0.113.99/32');
});

test('ddosKey tells a changed ddos section from one only moved in the file', () => {
  assert.equal(ddosKey(config()), ddosKey(parseConfig(`\n\n${BLOCK}`, 'other.conf', { checkPrograms: false }).ddos));
  assert.notEqual(ddosKey(config()), ddosKey(config('calm 6;')));
  assert.notEqual(ddosKey(config()), ddosKey(config('exporter 192.0.2.1 sampling-rate 10;')));
  assert.equal(ddosKey(undefined), '');
});

test('a bad ddos block is refused at file:line:col', () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(
      () => parseConfig(text, 'x.conf', { checkPrograms: false }),
      (e: Error) => re.test(e.message),
    );
  bad('ddos {\n  listen 127.0.0.1 2055;\n  colour red;\n}\n', /^x\.conf:3:3: found 'colour', expected one of listen/);
  bad('ddos {\n  group g { network 10.0.0.0/8; pps 1; }\n}\n', /^x\.conf:1:1: ddos: no listen/);
  bad(
    'ddos {\n  listen 127.0.0.1 2055;\n  group g { network 10.0.0.0/8; pps many; }\n}\n',
    /^x\.conf:3:37: .*threshold/,
  );
  bad(
    'ddos {\n  listen 127.0.0.1 2055;\n  mitigation rtbh;\n  group g { network 10.0.0.0/8; pps 1; }\n}\n',
    /^x\.conf:1:1: ddos: rtbh mitigation needs next-hop/,
  );
  bad('ddos {\n  listen 127.0.0.1 2055;\n  group g { network 10.0.0.0/33; pps 1; }\n}\n', /^x\.conf:3:21: /);
  bad(
    'ddos {\n  listen 127.0.0.1 2055;\n  processes [ nobody ];\n  group g { network 10.0.0.0/8; pps 1; }\n}\n',
    /^x\.conf:1:1: ddos: processes names "nobody"/,
  );
});

/** A rig: host table, detector, mitigator whose commands are recorded (or refused by `refuse`). */
function rig(cfg: DdosConfig, refuse: (line: string) => string | null = () => null) {
  const hosts = new HostTable(cfg.groups.flatMap((g) => g.networks));
  const commands: string[] = [];
  const events: AttackEvent[] = [];
  const mitigator = new Mitigator(cfg, (line) => {
    const why = refuse(line);
    if (why === null) commands.push(line);
    return why;
  });
  let now = 1_000_000;
  const det = new Detector(cfg, hosts, mitigator, (e) => events.push(e), now);
  const r = new FlowRecord();
  const flow = (
    src: string,
    dst: string,
    proto: number,
    sport: number,
    dport: number,
    packets: number,
    bytes: number,
    flags = 0,
  ) => {
    const s = ipBytes(src);
    const d = ipBytes(dst);
    if (s.length === 4)
      r.setV4(
        ((s[0]! << 24) | (s[1]! << 16) | (s[2]! << 8) | s[3]!) >>> 0,
        ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0,
      );
    else r.setV6(Uint8Array.from([...s, ...d]), 0, 16);
    r.proto = proto;
    r.srcPort = sport;
    r.dstPort = dport;
    r.tcpFlags = flags;
    r.packets = packets;
    r.bytes = bytes;
    r.flows = 1;
    r.fragment = 0;
    hosts.record(r);
  };
  /** One second of traffic (`each` called), then a tick. */
  const second = (each: () => void) => {
    each();
    now += 1000;
    det.tick(now);
  };
  return { hosts, det, commands, events, flow, second, mitigator, now: () => now };
}

const ntp = (f: ReturnType<typeof rig>['flow'], victim = '203.0.113.10') => {
  for (let i = 0; i < 50; i++) f(`198.51.100.${1 + i}`, victim, 17, 123, 1024 + i, 100, 46800);
};
const normal = (f: ReturnType<typeof rig>['flow']) => {
  for (let i = 0; i < 20; i++) {
    f(`192.0.2.${100 + i}`, '203.0.113.20', 6, 40000 + i, 443, 10, 5000, 0x1b);
    f(`192.0.2.${100 + i}`, '203.0.113.20', 17, 50000 + i, 53, 1, 60);
  }
};

test('an NTP reflection flood starts an attack after min-duration, with a FlowSpec rule the guard accepts; calm ends it', () => {
  const t = rig(config());
  // 5000 packets/s from port 123 (threshold 1000), next to normal traffic.
  const both = () => {
    ntp(t.flow);
    normal(t.flow);
  };
  for (let s = 0; s < 2; s++) t.second(both);
  assert.equal(t.events.length, 0, 'not before min-duration');
  t.second(both);
  assert.equal(t.events.length, 1);
  const start = t.events[0]!;
  assert.equal(start.event, 'start');
  assert.equal(start.host, '203.0.113.10');
  assert.equal(start.group, 'customers');
  assert.deepEqual(start.exceeded, ['amplification-pps']);
  assert.equal(start.signature.kind, 'amplification');
  assert.deepEqual(start.signature.sourcePorts, [123]);
  assert.equal(start.signature.packetSize.average, 468);
  assert.equal(start.signature.topSources.length, 10);
  // Every captured record had 468-byte packets: the rule matches that length too (RFC 8955 type 10).
  assert.deepEqual(start.signature.packetLength, { min: 468, max: 468 });
  assert.deepEqual(t.commands, [
    'announce flow route destination 203.0.113.10/32 protocol udp source-port [ =123 ] packet-length [ =468 ] discard expires 14',
  ]);
  const route = parseFlowCommand(`route ${t.commands[0]!.replace(/^announce flow route /, '')}`);
  assert.equal(mustRefuse(checkRule(route, { protect: [] })), false);
  // Still on: refreshed once half the rule's lifetime (2 × (calm 5 + window 2) s) is gone; update events every 5 s.
  for (let s = 0; s < 8; s++) t.second(() => ntp(t.flow));
  assert.ok(t.commands.length >= 2, 'refreshed');
  assert.equal(t.commands[1], t.commands[0]);
  assert.ok(t.events.some((e) => e.event === 'update'));
  // Quiet: the window drains, then calm 5 s more: withdrawn, end event with the peak.
  for (let s = 0; s < 12 && !t.events.some((e) => e.event === 'end'); s++) t.second(() => normal(t.flow));
  const end = t.events.find((e) => e.event === 'end')!;
  assert.ok(end, 'ended');
  assert.ok(end.peak.pps >= 4000, `peak ${end.peak.pps}`);
  assert.equal(
    t.commands.at(-1),
    'withdraw flow route destination 203.0.113.10/32 protocol udp source-port [ =123 ] packet-length [ =468 ]',
  );
  assert.equal(t.mitigator.inForce, 0);
  // The normal host never started anything.
  assert.ok(t.events.every((e) => e.host === '203.0.113.10'));
});

test('a SYN flood gets a SYN-without-ACK rule; an IPv6 victim gets a /128 rule', () => {
  const t = rig(config('min-duration 0;'));
  t.second(() => {
    for (let i = 0; i < 100; i++) t.flow(`192.0.2.${i}`, '203.0.113.11', 6, 1024 + i, 80, 50, 2000, 0x02);
    for (let i = 0; i < 100; i++) t.flow('2001:db8:9::1', '2001:db8:1::10', 17, 53, 4000 + i, 50, 150000);
  });
  assert.deepEqual(t.commands.sort(), [
    'announce flow route destination 2001:db8:1::10/128 next-header udp source-port [ =53 ] discard expires 14',
    'announce flow route destination 203.0.113.11/32 protocol tcp tcp-flags [ syn&!ack ] discard expires 14',
  ]);
  for (const c of t.commands) {
    const route = parseFlowCommand(`route ${c.replace(/^announce flow route /, '')}`);
    assert.equal(mustRefuse(checkRule(route, { protect: [] })), false, c);
  }
});

test('the vip group blackholes with RTBH; never-mitigate, dry-run and max-rules send nothing and say why', () => {
  const t = rig(config('min-duration 0; never-mitigate [ 203.0.113.99/32 ];'));
  t.second(() => {
    for (let i = 0; i < 10; i++) t.flow('198.51.100.1', '203.0.113.200', 17, 5000, 6000 + i, 100, 10000);
    ntp(t.flow, '203.0.113.99');
  });
  // The blackhole carries its own expiry, as a FlowSpec rule does: 2 × (calm 5 + window 2) s.
  assert.deepEqual(t.commands, [
    'announce route 203.0.113.200/32 next-hop 192.0.2.66 community [ 65535:666 ] expires 14',
  ]);
  const never = t.events.find((e) => e.host === '203.0.113.99')!;
  assert.deepEqual(never.mitigation.rules, []);
  assert.match(never.mitigation.notSent[0]!.reason, /never-mitigate 203\.0\.113\.99\/32/);

  const dry = rig(config('min-duration 0; dry-run;'));
  dry.second(() => ntp(dry.flow));
  assert.deepEqual(dry.commands, []);
  assert.equal(dry.events[0]!.mitigation.notSent[0]!.reason, 'dry-run');

  const capped = rig(config('min-duration 0; max-rules 1;'));
  capped.second(() => {
    ntp(capped.flow, '203.0.113.10');
    ntp(capped.flow, '203.0.113.11');
  });
  assert.equal(capped.commands.length, 1);
  assert.ok(capped.events.some((e) => /max-rules 1 in force/.test(e.mitigation.notSent[0]?.reason ?? '')));
});

test('an RTBH route is refreshed with a fresh expiry while the attack lasts and withdrawn when it ends', () => {
  const t = rig(config('min-duration 0; mitigation both;'));
  const rtbh = 'announce route 203.0.113.10/32 next-hop 192.0.2.66 community [ 65535:666 ] expires 14';
  const flow = 'announce flow route destination 203.0.113.10/32 protocol udp source-port [ =123 ] discard expires 14';
  t.second(() => ntp(t.flow));
  assert.deepEqual(t.commands, [flow, rtbh]);
  // Half the lifetime (7 s) later both are announced again, so at least calm + window is left at any time.
  for (let s = 0; s < 8; s++) t.second(() => ntp(t.flow));
  assert.deepEqual(t.commands.slice(2, 4), [flow, rtbh]);
  for (let s = 0; s < 12 && !t.events.some((e) => e.event === 'end'); s++) t.second(() => undefined);
  assert.deepEqual(t.commands.slice(-2), [
    'withdraw flow route destination 203.0.113.10/32 protocol udp source-port [ =123 ]',
    'withdraw route 203.0.113.10/32 next-hop 192.0.2.66',
  ]);
  assert.equal(t.mitigator.inForce, 0);
});

test('a rule the guard refuses is not in force and the refusal is reported', () => {
  const t = rig(config('min-duration 0;'), (line) =>
    line.includes('203.0.113.11') ? 'flow rule refused: matches-bgp' : null,
  );
  t.second(() => {
    for (let i = 0; i < 100; i++) t.flow(`192.0.2.${i}`, '203.0.113.11', 6, 1024 + i, 179, 50, 2000, 0x02);
  });
  assert.deepEqual(t.commands, []);
  const e = t.events[0]!;
  assert.deepEqual(e.mitigation.rules, []);
  assert.equal(e.mitigation.notSent[0]!.reason, 'flow rule refused: matches-bgp');
  assert.equal(t.mitigator.inForce, 0);
});

test('hosts outside the networks are not tracked; idle hosts are forgotten after two windows', () => {
  const t = rig(config());
  t.second(() => {
    t.flow('192.0.2.1', '198.18.0.1', 6, 1, 2, 1, 40);
    for (let i = 0; i < 100; i++) t.flow('192.0.2.1', `203.0.113.${i}`, 6, 1, 2, 1, 40);
  });
  assert.equal(t.hosts.size, 100);
  assert.equal(t.hosts.outside, 1);
  for (let s = 0; s < 5; s++) t.second(() => undefined);
  assert.equal(t.hosts.size, 0);
});
