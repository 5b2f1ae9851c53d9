// Plumbing shared by the benchmark scenarios: tsbgp and ExaBGP as child processes we own by PID, peak memory
// from /proc, small API programs (a JSON prefix counter and route/flow flooders), and result records.
// Everything a scenario starts is a ManagedProcess (test/interop/peers/common.ts), stopped by its PID.

import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CommandResult, sendCommand } from '../../src/api/control';
import { peakRssKiB, writeScript } from '../../test/e2e/launch';
import {
  allocAddress,
  allocEndpoint,
  type BgpDaemon,
  ManagedProcess,
  makeTempDir,
  runCmd,
  runSync,
  sleep,
  waitFor,
} from '../../test/interop/peers';
import { NODE, REPO, TSBGP } from '../../test/support/tsbgp';

export { peakRssKiB, writeScript } from '../../test/e2e/launch';
export { NODE, REPO, TSBGP } from '../../test/support/tsbgp';
export { sleep };

/** One measured number of one implementation in one job, over several runs. */
export interface Measure {
  /** Scenario id ('receive', 'config', ...). */
  scenario: string;
  /** What was measured, e.g. "1,000,000 IPv4 prefixes, in table". */
  job: string;
  /** 'tsbgp', 'ExaBGP', 'BIRD', 'GoBGP', 'FRR'. */
  impl: string;
  /** Seconds per run; a run that hit its cap counts as the cap and sets `capped`. */
  runs: number[];
  /** Peak RSS (VmHWM) of the daemon per run, KiB. */
  hwmKiB: number[];
  /** Items (prefixes, rules) the job is about. */
  items: number;
  /** The cap in seconds, when a run was stopped by it (then runs hold the cap and `got` how far it came). */
  capped?: number;
  /** Items the receiver held when a capped run was stopped (worst run). */
  got?: number;
  /** Why it was not measured (e.g. "cannot originate FlowSpec"); runs is then empty. */
  note?: string;
  /** Exact command lines of one run (for RESULTS.md). */
  commands: string[];
}

export interface ScenarioContext {
  /** Runs for fast implementations (tsbgp, BIRD); slow ones use fewer. */
  runs: number;
  /** Log a progress line. */
  say(s: string): void;
  /** Record a measurement. */
  record(m: Measure): void;
  installed(kind: 'bird' | 'gobgp' | 'frr' | 'exabgp'): boolean;
  /** Job sizes times this (1 for real runs; `--scale 0.01` for a quick check of the machinery). */
  scale: number;
}

/** A job size scaled for a check run (never below 1,000). */
export const scaled = (ctx: ScenarioContext, n: number): number =>
  ctx.scale === 1 ? n : Math.max(1000, Math.round(n * ctx.scale));

/** What one run of one implementation gave: seconds (null when capped), peak RSS, count held at the cap. */
export interface RunResult {
  seconds: number | null;
  hwm: number;
  last: number;
  commands: string[];
}

/**
 * Run `one` up to `runs` times and record the measure. A capped run stops the repetition (it would only be
 * capped again); a failure is recorded as a note with its first line.
 */
export async function repeat(
  ctx: ScenarioContext,
  base: Omit<Measure, 'runs' | 'hwmKiB' | 'commands'>,
  runs: number,
  capS: number | undefined,
  one: () => Promise<RunResult>,
): Promise<void> {
  const m: Measure = { ...base, runs: [], hwmKiB: [], commands: [] };
  for (let i = 0; i < runs; i++) {
    try {
      const r = await one();
      m.commands = r.commands;
      m.hwmKiB.push(r.hwm);
      if (r.seconds === null) {
        m.capped = capS;
        m.runs.push(capS ?? 600);
        if (r.last >= 0) m.got = Math.min(m.got ?? Infinity, r.last);
        ctx.say(`  ${base.impl}: capped at ${capS} s${r.last >= 0 ? ` (${r.last} held)` : ''}`);
        break; // a capped run is not repeated: it would only be capped again
      }
      m.runs.push(r.seconds);
      ctx.say(`  ${base.impl} ${base.job}: ${r.seconds.toFixed(2)} s, peak RSS ${Math.round(r.hwm / 1024)} MiB`);
    } catch (e) {
      m.note = `failed: ${(e as Error).message.split('\n')[0]}`;
      ctx.say(`  ${base.impl}: ${m.note}`);
      break;
    }
  }
  ctx.record(m);
}

