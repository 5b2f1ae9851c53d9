// Scenario 5, many peers: 100 bench/sender.ts sessions, each from its own loopback address and AS, each
// sending 10,000 distinct IPv4 /24s, into one daemon. The clock runs from starting the senders (the daemon is
// already listening) until it holds all 1,000,000 paths. BIRD does the same job for comparison.

import { allocAddress, allocEndpoint, waitFor } from '../../test/interop/peers';
import { type Sender, startSender } from '../sender';
import {
  now,
  peakRssKiB,
  type RunResult,
  repeat,
  type ScenarioContext,
  scenarioDir,
  startBird,
  TsbgpProc,
  until,
} from './common';

const PEERS = 100;
let EACH = 10_000;

/** First prefix of sender i: /24 number i*EACH from 20.0.0.0. */
const first = (i: number): string => {
  const n = i * EACH;
  return `${20 + (n >>> 16)}.${(n >>> 8) & 255}.${n & 255}.0`;
};

async function startAll(host: string, port: number, addrs: string[]): Promise<Sender[]> {
  return Promise.all(
    addrs.map((a, i) =>
      startSender({ host, port, localAddress: a, as: 65100 + i, count: EACH, first: first(i), holdTime: 180 }),
    ),
  );
}

async function tsbgpRun(): Promise<RunResult> {
  const dir = scenarioDir('peers');
  const ed = await allocEndpoint();
  const addrs = Array.from({ length: PEERS }, () => allocAddress());
  const conf = addrs
    .map((a, i) =>
      [
        `neighbor ${a} {`,
        `  router-id ${ed.address};`,
        `  local-address ${ed.address};`,
        '  local-as 65000;',
        `  peer-as ${65100 + i};`,
        '  hold-time 180;',
        '  passive true;',
        '  family { ipv4 unicast; }',
        '}',
      ].join('\n'),
    )
    .join('\n');
  const t = new TsbgpProc(dir, conf, { 'exabgp.tcp.bind': ed.address, 'exabgp.tcp.port': String(ed.port) });
  try {
    await t.ready();
    const start = now();
    const senders = await startAll(ed.address, ed.port, addrs);
    try {
      const r = await until(
        async () => (await t.neighbors()).routesIn,
        PEERS * EACH,
        start,
        600_000,
        250,
        () => {
          if (!t.proc.running) throw new Error(t.proc.describeExit());
        },
      );
      const hwm = peakRssKiB(t.pid);
      return {
        seconds: r.at === null ? null : (r.at - start) / 1000,
        hwm,
        last: r.last,
        commands: [
          t.command + `   # ${PEERS} passive neighbors`,
          `${PEERS} × startSender({count: ${EACH}}) in the bench process (bench/sender.ts)`,
        ],
      };
    } finally {
      await Promise.all(senders.map((s) => s.stop()));
    }
  } finally {
    await t.stop();
  }
}

/**
 * BIRD with its own configuration rather than test/interop/peers/bird.ts: that one exports every route to every
 * neighbor, which with 100 peers makes BIRD re-advertise each peer's table to the 99 others (a route server's
 * job, not the one measured here; it took BIRD over two minutes). Here each session imports all, exports none.
 */
async function birdRun(): Promise<RunResult> {
  const dir = scenarioDir('peers-bird');
  const ed = await allocEndpoint();
  const addrs = Array.from({ length: PEERS }, () => allocAddress());
  const conf = [
    `router id ${ed.address};`,
    'protocol device { }',
    ...addrs.map((a, i) =>
      [
        `protocol bgp peer${i} {`,
        `  local ${ed.address} port ${ed.port} as 65000;`,
        `  neighbor ${a} port 179 as ${65100 + i};`,
        '  strict bind on; multihop 2; passive on; hold time 180;',
        '  ipv4 { import all; export none; gateway recursive; };',
        '}',
      ].join('\n'),
    ),
  ].join('\n');
  const { bird, birdc } = startBird(dir, conf);
  try {
    await waitFor(
      async () => {
        if (!bird.running) throw new Error(bird.describeExit());
        return (await birdc('show', 'status')).includes('Daemon is up');
      },
      10_000,
      'bird control socket',
    );
    const start = now();
    const senders = await startAll(ed.address, ed.port, addrs);
    try {
      // Sum of every session's "Routes: N imported" counter. Not `show route count`: that walks the whole table
      // in BIRD's only thread, and asked every 250 ms it slowed BIRD down several times over.
      const count = async (): Promise<number> => {
        let n = 0;
        for (const m of (await birdc('show', 'protocols', 'all')).matchAll(/Routes:\s+(\d+) imported/g))
          n += Number(m[1]);
        return n;
      };
      const r = await until(count, PEERS * EACH, start, 600_000, 250, () => {
        if (!bird.running) throw new Error(bird.describeExit());
      });
      const hwm = peakRssKiB(bird.pid);
      return {
        seconds: r.at === null ? null : (r.at - start) / 1000,
        hwm,
        last: r.last,
        commands: [
          `bird -f -c bird.conf -s bird.ctl   # ${PEERS} passive sessions, import all, export none`,
          `${PEERS} × startSender({count: ${EACH}})`,
        ],
      };
    } finally {
      await Promise.all(senders.map((s) => s.stop()));
    }
  } finally {
    await bird.stop();
  }
}

export async function peersScenario(ctx: ScenarioContext): Promise<void> {
  EACH = ctx.scale === 1 ? 10_000 : Math.max(100, Math.round(10_000 * ctx.scale));
  const job = `${PEERS} peers × ${EACH.toLocaleString('en-US')} prefixes`;
  ctx.say(`peers ${job}`);
  await repeat(ctx, { scenario: 'peers', job, impl: 'tsbgp', items: PEERS * EACH }, ctx.runs, undefined, tsbgpRun);
  const base = { scenario: 'peers', job, impl: 'BIRD', items: PEERS * EACH };
  if (!ctx.installed('bird')) ctx.record({ ...base, runs: [], hwmKiB: [], commands: [], note: 'not installed' });
  else await repeat(ctx, base, Math.min(2, ctx.runs), undefined, birdRun);
}
