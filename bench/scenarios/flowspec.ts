// Scenario 4, flowspec: an API program writes N distinct `announce flow route` lines once the session is up;
// the clock runs from its first line until the receiver holds N ipv4-flowspec paths. The receiver is GoBGP,
// as the issue asks, and then tsbgp: GoBGP needs about 3 s of its own to take in 100,000 rules (measured here
// as a row of its own: the same rules from a tsbgp configuration, timed from Established, when the sender
// has nothing left to do but write them), which is more than a twentieth of ExaBGP's time, so with GoBGP
// receiving the comparison measures GoBGP. With a tsbgp receiver it measures the senders.
import { allocAddress, allocEndpoint, createDaemon } from '../../test/interop/peers';
import {
  daemonPid,
  ExabgpProc,
  floodProcess,
  measureFlood,
  missing,
  now,
  passiveNeighbor,
  peakRssKiB,
  type RunResult,
  repeat,
  type ScenarioContext,
  scaled,
  scenarioDir,
  TsbgpProc,
  tsbgpThenExabgp,
  until,
} from './common';
import { neighborBlock } from './config';

export const FLOW_JOBS = [{ count: 100_000, exabgpCap: 60 }];

/** GoBGP's count walks its table; every 250 ms did not slow it down measurably (every 2 s did hide 2 s). */
const GOBGP_POLL_MS = 250;
const TSBGP_POLL_MS = 20;

/** The i-th rule of the flood (bench/scenarios/common.ts FLOOD_JS writes the same ones). */
const rule = (i: number): string =>
  `match { destination ${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24; protocol tcp; destination-port =80; } then { discard; }`;

type Receiver = 'gobgp' | 'tsbgp';

/** A receiver for the flow family: GoBGP, or a passive tsbgp; `count` is how many flow paths it holds. */
async function startReceiver(
  kind: Receiver,
  local: string,
): Promise<{
  at: { address: string; port: number };
  count: () => Promise<number>;
  text: string;
  pid: () => number;
  stop: () => Promise<void>;
}> {
  const ed = await allocEndpoint();
  if (kind === 'gobgp') {
    const g = createDaemon('gobgp');
    await g.start({
      ...ed,
      as: 65000,
      holdTime: 180,
      neighbors: [{ address: local, port: 179, as: 65001, passive: true, families: ['ipv4-flowspec'] }],
    });
    return {
      at: ed,
      count: () => g.routeCount('ipv4-flowspec'),
      text: `gobgpd (config in ${g.dir}; test/interop/peers/gobgp.ts)`,
      pid: () => daemonPid(g),
      stop: () => g.stop(),
    };
  }
  const r = new TsbgpProc(scenarioDir('flow-receiver'), passiveNeighbor(ed.address, local, 'ipv4 flow'), {
    'exabgp.tcp.bind': ed.address,
    'exabgp.tcp.port': String(ed.port),
  });
  await r.ready();
  return {
    at: ed,
    count: async () => (await r.neighbors()).routesIn,
    text: `${r.command}   # receiver`,
    pid: () => r.pid,
    stop: () => r.stop(),
  };
}

async function run(impl: 'tsbgp' | 'exabgp', receiver: Receiver, count: number, capS: number): Promise<RunResult> {
  const dir = scenarioDir(`flow-${impl}`);
  const local = allocAddress();
  const rx = await startReceiver(receiver, local);
  try {
    const { block, api, report } = floodProcess(dir, count, 'flow');
    const conf = block + neighborBlock(local, rx.at, 65000, 'ipv4 flow', [api]);
    const d = impl === 'tsbgp' ? new TsbgpProc(dir, conf) : new ExabgpProc(dir, conf, null);
    try {
      return await measureFlood(
        d,
        report,
        count,
        capS,
        receiver === 'gobgp' ? GOBGP_POLL_MS : TSBGP_POLL_MS,
        rx.count,
        `process: node flood.js ${count} flow (bench/scenarios/common.ts FLOOD_JS)`,
        rx.text,
      );
    } finally {
      await d.stop();
    }
  } finally {
    await rx.stop();
  }
}

/**
 * GoBGP's own ingestion time: tsbgp starts with the N rules in its configuration, and the clock runs from its
 * session with GoBGP coming up (tsbgp polled every 10 ms) until GoBGP holds all N. tsbgp has the rules encoded
 * by then and only writes them; GoBGP's CPU time over that window is most of it.
 */
async function gobgpAlone(count: number): Promise<RunResult> {
  const local = allocAddress();
  const rx = await startReceiver('gobgp', local);
  try {
    const rules: string[] = [];
    for (let i = 0; i < count; i++) rules.push(`    route r${i} { ${rule(i)} }\n`);
    const d = new TsbgpProc(
      scenarioDir('flow-config'),
      neighborBlock(local, rx.at, 65000, 'ipv4 flow', ['flow {', ...rules, '}']),
    );
    try {
      const alive = (): void => {
        if (!d.proc.running) throw new Error(d.proc.describeExit());
      };
      const up = await until(async () => (await d.neighbors()).established, 1, now(), 120_000, 10, alive);
      if (up.at === null) throw new Error('the session did not come up within 120 s');
      const got = await until(rx.count, count, up.at, 120_000, GOBGP_POLL_MS, alive);
      return {
        seconds: got.at === null ? null : (got.at - up.at) / 1000,
        // The row is GoBGP's: its memory, not the sender's.
        hwm: peakRssKiB(rx.pid()),
        last: got.last,
        commands: [`${d.command}   # ${count} rules in flow { }`, rx.text],
      };
    } finally {
      await d.stop();
    }
  } finally {
    await rx.stop();
  }
}

export const FLOW_ALONE_JOB = (count: number): string =>
  `${count.toLocaleString('en-US')} flow rules from a tsbgp configuration, from Established (GoBGP's ingestion alone)`;

export async function flowspecScenario(ctx: ScenarioContext, jobs = FLOW_JOBS): Promise<void> {
  if (missing(ctx, 'flowspec', 'gobgp', 'GoBGP')) return;
  for (const full of jobs) {
    const count = scaled(ctx, full.count);
    const job = `${count.toLocaleString('en-US')} flow rules through the API`;
    await tsbgpThenExabgp(ctx, { scenario: 'flowspec', job, items: count }, full.exabgpCap, (impl, capS) =>
      run(impl, 'gobgp', count, capS),
    );
    await repeat(
      ctx,
      { scenario: 'flowspec', job: FLOW_ALONE_JOB(count), impl: 'GoBGP', items: count },
      ctx.runs,
      undefined,
      () => gobgpAlone(count),
    );
    await tsbgpThenExabgp(
      ctx,
      { scenario: 'flowspec', job: `${job}, to a tsbgp receiver`, items: count },
      full.exabgpCap,
      (impl, capS) => run(impl, 'tsbgp', count, capS),
    );
  }
}