/**
 * The PID of a harness daemon. The classes keep their ManagedProcess private; the benchmark needs the PID
 * only to read /proc/PID/status before stopping it, so it is read through this one narrow cast.
 */
export function daemonPid(d: BgpDaemon): number {
  const p = (d as unknown as { proc?: ManagedProcess }).proc;
  if (!p) throw new Error(`${d.kind}: not started`);
  return p.pid;
}

/** Wall-clock milliseconds (Date.now) so times written by child programs compare with ours. */
export const now = (): number => Date.now();

/** A tsbgp daemon child: its own dir, configuration file and control socket. */
export class TsbgpProc {
  readonly proc: ManagedProcess;
  readonly socket: string;
  readonly conf: string;
  readonly command: string;
  readonly startedAt: number;

  constructor(
    readonly dir: string,
    config: string,
    env: Record<string, string> = {},
    nodeArgs: string[] = [],
  ) {
    this.socket = path.join(dir, 'tsbgp.sock');
    this.conf = path.join(dir, 'tsbgp.conf');
    fs.writeFileSync(this.conf, config);
    const fullEnv = { ...process.env, 'exabgp.log.destination': 'stderr', 'exabgp.log.level': 'WARNING', ...env };
    const args = [...nodeArgs, TSBGP, 'run', '--socket', this.socket, this.conf];
    this.command = `${envText(env)}node ${args.map((a) => (a === TSBGP ? 'bin/tsbgp.js' : a)).join(' ')}`;
    this.startedAt = now();
    this.proc = new ManagedProcess('tsbgp', NODE, args, path.join(dir, 'tsbgp.log'), fullEnv, dir);
  }

  get pid(): number {
    return this.proc.pid;
  }

  async ready(timeoutMs = 120_000): Promise<void> {
    await waitFor(
      async () => {
        if (!this.proc.running) throw new Error(this.proc.describeExit());
        if (!fs.existsSync(this.socket)) return false;
        return (await sendCommand(this.socket, 'version', 5000)).answer === 'done';
      },
      timeoutMs,
      'tsbgp control socket',
      50,
    );
  }

  cli(line: string, timeoutMs = 60_000): Promise<CommandResult> {
    return sendCommand(this.socket, line, timeoutMs);
  }

  /** Sum of routes-in over all neighbors (`show neighbor json`), and how many sessions are Established. */
  async neighbors(): Promise<{ routesIn: number; established: number }> {
    const r = await this.cli('show neighbor json');
    const list = JSON.parse(r.lines.join('')) as { state: string; 'routes-in': number }[];
    let routesIn = 0;
    let established = 0;
    for (const n of list) {
      routesIn += n['routes-in'];
      if (n.state === 'established') established++;
    }
    return { routesIn, established };
  }

  stop(): Promise<void> {
    return this.proc.stop(10_000);
  }
}

/** ExaBGP 4.2 as a child, from a configuration we write (the harness class has a fixed API process). */
export class ExabgpProc {
  readonly proc: ManagedProcess;
  readonly command: string;
  readonly conf: string;

  constructor(
    readonly dir: string,
    config: string,
    bind: { address: string; port: number } | null,
  ) {
    this.conf = path.join(dir, 'exabgp.conf');
    fs.writeFileSync(this.conf, config);
    const env: Record<string, string> = {
      'exabgp.daemon.user': 'root',
      'exabgp.daemon.daemonize': 'false',
      'exabgp.api.cli': 'false',
      'exabgp.log.destination': path.join(dir, 'exabgp.log'),
      'exabgp.log.level': 'WARNING',
    };
    if (bind) {
      env['exabgp.tcp.bind'] = bind.address;
      env['exabgp.tcp.port'] = String(bind.port);
    } else {
      // No listener: ExaBGP connects out only (otherwise it binds 0.0.0.0:179).
      env['exabgp.tcp.bind'] = '';
    }
    this.command = `env ${envText(env)}exabgp ${this.conf}`;
    this.proc = new ManagedProcess(
      'exabgp',
      'exabgp',
      [this.conf],
      path.join(dir, 'stdout.log'),
      { ...process.env, ...env },
      dir,
    );
  }

