// Scenario 3, api: an API program writes N `announce route` lines once its neighbor is up; the clock runs
// from its first line until BIRD has imported all N. What BIRD does not hold at the end (or at the cap) is
// reported as lost. tsbgp and ExaBGP run the same configuration and the same program (bench/scenarios/common.ts).
import { allocAddress } from '../../test/interop/peers';
import {
  ExabgpProc,
  floodProcess,
  measureFlood,
  missing,
  type RunResult,
  type ScenarioContext,
  scaled,
  scenarioDir,
  TsbgpProc,
  tsbgpThenExabgp,
} from './common';
import { birdReceiver, neighborBlock } from './config';

export interface ApiJob {
  count: number;
  exabgpCap: number;
}

export const API_JOBS: ApiJob[] = [
  { count: 100_000, exabgpCap: 60 },
  { count: 1_000_000, exabgpCap: 60 },
];

async function run(impl: 'tsbgp' | 'exabgp', j: ApiJob, capS: number): Promise<RunResult> {
  const dir = scenarioDir(`api-${impl}`);
  const local = allocAddress();
  const { bird, address, port } = await birdReceiver(local);
  try {
    const { block, api, report } = floodProcess(dir, j.count, 'route');
    const conf = block + neighborBlock(local, { address, port }, 65000, 'ipv4 unicast', [api]);
    const d = impl === 'tsbgp' ? new TsbgpProc(dir, conf) : new ExabgpProc(dir, conf, null);
    try {
      return await measureFlood(
        d,
        report,
        j.count,
        capS,
        50,
        () => bird.receivedCount(local, 'ipv4'),
        `process: node flood.js ${j.count} route (bench/scenarios/common.ts FLOOD_JS)`,
        `bird (config in ${bird.dir}; test/interop/peers/bird.ts)`,
      );
    } finally {
      await d.stop();
    }
  } finally {
    await bird.stop();
  }
}

export async function apiScenario(ctx: ScenarioContext, jobs = API_JOBS): Promise<void> {
  if (missing(ctx, 'api', 'bird', 'BIRD')) return;
  for (const full of jobs) {
    const j = { ...full, count: scaled(ctx, full.count) };
    const job = `${j.count.toLocaleString('en-US')} announce route lines`;
    await tsbgpThenExabgp(ctx, { scenario: 'api', job, items: j.count }, j.exabgpCap, (impl, capS) =>
      run(impl, j, capS),
    );
  }
}
