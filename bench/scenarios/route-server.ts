// Scenario 8, route server: 50 clients (bench/sender.ts sessions, each from its own loopback address and AS) each
// announce 20,000 IPv4 /24s, half of them shared with the next client (510,000 distinct prefixes), to a route
// server that validates them against 500,000 VRPs from StayRTR (one VRP for each announcer of the first
// 250,000 prefixes: those are valid, the rest not-found; none is invalid, so every client must get every prefix
// it did not announce itself). The clock runs from starting the clients until every client has received every
// prefix it should (each client marks the prefixes of the UPDATEs it receives in a bitmap). tsbgp, BIRD 2 and
// GoBGP do the same job with the same input.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { allocAddress, allocEndpoint, ManagedProcess, runCmd, waitFor } from '../../test/interop/peers';
import { StayRtr, type VrpSpec } from '../../test/interop/peers/stayrtr';
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

const CLIENTS = 50;
let EACH = 20_000;
let VRPS = 500_000;
const RS_AS = 64999;
const BASE = 20 << 16; // 20.0.0.0 as a /24 number
const asOf = (i: number): number => 1000 + i;
/** First /24 of client i: half of its prefixes are also the next client's. */
const firstOf = (i: number): number => (i * EACH) / 2;
const distinct = (): number => ((CLIENTS + 1) * EACH) / 2;
const dotted = (n: number): string => `${(BASE + n) >>> 16}.${((BASE + n) >>> 8) & 255}.${(BASE + n) & 255}.0`;

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

/** Clients that count what they receive: one bit per distinct prefix. */
interface Clients {
  senders: Sender[];
  held: () => number;
}

async function startClients(host: string, port: number, addrs: string[]): Promise<Clients> {
  const bits = addrs.map(() => new Uint8Array(Math.ceil((distinct() + 8) / 8)));
  const counts = addrs.map(() => 0);
  const senders = await Promise.all(
    addrs.map((a, i) =>
      startSender({
        host,
        port,
        localAddress: a,
        as: asOf(i),
        count: EACH,
        first: dotted(firstOf(i)),
        holdTime: 180,
        onMessage: (type, body) => {
          if (type !== 2) return;
          // RFC 4271 §4.3: withdrawn routes, path attributes, then NLRI (here /24s: 4 bytes each).
          const wl = body.readUInt16BE(0);
          const al = body.readUInt16BE(2 + wl);
          const b = bits[i]!;
          for (let o = 4 + wl + al; o + 3 < body.length; o += 4) {
            const n = ((body[o + 1]! << 16) | (body[o + 2]! << 8) | body[o + 3]!) - BASE;
            if (n < 0 || n >= distinct() || (n >= firstOf(i) && n < firstOf(i) + EACH)) continue;
            if ((b[n >> 3]! & (1 << (n & 7))) === 0) {
              b[n >> 3]! |= 1 << (n & 7);
              counts[i]!++;
            }
          }
        },
      }),
    ),
  );
  // Every client counts only up to what it should hold, so the sum reaches the total only when all are complete.
  return { senders, held: () => counts.reduce((s, c, i) => s + Math.min(c, expected(i)), 0) };
}

const TOTAL = (): number => Array.from({ length: CLIENTS }, (_, i) => expected(i)).reduce((a, b) => a + b, 0);

async function measure(
  host: string,
  port: number,
  addrs: string[],
  alive: () => void,
  pid: number,
  capMs = 900_000,
): Promise<{ seconds: number | null; hwm: number; last: number }> {
  const start = now();
  const cl = await startClients(host, port, addrs);
  try {
    const r = await until(async () => cl.held(), TOTAL(), start, capMs, 250, alive);
    return { seconds: r.at === null ? null : (r.at - start) / 1000, hwm: peakRssKiB(pid), last: r.last };
  } finally {
    await Promise.all(cl.senders.map((s) => s.stop()));
  }
}

async function tsbgpRun(rtr: StayRtr): Promise<RunResult> {
  const dir = scenarioDir('route-server');
  const ed = await allocEndpoint();
  const addrs = Array.from({ length: CLIENTS }, () => allocAddress());
  const conf = [
    `rpki {\n  cache ${rtr.address} port ${rtr.port};\n}`,
    ...addrs.map((a, i) =>
      [
        `neighbor ${a} {`,
        `  router-id ${ed.address};`,
        `  local-address ${ed.address};`,
        `  local-as ${RS_AS};`,
        `  peer-as ${asOf(i)};`,
        '  hold-time 180;',
        '  passive true;',
        '  family { ipv4 unicast; }',
        '  route-server-client;',
        '  filter { next-hop any; }',
        '}',
      ].join('\n'),
    ),
  ].join('\n');
  const t = new TsbgpProc(dir, conf, { 'exabgp.tcp.bind': ed.address, 'exabgp.tcp.port': String(ed.port) });
  try {
    await t.ready();
    await waitFor(
      async () =>
        (JSON.parse((await t.cli('show rpki json')).lines.join('')) as { vrps: number } | null)?.vrps === VRPS,
      120_000,
      'tsbgp holding the VRPs',
      250,
    );
    const r = await measure(
      ed.address,
      ed.port,
      addrs,
      () => {
        if (!t.proc.running) throw new Error(t.proc.describeExit());
      },
      t.pid,
    );
    return {
      ...r,
      commands: [
        `${t.command}   # ${CLIENTS} passive route-server-client neighbors, filter { next-hop any; }, rpki { cache StayRTR }`,
        `${CLIENTS} × startSender({count: ${EACH}}) in the bench process, counting what each receives`,
      ],
    };
  } finally {
    await t.stop();
  }
}