  get pid(): number {
    return this.proc.pid;
  }

  stop(): Promise<void> {
    return this.proc.stop(5000);
  }
}

function envText(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([k, v]) => `${k}=${v === '' ? "''" : v} `)
    .join('');
}

/** BIRD started on `conf`, its files (bird.conf, bird.ctl, bird.pid, bird.log) in `dir`, and a birdc on its socket. */
export function startBird(
  dir: string,
  conf: string,
): { bird: ManagedProcess; birdc: (...a: string[]) => Promise<string> } {
  const ctl = path.join(dir, 'bird.ctl');
  fs.writeFileSync(path.join(dir, 'bird.conf'), `${conf}\n`);
  const bird = new ManagedProcess(
    'bird',
    'bird',
    ['-f', '-c', path.join(dir, 'bird.conf'), '-s', ctl, '-P', path.join(dir, 'bird.pid')],
    path.join(dir, 'bird.log'),
  );
  const birdc = async (...a: string[]): Promise<string> => (await runCmd('birdc', ['-s', ctl, ...a], 60_000)).stdout;
  return { bird, birdc };
}

/**
 * A micro-benchmark module run in a fresh Node.js process (`fork`), resolving to the one message it sends back:
 * inside the bench runner, after the other scenarios had grown its heap, one FlowSpec decode figure came out at
 * a sixth of its usual value.
 */
export function forkBench<T>(file: string, args: string[], execArgv: string[] = []): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    let got: { value: T } | null = null;
    child.on('message', (m) => (got = { value: m as T }));
    child.on('error', reject);
    child.on('exit', (code) =>
      got ? resolve(got.value) : reject(new Error(`${path.basename(file)} exited with ${code} before its result`)),
    );
  });
}

/**
 * GoBGP started on `conf` (TOML, written to DIR/gobgpd.toml; log DIR/gobgpd.log) with its gRPC API on a loopback
 * address of its own, and the `gobgp` client on that API.
 */
export async function startGobgp(
  dir: string,
  conf: string,
): Promise<{ gobgpd: ManagedProcess; gobgp: (...a: string[]) => Promise<string> }> {
  const api = await allocEndpoint();
  const toml = path.join(dir, 'gobgpd.toml');
  fs.writeFileSync(toml, `${conf}\n`);
  const gobgpd = new ManagedProcess(
    'gobgpd',
    'gobgpd',
    ['-f', toml, '-t', 'toml', '-p', '--api-hosts', `${api.address}:${api.port}`, '--pprof-disable'],
    path.join(dir, 'gobgpd.log'),
  );
  const gobgp = async (...a: string[]): Promise<string> =>
    (await runCmd('gobgp', ['-u', api.address, '-p', String(api.port), ...a], 60_000)).stdout;
  return { gobgpd, gobgp };
}

/**
 * A GoBGP neighbor waiting for a client at `address` (TOML lines of one [[neighbors]] entry): passive, from
 * `local`, hold time 180, IPv4 unicast, with `extra` sections (route server, route reflector, policies).
 */
export function gobgpClient(address: string, peerAs: number, local: string, extra: string[]): string[] {
  return [
    '[[neighbors]]',
    '  [neighbors.config]',
    `    neighbor-address = "${address}"`,
    `    peer-as = ${peerAs}`,
    '  [neighbors.transport.config]',
    '    passive-mode = true',
    `    local-address = "${local}"`,
    '  [neighbors.timers.config]',
    '    hold-time = 180',
    ...extra,
    '  [[neighbors.afi-safis]]',
    '    [neighbors.afi-safis.config]',
    '      afi-safi-name = "ipv4-unicast"',
  ];
}

/** GoBGP's [global.config]: its AS and router id, listening on `ed` only. */
export function gobgpGlobal(as: number, ed: { address: string; port: number }): string[] {
  return [
    '[global.config]',
    `  as = ${as}`,
    `  router-id = "${ed.address}"`,
    `  port = ${ed.port}`,
    `  local-address-list = ["${ed.address}"]`,
  ];
}

export function scenarioDir(name: string): string {
  return makeTempDir(`bench-${name}`);
}

