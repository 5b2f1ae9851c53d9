// Scenario 8, route server: 50 clients (bench/sender.ts sessions, each from its own loopback address and AS) each
// announce 20,000 IPv4 /24s, half of them shared with the next client (510,000 distinct prefixes), to a route
// server that validates them against 500,000 VRPs from StayRTR (one VRP for each announcer of the first
// 250,000 prefixes: those are valid, the rest not-found; none is invalid, so every client must get every prefix
// it did not announce itself). The clock runs from starting the clients until every client has received every
// prefix it should (each client marks the prefixes of the UPDATEs it receives in a bitmap). tsbgp, BIRD 2 and
// GoBGP do the same job with the same input.

import { waitFor } from '../../test/interop/peers';
import { StayRtr, type VrpSpec } from '../../test/interop/peers/stayrtr';
import { type ClientSpec, clientsRun, dotted, type StartServer } from './clients';
import {
  birdClient,
  gobgpClient,
  gobgpGlobal,
  passiveNeighbor,
  type RunResult,
  repeat,
  type ScenarioContext,
  scenarioDir,
  startBird,
  startGobgp,
  TsbgpProc,
} from './common';

const CLIENTS = 50;
let EACH = 20_000;
let VRPS = 500_000;
const RS_AS = 64999;
const asOf = (i: number): number => 1000 + i;
/** First /24 of client i: half of its prefixes are also the next client's. */
const firstOf = (i: number): number => (i * EACH) / 2;
const distinct = (): number => ((CLIENTS + 1) * EACH) / 2;

/**
 * Prefixes client i must end up with, counted: every distinct prefix it did not announce itself. (For the ones it
 * announced too, a route server with a RIB per client, as tsbgp and GoBGP here, also sends the other announcer's
 * path; one with a single table, as BIRD here, does not when the client's own path is the best. Not counted.)
 */
function expected(_i: number): number {
  return distinct() - EACH;
}

/** The VRPs: for the first VRPS/2 prefixes one VRP per announcer (two each), max length 24; the rest in space
 * nobody announces (they are still loaded and consulted). */
function vrpList(): VrpSpec[] {
  const roas: VrpSpec[] = [];
  for (let n = 0; n < VRPS / 2 && n < distinct(); n++) {
    const owner = Math.floor(n / (EACH / 2)); // announced by owner - 1 and owner
    for (const c of [owner - 1, owner])
      if (c >= 0 && c < CLIENTS) roas.push({ prefix: `${dotted(n)}/24`, maxLength: 24, asn: asOf(c) });
  }
  for (let k = 0; roas.length < VRPS; k++)
    roas.push({ prefix: `${dotted(distinct() + k)}/24`, maxLength: 24, asn: 4_000_000 });
  return roas;
}

/** The clients: client i announces EACH prefixes from firstOf(i) and must receive the others (clients.ts). */
const clientSpecs = (addrs: string[]): ClientSpec[] =>
  addrs.map((address, i) => ({ address, as: asOf(i), first: firstOf(i), count: EACH, expected: expected(i) }));

/** One run against the route server `start` makes (clients.ts). */
const run = (capMs: number, start: StartServer): Promise<RunResult> =>
  clientsRun({ clients: CLIENTS, universe: distinct(), specs: clientSpecs, capMs, start });

const sendersLine = (): string =>
  `${CLIENTS} × startSender({count: ${EACH}}) in the bench process, counting what each receives`;

function tsbgpRun(rtr: StayRtr): Promise<RunResult> {
  return run(900_000, (ed, addrs) => {
    const conf = [
      `rpki {\n  cache ${rtr.address} port ${rtr.port};\n}`,
      ...addrs.map((a, i) =>
        passiveNeighbor(ed.address, a, 'ipv4 unicast', ['route-server-client;', 'filter { next-hop any; }'], {
          local: RS_AS,
          peer: asOf(i),
        }),
      ),
    ].join('\n');
    const t = new TsbgpProc(scenarioDir('route-server'), conf, {
      'exabgp.tcp.bind': ed.address,
      'exabgp.tcp.port': String(ed.port),
    });
    return {
      proc: t.proc,
      ready: async () => {
        await t.ready();
        await waitFor(
          async () =>
            (JSON.parse((await t.cli('show rpki json')).lines.join('')) as { vrps: number } | null)?.vrps === VRPS,
          120_000,
          'tsbgp holding the VRPs',
          250,
        );
      },
      stop: () => t.stop(),
      commands: [
        `${t.command}   # ${CLIENTS} passive route-server-client neighbors, filter { next-hop any; }, rpki { cache StayRTR }`,
        sendersLine(),
      ],
    };
  });
}

