// Scenario 2, config: the table as static routes in the configuration file, announced to a BIRD receiver.
// The clock runs from starting the daemon (so parsing the file counts) until BIRD has imported every prefix.
// tsbgp and ExaBGP read the same file: tsbgp's configuration language is ExaBGP's.
import { allocAddress, allocEndpoint, type Bird, createDaemon } from '../../test/interop/peers';
import {
  ExabgpProc,
  missing,
  now,
  peakRssKiB,
  type RunResult,
  type ScenarioContext,
  scaled,
  scenarioDir,
  TsbgpProc,
  tsbgpThenExabgp,
  until,
} from './common';

export interface ConfigJob {
  count: number;
  exabgpCap: number;
}

export const CONFIG_JOBS: ConfigJob[] = [
  { count: 100_000, exabgpCap: 120 },
  { count: 1_000_000, exabgpCap: 90 },
];

/** /24 number i from 20.0.0.0 upwards, as text. */
export const v4net = (i: number): string => `${20 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`;

/** A BIRD that takes IPv4 unicast (or flow) from one passive neighbor; returns it and its endpoint. */
export async function birdReceiver(peer: string): Promise<{ bird: Bird; address: string; port: number }> {
  const bird = createDaemon('bird');
  const ed = await allocEndpoint();
  await bird.start({
    ...ed,
    as: 65000,
    holdTime: 180,
    neighbors: [{ address: peer, port: 179, as: 65001, passive: true, families: ['ipv4'] }],
  });
  return { bird, ...ed };
}

/** An ExaBGP-syntax neighbor block from `local` to `peer`, with extra lines inside. */
export function neighborBlock(
  local: string,
  peer: { address: string; port: number },
  peerAs: number,
  family: string,
  extra: string[],
): string {
  return [
    `neighbor ${peer.address} {`,
    `  router-id ${local};`,
    `  local-address ${local};`,
    '  local-as 65001;',
    `  peer-as ${peerAs};`,
    '  hold-time 180;',
    `  connect ${peer.port};`,
    `  family { ${family}; }`,
    ...extra.map((l) => `  ${l}`),
    '}',
    '',
  ].join('\n');
}

/** A configuration announcing n static /24s from `local` to `peer` (a BIRD or a tsbgp receiver). */
export function staticConfig(local: string, peer: { address: string; port: number }, n: number): string {
  const head = neighborBlock(local, peer, 65000, 'ipv4 unicast', ['static {']).replace(/\}\n$/, '');
  const parts = [head];
  for (let i = 0; i < n; i++) parts.push(`    route ${v4net(i)} next-hop 192.0.2.1;\n`);
  parts.push('  }\n}\n');
  return parts.join('');
}

async function run(impl: 'tsbgp' | 'exabgp', j: ConfigJob, capS: number): Promise<RunResult> {
  const dir = scenarioDir(`config-${impl}`);
  const local = allocAddress();
  const { bird, address, port } = await birdReceiver(local);
  try {
    const conf = staticConfig(local, { address, port }, j.count);
    const start = now();
    const d = impl === 'tsbgp' ? new TsbgpProc(dir, conf) : new ExabgpProc(dir, conf, null);
    try {
      const r = await until(
        () => bird.receivedCount(local, 'ipv4'),
        j.count,
        start,
        capS * 1000,
        50,
        () => {
          if (!d.proc.running) throw new Error(d.proc.describeExit());
        },
      );
      const hwm = peakRssKiB(d.pid);
      return {
        seconds: r.at === null ? null : (r.at - start) / 1000,
        hwm,
        last: r.last,
        commands: [
          d.command + `   # ${j.count} static routes`,
          `bird (config in ${bird.dir}; test/interop/peers/bird.ts)`,
        ],
      };
    } finally {
      await d.stop();
    }
  } finally {
    await bird.stop();
  }
}

export async function configScenario(ctx: ScenarioContext, jobs = CONFIG_JOBS): Promise<void> {
  if (missing(ctx, 'config', 'bird', 'BIRD')) return;
  for (const full of jobs) {
    const j = { ...full, count: scaled(ctx, full.count) };
    const job = `${j.count.toLocaleString('en-US')} static routes`;
    await tsbgpThenExabgp(ctx, { scenario: 'config', job, items: j.count }, j.exabgpCap, (impl, capS) =>
      run(impl, j, capS),
    );
  }
}