/**
 * An API program that parses every line it gets as JSON (as a real consumer would) and counts the prefixes
 * of `update` announcements, for ExaBGP 4.2 JSON (neighbor.message.update.announce[family][nexthop] = [...]).
 * When the count reaches TARGET it writes {at: Date.now(), count} to REPORT, and at k × TARGET to REPORT.k (a
 * second session sending the table again); `state up` events are written to REPORT.up with their time, and the
 * count so far to REPORT.progress every half second. It never stops reading, so the daemon is never held up by it.
 */
export const COUNTER_JS = `'use strict';
const fs = require('fs');
const [target, report] = [Number(process.argv[2]), process.argv[3]];
let buf = '', count = 0, lines = 0, shown = 0, next = target, tables = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let start = 0, k;
  while ((k = buf.indexOf('\\n', start)) >= 0) {
    const line = buf.slice(start, k); start = k + 1;
    if (line.charCodeAt(0) !== 123) continue;
    lines++;
    const e = JSON.parse(line);
    if (e.type === 'state' && e.neighbor && e.neighbor.state === 'up') fs.writeFileSync(report + '.up', String(Date.now()));
    if (e.type !== 'update') continue;
    // End-of-RIB comes as an update event with message.eor instead of message.update.
    const u = e.neighbor.message && e.neighbor.message.update;
    const ann = u && u.announce;
    if (!ann) continue;
    for (const fam in ann) for (const nh in ann[fam]) count += ann[fam][nh].length;
  }
  buf = buf.slice(start);
  const t = Date.now();
  if (t - shown > 500) { shown = t; fs.writeFileSync(report + '.progress', String(count)); }
  while (count >= next) { tables++; fs.writeFileSync(tables === 1 ? report : report + '.' + tables, JSON.stringify({ at: Date.now(), count, lines })); next += target; }
});
process.stdin.on('end', () => process.exit(0));
`;

/**
 * An API program that waits for the neighbor to come up (a JSON \`state up\` event), writes the time to
 * REPORT.start, then writes N \`announce route\` lines (IPv4 /24s from 20.0.0.0, or flow routes) as fast as
 * its stdout drains, and records the time the last one was written in REPORT.written. Acks are read and
 * counted (\`done\`/\`error\`) so that a daemon with acks enabled is never blocked by us.
 */
export const FLOOD_JS = `'use strict';
const fs = require('fs');
const [n, kind, report] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const a = (i) => (20 + (i >>> 16)) + '.' + ((i >>> 8) & 255) + '.' + (i & 255);
const line = kind === 'flow'
  ? (i) => 'announce flow route { match { destination ' + (10 + (i >>> 16)) + '.' + ((i >>> 8) & 255) + '.' + (i & 255) + '.0/24; protocol tcp; destination-port =80; } then { discard; } }\\n'
  : (i) => 'announce route ' + a(i) + '.0/24 next-hop 192.0.2.1\\n';
let buf = '', started = false, acks = 0, errors = 0;
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let start = 0, k;
  while ((k = buf.indexOf('\\n', start)) >= 0) {
    const l = buf.slice(start, k); start = k + 1;
    if (l === 'done') acks++; else if (l === 'error') errors++;
    else if (!started && l.includes('"state"') && l.includes('"up"')) { started = true; go(); }
  }
  buf = buf.slice(start);
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => { fs.writeFileSync(report + '.acks', JSON.stringify({ acks, errors })); process.exit(0); });
let i = 0;
function go() {
  fs.writeFileSync(report + '.start', String(Date.now()));
  pump();
}
function pump() {
  while (i < n) {
    let chunk = '';
    const end = Math.min(n, i + 1000);
    for (; i < end; i++) chunk += line(i);
    if (!process.stdout.write(chunk)) { process.stdout.once('drain', pump); return; }
  }
  fs.writeFileSync(report + '.written', String(Date.now()));
}
`;

/** Read a number written by a child program, or undefined if the file is not there (yet). */
export function readStamp(file: string): number | undefined {
  try {
    const t = fs.readFileSync(file, 'utf8').trim();
    if (t === '') return undefined;
    return t.startsWith('{') ? (JSON.parse(t) as { at: number }).at : Number(t);
  } catch {
    return undefined;
  }
}

/**
 * Poll `count` every `pollMs` until it reaches `target` or `capMs` passes (from `from`, a Date.now time).
 * Returns the time it was reached, or null with the last count when capped. Also watches that `alive` holds.
 */