/** BIRD 2 as route server: one table, `rs client` sessions, ROA check on import (the usual IX setup). */
function birdRun(rtr: StayRtr, capMs: number): Promise<RunResult> {
  return run(capMs, (ed, addrs) => {
    const conf = [
      `router id ${ed.address};`,
      'protocol device { }',
      'roa4 table r4;',
      `protocol rpki rtr { roa4 { table r4; }; remote ${rtr.address} port ${rtr.port}; }`,
      'filter rs_import { if roa_check(r4, net, bgp_path.last) = ROA_INVALID then reject; accept; }',
      ...addrs.map((a, i) =>
        birdClient(
          i,
          ed,
          a,
          { local: RS_AS, peer: asOf(i) },
          'multihop 2; rs client;',
          'import filter rs_import; export all; next hop keep; gateway recursive;',
        ),
      ),
    ].join('\n');
    const { bird, birdc } = startBird(scenarioDir('route-server-bird'), conf);
    return {
      proc: bird,
      ready: () =>
        waitFor(
          async () => {
            if (!bird.running) throw new Error(bird.describeExit());
            return new RegExp(`${VRPS} imported`).test(await birdc('show', 'protocols', 'all', 'rtr'));
          },
          120_000,
          'BIRD holding the VRPs',
          500,
        ),
      stop: () => bird.stop(),
      commands: [
        `bird -f -c bird.conf -s bird.ctl   # ${CLIENTS} passive sessions, rs client, roa_check import filter, export all`,
        sendersLine(),
      ],
    };
  });
}

/** GoBGP as route server: route-server-client neighbors (a RIB per client), RPKI-invalid rejected on import. */
function gobgpRun(rtr: StayRtr, capMs: number): Promise<RunResult> {
  return run(capMs, async (ed, addrs) => {
    const conf = [
      ...gobgpGlobal(RS_AS, ed),
      '[[rpki-servers]]',
      '  [rpki-servers.config]',
      `    address = "${rtr.address}"`,
      `    port = ${rtr.port}`,
      '[[policy-definitions]]',
      '  name = "rpki"',
      '  [[policy-definitions.statements]]',
      '    [policy-definitions.statements.conditions.bgp-conditions]',
      '      rpki-validation-result = "invalid"',
      '    [policy-definitions.statements.actions]',
      '      route-disposition = "reject-route"',
      ...addrs.flatMap((a, i) =>
        gobgpClient(a, asOf(i), ed.address, [
          '  [neighbors.ebgp-multihop.config]',
          '    enabled = true',
          '    multihop-ttl = 2',
          '  [neighbors.route-server.config]',
          '    route-server-client = true',
          '  [neighbors.apply-policy.config]',
          '    import-policy-list = ["rpki"]',
          '    default-import-policy = "accept-route"',
        ]),
      ),
    ].join('\n');
    const { gobgpd, gobgp } = await startGobgp(scenarioDir('route-server-gobgp'), conf);
    return {
      proc: gobgpd,
      ready: () =>
        waitFor(
          async () => {
            if (!gobgpd.running) throw new Error(gobgpd.describeExit());
            const m = /(\d+)\/(\d+)/.exec(await gobgp('rpki', 'server'));
            return m !== null && Number(m[1]) + Number(m[2]) >= VRPS;
          },
          300_000,
          'GoBGP holding the VRPs',
          2000,
        ),
      stop: () => gobgpd.stop(),
      commands: [
        `gobgpd -f gobgpd.toml -t toml -p   # ${CLIENTS} passive route-server-client neighbors, import policy rejecting RPKI invalid`,
        sendersLine(),
      ],
    };
  });
}

export async function routeServerScenario(ctx: ScenarioContext): Promise<void> {
  EACH = ctx.scale === 1 ? 20_000 : Math.max(200, 2 * Math.round((20_000 * ctx.scale) / 2));
  VRPS = ctx.scale === 1 ? 500_000 : Math.max(1000, 2 * Math.round((500_000 * ctx.scale) / 2));
  const job = `${CLIENTS} clients × ${EACH.toLocaleString('en-US')} prefixes, ${VRPS.toLocaleString('en-US')} VRPs`;
  ctx.say(`route-server ${job}`);
  const rtr = new StayRtr();
  await rtr.start(vrpList(), { protocol: 1, refresh: 600, startMs: 120_000 });
  try {
    const items = Array.from({ length: CLIENTS }, (_, i) => expected(i)).reduce((a, b) => a + b, 0);
    await repeat(ctx, { scenario: 'route-server', job, impl: 'tsbgp', items }, ctx.runs, 900, () => tsbgpRun(rtr));
    for (const [impl, kind, run] of [
      ['BIRD', 'bird', birdRun],
      ['GoBGP', 'gobgp', gobgpRun],
    ] as const) {
      const base = { scenario: 'route-server', job, impl, items };
      if (!ctx.installed(kind)) ctx.record({ ...base, runs: [], hwmKiB: [], commands: [], note: 'not installed' });
      // GoBGP took 49 s for a twentieth of the job (50 × 1,000): capped at 5 minutes, it reports how far it got.
      else
        await repeat(ctx, base, 1, kind === 'gobgp' ? 300 : 900, () => run(rtr, kind === 'gobgp' ? 300_000 : 900_000));
    }
  } finally {
    await rtr.stop();
  }
}
