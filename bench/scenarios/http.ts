// Scenario 7, http: the receive of scenario 1 (bench/sender.ts blasts 1,000,000 IPv4 /24s at a passive tsbgp)
// with the HTTP server on, once with no client and once with 200 longest-match lookups a second of random
// addresses of the table over HTTP (GET /api/v1/lookup, over at most 8 kept-alive connections, as a reverse
// proxy's upstream pool) for as long as the table arrives. The clock runs from
// Established until tsbgp holds every prefix, as in scenario 1; runs alternate between the two so that drift
// of the machine's load falls on both. Each run then times 200 lookups one after another with the whole
// table held, and checks that the session is still up and was never reset.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { allocEndpoint, freePort } from '../../test/interop/peers';
import { median } from '../data';
import { startSender } from '../sender';
import {
  now,
  passiveNeighbor,
  peakRssKiB,
  type RunResult,
  type ScenarioContext,
  scaled,
  scenarioDir,
  TsbgpProc,
  until,
} from './common';

/** Lookup latencies, ms, of the last measuring run (in Data.http). */
export interface HttpBenchResult {
  prefixes: number;
  /** Lookups a second during the receive. */
  rate: number;
  /** Latencies during the receive, and with the table held (200 one after another per run), each [p50, p99, max]. */
  loaded: [number, number, number];
  loadedCount: number;
  held: [number, number, number];
  heldCount: number;
  /** Every run ended with the session Established, established once. */
  sessionsUp: boolean;
  /**
   * CPU seconds (user + system) tsbgp spent from Established to the last prefix, per run, without and with the
   * lookups: what the lookups cost tsbgp itself, apart from the CPU the client takes from the shared cores.
   */
  cpuIdle: number[];
  cpuBusy: number[];
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (in parentheses, which may hold spaces): utime and stime are 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const RATE = 200;
/** Lookups one after another after each run, with the whole table held. */
const HELD_LOOKUPS = 200;
const CAP_MS = 600_000;
const POLL_MS = 20;

const HTTP_JOBS = {
  idle: (n: number) => `${n.toLocaleString('en-US')} IPv4 /24, in table, HTTP server on, no client`,
  busy: (n: number) => `${n.toLocaleString('en-US')} IPv4 /24, in table, ${RATE} HTTP lookups/s meanwhile`,
};

/** A random address inside the sender's table: its /24s run from 20.0.0.0 (bench/sender.ts). */
function randomAddress(count: number): string {
  const a = ((20 << 24) + Math.floor(Math.random() * count) * 256 + Math.floor(Math.random() * 256)) >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const summary = (xs: number[]): [number, number, number] => [pct(xs, 50), pct(xs, 99), Math.max(...xs)];

/**
 * The client's connections: kept alive and at most 8, as a reverse proxy's upstream pool would hold them; a
 * lookup that finds them all busy waits for one instead of opening a new connection.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One lookup of a random address of the table: ms from the request to the parsed JSON answer. */
function lookup(base: string, count: number): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/v1/lookup?prefix=${randomAddress(count)}`, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const j = JSON.parse(Buffer.concat(chunks).toString()) as { routes?: unknown[] };
        if (res.statusCode !== 200 || !j.routes) reject(new Error(`lookup answered ${res.statusCode}`));
        else resolve(performance.now() - t0);
      });
    });
    req.on('error', reject);
  });
}

interface Lat {
  loaded: number[];
  held: number[];
  up: boolean;
  /** tsbgp's CPU seconds during the receive of the last run. */
  cpu: number;
}

async function run(count: number, busy: boolean, lat: Lat): Promise<RunResult> {
  const dir = scenarioDir('http');
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const httpPort = await freePort(ed.address);
  const env = {
    'exabgp.tcp.bind': ed.address,
    'exabgp.tcp.port': String(ed.port),
    'tsbgp.http.port': String(httpPort),
    'tsbgp.http.bind': ed.address,
  };
  const t = new TsbgpProc(dir, passiveNeighbor(ed.address, es.address, 'ipv4 unicast'), env);
  const base = `http://${ed.address}:${httpPort}`;
  try {
    await t.ready();
    // One lookup first in both kinds of run: the server's code is loaded and compiled before the clock runs.
    await lookup(base, 1);
    const s = await startSender({
      host: ed.address,
      port: ed.port,
      localAddress: es.address,
      as: 65001,
      count,
      family: 'ipv4',
    });
    let timer: NodeJS.Timeout | undefined;
    let failed: Error | undefined;
    try {
      const estPerf = await s.established;
      const est = now() - (performance.now() - estPerf);
      const cpu0 = cpuSeconds(t.pid);
      if (busy) {
        // As many lookups as RATE a second asks for by now, checked every 5 ms: 200/s whatever the timer's jitter.
        const start = performance.now();
        let sent = 0;
        timer = setInterval(() => {
          const due = Math.floor(((performance.now() - start) / 1000) * RATE);
          for (; sent < due; sent++)
            lookup(base, count).then(
              (ms) => lat.loaded.push(ms),
              (e: Error) => (failed = e),
            );
        }, 5);
      }
      const alive = (): void => {
        if (!t.proc.running) throw new Error(t.proc.describeExit());
        if (failed) throw failed;
      };
      const r = await until(async () => (await t.neighbors()).routesIn, count, est, CAP_MS, POLL_MS, alive);
      lat.cpu = cpuSeconds(t.pid) - cpu0;
      clearInterval(timer);
      for (let i = 0; i < HELD_LOOKUPS; i++) lat.held.push(await lookup(base, count));
      const n = (await (await fetch(`${base}/api/v1/neighbors/${es.address}`)).json()) as {
        state: string;
        sessionsEstablished: number;
      };
      if (n.state !== 'established' || n.sessionsEstablished !== 1) lat.up = false;
      const cmd = `node dist/bench/sender.js --host ${ed.address} --port ${ed.port} --local-address ${es.address} --as 65001 --count ${count} --family ipv4`;
      const client = busy
        ? [
            `# and ${RATE}/s: curl 'http://${ed.address}:${httpPort}/api/v1/lookup?prefix=<random address of the table>'`,
          ]
        : [];
      return {
        seconds: r.at === null ? null : (r.at - est) / 1000,
        hwm: peakRssKiB(t.pid),
        last: r.last,
        commands: [t.command, cmd, ...client],
      };
    } finally {
      clearInterval(timer);
      await s.stop();
    }
  } finally {
    await t.stop();
  }
}

export async function httpScenario(ctx: ScenarioContext): Promise<HttpBenchResult> {
  const count = scaled(ctx, 1_000_000);
  const runs = Math.max(ctx.runs, 5);
  const lat: Lat = { loaded: [], held: [], up: true, cpu: 0 };
  const cpu = { idle: [] as number[], busy: [] as number[] };
  const measures = {
    idle: {
      scenario: 'http',
      job: HTTP_JOBS.idle(count),
      impl: 'tsbgp',
      items: count,
      runs: [] as number[],
      hwmKiB: [] as number[],
      commands: [] as string[],
    },
    busy: {
      scenario: 'http',
      job: HTTP_JOBS.busy(count),
      impl: 'tsbgp',
      items: count,
      runs: [] as number[],
      hwmKiB: [] as number[],
      commands: [] as string[],
    },
  };
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so that a trend in the machine's load does not favour one.
    const order: ('idle' | 'busy')[] = i % 2 === 0 ? ['idle', 'busy'] : ['busy', 'idle'];
    for (const k of order) {
      const r = await run(count, k === 'busy', lat);
      if (r.seconds === null) throw new Error(`${measures[k].job}: capped at ${r.last} prefixes`);
      measures[k].runs.push(r.seconds);
      measures[k].hwmKiB.push(r.hwm);
      measures[k].commands = r.commands;
      cpu[k].push(lat.cpu);
      ctx.say(`${measures[k].job}: ${r.seconds.toFixed(3)} s`);
    }
  }
  ctx.record(measures.idle);
  ctx.record(measures.busy);
  const slow = median(measures.busy.runs) / median(measures.idle.runs) - 1;
  ctx.say(`receive ${(slow * 100).toFixed(1)}% slower with lookups; lookups p50 ${pct(lat.loaded, 50).toFixed(1)} ms`);
  return {
    prefixes: count,
    rate: RATE,
    loaded: summary(lat.loaded),
    loadedCount: lat.loaded.length,
    held: summary(lat.held),
    heldCount: lat.held.length,
    sessionsUp: lat.up,
    cpuIdle: cpu.idle,
    cpuBusy: cpu.busy,
  };
}
