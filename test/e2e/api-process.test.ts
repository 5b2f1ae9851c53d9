// The process API end to end, with real child processes and a real session: tsbgp A runs a program that
// plays API commands (routes, attributes, neighbor selectors, EoR, route refresh, show, version, junk) and
// records the acks; tsbgp B, A's peer over loopback, passes what it receives to its own program as ExaBGP
// JSON. The acks come back in order, one per command; B's program sees the events field by field.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { allocAddress, allocEndpoint, stopAll, waitFor } from '../interop/peers/common';
import {
  e2eDir,
  NODE,
  neighborBlock,
  PLAYER_JS,
  RECORDER_JS,
  readJsonLines,
  startTsbgp,
  type TsbgpDaemon,
  writeScript,
} from './launch';

after(stopAll);

// One family (a neighbor without a family block negotiates them all, as in ExaBGP), and route refresh
// (off by default in ExaBGP 4.2) so that `announce route-refresh` has something to send.
const FAMILY = ['family {', '  ipv4 unicast;', '}', 'capability {', '  route-refresh;', '}'];

interface Ack {
  command: string;
  lines: string[];
  answer: 'done' | 'error';
}

describe('API process: commands, acks and JSON events between two tsbgp daemons', () => {
  let dir: string;
  let a: TsbgpDaemon;
  let b: TsbgpDaemon;
  let addrA: string;
  let addrB: string;
  let addrC: string;
  let acks: Ack[] = [];
  let events: Record<string, any>[] = [];
  let results: string;
  let recorded: string;

  const commands = (): string[] => [
    'announce route 10.1.0.0/24 next-hop 192.0.2.1 origin igp med 10 community [ 65000:1 65000:2 ] large-community [ 65000:1:1 ] as-path [ 65001 65010 ]',
    'announce attributes next-hop 192.0.2.2 med 20 origin incomplete nlri 10.2.0.0/24 10.2.1.0/24',
    `neighbor ${addrB} announce route 10.3.0.0/24 next-hop 192.0.2.3`,
    `neighbor ${addrC} announce route 10.4.0.0/24 next-hop 192.0.2.4`,
    `neighbor ${addrC}, neighbor ${addrB} announce route 10.5.0.0/24 next-hop 192.0.2.5`,
    `neighbor ${addrB} local-as 65001 peer-as 65002 announce route 10.8.0.0/24 next-hop 192.0.2.8`,
    `neighbor ${addrB} peer-as 64999 announce route 10.9.0.0/24 next-hop 192.0.2.9`,
    'neighbor 127.0.0.254 announce route 10.6.0.0/24 next-hop 192.0.2.6',
    '#sleep 300',
    'withdraw route 10.1.0.0/24',
    'withdraw attributes next-hop 192.0.2.2 nlri 10.2.1.0/24',
    '#sleep 300',
    'announce eor',
    'announce route-refresh ipv4 unicast',
    'show neighbor summary',
    'show adj-rib out',
    'version',
    'announce bogus',
    'announce route 10.7.0.0/24 med 5',
    'this is not a command',
    'announce eor ipv4 unicast',
  ];

  before(async () => {
    dir = e2eDir('api');
    const eb = await allocEndpoint();
    addrB = eb.address;
    addrA = allocAddress();
    addrC = allocAddress();
    results = path.join(dir, 'acks.jsonl');
    recorded = path.join(dir, 'events-b.jsonl');
    fs.writeFileSync(path.join(dir, 'commands.txt'), commands().join('\n') + '\n');
    writeScript(dir, 'player.js', PLAYER_JS);
    writeScript(dir, 'recorder.js', RECORDER_JS);

    const confB = [
      `process rec {\n  run ${NODE} ${path.join(dir, 'recorder.js')} ${recorded};\n  encoder json;\n}`,
      neighborBlock({
        peer: addrA,
        local: addrB,
        localAs: 65002,
        peerAs: 65001,
        passive: true,
        holdTime: 30,
        extra: [
          `listen ${eb.port};`,
          ...FAMILY,
          'api {',
          '  processes [ rec ];',
          '  neighbor-changes;',
          '  receive { parsed; update; refresh; }',
          '}',
        ],
      }),
    ].join('\n');
    const confA = [
      `process player {\n  run ${NODE} ${path.join(dir, 'player.js')} ${path.join(dir, 'commands.txt')} ${results} ${path.join(dir, 'events-a.jsonl')};\n  encoder json;\n}`,
      neighborBlock({
        peer: addrB,
        local: addrA,
        localAs: 65001,
        peerAs: 65002,
        connect: eb.port,
        holdTime: 30,
        extra: [...FAMILY, 'api {', '  processes [ player ];', '  neighbor-changes;', '}'],
      }),
      // A second neighbor that never comes up: commands selected to it alone must not reach B.
      neighborBlock({
        peer: addrC,
        local: addrA,
        localAs: 65001,
        peerAs: 65003,
        connect: eb.port,
        holdTime: 30,
        // It names the player too: as in ExaBGP 4.2, a process's routes reach only the neighbors that name it.
        extra: [...FAMILY, 'api {', '  processes [ player ];', '}'],
      }),
    ].join('\n');
    b = await startTsbgp({ name: 'b', config: confB, dir });
    a = await startTsbgp({ name: 'a', config: confA, dir });
    try {
      await waitFor(
        () => readJsonLines(results).some((r) => r.finished),
        20_000,
        'the player to run every command',
        100,
      );
      // Events for the last EoR reach B shortly after its ack.
      await waitFor(
        () => readJsonLines(recorded).filter((e) => e.type === 'update' && e.neighbor?.message?.eor).length >= 3,
        5000,
        'three EoR events at B',
      );
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- A ---\n${a.log().slice(-3000)}\n--- B ---\n${b.log().slice(-3000)}`,
      );
    }
    acks = readJsonLines(results).filter((r) => !r.finished) as Ack[];
    events = readJsonLines(recorded);
    if (process.env.TSBGP_E2E_DUMP) {
      process.stderr.write(JSON.stringify(acks, null, 1) + '\n');
      for (const e of events) process.stderr.write(JSON.stringify(e) + '\n');
    }
  });

  it('acks every command, in order, done or error as ExaBGP would', () => {
    const played = commands().filter((c) => !c.startsWith('#sleep'));
    assert.deepEqual(
      acks.map((x) => x.command),
      played,
      'one ack per command, in the order written',
    );
    const expect: Record<string, 'done' | 'error'> = {};
    for (const c of played) expect[c] = 'done';
    expect['neighbor 127.0.0.254 announce route 10.6.0.0/24 next-hop 192.0.2.6'] = 'error';
    expect[`neighbor ${addrB} peer-as 64999 announce route 10.9.0.0/24 next-hop 192.0.2.9`] = 'error';
    expect['announce bogus'] = 'error';
    expect['announce route 10.7.0.0/24 med 5'] = 'error';
    expect['this is not a command'] = 'error';
    for (const x of acks) assert.equal(x.answer, expect[x.command], `ack of "${x.command}"`);
  });

  it('answers show and version before the ack', () => {
    const byCmd = new Map(acks.map((x) => [x.command, x]));
    assert.deepEqual(byCmd.get('version')!.lines, ['exabgp 4.2.21-tsbgp']);
    const summary = byCmd.get('show neighbor summary')!.lines;
    assert.match(summary[0]!, /^Peer\s+AS\s+up\/down\s+state\s+\|\s+#sent\s+#recvd$/);
    const rowB = summary.find((l) => l.startsWith(addrB + ' '));
    const rowC = summary.find((l) => l.startsWith(addrC + ' '));
    // ExaBGP's layout: no '|' in the rows, UPDATE messages counted, established sessions only (C is not).
    assert.ok(rowB && /\s65002\s+(\d+:\d\d:\d\d|down)\s+established\s+\d+\s+\d+$/.test(rowB), `B row: ${rowB}`);
    assert.equal(rowC, undefined, `C row: ${rowC}`);
    const out = byCmd.get('show adj-rib out')!.lines;
    const forB = out.filter((l) => l.startsWith(`neighbor ${addrB} `)).sort();
    assert.deepEqual(forB, [
      `neighbor ${addrB} ipv4 unicast 10.2.0.0/24 next-hop 192.0.2.2 origin incomplete med 20`,
      `neighbor ${addrB} ipv4 unicast 10.3.0.0/24 next-hop 192.0.2.3`,
      `neighbor ${addrB} ipv4 unicast 10.5.0.0/24 next-hop 192.0.2.5`,
      `neighbor ${addrB} ipv4 unicast 10.8.0.0/24 next-hop 192.0.2.8`,
    ]);
    const forC = out
      .filter((l) => l.startsWith(`neighbor ${addrC} `))
      .map((l) => l.split(' ')[4])
      .sort();
    assert.deepEqual(forC, ['10.2.0.0/24', '10.4.0.0/24', '10.5.0.0/24']);
  });

  it('B sees the session come up', () => {
    const st = events.filter((e) => e.type === 'state');
    assert.ok(st.length >= 1);
    const up = st.find((e) => e.neighbor.state === 'up')!;
    assert.ok(up, 'a state up event');
    assert.deepEqual(up.neighbor.address, { local: addrB, peer: addrA });
    assert.deepEqual(up.neighbor.asn, { local: 65002, peer: 65001 });
    // ExaBGP 4.2 stamps its JSON with the API format version, 4.0.1, not the program's.
    assert.equal(up.exabgp, '4.0.1');
    assert.equal(typeof up.time, 'number');
    assert.equal(typeof up.host, 'string');
    assert.equal(typeof up.pid, 'number');
    assert.equal(typeof up.ppid, 'number');
    assert.equal(typeof up.counter, 'number');
  });

  it('B gets each update with its attributes, and nothing selected to other neighbors', () => {
    const ups = events.filter((e) => e.type === 'update');
    const announced = new Map<string, { nh: string; attr: Record<string, unknown> }>();
    const withdrawn: string[] = [];
    for (const u of ups) {
      assert.deepEqual(u.neighbor.address, { local: addrB, peer: addrA });
      assert.equal(u.neighbor.direction, 'receive');
      const m = u.neighbor.message.update;
      if (!m) continue;
      for (const [nh, list] of Object.entries(
        (m.announce?.['ipv4 unicast'] ?? {}) as Record<string, { nlri: string }[]>,
      )) {
        for (const { nlri } of list) announced.set(nlri, { nh, attr: m.attribute });
      }
      for (const { nlri } of (m.withdraw?.['ipv4 unicast'] ?? []) as { nlri: string }[]) withdrawn.push(nlri);
    }
    assert.deepEqual([...announced.keys()].sort(), [
      '10.1.0.0/24',
      '10.2.0.0/24',
      '10.2.1.0/24',
      '10.3.0.0/24',
      '10.5.0.0/24',
      '10.8.0.0/24',
    ]);
    const r1 = announced.get('10.1.0.0/24')!;
    assert.equal(r1.nh, '192.0.2.1');
    assert.deepEqual(r1.attr, {
      origin: 'igp',
      'as-path': [65001, 65010],
      'confederation-path': [],
      med: 10,
      community: [
        [65000, 1],
        [65000, 2],
      ],
      'large-community': [[65000, 1, 1]],
    });
    const r2 = announced.get('10.2.1.0/24')!;
    assert.equal(r2.nh, '192.0.2.2');
    assert.deepEqual(r2.attr, { origin: 'incomplete', 'as-path': [65001], 'confederation-path': [], med: 20 });
    assert.deepEqual(announced.get('10.3.0.0/24')!.attr, {
      origin: 'igp',
      'as-path': [65001],
      'confederation-path': [],
    });
    assert.deepEqual(withdrawn.sort(), ['10.1.0.0/24', '10.2.1.0/24']);
  });

  it('B sees End-of-RIB markers: the automatic one, then the two asked for, after the withdrawals', () => {
    const idx = (pred: (e: Record<string, any>) => boolean): number[] => events.flatMap((e, i) => (pred(e) ? [i] : []));
    const eors = idx((e) => e.type === 'update' && e.neighbor.message.eor !== undefined);
    assert.equal(eors.length, 3);
    for (const i of eors) assert.deepEqual(events[i]!.neighbor.message.eor, { afi: 'ipv4', safi: 'unicast' });
    const wd = idx((e) => e.type === 'update' && e.neighbor.message.update?.withdraw !== undefined);
    assert.ok(wd.length >= 1 && Math.max(...wd) < eors[1]!, 'withdrawals before the requested EoR');
  });

  it('B sees the route refresh A asked for', () => {
    const rr = events.filter((e) => e.type === 'refresh');
    assert.equal(rr.length, 1);
    assert.equal(rr[0]!.neighbor.direction, 'receive');
    assert.deepEqual(rr[0]!.neighbor['route-refresh'], { afi: 'ipv4', safi: 'unicast', subtype: 'query' });
  });

  it('B holds the routes in its Adj-RIB-In', async () => {
    const r = await b.cli('show adj-rib in');
    assert.equal(r.answer, 'done');
    const prefixes = r.lines.map((l) => l.split(' ')[4]).sort();
    assert.deepEqual(prefixes, ['10.2.0.0/24', '10.3.0.0/24', '10.5.0.0/24', '10.8.0.0/24']);
  });
});
