// Where tsbgp spends its time, under `node --cpu-prof`: the 1,000,000-prefix receive with JSON to a process,
// 1,000,000 static routes sent from the configuration, and 100,000 FlowSpec rules taken from an API program.
// The profile is read back (a .cpuprofile is JSON: nodes with call frames and sample hit counts) and the
// functions with the most self time are listed, plus the same time grouped by source file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allocEndpoint, waitFor } from '../../test/interop/peers';
import { startSender } from '../sender';
import {
  COUNTER_JS,
  counterProcess,
  floodProcess,
  now,
  passiveNeighbor,
  REPO,
  readStamp,
  type ScenarioContext,
  scenarioDir,
  TsbgpProc,
  untilStamp,
  writeScript,
} from './common';
import { neighborBlock, v4net } from './config';

export interface ProfileResult {
  what: string;
  command: string;
  totalMs: number;
  top: { name: string; where: string; ms: number; share: number }[];
  summary: string;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const COUNT = 1_000_000;

function where(url: string, line: number): string {
  if (url === '') return 'V8 / native';
  const p = url.replace(/^file:\/\//, '');
  const rel = p.startsWith(REPO) ? path.relative(REPO, p) : p.startsWith('node:') ? p : path.basename(p);
  return `${rel}:${line + 1}`;
}

export function summarize(prof: CpuProfile): Omit<ProfileResult, 'what' | 'command'> {
  const totalSamples = prof.samples.length || 1;
  const totalMs = (prof.endTime - prof.startTime) / 1000;
  const perSample = totalMs / totalSamples;
  const byFn = new Map<string, { name: string; where: string; ms: number }>();
  const byFile = new Map<string, number>();
  let idle = 0;
  for (const n of prof.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const ms = hits * perSample;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const w = where(cf.url, cf.lineNumber);
    const key = `${cf.functionName}@${w}`;
    const e = byFn.get(key) ?? { name: cf.functionName || '(anonymous)', where: w, ms: 0 };
    e.ms += ms;
    byFn.set(key, e);
    const file = cf.url === '' ? cf.functionName : w.replace(/:\d+$/, '');
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  const busy = totalMs - idle;
  const top = [...byFn.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 15)
    .map((f) => ({ ...f, share: (f.ms / busy) * 100 }));
  const files = [...byFile.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  const summary =
    `Busy ${(busy / 1000).toFixed(1)} s of ${(totalMs / 1000).toFixed(1)} s (idle ${((idle / totalMs) * 100).toFixed(0)}%). ` +
    `Self time by file or category: ${files.map(([f, ms]) => `${f} ${((ms / busy) * 100).toFixed(0)}%`).join(', ')}.`;
  return { totalMs, top, summary };
}

/** The receive path (JSON to a process), the configuration path (1M static routes out), the FlowSpec API path. */
export async function profileScenario(ctx: ScenarioContext): Promise<ProfileResult[]> {
  return [await profileReceive(ctx), await profileConfig(ctx), await profileFlowApi(ctx)];
}

const FLOW_COUNT = 100_000;

/**
 * The FlowSpec API job of scenario 4 with a tsbgp receiver (so that GoBGP's pace is not in it), the sending
 * tsbgp profiled: from the flooding program's first line until it wrote its last, which is the pace at which
 * tsbgp reads, parses, checks and queues the rules.
 */
async function profileFlowApi(ctx: ScenarioContext): Promise<ProfileResult> {
  const ed = await allocEndpoint();
  const local = (await allocEndpoint()).address;
  const rx = new TsbgpProc(scenarioDir('profile-flow-rx'), passiveNeighbor(ed.address, local, 'ipv4 flow'), {
    'exabgp.tcp.bind': ed.address,
    'exabgp.tcp.port': String(ed.port),
  });
  let seconds = 0;
  let r: Omit<ProfileResult, 'what' | 'command'>;
  let command = '';
  try {
    await rx.ready();
    const dir = scenarioDir('profile-flow');
    const profDir = path.join(dir, 'prof');
    fs.mkdirSync(profDir);
    const { block, api, report } = floodProcess(dir, FLOW_COUNT, 'flow');
    const conf = block + neighborBlock(local, ed, 65000, 'ipv4 flow', [api]);
    const t = new TsbgpProc(dir, conf, {}, ['--cpu-prof', '--cpu-prof-dir', profDir]);
    command = `${t.command}   # process: node flood.js ${FLOW_COUNT} flow, to a passive tsbgp`;
    try {
      await waitFor(
        () => readStamp(`${report}.written`) !== undefined || !t.proc.running,
        600_000,
        'the flood program to finish',
        20,
      );
      seconds = ((readStamp(`${report}.written`) ?? 0) - (readStamp(`${report}.start`) ?? 0)) / 1000;
    } finally {
      await t.stop();
    }
    r = summarize(readProfile(profDir));
  } finally {
    await rx.stop();
  }
  ctx.say(`  profile (flowspec API): ${r.summary}`);
  return {
    what: `tsbgp taking ${FLOW_COUNT.toLocaleString('en-US')} \`announce flow route\` lines from an API program and sending them to a tsbgp peer (${seconds.toFixed(1)} s from the first line to the last written, under the profiler)`,
    command,
    ...r,
  };
}

function readProfile(profDir: string): CpuProfile {
  const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${profDir}`);
  return JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile;
}

/**
 * tsbgp started with 1,000,000 static routes for a passive neighbor; bench/sender.ts connects (announcing one
 * prefix) and the clock stops at the End-of-RIB tsbgp sends after the table (an UPDATE with an empty body).
 */
async function profileConfig(ctx: ScenarioContext): Promise<ProfileResult> {
  const dir = scenarioDir('profile-config');
  const profDir = path.join(dir, 'prof');
  fs.mkdirSync(profDir);
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const head = passiveNeighbor(ed.address, es.address, 'ipv4 unicast', ['static {']).replace(/\}$/, '');
  const parts = [head];
  for (let i = 0; i < COUNT; i++) parts.push(`    route ${v4net(i)} next-hop 192.0.2.1;\n`);
  parts.push('  }\n}\n');
  const start = now();
  const t = new TsbgpProc(dir, parts.join(''), { 'exabgp.tcp.bind': ed.address, 'exabgp.tcp.port': String(ed.port) }, [
    '--cpu-prof',
    '--cpu-prof-dir',
    profDir,
  ]);
  let seconds = 0;
  try {
    await t.ready();
    let eorAt = 0;
    const s = await startSender({
      host: ed.address,
      port: ed.port,
      localAddress: es.address,
      as: 65001,
      count: 1,
      onMessage: (type, body) => {
        if (type === 2 && body.length === 4 && eorAt === 0) eorAt = now();
      },
    });
    try {
      await s.established;
      await waitFor(() => eorAt > 0 || !t.proc.running, 600_000, 'End-of-RIB from tsbgp', 20);
      seconds = (eorAt - start) / 1000;
    } finally {
      await s.stop();
    }
  } finally {
    await t.stop();
  }
  const r = summarize(readProfile(profDir));
  ctx.say(`  profile (config): ${r.summary}`);
  return {
    what: `tsbgp started with ${COUNT.toLocaleString('en-US')} static routes in its configuration, sending them all to one peer (${seconds.toFixed(1)} s from start to End-of-RIB under the profiler)`,
    command: t.command + '   # 1,000,000 `route P next-hop 192.0.2.1;` lines',
    ...r,
  };
}

async function profileReceive(ctx: ScenarioContext): Promise<ProfileResult> {
  const dir = scenarioDir('profile');
  const profDir = path.join(dir, 'prof');
  fs.mkdirSync(profDir);
  const ed = await allocEndpoint();
  const es = await allocEndpoint();
  const report = path.join(dir, 'count.json');
  const counter = counterProcess(writeScript(dir, 'counter.js', COUNTER_JS), COUNT, report);
  const conf = `${counter.block}\n${passiveNeighbor(ed.address, es.address, 'ipv4 unicast', [counter.api])}`;
  const t = new TsbgpProc(dir, conf, { 'exabgp.tcp.bind': ed.address, 'exabgp.tcp.port': String(ed.port) }, [
    '--cpu-prof',
    '--cpu-prof-dir',
    profDir,
  ]);
  let seconds = 0;
  try {
    await t.ready();
    const s = await startSender({ host: ed.address, port: ed.port, localAddress: es.address, as: 65001, count: COUNT });
    try {
      const estPerf = await s.established;
      const est = now() - (performance.now() - estPerf);
      const at = await untilStamp(report, est, 600_000, () => {
        if (!t.proc.running) throw new Error(t.proc.describeExit());
      });
      seconds = at === null ? 600 : (at - est) / 1000;
    } finally {
      await s.stop();
    }
  } finally {
    // The profile is written when the process exits normally (tsbgp exits 0 on SIGTERM after its Cease).
    await t.stop();
  }
  const r = summarize(readProfile(profDir));
  ctx.say(`  profile: ${r.summary}`);
  return {
    what: `tsbgp receiving ${COUNT.toLocaleString('en-US')} IPv4 prefixes with JSON to a counting process, profiled (${seconds.toFixed(1)} s to the last prefix under the profiler; the profile covers the whole process life)`,
    command: t.command,
    ...r,
  };
}
