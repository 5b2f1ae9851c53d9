// The results a benchmark run keeps (carried in bench/RESULTS.md itself) and the arithmetic every text written from
// them uses, so that each figure in RESULTS.md and the README comes from the stored measurements.
import type { MicroResult } from './scenarios/codec';
import type { Floors, Measure } from './scenarios/common';
import type { DdosBenchResult } from './scenarios/ddos';
import type { HttpBenchResult } from './scenarios/http';
import type { LocRibBench } from './scenarios/loc-rib';
import type { ProfileResult } from './scenarios/profile';

export interface Data {
  measures: Measure[];
  micro: MicroResult[];
  profiles?: ProfileResult[];
  /** Scenario 7's lookup latencies (the receive times are measures). */
  http?: HttpBenchResult;
  /** The DDoS flow collector's figures (bench/scenarios/ddos.ts). */
  ddos?: DdosBenchResult;
  /** The Loc-RIB's steps on one core (bench/scenarios/loc-rib.ts). */
  locRib?: LocRibBench;
  /** When each scenario last ran, and how long it took (s). */
  ran: Record<string, { at: string; seconds: number }>;
  /** Wall time of the last measuring run, seconds. */
  total?: number;
  machine: Record<string, string>;
  /** The runtimes' own cost before any route, measured at the start of the last measuring run. */
  floors?: Floors;
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
export function median(xs: number[]): number {
  const s = sorted(xs);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}
export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const mib = (kib: number): string => (kib > 0 ? `${(kib / 1024).toFixed(0)} MiB` : '–');

/** The measure of one job by one implementation that ran (not a note, at least one run). */
export function findMeasure(data: Data, scenario: string, impl: string, job: string | RegExp): Measure | undefined {
  return data.measures.find(
    (m) =>
      m.scenario === scenario &&
      m.impl === impl &&
      (typeof job === 'string' ? m.job === job : job.test(m.job)) &&
      !m.note &&
      m.runs.length > 0,
  );
}