/** BIRD 2 as route server: one table, `rs client` sessions, ROA check on import (the usual IX setup). */
async function birdRun(rtr: StayRtr, capMs: number): Promise<RunResult> {
  const dir = scenarioDir('route-server-bird');
  const ed = await allocEndpoint();
  const addrs = Array.from({ length: CLIENTS }, () => allocAddress());
  const conf = [
    `router id ${ed.address};`,
    'protocol device { }',
    'roa4 table r4;',
    `protocol rpki rtr { roa4 { table r4; }; remote ${rtr.address} port ${rtr.port}; }`,
    'filter rs_import { if roa_check(r4, net, bgp_path.last) = ROA_INVALID then reject; accept; }',
    ...addrs.map((a, i) =>
      [
        `protocol bgp c${i} {`,
        `  local ${ed.address} port ${ed.port} as ${RS_AS};`,
        `  neighbor ${a} port 179 as ${asOf(i)};`,
        '  strict bind on; multihop 2; passive on; hold time 180; rs client;',
        '  ipv4 { import filter rs_import; export all; next hop keep; gateway recursive; };',
        '}',
      ].join('\n'),
    ),
  ].join('\n');
  const { bird, birdc } = startBird(dir, conf);
  try {
    await waitFor(
      async () => {
        if (!bird.running) throw new Error(bird.describeExit());
        return new RegExp(`${VRPS} imported`).test(await birdc('show', 'protocols', 'all', 'rtr'));
      },
      120_000,
      'BIRD holding the VRPs',
      500,
    );
    const r = await measure(
      ed.address,
      ed.port,
      addrs,
      () => {
        if (!bird.running) throw new Error(bird.describeExit());
      },
      bird.pid,
      capMs,
    );
    return {
      ...r,
      commands: [
        `bird -f -c bird.conf -s bird.ctl   # ${CLIENTS} passive sessions, rs client, roa_check import filter, export all`,
        `${CLIENTS} × startSender({count: ${EACH}})`,
      ],
    };
  } finally {
    await bird.stop();
  }
}

/** GoBGP as route server: route-server-client neighbors (a RIB per client), RPKI-invalid rejected on import. */
async function gobgpRun(rtr: StayRtr, capMs: number): Promise<RunResult> {
  const dir = scenarioDir('route-server-gobgp');
  const ed = await allocEndpoint();
  const api = await allocEndpoint();
  const addrs = Array.from({ length: CLIENTS }, () => allocAddress());
  const conf = [
    '[global.config]',
    `  as = ${RS_AS}`,
    `  router-id = "${ed.address}"`,
    `  port = ${ed.port}`,
    `  local-address-list = ["${ed.address}"]`,
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
    ...addrs.flatMap((a, i) => [
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${a}"`,
      `    peer-as = ${asOf(i)}`,
      '  [neighbors.transport.config]',
      '    passive-mode = true',
      `    local-address = "${ed.address}"`,
      '  [neighbors.timers.config]',
      '    hold-time = 180',
      '  [neighbors.ebgp-multihop.config]',
      '    enabled = true',
      '    multihop-ttl = 2',
      '  [neighbors.route-server.config]',
      '    route-server-client = true',
      '  [neighbors.apply-policy.config]',
      '    import-policy-list = ["rpki"]',
      '    default-import-policy = "accept-route"',
      '  [[neighbors.afi-safis]]',
      '    [neighbors.afi-safis.config]',
      '      afi-safi-name = "ipv4-unicast"',
    ]),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'gobgpd.toml'), conf + '\n');
  const g = new ManagedProcess(
    'gobgpd',
    'gobgpd',
    [
      '-f',
      path.join(dir, 'gobgpd.toml'),
      '-t',
      'toml',
      '-p',
      '--api-hosts',
      `${api.address}:${api.port}`,
      '--pprof-disable',
    ],
    path.join(dir, 'gobgpd.log'),
  );
  const cli = async (...a: string[]): Promise<string> =>
    (await runCmd('gobgp', ['-u', api.address, '-p', String(api.port), ...a], 60_000)).stdout;
  try {
    await waitFor(
      async () => {
        if (!g.running) throw new Error(g.describeExit());
        const m = /(\d+)\/(\d+)/.exec(await cli('rpki', 'server'));
        return m !== null && Number(m[1]) + Number(m[2]) >= VRPS;
      },
      300_000,
      'GoBGP holding the VRPs',
      2000,
    );
    const r = await measure(
      ed.address,
      ed.port,
      addrs,
      () => {
        if (!g.running) throw new Error(g.describeExit());
      },
      g.pid,
      capMs,
    );
    return {
      ...r,
      commands: [
        `gobgpd -f gobgpd.toml -t toml -p   # ${CLIENTS} passive route-server-client neighbors, import policy rejecting RPKI invalid`,
        `${CLIENTS} × startSender({count: ${EACH}})`,
      ],
    };
  } finally {
    await g.stop();
  }
}

export async function routeServerScenario(ctx: ScenarioContext): Promise<void> {
  EACH = ctx.scale === 1 ? 20_000 : Math.max(200, 2 * Math.round((20_000 * ctx.scale) / 2));
  VRPS = ctx.scale === 1 ? 500_000 : Math.max(1000, 2 * Math.round((500_000 * ctx.scale) / 2));
  const job = `${CLIENTS} clients × ${EACH.toLocaleString('en-US')} prefixes, ${VRPS.toLocaleString('en-US')} VRPs`;
  ctx.say(`route-server ${job}`);
  const rtr = new StayRtr();
  await rtr.start(vrpList(), { protocol: 1, refresh: 600, startMs: 120_000 });
  try {
    const items = TOTAL();
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
