// Scenario 9, the Loc-RIB on one core: bench/loc-rib.ts (the decision process over a full table from two peers,
// then the same with route reflection to three clients and a non-client), in a fresh process with --expose-gc so
// that its heap figures are after a collection. Each step's time is the median of the runs.
import * as path from 'node:path';
import { median } from '../data';
import type { LocRibResult } from '../loc-rib';
import { forkBench, type ScenarioContext, scaled } from './common';

export interface LocRibBench {
  prefixes: number;
  runs: number;
  /** Per step: median, fastest and slowest wall seconds and median CPU seconds over the runs; heap and outcome of the last run. */
  steps: { name: string; seconds: number[]; cpuSeconds: number; heapMiB: number; after: string }[];
  /** Largest peak RSS of the runs, KiB. */
  peakRssKiB: number;
}

export async function locRibScenario(ctx: ScenarioContext): Promise<LocRibBench> {
  const prefixes = scaled(ctx, 1_000_000);
  const results: LocRibResult[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    const r = await forkBench<LocRibResult>(
      path.join(__dirname, '..', 'loc-rib.js'),
      [String(prefixes)],
      ['--expose-gc'],
    );
    ctx.say(`  run ${i + 1}: ${r.steps.map((s) => `${s.seconds.toFixed(2)} s`).join(', ')}`);
    results.push(r);
  }
  const last = results[results.length - 1]!;
  return {
    prefixes,
    runs: results.length,
    steps: last.steps.map((s, k) => {
      const secs = results.map((r) => r.steps[k]!.seconds);
      return {
        name: s.name,
        seconds: [median(secs), Math.min(...secs), Math.max(...secs)],
        cpuSeconds: median(results.map((r) => r.steps[k]!.cpuSeconds)),
        heapMiB: s.heapMiB,
        after: s.after,
      };
    }),
    peakRssKiB: Math.max(...results.map((r) => r.peakRssKiB)),
  };
}
