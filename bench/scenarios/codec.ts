// Scenario 6, codec micro-benchmarks: bench/codec.ts, flowspec.ts, labeled.ts and evpn.ts on one core, in a fresh child
// process: run inside the bench runner, after the other scenarios had grown its heap, one FlowSpec decode figure
// came out at a sixth of its usual value.
import { fork } from 'node:child_process';
import { benchCodec, benchDecodeWalk } from '../codec';
import { benchEvpn } from '../evpn';
import { benchFlowspec } from '../flowspec';
import { benchLabeled } from '../labeled';
import type { ScenarioContext } from './common';

export interface MicroResult {
  name: string;
  value: string;
}

const M = (x: number): string => `${(x / 1e6).toFixed(2)} M`;

export async function codecScenario(ctx: ScenarioContext): Promise<MicroResult[]> {
  const out = await new Promise<MicroResult[]>((resolve, reject) => {
    const child = fork(__filename, ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let got: MicroResult[] | null = null;
    child.on('message', (m) => (got = m as MicroResult[]));
    child.on('error', reject);
    child.on('exit', (code) => (got ? resolve(got) : reject(new Error(`codec benchmark child exited with ${code}`))));
  });
  for (const r of out) ctx.say(`  ${r.name}: ${r.value}`);
  return out;
}

async function measure(): Promise<MicroResult[]> {
  const c = await benchCodec();
  const walk = await benchDecodeWalk();
  const f = await benchFlowspec();
  const v = await benchLabeled();
  const e = await benchEvpn();
  const out: MicroResult[] = [
    {
      name: 'UPDATE decode (IPv4 /24)',
      value: `${M(c.decodePps)} prefixes/s, ${(c.decodeBps / 2 ** 20).toFixed(0)} MiB/s`,
    },
    { name: 'UPDATE decode + walk every prefix', value: `${M(walk)} prefixes/s` },
    {
      name: 'UPDATE encode (packUpdates)',
      value: `${M(c.encodePps)} prefixes/s, ${(c.encodeBps / 2 ** 20).toFixed(0)} MiB/s`,
    },
  ];
  for (const [fam, r] of Object.entries(f)) {
    out.push({ name: `FlowSpec ${fam} encode`, value: `${M(r.encodePerSec)} rules/s` });
    out.push({ name: `FlowSpec ${fam} decode (scan + items)`, value: `${M(r.decodePerSec)} rules/s` });
    out.push({ name: `FlowSpec ${fam} scan only`, value: `${M(r.scanPerSec)} rules/s` });
  }
  for (const [fam, r] of [...Object.entries(v), ...Object.entries(e)]) {
    out.push({ name: `${fam} encode`, value: `${M(r.encodePerSec)} routes/s` });
    out.push({ name: `${fam} decode (scan + items)`, value: `${M(r.decodePerSec)} routes/s` });
  }
  return out;
}

if (require.main === module && process.argv.includes('--child')) {
  void measure().then((out) => process.send?.(out, () => process.exit(0)));
}