export async function until(
  count: () => Promise<number>,
  target: number,
  from: number,
  capMs: number,
  pollMs: number,
  alive?: () => void,
): Promise<{ at: number | null; last: number }> {
  let last = 0;
  for (;;) {
    alive?.();
    last = await count().catch(() => last);
    const t = now();
    if (last >= target) return { at: t, last };
    if (t - from > capMs) return { at: null, last };
    await sleep(pollMs);
  }
}

/** Wait until a file holding a time appears; null when capped. */
export async function untilStamp(
  file: string,
  from: number,
  capMs: number,
  alive?: () => void,
  pollMs = 20,
): Promise<number | null> {
  for (;;) {
    alive?.();
    const t = readStamp(file);
    if (t !== undefined) return t;
    if (now() - from > capMs) return null;
    await sleep(pollMs);
  }
}

/** Daemon versions for the machine section. */
export function versions(): Record<string, string> {
  const first = (s: string, re: RegExp): string => re.exec(s)?.[1] ?? 'not installed';
  let tsbgpVersion = '';
  try {
    tsbgpVersion = (JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    tsbgpVersion = '?';
  }
  return {
    tsbgp: tsbgpVersion,
    node: process.version,
    ExaBGP: first(runSync('exabgp', ['--version']), /ExaBGP\s*:\s*([\d.]+)/),
    BIRD: first(runSync('bird', ['--version']), /BIRD version ([\d.]+)/),
    GoBGP: first(runSync('gobgpd', ['--version']), /version ([\d.]+)/),
    FRR: first(runSync('/usr/lib/frr/bgpd', ['--version']), /version ([\d.]+)/),
  };
}

/**
 * The receiving side's neighbor block used by several scenarios: by default AS 65000 waiting passively for a
 * sender in AS 65001 at `peer`, one family, extra lines inside (an api block, a static block's head, a role).
 */
export function passiveNeighbor(
  local: string,
  peer: string,
  family: string,
  extra: string[] = [],
  as: { local: number; peer: number } = { local: 65000, peer: 65001 },
): string {
  return [
    `neighbor ${peer} {`,
    `  router-id ${local};`,
    `  local-address ${local};`,
    `  local-as ${as.local};`,
    `  peer-as ${as.peer};`,
    '  hold-time 180;',
    '  passive true;',
    `  family { ${family}; }`,
    ...extra.map((l) => `  ${l}`),
    '}',
  ].join('\n');
}

/** A BIRD 2 session waiting for client `i` at `address` on the endpoint `ed`: `options` and the IPv4 channel's. */
export function birdClient(
  i: number,
  ed: { address: string; port: number },
  address: string,
  as: { local: number; peer: number },
  options: string,
  channel: string,
): string {
  return [
    `protocol bgp c${i} {`,
    `  local ${ed.address} port ${ed.port} as ${as.local};`,
    `  neighbor ${address} port 179 as ${as.peer};`,
    `  strict bind on; passive on; hold time 180; ${options}`,
    `  ipv4 { ${channel} };`,
    '}',
  ].join('\n');
}

/** The JSON-counting API process (COUNTER_JS) as a `process` block, and the api line that feeds it updates. */
export function counterProcess(script: string, count: number, report: string): { block: string; api: string } {
  return {
    block: `process counter {\n  run ${NODE} ${script} ${count} ${report};\n  encoder json;\n}`,
    api: 'api { processes [ counter ]; receive { parsed; update; } }',
  };
}

/**
 * The flooding API program (FLOOD_JS) written to `dir` as a `process` block writing `count` route or flow
 * lines, the api line that gives it the neighbor's state, and the REPORT path it stamps.
 */
export function floodProcess(
  dir: string,
  count: number,
  kind: 'route' | 'flow',
): { block: string; api: string; report: string } {
  const report = path.join(dir, 'flood');
  const script = writeScript(dir, 'flood.js', FLOOD_JS);
  return {
    block: `process flood {\n  run ${NODE} ${script} ${count} ${kind} ${report};\n  encoder json;\n}\n`,
    api: 'api { processes [ flood ]; neighbor-changes; }',
    report,
  };
}

/** Record a scenario as not run because the receiver it needs is missing. Returns true when it is missing. */
export function missing(ctx: ScenarioContext, scenario: string, kind: 'bird' | 'gobgp', name: string): boolean {
  if (ctx.installed(kind)) return false;
  ctx.record({
    scenario,
    job: 'all',
    impl: 'tsbgp',
    items: 0,
    runs: [],
    hwmKiB: [],
    commands: [],
    note: `${name} not installed: nothing to receive`,
  });
  return true;
}

/** One job run by tsbgp (ctx.runs times) and then by ExaBGP (once, capped), when it is installed. */
export async function tsbgpThenExabgp(
  ctx: ScenarioContext,
  base: { scenario: string; job: string; items: number },
  exabgpCap: number,
  run: (impl: 'tsbgp' | 'exabgp', capS: number) => Promise<RunResult>,
): Promise<void> {
  ctx.say(`${base.scenario} ${base.job}`);
  await repeat(ctx, { ...base, impl: 'tsbgp' }, ctx.runs, undefined, () => run('tsbgp', 600));
  const exa = { ...base, impl: 'ExaBGP' };
  if (!ctx.installed('exabgp')) ctx.record({ ...exa, runs: [], hwmKiB: [], commands: [], note: 'not installed' });
  else await repeat(ctx, exa, 1, exabgpCap, () => run('exabgp', exabgpCap));
}

/**
 * The measuring half of the API scenarios: once the flooding program has stamped its first line, poll the
 * receiver's `count` until it holds `target` or the cap passes; on a cap, wait a second for what was already
 * on the wire and count once more, so that "lost" is what never arrived.
 */
export async function measureFlood(
  d: TsbgpProc | ExabgpProc,
  report: string,
  target: number,
  capS: number,
  pollMs: number,
  count: () => Promise<number>,
  floodNote: string,
  receiver: string,
): Promise<RunResult> {
  const alive = (): void => {
    if (!d.proc.running) throw new Error(d.proc.describeExit());
  };
  const start = await untilStamp(`${report}.start`, now(), 30_000, alive);
  if (start === null) throw new Error('the session did not come up within 30 s');
  const r = await until(count, target, start, capS * 1000, pollMs, alive);
  const hwm = peakRssKiB(d.pid);
  const last = r.at === null ? await sleep(1000).then(() => count().catch(() => r.last)) : r.last;
  return {
    seconds: r.at === null ? null : (r.at - start) / 1000,
    hwm,
    last,
    commands: [`${d.command}   # ${floodNote}`, receiver],
  };
}

/** What the runtimes cost before any route: the floor under every time and memory figure of small jobs. */
export interface Floors {
  /** Median wall time of `node -e 0`, seconds. */
  nodeStartS: number;
  /** Peak RSS of an idle daemon with one passive neighbor and nothing else, KiB (0: not measured). */
  tsbgpIdleKiB: number;
  exabgpIdleKiB: number;
}

/**
 * Measure the floors: Node.js start-up five times, then tsbgp and ExaBGP each started with one passive
 * neighbor that never connects, left idle for 2 s, their peak RSS read as for every other job.
 */
export async function measureFloors(exabgp: boolean): Promise<Floors> {
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    runSync(NODE, ['-e', '0']);
    starts.push((performance.now() - t0) / 1000);
  }
  starts.sort((a, b) => a - b);
  const ed = await allocEndpoint();
  const peer = allocAddress();
  const conf = passiveNeighbor(ed.address, peer, 'ipv4 unicast');
  const t = new TsbgpProc(scenarioDir('floor-tsbgp'), conf, {
    'exabgp.tcp.bind': ed.address,
    'exabgp.tcp.port': String(ed.port),
  });
  let tsbgpIdleKiB = 0;
  try {
    await t.ready();
    await sleep(2000);
    tsbgpIdleKiB = peakRssKiB(t.pid);
  } finally {
    await t.stop();
  }
  let exabgpIdleKiB = 0;
  if (exabgp) {
    const e = new ExabgpProc(scenarioDir('floor-exabgp'), conf, null);
    try {
      await sleep(3000);
      if (e.proc.running) exabgpIdleKiB = peakRssKiB(e.pid);
    } finally {
      await e.stop();
    }
  }
  return { nodeStartS: starts[2]!, tsbgpIdleKiB, exabgpIdleKiB };
}
