// Scenario 4, flowspec: an API program writes N distinct `announce flow route` lines once the session is up;
// the clock runs from its first line until GoBGP holds N ipv4-flowspec paths. GoBGP is polled every 2 s:
// each query walks its table, and frequent polls slow it down.
import * as path from 'node:path';
import { allocAddress, allocEndpoint, createDaemon } from '../../test/interop/peers';
import { FLOOD_JS, NODE, ExabgpProc, TsbgpProc, measureFlood, missing, scenarioDir, scaled, tsbgpThenExabgp, writeScript, type RunResult, type ScenarioContext } from './common';
import { neighborBlock } from './config';

export const FLOW_JOBS = [{ count: 100_000, exabgpCap: 60 }];

async function run(impl: 'tsbgp' | 'exabgp', count: number, capS: number): Promise<RunResult> {
  const dir = scenarioDir(`flow-${impl}`);
  const local = allocAddress();
  const g = createDaemon('gobgp');
  const ed = await allocEndpoint();
  await g.start({ ...ed, as: 65000, holdTime: 180, neighbors: [{ address: local, port: 179, as: 65001, passive: true, families: ['ipv4-flowspec'] }] });
  try {
    const report = path.join(dir, 'flood');
    const flood = writeScript(dir, 'flood.js', FLOOD_JS);
    const conf =
      `process flood {\n  run ${NODE} ${flood} ${count} flow ${report};\n  encoder json;\n}\n` +
      neighborBlock(local, ed, 65000, 'ipv4 flow', ['api { processes [ flood ]; neighbor-changes; }']);
    const d = impl === 'tsbgp' ? new TsbgpProc(dir, conf) : new ExabgpProc(dir, conf, null);
    try {
      return await measureFlood(d, report, count, capS, 2000, () => g.routeCount('ipv4-flowspec'),
        `process: node flood.js ${count} flow (bench/scenarios/common.ts FLOOD_JS)`,
        `gobgpd (config in ${g.dir}; test/interop/peers/gobgp.ts)`,
      );
    } finally {
      await d.stop();
    }
  } finally {
    await g.stop();
  }
}

export async function flowspecScenario(ctx: ScenarioContext, jobs = FLOW_JOBS): Promise<void> {
  if (missing(ctx, 'flowspec', 'gobgp', 'GoBGP')) return;
  for (const full of jobs) {
    const count = scaled(ctx, full.count);
    const job = `${count.toLocaleString('en-US')} flow rules through the API`;
    await tsbgpThenExabgp(ctx, { scenario: 'flowspec', job, items: count }, full.exabgpCap, (impl, capS) => run(impl, count, capS));
  }
}
