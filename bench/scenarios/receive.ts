// Scenario 1, receive: bench/sender.ts blasts a table at one receiver on loopback; the clock runs from
// Established (the sender's view: OPEN and KEEPALIVE received) until the receiver holds the last prefix.
// tsbgp is measured twice: "in table" (its Adj-RIB-In count, asked over the control socket every 20 ms) and
// "JSON to a process" (an API program that JSON.parses every line and counts the announced prefixes; the
// clock stops when it has counted them all). ExaBGP can only be measured the second way.
import * as path from 'node:path';
import { allocEndpoint, createDaemon, type Family, sleep, waitFor } from '../../test/interop/peers';
import { startSender } from '../sender';
import {
  COUNTER_JS,
  counterProcess,
  daemonPid,
  ExabgpProc,
  now,
  passiveNeighbor,
  peakRssKiB,
  type RunResult,
  readStamp,
  repeat,
  type ScenarioContext,
  scaled,
  scenarioDir,
  TsbgpProc,
  until,
  untilStamp,
  writeScript,
} from './common';
import { staticConfig } from './config';

export interface ReceiveJob {
  family: 'ipv4' | 'ipv6';
  count: number;
  /** Cap for ExaBGP, seconds. */
  exabgpCap: number;
  /** Runs of GoBGP/FRR/ExaBGP (slow or capped); tsbgp and BIRD get ctx.runs. */
  slowRuns: number;
}

export const RECEIVE_JOBS: ReceiveJob[] = [
  { family: 'ipv4', count: 100_000, exabgpCap: 120, slowRuns: 2 },
  { family: 'ipv4', count: 1_000_000, exabgpCap: 90, slowRuns: 1 },
  { family: 'ipv6', count: 200_000, exabgpCap: 60, slowRuns: 1 },
];

const label = (j: ReceiveJob): string =>
  `${j.count.toLocaleString('en-US')} ${j.family === 'ipv4' ? 'IPv4 /24' : 'IPv6 /48'}`;
const CAP_MS = 600_000;
/** Poll interval of the in-table counts of tsbgp and BIRD: short, since a 200k table takes about 0.1 s. */
const POLL_MS = 20;

/**
 * For a "second session" run: one sender sends the table and closes (the receiver drops the peer's routes,
 * RFC 4271 §8.2.2), then the measured sender comes. The receiver's code has then run over a table once: what a
 * route server or collector sees for every session after its first.
 */
async function firstSession(
  j: ReceiveJob,
  at: { address: string; port: number },
  from: string,
  delivered: () => Promise<number>,
  held: () => Promise<number> = delivered,
): Promise<void> {
  const s = await startSender({
    host: at.address,
    port: at.port,
    localAddress: from,
    as: 65001,
    count: j.count,
    family: j.family,
  });
  try {
    await s.established;
    const r = await until(delivered, j.count, now(), CAP_MS, POLL_MS);
    if (r.at === null) throw new Error('the first session did not deliver its table');
  } finally {
    await s.stop();
  }
  await waitFor(async () => (await held().catch(() => 1)) === 0, 60_000, "the first session's routes to go", POLL_MS);
}

/** The counting program's report for the table of session `n` (1 or 2): the time it had counted it all. */
const reportOf = (report: string, n: 1 | 2): string => (n === 1 ? report : `${report}.2`);

/** One tsbgp run: passive neighbor for the sender, with or without the JSON-counting API process. */
async function tsbgpRun(j: ReceiveJob, json: boolean, second = false): Promise<RunResult> {
  const dir = scenarioDir('receive');
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const report = path.join(dir, 'count.json');
  const counter = counterProcess(writeScript(dir, 'counter.js', COUNTER_JS), j.count, report);
  const neighbor = passiveNeighbor(ed.address, es.address, `${j.family} unicast`, json ? [counter.api] : []);
  const conf = json ? `${counter.block}\n${neighbor}` : neighbor;
  const t = new TsbgpProc(dir, conf, { 'exabgp.tcp.bind': ed.address, 'exabgp.tcp.port': String(ed.port) });
  try {
    await t.ready();
    const routesIn = async (): Promise<number> => (await t.neighbors()).routesIn;
    if (second)
      await firstSession(
        j,
        ed,
        es.address,
        json ? async () => (readStamp(report) !== undefined ? j.count : 0) : routesIn,
        routesIn,
      );
    const s = await startSender({
      host: ed.address,
      port: ed.port,
      localAddress: es.address,
      as: 65001,
      count: j.count,
      family: j.family,
    });
    try {
      const estPerf = await s.established;
      const est = now() - (performance.now() - estPerf);
      const alive = (): void => {
        if (!t.proc.running) throw new Error(t.proc.describeExit());
      };
      let at: number | null;
      let last = 0;
      if (json) {
        at = await untilStamp(reportOf(report, second ? 2 : 1), est, CAP_MS, alive);
      } else {
        const r = await until(async () => (await t.neighbors()).routesIn, j.count, est, CAP_MS, POLL_MS, alive);
        at = r.at;
        last = r.last;
      }
      const hwm = peakRssKiB(t.pid);
      const cmd = `node dist/bench/sender.js --host ${ed.address} --port ${ed.port} --local-address ${es.address} --as 65001 --count ${j.count} --family ${j.family}`;
      return { seconds: at === null ? null : (at - est) / 1000, hwm, last, commands: [t.command, cmd] };
    } finally {
      await s.stop();
    }
  } finally {
    await t.stop();
  }
}

