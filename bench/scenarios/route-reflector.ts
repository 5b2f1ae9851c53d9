// Scenario 10, route reflector (RFC 4456): in AS 65000, one client (a bench/sender.ts session) announces N IPv4
// /24s (500,000) with an AS_PATH of 64500, as an iBGP speaker passes on what it learnt from a neighbor AS; ten
// other clients announce nothing. Every client is a route-reflector client of the daemon. The clock runs from
// starting the clients until each of the ten holds all N (each counts what it receives in a bitmap, clients.ts);
// the reflector's peak RSS is read then. tsbgp, BIRD 2 and GoBGP reflect the same input in the same run.

import { type ClientSpec, clientsRun, type StartServer } from './clients';
import {
  birdClient,
  gobgpClient,
  gobgpGlobal,
  passiveNeighbor,
  type RunResult,
  repeat,
  type ScenarioContext,
  scaled,
  scenarioDir,
  startBird,
  startGobgp,
  TsbgpProc,
} from './common';

const AS = 65000;
/** The AS the announcing client's routes come from (its AS_PATH). */
const ORIGIN_AS = 64500;
const RECEIVERS = 10;
let N = 500_000;

/** Client 0 announces N prefixes and must get none back; the others announce none and must get all N. */
const specs = (addrs: string[]): ClientSpec[] =>
  addrs.map((address, i) => ({
    address,
    as: AS,
    pathAs: ORIGIN_AS,
    first: 0,
    count: i === 0 ? N : 0,
    expected: i === 0 ? 0 : N,
  }));

const sendersLine = (): string =>
  `startSender({count: ${N}, pathAs: ${ORIGIN_AS}}) and ${RECEIVERS} × startSender({count: 0}) in the bench process, all AS ${AS}, counting what each receives`;

/** One run against the reflector `start` makes, up to `capS` seconds. */
const run = (capS: number, start: StartServer): Promise<RunResult> =>
  clientsRun({ clients: RECEIVERS + 1, universe: N, specs, capMs: capS * 1000, start });

function tsbgpRun(capS: number): Promise<RunResult> {
  return run(capS, (ed, addrs) => {
    const conf = addrs
      .map((a) => passiveNeighbor(ed.address, a, 'ipv4 unicast', ['route-reflector-client;'], { local: AS, peer: AS }))
      .join('\n');
    const t = new TsbgpProc(scenarioDir('route-reflector'), conf, {
      'exabgp.tcp.bind': ed.address,
      'exabgp.tcp.port': String(ed.port),
    });
    return {
      proc: t.proc,
      ready: () => t.ready(),
      stop: () => t.stop(),
      commands: [`${t.command}   # ${RECEIVERS + 1} passive route-reflector-client neighbors`, sendersLine()],
    };
  });
}

/** BIRD 2 as route reflector: `rr client` iBGP sessions; the next hop is passed on unchanged (iBGP's default). */
function birdRun(capS: number): Promise<RunResult> {
  return run(capS, (ed, addrs) => {
    const conf = [
      `router id ${ed.address};`,
      'protocol device { }',
      // The clients' next hop (192.0.2.1) resolves through this route, as through an IGP route in a network.
      'protocol static { ipv4; route 192.0.2.0/24 via "lo"; }',
      ...addrs.map((a, i) =>
        birdClient(
          i,
          ed,
          a,
          { local: AS, peer: AS },
          `rr client; rr cluster id ${ed.address};`,
          'import all; export all;',
        ),
      ),
    ].join('\n');
    const { bird } = startBird(scenarioDir('route-reflector-bird'), conf);
    return {
      proc: bird,
      stop: () => bird.stop(),
      commands: [
        `bird -f -c bird.conf -s bird.ctl   # ${RECEIVERS + 1} passive iBGP sessions, rr client, import all, export all`,
        sendersLine(),
      ],
    };
  });
}

/** GoBGP as route reflector: route-reflector-client neighbors. */
function gobgpRun(capS: number): Promise<RunResult> {
  return run(capS, async (ed, addrs) => {
    const conf = [
      ...gobgpGlobal(AS, ed),
      ...addrs.flatMap((a) =>
        gobgpClient(a, AS, ed.address, [
          '  [neighbors.route-reflector.config]',
          '    route-reflector-client = true',
          `    route-reflector-cluster-id = "${ed.address}"`,
        ]),
      ),
    ].join('\n');
    const { gobgpd } = await startGobgp(scenarioDir('route-reflector-gobgp'), conf);
    return {
      proc: gobgpd,
      stop: () => gobgpd.stop(),
      commands: [
        `gobgpd -f gobgpd.toml -t toml -p   # ${RECEIVERS + 1} passive route-reflector-client neighbors`,
        sendersLine(),
      ],
    };
  });
}

export async function routeReflectorScenario(ctx: ScenarioContext): Promise<void> {
  N = scaled(ctx, 500_000);
  const job = `1 client × ${N.toLocaleString('en-US')} prefixes reflected to ${RECEIVERS} clients`;
  ctx.say(`route-reflector ${job}`);
  const items = N * RECEIVERS;
  await repeat(ctx, { scenario: 'route-reflector', job, impl: 'tsbgp', items }, ctx.runs, 900, () => tsbgpRun(900));
  for (const [impl, kind, runs, capS, one] of [
    ['BIRD', 'bird', ctx.runs, 900, birdRun],
    // GoBGP was the slowest route server by far (scenario 8): one run, capped at 5 minutes, reporting how far it got.
    ['GoBGP', 'gobgp', 1, 300, gobgpRun],
  ] as const) {
    const base = { scenario: 'route-reflector', job, impl, items };
    if (!ctx.installed(kind)) ctx.record({ ...base, runs: [], hwmKiB: [], commands: [], note: 'not installed' });
    else await repeat(ctx, base, runs, capS, () => one(capS));
  }
}
