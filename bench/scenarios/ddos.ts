// Scenario `ddos`: the flow collector on one core (bench/ddos.ts, in a fresh child process), then the same IPFIX
// and NetFlow v9 datagrams replayed over loopback UDP to tsbgp's collector (a child process running FlowCollector
// and the host table) and to pmacct's nfacctd (print plugin, aggregate dst_host + flows): records accounted per
// CPU second of each receiver (utime + stime from /proc, every nfacctd process counted), and the share of the
// records each one counted.

import { fork } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allocAddress, freePort, ManagedProcess, makeTempDir } from '../../test/interop/peers';
import { decodeRate, HOSTS, memoryPerHost, PER_DATAGRAM, sflowDatagrams, templatedDatagrams, tickMs } from '../ddos';
import { type ScenarioContext, sleep } from './common';

export interface DdosBenchResult {
  hosts: number;
  decode: { name: string; perSecond: number }[];
  memory: { table: number };
  /** 1-minute load average when the scenario started (the machine is shared). */
  load?: number;
  /** Milliseconds of one detector tick over every host. */
  tickMs?: number;
  replay: { name: string; impl: string; sent: number; counted: number; cpuSeconds: number; perCpuSecond: number }[];
}

const M = (x: number): string => `${(x / 1e6).toFixed(2)} M`;

export async function ddosScenario(ctx: ScenarioContext): Promise<DdosBenchResult> {
  const load = os.loadavg()[0]!;
  const child = await new Promise<Pick<DdosBenchResult, 'decode' | 'memory' | 'tickMs'>>((resolve, reject) => {
    const c = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let got: Pick<DdosBenchResult, 'decode' | 'memory' | 'tickMs'> | null = null;
    c.on('message', (m) => (got = m as typeof got));
    c.on('error', reject);
    c.on('exit', (code) => (got ? resolve(got) : reject(new Error(`ddos benchmark child exited with ${code}`))));
  });
  for (const d of child.decode) ctx.say(`  ${d.name}: ${M(d.perSecond)} records/s`);
  ctx.say(`  memory per host: ${child.memory.table.toFixed(0)} bytes (table arrays)`);
  ctx.say(`  detector tick over ${HOSTS} hosts: ${child.tickMs?.toFixed(1)} ms`);
  const replay: DdosBenchResult['replay'] = [];
  for (const version of [10, 9] as const) {
    const name = version === 10 ? 'IPFIX' : 'NetFlow v9';
    const datagrams = templatedDatagrams(version);
    const passes = Math.max(1, Math.round(5 * ctx.scale));
    // Every datagram `passes` times, and the first one (templates and data) twice more.
    const sent = passes * HOSTS + 2 * PER_DATAGRAM;
    for (const impl of ['tsbgp', 'nfacctd'] as const) {
      if (impl === 'nfacctd' && !fs.existsSync('/usr/sbin/nfacctd')) continue;
      const r = impl === 'tsbgp' ? await replayTsbgp(datagrams, passes) : await replayNfacctd(datagrams, passes);
      replay.push({ name, impl, sent, ...r, perCpuSecond: r.counted / r.cpuSeconds });
      ctx.say(
        `  ${name} over UDP to ${impl}: ${r.counted} of ${sent} records, ${r.cpuSeconds.toFixed(2)} CPU s, ${M(r.counted / r.cpuSeconds)} records per CPU second`,
      );
    }
  }
  return { hosts: HOSTS, load, ...child, replay };
}

/** Send every datagram `passes` times to address:port, in bursts a receiver's socket buffer can hold. */
async function send(datagrams: Uint8Array[], passes: number, address: string, port: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    // The templates first, twice, so a receiver that misses the first datagram still learns them.
    for (let i = 0; i < 2; i++) await new Promise<void>((r) => sock.send(datagrams[0]!, port, address, () => r()));
    await sleep(200);
    let inBurst = 0;
    for (let p = 0; p < passes; p++) {
      for (const d of datagrams) {
        await new Promise<void>((r) => sock.send(d, port, address, () => r()));
        if (++inBurst === 200) {
          inBurst = 0;
          await sleep(20);
        }
      }
    }
  } finally {
    sock.close();
  }
}