/**
 * tsbgp sending to tsbgp (the core issue's own yardstick): a sender started with the table as static routes
 * connects to a passive receiver; the clock runs from the receiver's Established (polled every 10 ms, so the
 * sender's parsing of its configuration is not counted) until the receiver holds every prefix.
 */
async function tsbgpToTsbgpRun(j: ReceiveJob): Promise<RunResult> {
  const rdir = scenarioDir('receive-tt');
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const r = new TsbgpProc(rdir, passiveNeighbor(ed.address, es.address, 'ipv4 unicast'), {
    'exabgp.tcp.bind': ed.address,
    'exabgp.tcp.port': String(ed.port),
  });
  try {
    await r.ready();
    const s = new TsbgpProc(scenarioDir('receive-tt-sender'), staticConfig(es.address, ed, j.count));
    try {
      const alive = (): void => {
        for (const p of [r, s]) if (!p.proc.running) throw new Error(p.proc.describeExit());
      };
      const up = await until(async () => (await r.neighbors()).established, 1, now(), 120_000, 10, alive);
      if (up.at === null) throw new Error('the session did not come up within 120 s');
      const got = await until(async () => (await r.neighbors()).routesIn, j.count, up.at, CAP_MS, POLL_MS, alive);
      return {
        seconds: got.at === null ? null : (got.at - up.at) / 1000,
        hwm: peakRssKiB(r.pid),
        last: got.last,
        commands: [`${r.command}   # receiver`, `${s.command}   # sender: ${j.count} static routes`],
      };
    } finally {
      await s.stop();
    }
  } finally {
    await r.stop();
  }
}

/** One ExaBGP run: passive neighbor, JSON to the same counting program. */
async function exabgpRun(j: ReceiveJob, second = false): Promise<RunResult> {
  const dir = scenarioDir('receive-exa');
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const report = path.join(dir, 'count.json');
  const counter = counterProcess(writeScript(dir, 'counter.js', COUNTER_JS), j.count, report);
  const conf = `${counter.block}\n${passiveNeighbor(ed.address, es.address, `${j.family} unicast`, [counter.api])}`;
  const e = new ExabgpProc(dir, conf, ed);
  try {
    // ExaBGP has no readiness signal of its own: the sender retries until the listener is up.
    let s: Awaited<ReturnType<typeof startSender>> | undefined;
    const deadline = now() + 20_000;
    let estPerf = 0;
    for (;;) {
      if (!e.proc.running) throw new Error(e.proc.describeExit());
      s = await startSender({
        host: ed.address,
        port: ed.port,
        localAddress: es.address,
        as: 65001,
        count: j.count,
        family: j.family,
      });
      try {
        estPerf = await s.established;
        break;
      } catch (err) {
        if (now() > deadline) throw err;
        await s.stop();
        await sleep(200);
      }
    }
    try {
      const alive = (): void => {
        if (!e.proc.running) throw new Error(e.proc.describeExit());
      };
      if (second) {
        // The first session's table, counted, then that session closed; ExaBGP has no count to poll for
        // the routes going, so it gets a second to notice the close before the measured session comes.
        if ((await untilStamp(report, now(), j.exabgpCap * 1000, alive, 200)) === null)
          throw new Error('the first session did not deliver its table');
        await s.stop();
        await sleep(1000);
        s = await startSender({
          host: ed.address,
          port: ed.port,
          localAddress: es.address,
          as: 65001,
          count: j.count,
          family: j.family,
        });
        estPerf = await s.established;
      }
      const est = now() - (performance.now() - estPerf);
      const at = await untilStamp(reportOf(report, second ? 2 : 1), est, j.exabgpCap * 1000, alive, 200);
      const hwm = peakRssKiB(e.pid);
      let last = 0;
      if (at === null) last = progress(report);
      const cmd = `node dist/bench/sender.js --host ${ed.address} --port ${ed.port} --local-address ${es.address} --as 65001 --count ${j.count} --family ${j.family}`;
      return { seconds: at === null ? null : (at - est) / 1000, hwm, last, commands: [e.command, cmd] };
    } finally {
      await s.stop();
    }
  } finally {
    await e.stop();
  }
}

/** How far a capped run got: the count the counting program last wrote (every half second). */
export function progress(report: string): number {
  return readStamp(report + '.progress') ?? 0;
}

