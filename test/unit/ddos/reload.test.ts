// A reload of the `ddos` section applied to the service in force (DdosService.reconfigure), on a fake clock with
// real UDP sockets: a changed listener port is rebound (the old one closed, an unchanged one kept with its
// templates), thresholds apply at the next tick with the rates the hosts already had, a changed response
// replaces only the rules that differ (a kept rule is announced again, never withdrawn), dry-run withdraws and
// keeps the attack, a host whose network went away has its attack ended; a listener that cannot be bound
// leaves everything as it was.

import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { after, test } from 'node:test';
import { parseConfig } from '../../../src/config/parser';
import type { DdosConfig } from '../../../src/ddos/config';
import { netflow5, type TestFlow, templated, V4_FIELDS } from '../../support/flow-packets';
import { serviceRig } from './service-rig';

const ADDR = '127.0.0.1';

function section(o: { port: number; extra?: string; group?: string }): DdosConfig {
  const text = `ddos {
  listen ${ADDR} ${o.port};
  window 2;
  min-duration 0;
  calm 5;
  mitigation both;
  next-hop 192.0.2.66;
  ${o.extra ?? ''}
  group customers { ${o.group ?? 'network 203.0.113.0/24; amplification-pps 100;'} }
}
`;
  return parseConfig(text, 'ddos.conf').ddos!;
}

/** A free UDP port on ADDR. */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, ADDR, () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

/** One exporter (one source address and port: templates are kept per exporter, RFC 7011 §8). */
const exporter = dgram.createSocket('udp4');
after(() => exporter.close());