/** CPU seconds (user + system) of a process, from /proc/PID/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / 100;
  } catch {
    return 0;
  }
}

/** The PIDs of a process and its children (nfacctd runs its plugins as children). */
function family(pid: number): number[] {
  const out = [pid];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(f.slice(f.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function replayTsbgp(datagrams: Uint8Array[], passes: number): Promise<{ counted: number; cpuSeconds: number }> {
  const address = allocAddress();
  const port = await freePort(address);
  const rx = fork(__filename, ['--receiver', address, String(port)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await new Promise<void>((r) => rx.once('message', () => r()));
    const cpu0 = cpuSeconds(rx.pid!);
    await send(datagrams, passes, address, port);
    await sleep(1000);
    const counted = await new Promise<number>((r) => {
      rx.once('message', (m) => r(m as number));
      rx.send('count');
    });
    return { counted, cpuSeconds: cpuSeconds(rx.pid!) - cpu0 };
  } finally {
    rx.kill();
  }
}

async function replayNfacctd(
  datagrams: Uint8Array[],
  passes: number,
): Promise<{ counted: number; cpuSeconds: number }> {
  const dir = makeTempDir('bench-nfacctd');
  const address = allocAddress();
  const port = await freePort(address);
  const csv = path.join(dir, 'out.csv');
  const conf = path.join(dir, 'nfacctd.conf');
  fs.writeFileSync(
    conf,
    [
      'daemonize: false',
      `nfacctd_ip: ${address}`,
      `nfacctd_port: ${port}`,
      'nfacctd_pipe_size: 33554432',
      'plugins: print',
      'aggregate: dst_host, flows',
      'print_output: csv',
      `print_output_file: ${csv}`,
      'print_output_file_append: true',
      'print_refresh_time: 1',
      '',
    ].join('\n'),
  );
  const p = new ManagedProcess('nfacctd', 'nfacctd', ['-f', conf], path.join(dir, 'nfacctd.log'));
  try {
    for (let i = 0; i < 100 && !/waiting for NetFlow/.test(p.log()); i++) await sleep(100);
    const pids = family(p.pid);
    const cpu0 = pids.reduce((n, x) => n + cpuSeconds(x), 0);
    await send(datagrams, passes, address, port);
    // Until its counts stop growing (a purge a second).
    let counted = -1;
    for (let i = 0; i < 30; i++) {
      await sleep(1500);
      const now = countCsv(csv);
      if (now === counted) break;
      counted = now;
    }
    const cpu = family(p.pid).reduce((n, x) => n + cpuSeconds(x), 0) - cpu0;
    return { counted, cpuSeconds: cpu };
  } finally {
    await p.stop();
  }
}

function countCsv(file: string): number {
  if (!fs.existsSync(file)) return 0;
  let n = 0;
  for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
    const v = l.split(',');
    if (v.length >= 4 && v[0] !== 'DST_IP') n += Number(v[2]);
  }
  return n;
}

if (require.main === module && process.argv.includes('--child')) {
  const decode = [
    { name: 'NetFlow v9', d: templatedDatagrams(9) },
    { name: 'IPFIX', d: templatedDatagrams(10) },
    { name: 'sFlow v5 (7 samples of 128-byte headers per datagram)', d: sflowDatagrams() },
  ].map(({ name, d }) => ({ name, perSecond: decodeRate(d).perSecond }));
  process.send?.({ decode, memory: memoryPerHost(), tickMs: tickMs() }, () => process.exit(0));
}

if (require.main === module && process.argv.includes('--receiver')) {
  // tsbgp's collector as a receiver process: FlowCollector into the host table, over UDP.
  void (async () => {
    const { FlowCollector } = await import('../../src/ddos/collector');
    const { HostTable } = await import('../../src/ddos/hosts');
    const { wordPrefixOf } = await import('../ddos-prefix');
    const { NETWORK } = await import('../ddos');
    const i = process.argv.indexOf('--receiver');
    const c = new FlowCollector(new HostTable([wordPrefixOf(NETWORK, 0)]));
    await c.listen([{ address: process.argv[i + 1]!, port: Number(process.argv[i + 2]) }]);
    process.on('message', () => process.send?.(c.stats.records));
    process.send?.('ready');
  })();
}