async function peerRun(kind: 'bird' | 'gobgp' | 'frr', j: ReceiveJob, second = false): Promise<RunResult> {
  const d = createDaemon(kind);
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const family: Family = j.family;
  await d.start({
    ...ed,
    as: 65000,
    holdTime: 180,
    neighbors: [{ ...es, as: 65001, passive: true, families: [family] }],
  });
  try {
    const c0 = d as unknown as { receivedCount(n: string, f: Family): Promise<number> };
    if (second) await firstSession(j, ed, es.address, () => c0.receivedCount(es.address, family));
    const s = await startSender({
      host: ed.address,
      port: ed.port,
      localAddress: es.address,
      as: 65001,
      count: j.count,
      family: j.family,
    });
    try {
      const estPerf = await s.established;
      const est = now() - (performance.now() - estPerf);
      // GoBGP walks its Adj-RIB-In to answer a neighbor query: polling it often slows it down (bench/peers/ingest.ts).
      const poll = kind === 'gobgp' ? 1000 : kind === 'frr' ? 250 : POLL_MS;
      const c = d as unknown as { receivedCount(n: string, f: Family): Promise<number> };
      const r = await until(() => c.receivedCount(es.address, family), j.count, est, CAP_MS, poll);
      const hwm = peakRssKiB(daemonPid(d));
      const cmd = `node dist/bench/sender.js --host ${ed.address} --port ${ed.port} --local-address ${es.address} --as 65001 --count ${j.count} --family ${j.family}`;
      return {
        seconds: r.at === null ? null : (r.at - est) / 1000,
        hwm,
        last: r.last,
        commands: [`${kind} (config in ${d.dir}; test/interop/peers/${kind}.ts)`, cmd],
      };
    } finally {
      await s.stop();
    }
  } finally {
    await d.stop();
  }
}

const NAMES = { bird: 'BIRD', gobgp: 'GoBGP', frr: 'FRR', exabgp: 'ExaBGP' } as const;

export async function receive(ctx: ScenarioContext, jobs = RECEIVE_JOBS): Promise<void> {
  for (const full of jobs) {
    const j = { ...full, count: scaled(ctx, full.count) };
    const job = label(j);
    ctx.say(`receive ${job}`);
    await repeat(
      ctx,
      { scenario: 'receive', job: `${job}, in table`, impl: 'tsbgp', items: j.count },
      ctx.runs,
      undefined,
      () => tsbgpRun(j, false),
    );
    await repeat(
      ctx,
      { scenario: 'receive', job: `${job}, JSON to a process`, impl: 'tsbgp', items: j.count },
      ctx.runs,
      undefined,
      () => tsbgpRun(j, true),
    );
    // The first table a process takes runs through code V8 has not compiled yet (see the notes); at 100,000
    // and 200,000 prefixes that is most of the job, so those jobs are also timed as a second session, here, for
    // BIRD and for ExaBGP.
    const second = full.count !== 1_000_000;
    if (second) {
      await repeat(
        ctx,
        { scenario: 'receive', job: `${job}, in table, second session`, impl: 'tsbgp', items: j.count },
        ctx.runs,
        undefined,
        () => tsbgpRun(j, false, true),
      );
      await repeat(
        ctx,
        { scenario: 'receive', job: `${job}, JSON to a process, second session`, impl: 'tsbgp', items: j.count },
        ctx.runs,
        undefined,
        () => tsbgpRun(j, true, true),
      );
    }
    if (j.family === 'ipv4' && full.count === 1_000_000) {
      await repeat(
        ctx,
        { scenario: 'receive', job: `${job} from a tsbgp sender, in table`, impl: 'tsbgp', items: j.count },
        ctx.runs,
        undefined,
        () => tsbgpToTsbgpRun(j),
      );
    }
    for (const kind of ['bird', 'gobgp', 'frr'] as const) {
      const impl = NAMES[kind];
      const base = { scenario: 'receive', job: `${job}, in table`, impl, items: j.count };
      if (!ctx.installed(kind)) {
        ctx.record({ ...base, runs: [], hwmKiB: [], commands: [], note: 'not installed' });
        continue;
      }
      await repeat(ctx, base, kind === 'bird' ? ctx.runs : Math.min(ctx.runs, j.slowRuns + 1), undefined, () =>
        peerRun(kind, j),
      );
      if (second && kind === 'bird')
        await repeat(ctx, { ...base, job: `${job}, in table, second session` }, ctx.runs, undefined, () =>
          peerRun(kind, j, true),
        );
    }
    const base = { scenario: 'receive', job: `${job}, JSON to a process`, impl: 'ExaBGP', items: j.count };
    if (!ctx.installed('exabgp')) ctx.record({ ...base, runs: [], hwmKiB: [], commands: [], note: 'not installed' });
    else {
      await repeat(ctx, base, Math.min(ctx.runs, j.slowRuns), j.exabgpCap, () => exabgpRun(j));
      if (second)
        await repeat(
          ctx,
          { ...base, job: `${job}, JSON to a process, second session` },
          Math.min(ctx.runs, j.slowRuns),
          j.exabgpCap,
          () => exabgpRun(j, true),
        );
    }
  }
}