async function send(port: number, buf: Uint8Array): Promise<void> {
  await new Promise<void>((r, j) => exporter.send(buf, port, ADDR, (e) => (e ? j(e) : r())));
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

const ntp = (victim: string, packets: number): TestFlow[] =>
  Array.from({ length: 10 }, (_, i) => ({
    src: `198.51.100.${i + 1}`,
    dst: victim,
    proto: 17,
    sport: 123,
    dport: 4000 + i,
    packets: packets / 10,
    bytes: (packets / 10) * 468,
  }));

const rig = serviceRig;

test('listeners: a changed port is rebound, an unchanged one keeps its socket and templates', async () => {
  const [p1, p2, p3] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
  const cfg = section({ port: p1 });
  cfg.listen.push({ address: ADDR, port: p2 });
  const t = rig(cfg);
  await t.svc.start();
  try {
    const tpl = { id: 300, fields: V4_FIELDS };
    await send(p2, templated(10, { templates: [tpl] }));
    await until(() => t.svc.collector.templates.size === 1, 'template learnt');
    const next = section({ port: p3 });
    next.listen.push({ address: ADDR, port: p2 });
    const msg = await t.svc.reconfigure(next, t.now());
    assert.match(msg, new RegExp(`listeners \\+${ADDR}:${p3} -${ADDR}:${p1}`));
    assert.deepEqual(t.svc.collector.ports(), [p3, p2]);
    const before = t.svc.collector.stats.datagrams;
    await send(p3, netflow5(ntp('203.0.113.10', 100)));
    await send(p2, templated(10, { data: [{ template: tpl, flows: ntp('203.0.113.11', 100) }] }));
    await until(() => t.svc.collector.stats.datagrams === before + 2, 'datagrams at the new and the kept port');
    assert.equal(t.svc.collector.stats.unknownTemplate, 0, 'the kept socket kept its template');
    // The old port is free again: it can be bound.
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((r, j) => {
      probe.once('error', j);
      probe.bind(p1, ADDR, () => r());
    });
    // A port that cannot be bound (held by the probe) refuses the reload and changes nothing.
    const held = section({ port: p1, extra: 'dry-run;' });
    try {
      await assert.rejects(t.svc.reconfigure(held, t.now()), /EADDRINUSE/);
    } finally {
      probe.close();
    }
    assert.deepEqual(t.svc.collector.ports(), [p3, p2]);
    assert.equal(t.svc.cfg, next);
  } finally {
    t.svc.stop();
  }
});

test('thresholds apply at the next tick with the rates the hosts already had', async () => {
  const t = rig(section({ port: 0, group: 'network 203.0.113.0/24; amplification-pps 1000;' }));
  t.second(netflow5(ntp('203.0.113.10', 500)));
  t.second(netflow5(ntp('203.0.113.10', 500)));
  assert.equal(t.events.length, 0, '250 pps under 1000');
  await t.svc.reconfigure(section({ port: 0, group: 'network 203.0.113.0/24; amplification-pps 100;' }), t.now());
  t.second();
  assert.deepEqual(
    t.events.map((e) => [e.event, e.victim]),
    [['start', '203.0.113.10']],
  );
  t.svc.stop();
});

test('responses: only the rules that differ are replaced; dry-run withdraws and keeps the attack; a network gone ends it', async () => {
  const t = rig(section({ port: 0 }));
  t.second(netflow5(ntp('203.0.113.10', 1000)));
  const flow = 'announce flow route destination 203.0.113.10/32 protocol udp source-port [ =123 ] discard';
  const rtbh = (nh: string) => `announce route 203.0.113.10/32 next-hop ${nh} community [ 65535:666 ]`;
  assert.deepEqual(t.commands.splice(0), [`${flow} expires 14`, `${rtbh('192.0.2.66')} expires 14`]);

  // A new next hop and calm: the blackhole is replaced, the FlowSpec rule stays with the new lifetime (2 × (9 + 2)).
  let msg = await t.svc.reconfigure(section({ port: 0, extra: 'next-hop 192.0.2.77; calm 9;' }), t.now());
  assert.match(msg, /1 attack\(s\) go on, 0 ended, rules 1 kept, 1 withdrawn, 1 sent/);
  assert.deepEqual(t.commands.splice(0), [
    'withdraw route 203.0.113.10/32 next-hop 192.0.2.66',
    `${flow} expires 22`,
    `${rtbh('192.0.2.77')} expires 22`,
  ]);
  assert.deepEqual(t.svc.detector.attacks()[0]!.attack!.mitigation.rules, [flow, rtbh('192.0.2.77')]);
  assert.equal(t.svc.mitigator.inForce, 2);

  // Unchanged but for the thresholds: nothing withdrawn, the rules refreshed.
  msg = await t.svc.reconfigure(
    section({
      port: 0,
      extra: 'next-hop 192.0.2.77; calm 9;',
      group: 'network 203.0.113.0/24; amplification-pps 200;',
    }),
    t.now(),
  );
  assert.match(msg, /rules 2 kept, 0 withdrawn, 0 sent/);
  assert.ok(t.commands.splice(0).every((c) => c.startsWith('announce')));

  // dry-run: withdrawn, the attack goes on (reported, as dry-run reports), and sent again when dry-run goes.
  await t.svc.reconfigure(section({ port: 0, extra: 'next-hop 192.0.2.77; dry-run;' }), t.now());
  assert.deepEqual(t.commands.splice(0), [
    'withdraw flow route destination 203.0.113.10/32 protocol udp source-port [ =123 ]',
    'withdraw route 203.0.113.10/32 next-hop 192.0.2.77',
  ]);
  assert.equal(t.svc.detector.attacks().length, 1);
  assert.equal(t.svc.mitigator.inForce, 0);
  await t.svc.reconfigure(section({ port: 0, extra: 'next-hop 192.0.2.77;' }), t.now());
  assert.equal(t.commands.splice(0).length, 2);

  // The victim's network leaves the section: the attack ends, its rules are withdrawn.
  msg = await t.svc.reconfigure(section({ port: 0, group: 'network 198.18.0.0/24; amplification-pps 100;' }), t.now());
  assert.match(msg, /0 attack\(s\) go on, 1 ended, rules 0 kept, 2 withdrawn, 0 sent/);
  assert.equal(t.commands.splice(0).filter((c) => c.startsWith('withdraw')).length, 2);
  assert.deepEqual([t.events.at(-1)!.event, t.events.at(-1)!.victim], ['end', '203.0.113.10']);
  assert.equal(t.svc.mitigator.inForce, 0);
  assert.equal(t.svc.hosts.size, 0);
  t.svc.stop();
});
